import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** One data point as the tests read it: a sum or gauge's value, or a histogram's count and sum. */
export interface Point {
  attributes: Attributes;
  value?: number;
  count?: number;
  sum?: number;
  boundaries?: number[];
}

/**
 * The real OpenTelemetry SDK with in-memory exporters: spans as they end, and metrics collected
 * on demand (cumulative, as Prometheus reads them).
 */
export interface OtelHarness {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  /** The ended spans so far. */
  spans(): ReadableSpan[];
  /** Collects now: every metric by name. */
  metrics(): Promise<Map<string, MetricData>>;
  /** The points of one metric (none when it has not been recorded). */
  points(name: string): Promise<Point[]>;
  shutdown(): Promise<void>;
}

/**
 * A reader that collects only when asked, handing what it collects to the in-memory exporter as
 * a periodic reader would: no timer, so a fake clock cannot stall it.
 */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export function otelHarness(): OtelHarness {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spanExporter)],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metrics = async () => {
    metricExporter.reset();
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metrics collection failed');
    metricExporter.export(resourceMetrics, () => {});
    const byName = new Map<string, MetricData>();
    for (const resource of metricExporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
    }
    return byName;
  };
  return {
    tracerProvider,
    meterProvider,
    spans: () => spanExporter.getFinishedSpans(),
    metrics,
    async points(name) {
      const metric = (await metrics()).get(name);
      if (metric === undefined) return [];
      return metric.dataPoints.map((point): Point => {
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const value = point.value as {
            count: number;
            sum?: number;
            buckets: { boundaries: number[] };
          };
          return {
            attributes: point.attributes,
            count: value.count,
            ...(value.sum === undefined ? {} : { sum: value.sum }),
            boundaries: value.buckets.boundaries,
          };
        }
        return { attributes: point.attributes, value: point.value as number };
      });
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** The sum of a counter's points whose attributes include `match`. */
export function total(points: Point[], match: Attributes = {}): number {
  return points
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (p.value ?? p.count ?? 0), 0);
}

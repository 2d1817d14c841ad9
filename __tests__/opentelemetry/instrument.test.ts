import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { metrics, trace } from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createTokenProvider, diagnosticsChannels, type TokenProvider } from '../../src/index.js';
import { instrumentBookableAuth } from '../../src/opentelemetry/index.js';
import { useFakeClock } from '../helpers/clock.js';
import { otelHarness, total, type OtelHarness } from '../helpers/otel.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  fakeTokenEndpoint,
} from '../helpers/token-endpoint.js';

const REQUESTS = 'bookable_auth.token.requests';
const DURATION = 'bookable_auth.token.request.duration';
const REMAINING = 'bookable_auth.token.remaining_lifetime';

const harnesses: OtelHarness[] = [];
const handles: Array<ReturnType<typeof instrumentBookableAuth>> = [];
afterEach(async () => {
  handles.splice(0).forEach((h) => h.unsubscribe());
  await Promise.all(harnesses.splice(0).map((h) => h.shutdown()));
  trace.disable();
  metrics.disable();
  expectScriptedRequestsMade();
});

function harness(): OtelHarness {
  const otel = otelHarness();
  harnesses.push(otel);
  return otel;
}

function instrument(...args: Parameters<typeof instrumentBookableAuth>) {
  const handle = instrumentBookableAuth(...args);
  handles.push(handle);
  return handle;
}

/** One token fetch: drops the cached token and gets a new one. */
async function fetchOnce(provider: TokenProvider): Promise<void> {
  provider.invalidate();
  await provider.getToken();
}

/**
 * What a harness has recorded: fetch spans, fetches counted and timed, and the remaining lifetime
 * last observed. The SDK keeps exporting a gauge's last value once nobody observes it, so a gauge
 * that stopped shows as a value the clock no longer moves.
 */
async function recorded(otel: OtelHarness) {
  const [remaining] = await otel.points(REMAINING);
  return {
    spans: otel.spans().length,
    fetches: total(await otel.points(REQUESTS)),
    timed: total(await otel.points(DURATION)),
    remaining: remaining?.value,
  };
}

const MINUTE = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('instrumentBookableAuth', () => {
  it('uses the global tracer and meter providers when given none', async () => {
    useFakeClock(T0);
    const otel = harness();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    instrument();
    fakeTokenEndpoint({ times: 1 });
    await createTokenProvider(CLIENT).getToken();
    expect(await recorded(otel)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });
  });

  it('stops every span and metric on unsubscribe, leaves no subscriber, and a second call does nothing', async () => {
    useFakeClock(T0);
    const otel = harness();
    const handle = instrument(otel);
    fakeTokenEndpoint({ times: 2 });
    const provider = createTokenProvider(CLIENT);
    await fetchOnce(provider);
    expect(await recorded(otel)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });

    handle.unsubscribe();
    handle.unsubscribe();
    for (const name of Object.values(diagnosticsChannels)) {
      const channel =
        name === diagnosticsChannels.tokenRequest
          ? diagnosticsChannel.tracingChannel(name)
          : diagnosticsChannel.channel(name);
      expect({ name, subscribed: channel.hasSubscribers }).toEqual({ name, subscribed: false });
    }
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    await fetchOnce(provider);
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    // Observed, the new token would have 3000 s left.
    expect(await recorded(otel)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });
  });

  it('counts once when asked twice for the same providers, and goes on counting once after one handle stops', async () => {
    useFakeClock(T0);
    const otel = harness();
    const first = instrument(otel);
    const second = instrument({
      tracerProvider: otel.tracerProvider,
      meterProvider: otel.meterProvider,
    });
    fakeTokenEndpoint({ times: 3 });
    const provider = createTokenProvider(CLIENT);
    await fetchOnce(provider);
    expect(await recorded(otel)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });

    first.unsubscribe();
    first.unsubscribe(); // idempotent: must not release the second handle's share
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    await fetchOnce(provider);
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await recorded(otel)).toEqual({ spans: 2, fetches: 2, timed: 2, remaining: 3000 });

    second.unsubscribe();
    await fetchOnce(provider);
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await recorded(otel)).toEqual({ spans: 2, fetches: 2, timed: 2, remaining: 3000 });
  });

  it('feeds each set of providers once, and unsubscribing one leaves the other whole', async () => {
    useFakeClock(T0);
    const a = harness();
    const b = harness();
    const handleA = instrument(a);
    instrument(b);
    fakeTokenEndpoint({ times: 2 });
    const provider = createTokenProvider(CLIENT);
    await fetchOnce(provider);
    expect(await recorded(a)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });
    expect(await recorded(b)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });

    handleA.unsubscribe();
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    await fetchOnce(provider);
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await recorded(a)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });
    expect(await recorded(b)).toEqual({ spans: 2, fetches: 2, timed: 2, remaining: 3000 });
  });

  it('starts afresh for providers whose every handle has unsubscribed', async () => {
    useFakeClock(T0);
    const otel = harness();
    instrument(otel).unsubscribe();
    instrument(otel);
    fakeTokenEndpoint({ times: 1 });
    await createTokenProvider(CLIENT).getToken();
    expect(await recorded(otel)).toEqual({ spans: 1, fetches: 1, timed: 1, remaining: 3600 });
  });

  it('keeps the newest expiry per client and audience', async () => {
    const otel = harness();
    instrument(otel);
    fakeTokenEndpoint({ times: 3 });
    const bookable = createTokenProvider(CLIENT);
    const other = createTokenProvider({ ...CLIENT, audience: 'api.other.example' });
    await bookable.getToken();
    await other.getToken();
    await fetchOnce(bookable);
    const points = await otel.points(REMAINING);
    expect(points.map((p) => p.attributes['bookable_auth.token.audience']).sort()).toEqual([
      'api.bookabletech.com',
      'api.other.example',
    ]);
  });
});

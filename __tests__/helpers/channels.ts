import diagnosticsChannel from 'node:diagnostics_channel';
import { diagnosticsChannels } from '../../src/index.js';

/** One message as a listener heard it; a tracing channel's are named `<channel>:<phase>`. */
export interface ChannelEvent {
  channel: string;
  message: Record<string, unknown>;
}

export interface ChannelListener {
  /** Every message so far, in order. */
  events: ChannelEvent[];
  /** The messages of one channel (or `<tracing channel>:<phase>`), in order. */
  of<Message = Record<string, unknown>>(channel: string): Message[];
  stop(): void;
}

const TRACING_PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/**
 * Records every message of every channel of the library, in order, until `stop()`. A tracing
 * channel's context is copied as each phase sees it (the same object travels through all five).
 */
export function listenToChannels(): ChannelListener {
  const events: ChannelEvent[] = [];
  const stops: Array<() => void> = [];
  for (const [key, name] of Object.entries(diagnosticsChannels)) {
    if (key === 'tokenRequest') {
      const handlers = Object.fromEntries(
        TRACING_PHASES.map((phase) => [
          phase,
          (message: unknown) =>
            events.push({
              channel: `${name}:${phase}`,
              message: { ...(message as Record<string, unknown>) },
            }),
        ]),
      );
      const tracing = diagnosticsChannel.tracingChannel(name);
      tracing.subscribe(handlers as never);
      stops.push(() => tracing.unsubscribe(handlers as never));
      continue;
    }
    const handler = (message: unknown) =>
      events.push({ channel: name, message: message as Record<string, unknown> });
    diagnosticsChannel.subscribe(name, handler);
    stops.push(() => diagnosticsChannel.unsubscribe(name, handler));
  }
  return {
    events,
    of: <Message>(channel: string) =>
      events.filter((e) => e.channel === channel).map((e) => e.message as Message),
    stop: () => stops.forEach((stop) => stop()),
  };
}

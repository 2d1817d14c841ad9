import { jest } from '@jest/globals';
import type { TokenProvider } from '../../src/index.js';

/** Fake timers that axios and nock survive: nextTick and setImmediate stay real. */
export function useFakeClock(start = Date.parse('2026-01-01T00:00:00Z')): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: start });
}

function clockIsFake(): boolean {
  return (setTimeout as unknown as { clock?: unknown }).clock !== undefined;
}

/** Lets pending I/O callbacks, zero-delay timers and promise chains run without moving the clock. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (clockIsFake()) await jest.advanceTimersByTimeAsync(0);
  }
}

/** Settles until `condition` holds; fails after `rounds` rounds instead of hanging. */
export async function until(condition: () => boolean, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds && !condition(); i++) await settle(1);
  if (!condition()) throw new Error('condition not reached');
}

/** Awaits `promise` while letting I/O and zero-delay (possibly faked) timers run. */
export async function settled<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => (done = true));
  tracked.catch(() => {});
  await until(() => done);
  return tracked;
}

/** Settles until the provider's cached token is `token` (a background refresh has landed). */
export async function untilCached(
  provider: TokenProvider,
  token: string,
  rounds = 500,
): Promise<void> {
  for (let i = 0; i < rounds && (await provider.getTokenInfo()).accessToken !== token; i++) {
    await settle(1);
  }
}

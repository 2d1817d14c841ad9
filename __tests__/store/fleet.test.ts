import { afterEach, describe, expect, it, jest } from '@jest/globals';
import nock from 'nock';
import {
  BookableAuthError,
  createTokenProvider,
  type TokenProviderOptions,
  type TokenStore,
} from '../../src/index.js';
import { createMemoryTokenStore } from '../../src/testing/index.js';
import { settle, settled, until, useFakeClock } from '../helpers/clock.js';
import { recordingLogger } from '../helpers/logger.js';
import { CLIENT, TENANT, fakeTokenEndpoint } from '../helpers/token-endpoint.js';
import { storeKey } from '../../src/store/store-codec.js';

const SECRET = 'test-secret-value';
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The store key of the providers below (see store-codec.test.ts for how it is derived). */
const TOKEN_KEY = storeKey(
  {
    tokenUrl: `${TENANT}/oauth/token`,
    clientId: 'client-1',
    audience: 'api.bookabletech.com',
    scope: undefined,
  },
  undefined,
);

/** Awaits `promise`, moving the fake clock in poll-sized steps (waiters poll the store). */
async function resolved<T>(promise: Promise<T>, steps = 400): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => (done = true));
  tracked.catch(() => {});
  for (let i = 0; i < steps && !done; i++) {
    await settle(2); // real I/O (nock's answers) first, so the clock never outruns it
    if (!done) await jest.advanceTimersByTimeAsync(25);
  }
  return tracked;
}

/** Moves the fake clock in poll-sized steps until `condition` holds. */
async function pollUntil(condition: () => Promise<boolean>, steps = 200): Promise<void> {
  for (let i = 0; i < steps; i++) {
    if (await condition()) return;
    await jest.advanceTimersByTimeAsync(25);
  }
  throw new Error('condition not reached');
}

afterEach(() => {
  nock.cleanAll();
  jest.useRealTimers();
});

/** A memory store that counts calls and can be made to fail or hang, method by method. */
function observedStore() {
  const inner = createMemoryTokenStore();
  const calls: string[] = [];
  const faults = { fail: false, hang: false };
  const wrap =
    <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls.push(name);
      if (faults.hang) return new Promise<R>(() => {});
      if (faults.fail) return Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));
      return call(...args);
    };
  const store: TokenStore = {
    get: wrap('get', inner.get),
    set: wrap('set', inner.set),
    setIfAbsent: wrap('setIfAbsent', inner.setIfAbsent),
    compareAndDelete: wrap('compareAndDelete', inner.compareAndDelete),
  };
  return { store, inner, calls, faults };
}

/** A provider of one "process" of the fleet. */
function member(store: TokenStore, extra: Partial<TokenProviderOptions> = {}) {
  const logger = recordingLogger();
  const provider = createTokenProvider({
    clientId: 'client-1',
    clientSecret: SECRET,
    tokenUrl: `${TENANT}/oauth/token`,
    retry: { retries: 0 },
    store,
    logger,
    ...extra,
  } as TokenProviderOptions);
  const warnings = () => logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
  return { provider, warnings };
}

describe('sharing one token through a store', () => {
  it('adopts a token another process shared, and reads the store only when its own copy is due', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, calls } = observedStore();
    const a = member(store);
    const b = member(store);
    expect(await a.provider.getToken()).toBe('token-1');
    expect(await b.provider.getToken()).toBe('token-1');
    expect(endpoint.calls).toBe(1);

    const before = calls.length;
    await Promise.all(Array.from({ length: 100 }, () => b.provider.getToken()));
    await jest.advanceTimersByTimeAsync(3000_000);
    await b.provider.getToken();
    expect(calls.length).toBe(before);
  });

  it('lets one of many cold processes fetch while the others wait for its token', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const fleet = Array.from({ length: 8 }, () => member(store));
    const tokens = await resolved(
      Promise.all(fleet.flatMap((m) => [m.provider.getToken(), m.provider.getToken()])),
    );
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(endpoint.calls).toBe(1);
  });

  it('renews once for the fleet: the first process inside its margin fetches, the others adopt', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const fleet = Array.from({ length: 4 }, () => member(store));
    await resolved(Promise.all(fleet.map((m) => m.provider.getToken())));
    // Inside every member's (jittered) margin, before expiry: each call starts a renewal.
    await jest.advanceTimersByTimeAsync(3600_000 - 30_000);
    for (const m of fleet) expect(await m.provider.getToken()).toBe('token-1');
    const current = () => Promise.all(fleet.map((m) => m.provider.getToken()));
    await pollUntil(async () => (await current()).every((t) => t === 'token-2'));
    expect(endpoint.calls).toBe(2);
  });

  it('waits for a lock holder, and fetches itself once the holder lets its lock lapse', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, inner } = observedStore();
    const a = member(store, { timeoutMs: 1_000 });
    // A process took the lock and died: its lock stays for its TTL (timeoutMs + 2 s).
    await inner.setIfAbsent(`${TOKEN_KEY}:lock`, 'dead-process', 3_000);
    const pending = a.provider.getToken();
    await jest.advanceTimersByTimeAsync(2_900);
    expect(endpoint.calls).toBe(0);
    // Its next poll (at 3.075 s) finds the lock gone; the fetch then needs no more clock.
    await jest.advanceTimersByTimeAsync(500);
    expect(await settled(pending)).toBe('token-1');
    expect(endpoint.calls).toBe(1);
  });

  it('adopts the token the lock holder writes, without fetching', async () => {
    useFakeClock(T0);
    const { store } = observedStore();
    const writer = member(store);
    const reader = member(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    nock(TENANT)
      .post('/oauth/token')
      .times(2)
      .reply((_uri, _body, callback) => {
        calls += 1;
        void gate.then(() =>
          callback(null, [
            200,
            { access_token: `shared-${calls}`, token_type: 'Bearer', expires_in: 3600 },
          ]),
        );
      });
    const first = writer.provider.getToken();
    await until(() => calls === 1);
    // The reader arrives while the writer holds the lock, and polls.
    const second = reader.provider.getToken();
    await jest.advanceTimersByTimeAsync(500);
    release();
    await pollUntil(async () => calls === 1 && (await writer.provider.getToken()) === 'shared-1');
    expect(await resolved(Promise.all([first, second]))).toEqual(['shared-1', 'shared-1']);
    expect(calls).toBe(1);
  });
});

describe('a refused token', () => {
  it('is dropped from the store, and the next process to ask fetches the replacement once', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const [a, b, c] = [member(store), member(store), member(store)];
    for (const m of [a, b, c]) await resolved(m.provider.getToken());
    expect(await resolved(a.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    expect(await resolved(b.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    expect(await resolved(c.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    expect(endpoint.calls).toBe(2);
  });

  it('is replaced for the whole fleet when it is refused again within the interval, with one more request', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const fleet = [member(store), member(store), member(store)];
    for (const m of fleet) await resolved(m.provider.getToken());
    // token-1 revoked: one process fetches token-2, the others take it from the store.
    for (const m of fleet) {
      expect(await resolved(m.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    }
    expect(endpoint.calls).toBe(2);
    // token-2 revoked a second later, inside every process's forcedRefreshIntervalSeconds.
    await jest.advanceTimersByTimeAsync(1_000);
    const replacements = await resolved(
      Promise.all(fleet.map((m) => m.provider.getTokenAfterRejection('token-2'))),
    );
    expect(replacements).toEqual(['token-3', 'token-3', 'token-3']);
    expect(endpoint.calls).toBe(3);
  });

  it('is still refused within the interval when no process of the fleet may fetch again', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const a = member(store);
    await resolved(a.provider.getToken());
    expect(await resolved(a.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    await jest.advanceTimersByTimeAsync(1_000);
    const error = await resolved(a.provider.getTokenAfterRejection('token-2')).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'token_rejected' });
    expect(endpoint.calls).toBe(2);
  });

  it('is never adopted again from the store, even when the store could not drop it', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    // A store whose delete of the token never lands (the lock still works).
    const swallowing: TokenStore = {
      ...store,
      compareAndDelete: (key, expected) =>
        key.endsWith(':lock') ? store.compareAndDelete(key, expected) : Promise.resolve(false),
    };
    const a = member(swallowing);
    await resolved(a.provider.getToken());
    expect(await resolved(a.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    expect(endpoint.calls).toBe(2);
  });
});

describe('invalidate', () => {
  it('does not take the dropped token back from the store, and drops it there too', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store } = observedStore();
    const [a, b] = [member(store), member(store)];
    await resolved(a.provider.getToken());
    expect(a.provider.invalidate('token-1')).toBe(true);
    expect(await resolved(a.provider.getToken())).toBe('token-2');
    expect(await resolved(b.provider.getToken())).toBe('token-2');
    expect(endpoint.calls).toBe(2);
  });
});

describe('a lock taken after its caller gave up', () => {
  it('is released once the late answer arrives, so the next process fetches at once', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, inner } = observedStore();
    // The first SET NX reaches the store but its answer comes 800 ms late (a stall, a slow link).
    let delayed = false;
    const lockAnswers: boolean[] = [];
    const stalling: TokenStore = {
      ...store,
      setIfAbsent: async (key, value, ttlMs) => {
        if (!delayed) {
          delayed = true;
          await new Promise((resolve) => setTimeout(resolve, 800));
        }
        const taken = await store.setIfAbsent(key, value, ttlMs);
        lockAnswers.push(taken);
        return taken;
      },
    };
    const a = member(stalling, { storeTimeoutMs: 250 });
    const b = member(stalling);
    expect(await resolved(a.provider.getToken())).toBe('token-1'); // gave up on the store at 250 ms
    await jest.advanceTimersByTimeAsync(800); // the lock lands, and is released
    await settle();
    expect(await inner.get(`${TOKEN_KEY}:lock`)).toBeUndefined();
    expect(await resolved(b.provider.getToken())).toBe('token-2');
    expect(lockAnswers).toEqual([true, true]); // b never found the lock held
    expect(endpoint.calls).toBe(2);
  });
});

describe('a failing store', () => {
  it('never fails a request: the process fetches for itself, warns once, and tries the store again after 5 s', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, faults, calls } = observedStore();
    faults.fail = true;
    const a = member(store, { forcedRefreshIntervalSeconds: 1 });
    expect(await resolved(a.provider.getToken())).toBe('token-1');
    expect(await resolved(a.provider.getTokenAfterRejection('token-1'))).toBe('token-2');
    expect(endpoint.calls).toBe(2);
    expect(a.warnings()).toEqual([
      expect.stringMatching(
        /^The token store failed to read the token \(ECONNREFUSED 127\.0\.0\.1:6379\); this process fetches its own tokens/,
      ),
    ]);
    // Inside the 5 s pause the store is not even asked.
    expect(calls).toEqual(['get']);

    faults.fail = false;
    await jest.advanceTimersByTimeAsync(5_000);
    const b = member(store);
    expect(await resolved(b.provider.getToken())).toBe('token-3');
    expect(await resolved(a.provider.getTokenAfterRejection('token-2'))).toBe('token-3');
    expect(endpoint.calls).toBe(3);
    expect(a.warnings()[1]).toBe('The token store answers again; sharing tokens through it');
  });

  it('does not wait past storeTimeoutMs on a store that never answers', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, faults } = observedStore();
    faults.hang = true;
    const a = member(store, { storeTimeoutMs: 250 });
    const pending = a.provider.getToken();
    await settle();
    expect(endpoint.calls).toBe(0);
    await jest.advanceTimersByTimeAsync(250);
    expect(await resolved(pending)).toBe('token-1');
    expect(a.warnings()).toEqual([expect.stringContaining('(no answer within 250 ms)')]);
  });

  it('reports a store that refuses its commands for good once, at error level, and leaves it alone for 5 minutes', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, calls } = observedStore();
    const refusing: TokenStore = {
      ...store,
      get: (key) => {
        void store.get(key); // counted
        return Promise.reject(
          new BookableAuthError('store_misconfigured', 'Redis refused `GET` (NOPERM): grant it'),
        );
      },
    };
    const logger = recordingLogger();
    const a = createTokenProvider({ ...CLIENT, retry: { retries: 0 }, store: refusing, logger });
    for (let i = 0; i < 3; i++) {
      expect(await resolved(a.getTokenAfterRejection(`token-${i}`))).toBe(`token-${i + 1}`);
      await jest.advanceTimersByTimeAsync(60_000);
    }
    expect(calls).toEqual(['get']); // not asked again within 5 minutes
    expect(logger.lines.filter((l) => l.level !== 'debug')).toEqual([
      {
        level: 'error',
        message: 'Redis refused `GET` (NOPERM): grant it (next try in 5 min)',
        details: { code: 'store_misconfigured' },
      },
    ]);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(await resolved(a.getTokenAfterRejection('token-3'))).toBe('token-4');
    expect(calls).toEqual(['get', 'get']);
    expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(endpoint.calls).toBe(4);
  });

  it('replaces a value it cannot read, with one warning', async () => {
    useFakeClock(T0);
    const endpoint = fakeTokenEndpoint({ times: 10 });
    const { store, inner } = observedStore();
    const a = member(store);
    await inner.set(TOKEN_KEY, 'not a record', 60_000);
    expect(await resolved(a.provider.getToken())).toBe('token-1');
    expect(endpoint.calls).toBe(1);
    expect(a.warnings()).toEqual([expect.stringContaining('cannot read')]);
    expect(await inner.get(TOKEN_KEY)).toContain('token-1');
  });
});

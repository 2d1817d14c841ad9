// npm run bench: this library against plain axios (the floor) and the peers, measured in one run
// on this machine, on 127.0.0.1 only. Prints one table and writes docs/benchmarks.md.
// Not a test: nothing here asserts a time. BENCH_REQUESTS and BENCH_ROUNDS scale it; BENCH_ONLY
// (a comma-separated list of section names) runs some sections and leaves docs/benchmarks.md alone.
import { OAuth2Client, OAuth2Fetch } from '@badgateway/oauth2-client';
import axios, {
  AxiosError,
  type AxiosAdapter,
  type AxiosInstance,
  type InternalAxiosRequestConfig,
} from 'axios';
import { clientCredentials } from 'axios-oauth-client';
import type tokenProviderType from 'axios-token-interceptor';
import { install as installFakeClock } from '@sinonjs/fake-timers';
import { createHook } from 'node:async_hooks';
import { execFile, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { attachBookableAuth } from '../../src/index.js';
import { listenOnLoopback } from '../../src/testing/http.js';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { importCostSection } from './import-cost.js';

// Both peers are CommonJS at heart; require() them as their own README does.
const require = createRequire(import.meta.url);
const createAuthRefreshInterceptor = (
  require('axios-auth-refresh') as typeof import('axios-auth-refresh')
).default;
const tokenProvider = require('axios-token-interceptor') as typeof tokenProviderType;

/** Sequential requests per client in a round (twice as many in-process). */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const STUB_REQUESTS = REQUESTS * 2;
/** How many times each contender is built anew over the rounds. */
const SESSIONS = 10;
const ID = 'bench-client';
const SECRET = 'bench-secret-value';

// ---- local servers ---------------------------------------------------------------------------

interface World {
  tokenUrl: string;
  tokenOrigin: string;
  apiOrigin: string;
  tokenCalls: number;
  /** Token requests received and not yet answered. */
  tokenInFlight: number;
  /** Issued tokens and when they expire (epoch ms). */
  valid: Map<string, number>;
  expiresIn: number;
  tokenDelayMs: number;
  apiJitterMs: number;
  close(): Promise<void>;
}

/** Keep-alive outlasts the pauses between one client's rounds, so no round opens a socket. */
const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
  listenOnLoopback(async (req, res) => handler(req, res), { keepAliveTimeoutMs: 60_000 });

async function startWorld(): Promise<World> {
  let serial = 0;
  const world = {
    tokenCalls: 0,
    tokenInFlight: 0,
    valid: new Map<string, number>(),
    expiresIn: 3600,
    tokenDelayMs: 0,
    apiJitterMs: 0,
  } as World;
  const token = await listen((req, res) => {
    req.resume();
    world.tokenInFlight += 1;
    req.on('end', () => {
      world.tokenCalls += 1;
      const accessToken = `bench-token-${++serial}`;
      world.valid.set(accessToken, Date.now() + world.expiresIn * 1000);
      setTimeout(() => {
        world.tokenInFlight -= 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: accessToken,
            token_type: 'Bearer',
            expires_in: world.expiresIn,
          }),
        );
      }, world.tokenDelayMs);
    });
  });
  const api = await listen((req, res) => {
    req.resume();
    const answer = () => {
      const ok = (world.valid.get((req.headers.authorization ?? '').slice(7)) ?? 0) > Date.now();
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"ok":true}' : '{"message":"Unauthorized"}');
    };
    if (world.apiJitterMs) setTimeout(answer, Math.random() * world.apiJitterMs);
    else answer();
  });
  return Object.assign(world, {
    tokenUrl: `${token.origin}/oauth/token`,
    tokenOrigin: token.origin,
    apiOrigin: api.origin,
    close: async () => void (await Promise.all([token.close(), api.close()])),
  });
}

/** An in-process API: checks the token as the real one does, without a socket. */
function stubAdapter(world: World): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig) => {
    if (world.apiJitterMs) await sleep(Math.random() * world.apiJitterMs);
    const auth = String(config.headers.get('Authorization') ?? '');
    const status = (world.valid.get(auth.slice(7)) ?? 0) > Date.now() ? 200 : 401;
    const response = {
      data: { ok: status === 200 },
      status,
      statusText: '',
      headers: {},
      config,
      request: {},
    };
    if (status === 200) return response;
    throw new AxiosError(
      'Request failed with status code 401',
      'ERR_BAD_REQUEST',
      config,
      {},
      response,
    );
  };
}

// ---- the contenders ----------------------------------------------------------------------------

type Get = (path: string) => Promise<unknown>;
interface Contender {
  name: string;
  /** A reference point, not a client: left out of the token economy. */
  baseline?: boolean;
  make(world: World, stub: boolean): Get;
}

function axiosFor(world: World, stub: boolean): AxiosInstance {
  return axios.create({
    baseURL: world.apiOrigin,
    ...(stub ? { adapter: stubAdapter(world) } : { httpAgent: new Agent({ keepAlive: true }) }),
  });
}
const oauthClient = (world: World) => clientCredentials(axios.create(), world.tokenUrl, ID, SECRET);

function plainAxios(world: World, stub: boolean): Get {
  const instance = axiosFor(world, stub);
  const token = `bench-static-${Math.random()}`;
  world.valid.set(token, Infinity);
  instance.defaults.headers.common.Authorization = `Bearer ${token}`;
  return (path) => instance.get(path);
}

const axiosContenders: Contender[] = [
  { name: 'plain axios, static header (floor)', make: plainAxios },
  {
    name: 'bookable-axios-auth',
    make(world, stub) {
      const instance = axiosFor(world, stub);
      attachBookableAuth(instance, {
        clientId: ID,
        clientSecret: SECRET,
        tokenUrl: world.tokenUrl,
      });
      return (path) => instance.get(path);
    },
  },
  {
    name: 'axios-token-interceptor + axios-oauth-client',
    make(world, stub) {
      const instance = axiosFor(world, stub);
      const getCredentials = oauthClient(world);
      type Body = { access_token: string; expires_in: number };
      const cache = tokenProvider.tokenCache(() => getCredentials('') as Promise<Body>, {
        getMaxAge: (body) => body.expires_in * 1000,
      });
      instance.interceptors.request.use(
        tokenProvider({
          getToken: cache,
          headerFormatter: (body) => `Bearer ${body.access_token}`,
        }),
      );
      return (path) => instance.get(path);
    },
  },
  {
    name: 'axios-auth-refresh + axios-oauth-client',
    make(world, stub) {
      const instance = axiosFor(world, stub);
      const getCredentials = oauthClient(world);
      let token: string | undefined;
      instance.interceptors.request.use((config) => {
        if (token) config.headers.set('Authorization', `Bearer ${token}`);
        return config;
      });
      createAuthRefreshInterceptor(instance as never, async (failed: AxiosError) => {
        token = String((await getCredentials('')).access_token);
        failed.response!.config.headers.set('Authorization', `Bearer ${token}`);
      });
      return (path) => instance.get(path);
    },
  },
];

// The least any plugin of this kind can cost: it sets the header per request (here from a
// constant, in a synchronous interceptor, so axios skips its promise chain) and handles 401s in a
// response interceptor, which axios chains as one more promise turn even when the request succeeds.
axiosContenders.push({
  name: 'plain axios + a synchronous header interceptor + an empty response interceptor',
  baseline: true,
  make(world, stub) {
    const instance = axiosFor(world, stub);
    const header = `Bearer bench-static-${Math.random()}`;
    world.valid.set(header.slice(7), Infinity);
    instance.interceptors.request.use(
      (config) => {
        config.headers.set('Authorization', header);
        return config;
      },
      undefined,
      { synchronous: true },
    );
    instance.interceptors.response.use(undefined, (error: unknown) => Promise.reject(error));
    return (path) => instance.get(path);
  },
});

// The floor again, as a control: what separates two identical clients is the resolution of the
// measurement on this machine.
axiosContenders.push({
  name: 'plain axios, static header, a second instance (control)',
  baseline: true,
  make: plainAxios,
});

const fetchContenders: Contender[] = [
  {
    name: 'plain fetch, static header (fetch floor)',
    make(world) {
      const token = `bench-static-${Math.random()}`;
      world.valid.set(token, Infinity);
      return async (path) =>
        (
          await fetch(world.apiOrigin + path, { headers: { authorization: `Bearer ${token}` } })
        ).text();
    },
  },
  {
    name: '@badgateway/oauth2-client (OAuth2Fetch)',
    make(world) {
      const client = new OAuth2Client({
        server: world.tokenOrigin,
        tokenEndpoint: '/oauth/token',
        clientId: ID,
        clientSecret: SECRET,
      });
      const wrapper = new OAuth2Fetch({ client, getNewToken: () => client.clientCredentials() });
      return async (path) => {
        const response = await wrapper.fetch(world.apiOrigin + path);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        return response.text();
      };
    },
  },
];

// ---- measurements ------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function perRequest(get: Get, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await get('/venues');
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

/**
 * Many short rounds, each running every contender once in a random order: a round's figures are
 * taken within a fraction of a second of each other, so the machine's drift hits them alike, and
 * no contender always follows the same one (whose garbage it would collect). Each
 * contender is built anew for every tenth of the rounds, so what sets one instance apart from
 * another (its socket, where its objects landed) averages out as well.
 */
async function overhead(
  contenders: Contender[],
  stub: boolean,
  n: number,
): Promise<Map<string, number[]>> {
  const world = await startWorld();
  const samples = new Map(contenders.map((c) => [c.name, [] as number[]]));
  let gets: Get[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % Math.ceil(ROUNDS / SESSIONS) === 0) {
      gets = contenders.map((c) => c.make(world, stub));
      // Warm up: the token, the socket, and (the first time) the JIT.
      for (const get of gets) await perRequest(get, round === 0 ? 2000 : 500);
    }
    for (const k of shuffled(contenders.length)) {
      samples.get(contenders[k]!.name)!.push(await perRequest(gets[k]!, n));
    }
  }
  await world.close();
  return samples;
}

interface Economy {
  calls: number;
  failed: number;
}
async function economy(
  contender: Contender,
  stub: boolean,
  setup: (world: World, get: Get) => Promise<number>,
): Promise<Economy> {
  const world = await startWorld();
  const get = contender.make(world, stub);
  const failed = await setup(world, get);
  const calls = world.tokenCalls;
  await world.close();
  return { calls, failed };
}
const burst = async (get: Get, n: number) =>
  (await Promise.allSettled(Array.from({ length: n }, () => get('/venues')))).filter(
    (r) => r.status === 'rejected',
  ).length;

const coldStart = (n: number) => async (world: World, get: Get) => {
  world.tokenDelayMs = 20;
  return burst(get, n);
};
const revokedStorm = async (world: World, get: Get) => {
  await get('/warm-up');
  world.valid.clear();
  world.tokenCalls = 0; // count only what the storm causes
  world.apiJitterMs = 20;
  world.tokenDelayMs = 20;
  return burst(get, 500);
};
/**
 * Ten minutes of 60 s tokens on a fake clock: only `Date` is faked, so sockets and timers stay
 * real. One request every 250 ms of simulated time; while a token request is in flight the clock
 * stands still, as if the token endpoint answered instantly.
 */
const tenMinutes = async (world: World, get: Get) => {
  world.expiresIn = 60;
  const clock = installFakeClock({ toFake: ['Date'], now: Date.now() });
  let failed = 0;
  try {
    for (let t = 0; t < 600_000; t += 250) {
      await get('/venues').catch(() => (failed += 1));
      do await new Promise((resolve) => setImmediate(resolve));
      while (world.tokenInFlight > 0);
      clock.tick(250);
    }
  } finally {
    clock.uninstall();
  }
  return failed;
};

/** Promises still pending (and alive after GC), and timers left, once a revoked-token storm is over. */
async function leftovers(
  contender: Contender,
  stub: boolean,
): Promise<{ promises: number; timers: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const world = await startWorld();
  const get = contender.make(world, stub);
  await get('/warm-up');
  world.valid.clear();
  world.apiJitterMs = 20;
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const timersBefore = timers();
  const pending = new Set<number>();
  const hook = createHook({
    init: (id, type) => void (type === 'PROMISE' && pending.add(id)),
    promiseResolve: (id) => void pending.delete(id),
    destroy: (id) => void pending.delete(id),
  }).enable();
  await burst(get, 500);
  await sleep(200);
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(20);
  }
  hook.disable();
  const result = { promises: pending.size, timers: timers() - timersBefore };
  await world.close();
  return result;
}

/** How a fleet shares: not at all, or through Redis with one client family, single or Cluster. */
interface FleetStore {
  name: string;
  /** fleet-worker.mjs's REDIS_CLIENT, or undefined for no store. */
  client?: 'node-redis' | 'ioredis' | 'node-redis-cluster' | 'ioredis-cluster';
  env: Record<string, string>;
  /** The Redis servers that take the clients' commands (the masters, for a Cluster). */
  ports: () => Promise<number[]>;
}

const runFile = promisify(execFile);
const redisCli = async (port: number, ...args: string[]) =>
  (await runFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;

/** Commands the servers ran since the last CONFIG RESETSTAT, the measurement's own left out. */
async function redisCommands(ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const info = await redisCli(port, 'INFO', 'commandstats');
    for (const [, command, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (command !== 'config|resetstat' && command !== 'info') total += Number(calls);
    }
  }
  return total;
}

/** N processes (the built package) firing 250 concurrent requests each, cold. */
async function fleet(
  processes: number,
  store: FleetStore,
): Promise<{ calls: number; failed: number; p50: number; p99: number; commandsPer1000?: number }> {
  const world = await startWorld();
  world.tokenDelayMs = 20;
  const ports = await store.ports();
  for (const port of ports) await redisCli(port, 'FLUSHALL');
  const worker = new URL('../e2e/fixtures/fleet-worker.mjs', import.meta.url);
  const children = await Promise.all(
    Array.from({ length: processes }, () => {
      const child = fork(worker, {
        env: {
          PATH: process.env.PATH ?? '',
          API_ORIGIN: world.apiOrigin,
          TOKEN_URL: world.tokenUrl,
          AUDIENCE: 'api.bookabletech.com',
          CLIENT_ID: ID,
          CLIENT_SECRET: SECRET,
          ...(store.client === undefined ? { NO_STORE: '1' } : { REDIS_CLIENT: store.client }),
          ...store.env,
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      return new Promise<typeof child>((resolve) =>
        child.on('message', (m: { type: string }) => m.type === 'ready' && resolve(child)),
      );
    }),
  );
  // Connected and ready: from here on, count only what the requests cost.
  for (const port of ports) await redisCli(port, 'CONFIG', 'RESETSTAT');
  type Burst = { ok: number; failed: string[]; latenciesMs: number[] };
  const results = await Promise.all(
    children.map(
      (child) =>
        new Promise<Burst>((resolve) => {
          child.on('message', (m: Burst & { type: string }) => m.type === 'burst' && resolve(m));
          child.send({ type: 'burst', requests: 250 });
        }),
    ),
  );
  const commands = await redisCommands(ports);
  for (const child of children) child.kill();
  const latencies = results.flatMap((r) => r.latenciesMs);
  const calls = world.tokenCalls;
  await world.close();
  return {
    calls,
    failed: results.reduce((n, r) => n + r.failed.length, 0),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    ...(store.client === undefined
      ? {}
      : { commandsPer1000: (commands / (processes * 250)) * 1000 }),
  };
}

async function renewalLatency(
  contender: Contender,
): Promise<{ steady: number[]; renewal: number[]; failed: number }> {
  const world = await startWorld();
  world.expiresIn = 2;
  world.tokenDelayMs = 50;
  const get = contender.make(world, true);
  await get('/venues');
  const steady: number[] = [];
  const renewal: number[] = [];
  let failed = 0;
  const start = Date.now();
  while (Date.now() - start < 2_600) {
    const callsBefore = world.tokenCalls;
    const t0 = performance.now();
    await get('/venues').catch(() => (failed += 1));
    const ms = performance.now() - t0;
    (world.tokenCalls !== callsBefore || Date.now() - start > 900 ? renewal : steady).push(ms);
    await sleep(1);
  }
  await world.close();
  return { steady, renewal, failed };
}

async function memory(contender: Contender): Promise<{ after10k: number; after200k: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const world = await startWorld();
  const get = contender.make(world, true);
  const heap = () => (gc?.(), gc?.(), process.memoryUsage().heapUsed / 1024 / 1024);
  for (let i = 0; i < 10_000; i++) await get('/venues');
  const after10k = heap();
  for (let i = 0; i < 190_000; i++) await get('/venues');
  const after200k = heap();
  await world.close();
  return { after10k, after200k };
}

// ---- report ------------------------------------------------------------------------------------

const us = (x: number) => x.toFixed(1);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
/**
 * Wall time on a shared machine drifts by more than the differences measured here, so each
 * contender is compared with the floor round by round: the overhead is the median of those paired
 * differences, with a distribution-free 95 % confidence interval (order statistics around the
 * median), which says whether the difference is resolved at all.
 */
function overheadRows(samples: Map<string, number[]>, floorName: string): string[] {
  const floor = samples.get(floorName)!;
  return [...samples].map(([name, xs]) => {
    const perRequest = `${us(Math.min(...xs))} / ${us(median(xs))} / ${us(Math.max(...xs))}`;
    if (name === floorName) return `| ${name} | ${perRequest} | — | 1.000 |`;
    const diffs = xs.map((x, round) => x - floor[round]!).sort((a, b) => a - b);
    const [low, high] = medianInterval(diffs);
    const ratio = median(xs.map((x, round) => x / floor[round]!));
    return `| ${name} | ${perRequest} | ${signed(median(diffs))} µs (${signed(low)} to ${signed(high)}) | ${ratio.toFixed(3)} |`;
  });
}

/** The 95 % confidence interval of the median of sorted values, from their ranks. */
function medianInterval(sorted: number[]): [number, number] {
  const n = sorted.length;
  const spread = 0.98 * Math.sqrt(n);
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(rank)))]!;
  return [at(n / 2 - spread - 1), at(n / 2 + spread)];
}

type Out = (line?: string) => void;

/** A table's header row and the separator under it. */
function tableHeader(out: Out, ...columns: string[]): void {
  out(`| ${columns.join(' | ')} |`);
  out(`|${' --- |'.repeat(columns.length)}`);
}

/** Measures the contenders against the first of them, the floor, and prints a row for each. */
/** 0 … n-1 in a random order (Fisher–Yates). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

async function overheadTable(out: Out, contenders: Contender[], stub: boolean, n: number) {
  for (const row of overheadRows(await overhead(contenders, stub, n), contenders[0]!.name)) {
    out(row);
  }
}

/** The report's sections, in order; `BENCH_ONLY=in-process,economy` runs some of them. */
const sections: Record<string, (out: Out) => Promise<void>> = {
  loopback: async (out) => {
    out('## Per-request cost, loopback keep-alive HTTP');
    out();
    tableHeader(out, 'client', 'µs per request', 'over the floor', 'ratio');
    await overheadTable(out, axiosContenders, false, REQUESTS);
    await overheadTable(out, fetchContenders, false, REQUESTS);
  },
  'in-process': async (out) => {
    out('## Per-request cost in-process (stub adapter, no network)');
    out();
    tableHeader(out, 'client', 'µs per request', 'over the floor', 'ratio');
    await overheadTable(out, axiosContenders, true, STUB_REQUESTS);
    out();
    out(
      'bookable-axios-auth does its own work per request (the cache and expiry check, the origin guard, the check for an `Authorization` header the caller set, and marking the request for a replay), but writes the header where axios keeps headers, sanitised once per token, instead of calling `headers.set()`, which parses and validates the name and value again on every request; so it can come in below the reference. axios-token-interceptor writes the header as a plain property (which axios documents as deprecated) and has no response interceptor, so it can come in below the reference too.',
    );
  },
  economy: async (out) => {
    out('## Token economy (token-endpoint calls; failed requests)');
    out();
    out(
      'The limit is one call in each of the first three columns. "10 minutes" runs 600 s of 60 s tokens on a fake clock (one request every 250 ms): 10 lifetimes, so 10 calls if a token were used to its last second; renewing before expiry costs at least one more.',
    );
    out();
    tableHeader(
      out,
      'client',
      '1,000 cold',
      '10,000 cold',
      '500 revoked (jittered API)',
      '10 minutes, 60 s tokens',
    );
    const fmt = (e: Economy) =>
      `${e.calls} call${e.calls === 1 ? '' : 's'}${e.failed ? `; **${e.failed} failed**` : ''}`;
    const findings = new Map<string, string[]>();
    for (const c of [...axiosContenders.slice(1).filter((c) => !c.baseline), fetchContenders[1]!]) {
      const stub = c !== fetchContenders[1];
      const cold = await economy(c, stub, coldStart(1000));
      const cold10k = stub ? await economy(c, stub, coldStart(10_000)) : undefined;
      const revoked = await economy(c, stub, revokedStorm);
      const ten = await economy(c, stub, tenMinutes);
      out(
        `| ${c.name} | ${fmt(cold)} | ${cold10k ? fmt(cold10k) : 'n/a (sockets)'} | ${fmt(revoked)} | ${fmt(ten)} |`,
      );
      const wrong: string[] = [];
      if (cold.calls > 1) wrong.push(`${cold.calls} token calls for a cold burst where 1 suffices`);
      if (cold.failed) wrong.push(`${cold.failed} of 1,000 cold-start requests failed`);
      if (revoked.calls > 1) wrong.push(`${revoked.calls} token calls for one revoked token`);
      if (revoked.failed) wrong.push(`${revoked.failed} of 500 requests failed after a revocation`);
      if (ten.failed) wrong.push(`${ten.failed} requests failed at token expiry in 10 minutes`);
      if (ten.calls > 12) wrong.push(`${ten.calls} token calls in 10 lifetimes`);
      findings.set(c.name, wrong);
    }
    out();
    out('What each client did wrong in these runs:');
    out();
    for (const [name, wrong] of findings) {
      out(
        `- **${name}**: ${wrong.length ? wrong.join('; ') : 'nothing: the limit in every case'}.`,
      );
    }
  },
  storm: async (out) => {
    out('## After a storm (500 requests, revoked token, jittered API)');
    out();
    out(
      'Promises created during the storm that are still pending and alive after GC, and timers left running, 200 ms after the last request settled. The floor shows what the harness itself leaves.',
    );
    out();
    tableHeader(out, 'client', 'pending promises', 'timers left');
    for (const c of [...axiosContenders.filter((c) => !c.baseline), fetchContenders[1]!]) {
      const left = await leftovers(c, c !== fetchContenders[1]);
      out(`| ${c.name} | ${left.promises} | ${left.timers} |`);
    }
  },
  fleet: async (out) => {
    out(
      '## A fleet: 4 and 8 processes, 250 concurrent requests each, cold (loopback, 20 ms token endpoint)',
    );
    out();
    out(
      "Each process runs the built package in its own Node.js process with its own Redis client. Redis commands: what the servers counted (`INFO commandstats`, on every master for the Cluster: 3 masters, 3 replicas) from the moment every process was connected, per 1,000 API requests; a cold start costs the readers' polling while one process fetches.",
    );
    out();
    tableHeader(
      out,
      'bookable-axios-auth',
      'processes',
      'token calls',
      'failed',
      'latency p50 / p99 (ms)',
      'Redis commands per 1,000 requests',
    );
    const redis = await startRedisServer();
    const cluster = await startRedisCluster();
    const single = { REDIS_URL: redis.url };
    const nodes = { REDIS_NODES: cluster.seeds.join(',') };
    const stores: FleetStore[] = [
      { name: 'without a store', env: {}, ports: async () => [] },
      {
        name: 'Redis, node-redis',
        client: 'node-redis',
        env: single,
        ports: async () => [redis.port],
      },
      { name: 'Redis, ioredis', client: 'ioredis', env: single, ports: async () => [redis.port] },
      {
        name: 'Redis Cluster, node-redis',
        client: 'node-redis-cluster',
        env: nodes,
        ports: () => cluster.masters(),
      },
      {
        name: 'Redis Cluster, ioredis',
        client: 'ioredis-cluster',
        env: nodes,
        ports: () => cluster.masters(),
      },
    ];
    try {
      for (const processes of [4, 8]) {
        for (const store of stores) {
          const f = await fleet(processes, store);
          out(
            `| ${store.name} | ${processes} | ${f.calls} | ${f.failed} | ${f.p50.toFixed(1)} / ${f.p99.toFixed(1)} | ${f.commandsPer1000 === undefined ? '—' : f.commandsPer1000.toFixed(1)} |`,
          );
        }
      }
    } finally {
      await Promise.all([redis.close(), cluster.close()]);
    }
  },
  renewal: async (out) => {
    out('## Latency while the token is renewed (in-process, 2 s tokens, 50 ms token endpoint; ms)');
    out();
    tableHeader(out, 'client', 'steady p50 / p99', 'during renewal p50 / p99 / max');
    for (const c of axiosContenders.slice(1, 3)) {
      const { steady, renewal, failed } = await renewalLatency(c);
      out(
        `| ${c.name} | ${quantile(steady, 0.5).toFixed(2)} / ${quantile(steady, 0.99).toFixed(2)} | ${quantile(renewal, 0.5).toFixed(2)} / ${quantile(renewal, 0.99).toFixed(2)} / ${Math.max(...renewal).toFixed(2)}${failed ? `; **${failed} failed (401 at expiry)**` : ''} |`,
      );
    }
  },
  memory: async (out) => {
    out('## Memory (heap after GC, MiB, in-process)');
    out();
    tableHeader(out, 'client', 'after 10,000 requests', 'after 200,000 requests');
    for (const c of axiosContenders.slice(0, 2)) {
      const m = await memory(c);
      out(`| ${c.name} | ${m.after10k.toFixed(1)} | ${m.after200k.toFixed(1)} |`);
    }
  },
  import: importCostSection,
};

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',');
  const unknown = only?.filter((name) => !(name in sections)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names no section ${unknown.join(', ')}; the sections are ${Object.keys(sections).join(', ')}`,
    );
  }
  const lines: string[] = [];
  const out: Out = (line = '') => {
    lines.push(line);
    process.stdout.write(`${line}\n`);
  };
  out('# Benchmarks');
  out();
  out(
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${ROUNDS} rounds, each running every client in turn for ${REQUESTS} sequential requests on loopback or ${STUB_REQUESTS} in-process. Everything runs on 127.0.0.1.`,
  );
  out();
  out(
    'µs per request: min / median / max of the rounds. Over the floor: the median of the per-round differences with the floor, and in brackets its 95 % confidence interval; an interval that spans zero means the difference is below what this machine resolves. Ratio: the median per-round ratio.',
  );
  out();
  out(
    "Two axios rows are references, not clients. The control is a second plain-axios instance: its distance from the floor is the resolution of the measurement. The reference is the least a plugin can cost that sets the header per request (in a synchronous interceptor, with axios's `headers.set()`) and handles 401s in a response interceptor.",
  );
  for (const [name, run] of Object.entries(sections)) {
    if (only !== undefined && !only.includes(name)) continue;
    out();
    await run(out);
  }
  // A partial run would overwrite the full report with less.
  if (only === undefined) {
    writeFileSync(new URL('../../docs/benchmarks.md', import.meta.url), `${lines.join('\n')}\n`);
  }
}

await main();

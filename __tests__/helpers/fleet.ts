import { afterEach } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestServer } from '../../src/testing/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workerScript = fileURLToPath(new URL('../e2e/fixtures/fleet-worker.mjs', import.meta.url));

export interface BurstResult {
  ok: number;
  failed: string[];
}

/** One process of a fleet (fleet-worker.mjs: the built package; `npm test` builds it first). */
export interface Worker {
  burst(requests: number): Promise<BurstResult>;
  /** The access token the process serves now. */
  token(): Promise<string>;
  /** What the process logged at warn level (and at error level, prefixed `error: `). */
  readonly warnings: string[];
  kill(): void;
}

/** Starts fleet processes, each with the fleet's environment and `env`. */
export interface Fleet {
  start(env?: Record<string, string>): Promise<Worker>;
}

/**
 * For a test file: fleet processes, every one of them killed after each test. `server`: the
 * testing server whose API they call, as its client (useTestServer's, read at each start);
 * `redis`: where they find Redis (`REDIS_URL`, or a cluster's `REDIS_NODES`).
 */
export function useFleet(server: TestServer, redis: () => Record<string, string>): Fleet {
  const baseEnv = (): Record<string, string> => {
    const { apiOrigin, tokenUrl, audience, clientId, clientSecret } = server;
    return {
      ...redis(),
      API_ORIGIN: apiOrigin,
      TOKEN_URL: tokenUrl,
      AUDIENCE: audience,
      CLIENT_ID: clientId,
      CLIENT_SECRET: clientSecret,
    };
  };
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  return {
    start(env = {}) {
      const child = fork(workerScript, {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...baseEnv(), ...env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const warnings: string[] = [];
      const bursts: Array<(result: BurstResult) => void> = [];
      const tokens: Array<(token: string) => void> = [];
      return new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
        type Message = { type: string; message?: string; token?: string } & BurstResult;
        child.on('message', (message: Message) => {
          if (message.type === 'warn') warnings.push(message.message ?? '');
          else if (message.type === 'error') warnings.push(`error: ${message.message ?? ''}`);
          else if (message.type === 'burst')
            bursts.shift()?.({ ok: message.ok, failed: message.failed });
          else if (message.type === 'token') tokens.shift()?.(message.token ?? '');
          else if (message.type === 'ready') {
            resolve({
              warnings,
              burst(requests) {
                return new Promise((done) => {
                  bursts.push(done);
                  child.send({ type: 'burst', requests });
                });
              },
              token() {
                return new Promise((done) => {
                  tokens.push(done);
                  child.send({ type: 'token' });
                });
              },
              kill: () => child.kill('SIGKILL'),
            });
          }
        });
      });
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRedisCommands } from './redis-required.js';

/** A real redis-server (Debian's `redis-server` package) on a free loopback port. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (it keeps nothing: no snapshot, no append-only file). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** `args`: more redis-server options, e.g. `['--rename-command', 'EVAL', '']`. */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  requireRedisCommands('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'bookable-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          // DEBUG SLEEP lets a test stall the server, as an overloaded Redis would.
          ...['--enable-debug-command', 'local'],
          ...args,
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          proc.stdout.off('data', onData);
          resolve();
        }
      };
      proc.stdout.on('data', onData);
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

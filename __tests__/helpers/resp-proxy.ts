import { createServer, connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A TCP proxy in front of Redis that reads the commands clients send (RESP arrays of bulk
 * strings) and can hold one back, as a stalled network or server would: the command, and every
 * later one on its connection, reaches Redis late, in order. Replies pass through untouched.
 */
export interface RespProxy {
  /** `redis://127.0.0.1:PORT`: connect the client under test here. */
  readonly url: string;
  /** Every command seen, in order, as strings (`['SET', key, value, 'PX', '12000', 'NX']`). */
  readonly commands: readonly string[][];
  /**
   * Holds back the next command that `matches` by `delayMs`; resolves once it has been passed
   * on to Redis.
   */
  holdNext(matches: (command: string[]) => boolean, delayMs: number): Promise<string[]>;
  /** Resolves true once a command that `matches` has been seen, or false after `timeoutMs`. */
  seen(matches: (command: string[]) => boolean, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Splits complete RESP arrays off the front of `buffer`; returns them and what is left. */
function parseCommands(buffer: Buffer): {
  commands: Array<{ args: string[]; bytes: Buffer }>;
  rest: Buffer;
} {
  const commands: Array<{ args: string[]; bytes: Buffer }> = [];
  let offset = 0;
  for (;;) {
    const start = offset;
    const line = (): string | undefined => {
      const end = buffer.indexOf('\r\n', offset);
      if (end === -1) return undefined;
      const text = buffer.subarray(offset, end).toString();
      offset = end + 2;
      return text;
    };
    const header = line();
    if (header === undefined || !header.startsWith('*')) {
      offset = start;
      break;
    }
    const args: string[] = [];
    let complete = true;
    for (let i = 0; i < Number(header.slice(1)); i++) {
      const size = line();
      if (size === undefined || buffer.length < offset + Number(size.slice(1)) + 2) {
        complete = false;
        break;
      }
      const length = Number(size.slice(1));
      args.push(buffer.subarray(offset, offset + length).toString());
      offset += length + 2;
    }
    if (!complete) {
      offset = start;
      break;
    }
    commands.push({ args, bytes: buffer.subarray(start, offset) });
  }
  return { commands, rest: buffer.subarray(offset) };
}

export async function startRespProxy(upstreamPort: number): Promise<RespProxy> {
  const commands: string[][] = [];
  const holds: Array<{
    matches: (c: string[]) => boolean;
    delayMs: number;
    done: (c: string[]) => void;
  }> = [];
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    /** Commands reach Redis in order, each after any hold before it. */
    let forwarding = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const parsed = parseCommands(Buffer.concat([pending, chunk]));
      pending = parsed.rest;
      for (const { args, bytes } of parsed.commands) {
        commands.push(args);
        const index = holds.findIndex((h) => h.matches(args));
        const hold = index === -1 ? undefined : holds.splice(index, 1)[0];
        forwarding = forwarding.then(async () => {
          if (hold !== undefined) await sleep(hold.delayMs);
          if (!upstream.destroyed) upstream.write(bytes);
          hold?.done(args);
        });
      }
    });
    upstream.on('data', (chunk: Buffer) => client.destroyed || client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `redis://127.0.0.1:${port}`,
    commands,
    holdNext(matches, delayMs) {
      return new Promise((done) => holds.push({ matches, delayMs, done }));
    },
    async seen(matches, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (commands.some(matches)) return true;
        await sleep(10);
      }
      return commands.some(matches);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

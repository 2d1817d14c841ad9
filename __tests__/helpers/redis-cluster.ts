import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';
import { requireRedisCommands } from './redis-required.js';

const run = promisify(execFile);

/** One redis-server of the cluster. */
export interface ClusterNode {
  readonly port: number;
  /** Whether the process runs (a killed node stays dead). */
  readonly alive: boolean;
}

/**
 * A real Redis Cluster on loopback: 3 masters with one replica each, in a temporary directory.
 * Nothing persists; every process is stopped by {@link RedisCluster.close}, and, should the test
 * process die first, by its own shell wrapper when the wrapper's stdin closes.
 */
export interface RedisCluster {
  readonly nodes: readonly ClusterNode[];
  /** `host:port` of every node, for a client's seed list. */
  readonly seeds: readonly string[];
  /** Runs one command on one node through redis-cli; its raw reply. */
  command(port: number, ...args: string[]): Promise<string>;
  /** The port of the master that holds `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** The ports of the masters that hold slots now. */
  masters(): Promise<number[]>;
  /**
   * Kills the master holding `key`'s slot (SIGKILL, as a crash) and waits until its replica has
   * taken the slot over and the cluster is `ok` again; resolves the killed and the new master.
   */
  failOverKey(key: string): Promise<{ killed: number; promoted: number }>;
  /** Kills one node (SIGKILL) without waiting for anything. */
  kill(port: number): void;
  /**
   * Starts every killed node again; each rejoins as a replica of the master that took over from
   * it. Resolves once the cluster is `ok` and each master has a replica in sync.
   */
  heal(): Promise<void>;
  /** Waits until every live node reports `cluster_state:ok` and agrees on the slot owners. */
  waitUntilOk(): Promise<void>;
  /** Stops every node and removes the directory. */
  close(): Promise<void>;
}

interface Node {
  port: number;
  busPort: number;
  wrapper: ChildProcessWithoutNullStreams;
  pid: number;
  alive: boolean;
  exited: Promise<void>;
}

export interface RedisClusterOptions {
  /**
   * `cluster-node-timeout`: how long a master may be silent before its replica takes over.
   * @default 2000
   */
  nodeTimeoutMs?: number;
}

/** Polls `check` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  requireRedisCommands('redis-server', 'redis-cli');
  const dir = mkdtempSync(join(tmpdir(), 'bookable-redis-cluster-'));
  const nodes: Node[] = [];
  /** Killed nodes that were started again: their wrappers, to wait for at close(). */
  const dead: Node[] = [];

  const cli = async (port: number, ...args: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      timeout: 10_000,
    });
    return stdout.trim();
  };

  /** Starts a node; with `port`, starts that killed node again (it rejoins from its nodes file). */
  const spawnNode = async (port?: number, busPort?: number): Promise<Node> => {
    port ??= await freePort();
    busPort ??= await freePort();
    const args = [
      ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
      ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
      ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2000)],
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', `redis-${port}.log`],
      ...['--enable-debug-command', 'local'],
    ];
    // The shell starts redis-server in the background, prints its pid, and kills it as soon as
    // its own stdin closes: when close() ends it, or when this test process dies.
    const wrapper = spawn(
      'sh',
      [
        '-c',
        'redis-server "$@" & pid=$!; echo $pid; read _; kill -9 $pid; wait $pid',
        'sh',
        ...args,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const exited = new Promise<void>((resolve) => {
      wrapper.once('exit', () => resolve());
      wrapper.once('error', () => resolve());
    });
    const pid = await new Promise<number>((resolve, reject) => {
      wrapper.stdout.once('data', (chunk: Buffer) =>
        resolve(Number.parseInt(chunk.toString(), 10)),
      );
      wrapper.once('exit', (code) => reject(new Error(`redis-server wrapper exited (${code})`)));
      wrapper.once('error', reject);
    });
    const node: Node = { port, busPort, wrapper, pid, alive: true, exited };
    const index = nodes.findIndex((n) => n.port === port);
    if (index === -1) nodes.push(node);
    else dead.push(...nodes.splice(index, 1, node));
    await until(`redis-server on port ${port}`, async () => (await cli(port, 'PING')) === 'PONG');
    return node;
  };

  const live = () => nodes.filter((n) => n.alive);

  /** Slot owner per master, as one node sees it: `port -> slots held`. */
  const slotOwners = async (port: number): Promise<Map<number, string>> => {
    const owners = new Map<number, string>();
    for (const line of (await cli(port, 'CLUSTER', 'NODES')).split('\n')) {
      const [, address, flags, , , , , , ...slots] = line.split(' ');
      if (!flags?.includes('master') || flags.includes('fail') || slots.length === 0) continue;
      owners.set(Number(address?.split(':')[1]?.split('@')[0]), slots.sort().join(' '));
    }
    return owners;
  };

  const waitUntilOk = async (): Promise<void> => {
    await until('cluster_state:ok on every node, all agreeing on the slots', async () => {
      const views: string[] = [];
      for (const node of live()) {
        if (!(await cli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        views.push(JSON.stringify([...(await slotOwners(node.port))].sort()));
      }
      return new Set(views).size === 1;
    });
  };

  const masterOf = async (key: string): Promise<number> => {
    const port = live()[0]!.port;
    const slot = Number(await cli(port, 'CLUSTER', 'KEYSLOT', key));
    for (const line of (await cli(port, 'CLUSTER', 'NODES')).split('\n')) {
      const [, address, flags, , , , , , ...slots] = line.split(' ');
      if (!flags?.includes('master') || flags.includes('fail')) continue;
      const holds = slots.some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return from !== undefined && to !== undefined && slot >= from && slot <= to;
      });
      if (holds) return Number(address?.split(':')[1]?.split('@')[0]);
    }
    throw new Error(`no master holds slot ${slot}`);
  };

  const kill = (port: number): void => {
    const node = nodes.find((n) => n.port === port);
    if (node === undefined || !node.alive) return;
    node.alive = false;
    process.kill(node.pid, 'SIGKILL');
    // Its wrapper then reaps it and exits.
    node.wrapper.stdin.end();
  };

  const close = async (): Promise<void> => {
    for (const node of nodes) node.wrapper.stdin.end();
    await Promise.all([...nodes, ...dead].map((n) => n.exited));
    rmSync(dir, { recursive: true, force: true });
  };

  const waitForReplicas = () =>
    until('every replica in sync with its master', async () => {
      let synced = 0;
      for (const node of nodes) {
        const info = await cli(node.port, 'INFO', 'replication');
        if (info.includes('role:slave') && info.includes('master_link_status:up')) synced += 1;
      }
      return synced === 3;
    });

  try {
    for (let i = 0; i < 6; i++) await spawnNode();
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        ...['--cluster-replicas', '1', '--cluster-yes'],
      ],
      { timeout: 60_000 },
    );
    await waitUntilOk();
    // Every replica in sync, so that any master can fail over.
    await waitForReplicas();
  } catch (error) {
    await close();
    throw error;
  }

  return {
    get nodes() {
      return nodes.map((n) => ({ port: n.port, alive: n.alive }));
    },
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`),
    command: cli,
    masterOf,
    async masters() {
      return [...(await slotOwners(live()[0]!.port)).keys()].sort((a, b) => a - b);
    },
    async failOverKey(key) {
      const killed = await masterOf(key);
      kill(killed);
      let promoted = killed;
      await until(`a replica to take over from ${killed}`, async () => {
        promoted = await masterOf(key);
        return promoted !== killed;
      });
      await waitUntilOk();
      return { killed, promoted };
    },
    kill,
    async heal() {
      for (const node of nodes.filter((n) => !n.alive)) await spawnNode(node.port, node.busPort);
      await waitUntilOk();
      await waitForReplicas();
    },
    waitUntilOk,
    close,
  };
}

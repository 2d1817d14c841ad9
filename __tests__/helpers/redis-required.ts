import { spawnSync } from 'node:child_process';

/**
 * The Redis suites need Debian's `redis-server` (and `redis-cli`, from `redis-tools`, for the
 * Cluster). Without them they are skipped, and `npm test` says so in one line (redis-notice.mjs),
 * unless BOOKABLE_REQUIRE_REDIS=1 (as .ci/run sets): then they run and fail, saying what to
 * install.
 */
export const REDIS_INSTALL_HINT =
  'apt-get install redis-server redis-tools (or brew install redis), then run npm test again';

function missing(commands: string[]): string[] {
  return commands.filter((command) => spawnSync(command, ['--version']).error !== undefined);
}

/**
 * Whether a suite that needs these commands is skipped: `describe.skip` when true.
 * @example (skipRedisSuite('redis-server') ? describe.skip : describe)('...', () => {})
 */
export function skipRedisSuite(...commands: string[]): boolean {
  return process.env.BOOKABLE_REQUIRE_REDIS !== '1' && missing(commands).length > 0;
}

/** Throws, with what to install, when a command the Redis suites need is missing. */
export function requireRedisCommands(...commands: string[]): void {
  const absent = missing(commands);
  if (absent.length > 0) {
    throw new Error(`${absent.join(' and ')} not found on PATH: ${REDIS_INSTALL_HINT}`);
  }
}

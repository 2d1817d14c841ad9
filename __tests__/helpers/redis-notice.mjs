// Run by `npm test` before Jest: one line when Redis suites will be skipped for lack of
// redis-server (every Redis suite) or redis-cli (the Cluster suites), and a failure instead when
// BOOKABLE_REQUIRE_REDIS=1, as .ci/run sets. The suites themselves decide with redis-required.ts.
import { spawnSync } from 'node:child_process';

const absent = ['redis-server', 'redis-cli'].filter(
  (command) => spawnSync(command, ['--version']).error !== undefined,
);
if (absent.length > 0) {
  const suites = absent.includes('redis-server')
    ? 'the Redis suites (single node and Cluster)'
    : 'the Redis Cluster suites';
  const what = `${absent.join(' and ')} not found on PATH`;
  const how = `apt-get install ${absent.includes('redis-server') ? 'redis-server ' : ''}redis-tools (or brew install redis)`;
  if (process.env.BOOKABLE_REQUIRE_REDIS === '1') {
    console.error(`BOOKABLE_REQUIRE_REDIS=1, but ${what}: ${how}`);
    process.exit(1);
  }
  console.warn(`Skipping ${suites}: ${what}. To run them: ${how}, then npm test again.`);
}

import { describe, expect, it } from '@jest/globals';
import { useFleet } from '../helpers/fleet.js';
import { CLIENT_FAMILIES } from '../helpers/redis-clients.js';
import { skipRedisSuite } from '../helpers/redis-required.js';
import { useRedisServer } from '../helpers/redis-suite.js';
import { useTestServer } from '../helpers/test-server.js';

/** `INFO commandstats` as `command -> calls`. */
function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [, command, count] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[command!] = Number(count);
  }
  return calls;
}

// "A cached request never touches Redis", measured by Redis itself.
(skipRedisSuite('redis-server') ? describe.skip : describe)(
  'Redis command counters over a fleet serving cached tokens',
  () => {
    const redis = useRedisServer();
    const server = useTestServer();
    const workers = useFleet(server, () => ({ REDIS_URL: redis.url }));

    it.each(CLIENT_FAMILIES)(
      'counts no Redis command over 10,000 cached requests from 4 processes (%s), where no token is renewed',
      async (family) => {
        const fleet = await Promise.all(
          [1, 2, 3, 4].map(() => workers.start({ REDIS_CLIENT: family })),
        );
        await Promise.all(fleet.map((w) => w.burst(1)));
        expect(server.tokenRequests).toBe(1);

        await redis.inspector.sendCommand(['CONFIG', 'RESETSTAT']);
        for (let round = 0; round < 10; round++) {
          const results = await Promise.all(fleet.map((w) => w.burst(250)));
          expect(results).toEqual(Array(4).fill({ ok: 250, failed: [] }));
        }
        const calls = commandCalls(
          String(await redis.inspector.sendCommand(['INFO', 'commandstats'])),
        );

        // No renewal happened (one-hour tokens), so no command but this test's own CONFIG
        // RESETSTAT (INFO counts itself only once it has answered).
        expect(server.tokenRequests).toBe(1);
        expect(server.apiRequests).toBe(4 + 10_000);
        expect(calls).toEqual({ 'config|resetstat': 1 });
      },
      60_000,
    );
  },
);

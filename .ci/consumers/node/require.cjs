// require() on plain Node: the CommonJS build (no require(esm)), every subpath, real requests
// (shared/scenario.cjs).
const assert = require('node:assert/strict');
const axios = require('axios');
const auth = require('bookable-axios-auth');
const { createRedisTokenStore } = require('bookable-axios-auth/redis');
const testing = require('bookable-axios-auth/testing');
const { expected, runScenario } = require('../shared/scenario.cjs');

async function main() {
  for (const subpath of ['', '/testing', '/redis']) {
    assert.match(
      require.resolve(`bookable-axios-auth${subpath}`),
      /[/\\]dist[/\\](\w+[/\\])?index\.cjs$/,
    );
  }
  assert.equal(typeof createRedisTokenStore, 'function');

  assert.deepEqual(await runScenario({ axios, auth, testing }), expected);
  console.log(`require: ok (Node ${process.version}, axios ${axios.VERSION})`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

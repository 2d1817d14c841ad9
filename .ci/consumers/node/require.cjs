// require() on plain Node: the CommonJS build (no require(esm)), every subpath, real requests.
const assert = require('node:assert/strict');
const axios = require('axios');
const { attachBookableAuth, isBookableAuthError } = require('bookable-axios-auth');
const { createRedisTokenStore } = require('bookable-axios-auth/redis');
const { startTestServer } = require('bookable-axios-auth/testing');

async function main() {
  for (const subpath of ['', '/testing', '/redis']) {
    assert.match(
      require.resolve(`bookable-axios-auth${subpath}`),
      /[/\\]dist[/\\](\w+[/\\])?index\.cjs$/,
    );
  }
  assert.equal(typeof createRedisTokenStore, 'function');

  const server = await startTestServer();
  try {
    const api = axios.create({ baseURL: server.apiOrigin });
    attachBookableAuth(api, {
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.get(`/venues/${i}`)),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(20).fill(200),
    );
    assert.equal(server.tokenRequests, 1);
    assert.throws(
      () => attachBookableAuth(axios.create(), { clientId: 'only-an-id', clientSecret: '' }),
      (error) => isBookableAuthError(error) && error.code === 'invalid_options',
    );
  } finally {
    await server.close();
  }
  console.log(`require: ok (Node ${process.version}, axios ${axios.VERSION})`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

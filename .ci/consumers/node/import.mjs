// `import` on plain Node: the ES build, every subpath, real requests.
import assert from 'node:assert/strict';
import axios from 'axios';
import { attachBookableAuth, isBookableAuthError } from 'bookable-axios-auth';
import { createRedisTokenStore } from 'bookable-axios-auth/redis';
import { startTestServer } from 'bookable-axios-auth/testing';

for (const subpath of ['', '/testing', '/redis']) {
  assert.match(import.meta.resolve(`bookable-axios-auth${subpath}`), /\/dist\/(\w+\/)?index\.js$/);
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
console.log(`import: ok (Node ${process.version}, axios ${axios.VERSION})`);

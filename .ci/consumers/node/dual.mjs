// One process, both copies: `import` loads the ES build and `require()` the CommonJS one, as
// happens when an ES module app uses a CommonJS library that depends on this package. A provider
// made by either copy works when attached by the other, on the synchronous path for a cached
// token, and each copy's isBookableAuthError recognises the other's errors. instanceof does not
// cross: each copy has its own classes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import axios from 'axios';
import * as esm from 'bookable-axios-auth';
import { startTestServer } from 'bookable-axios-auth/testing';

const cjs = createRequire(import.meta.url)('bookable-axios-auth');
assert.notEqual(esm.createTokenProvider, cjs.createTokenProvider, 'two copies are loaded');

const server = await startTestServer();
try {
  for (const [made, attached, pair] of [
    [esm, cjs, 'provider from import, attached by require'],
    [cjs, esm, 'provider from require, attached by import'],
  ]) {
    const before = server.tokenRequests;
    const provider = made.createTokenProvider({
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    });
    const api = axios.create({ baseURL: server.apiOrigin });
    // Request interceptors run last-added first, so this one sees the request after the plugin's.
    // All synchronous: axios runs them inside api.get() itself, so `sending` is still true.
    const seen = [];
    let sending = false;
    api.interceptors.request.use(
      (config) => {
        seen.push({ sameTurn: sending, authorization: config.headers.get('Authorization') });
        return config;
      },
      undefined,
      { synchronous: true },
    );
    attached.attachBookableAuth(api, { tokenProvider: provider });

    const cold = await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/venues/${i}`)));
    assert.deepEqual(
      cold.map((r) => r.status),
      Array(20).fill(200),
      pair,
    );
    assert.equal(server.tokenRequests - before, 1, `${pair}: one token request`);

    seen.length = 0;
    sending = true;
    const warm = api.get('/venues/warm');
    sending = false;
    assert.equal((await warm).status, 200, pair);
    const header = `Bearer ${await provider.getToken()}`;
    assert.deepEqual(
      seen.map((s) => ({ sameTurn: s.sameTurn, currentToken: s.authorization === header })),
      [{ sameTurn: true, currentToken: true }],
      `${pair}: a cached token is set in the same turn`,
    );
  }

  const errorOf = (copy) => {
    try {
      copy.createTokenProvider({ clientId: 'only-an-id', clientSecret: '' });
    } catch (error) {
      return error;
    }
    throw new Error('expected invalid_options');
  };
  for (const [from, to] of [
    [esm, cjs],
    [cjs, esm],
  ]) {
    const error = errorOf(from);
    assert.equal(to.isBookableAuthError(error), true);
    assert.equal(error.code, 'invalid_options');
    assert.equal(error instanceof to.BookableAuthError, false, 'instanceof does not cross copies');
  }
  const rejected = await cjs
    .createTokenProvider({
      clientId: server.clientId,
      clientSecret: 'not-the-secret',
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    })
    .getToken()
    .catch((error) => error);
  assert.equal(esm.isBookableAuthError(rejected), true);
  assert.equal(rejected.name, 'TokenEndpointError');
  assert.equal(rejected.code, 'invalid_client_credentials');
} finally {
  await server.close();
}
console.log(
  `import and require in one process: ok (Node ${process.version}, axios ${axios.VERSION})`,
);

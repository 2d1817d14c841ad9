// The scenario every consumer project runs on the modules it loaded its own way (import,
// require(), ts-jest, babel-jest, Vitest): the package's testing server, an axios instance with
// the plugin attached, 20 concurrent requests, then two mistakes a user can make. It asserts
// nothing: it reports what happened, and each project compares that with `expected` in its own
// framework. CommonJS, so that every consumer can load it, Jest in CommonJS mode included.
'use strict';

/** Whether the consumer's copy recognises `error` as its own, and its code. */
function coded(auth, error) {
  return { recognised: auth.isBookableAuthError(error), code: error?.code };
}

/** See scenario.d.cts. */
async function runScenario({ axios, auth, testing }) {
  const server = await testing.startTestServer();
  try {
    const client = {
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    };
    const api = axios.create({ baseURL: server.apiOrigin });
    auth.attachBookableAuth(api, client);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.get(`/venues/${i}`)),
    );
    const served = { tokenRequests: server.tokenRequests, apiRequests: server.apiRequests };

    let creationError;
    try {
      auth.attachBookableAuth(axios.create(), { clientId: 'only-an-id', clientSecret: '' });
    } catch (error) {
      creationError = error;
    }
    const refusal = await auth
      .createTokenProvider({ ...client, clientSecret: 'not-the-secret' })
      .getToken()
      .then(
        () => undefined,
        (error) => error,
      );
    return {
      statuses: responses.map((r) => r.status),
      ...served,
      creationError: coded(auth, creationError),
      refusal: coded(auth, refusal),
    };
  } finally {
    await server.close();
  }
}

/** What every consumer expects `runScenario()` to report. */
const expected = Object.freeze({
  statuses: Array(20).fill(200),
  tokenRequests: 1,
  apiRequests: 20,
  creationError: { recognised: true, code: 'invalid_options' },
  refusal: { recognised: true, code: 'invalid_client_credentials' },
});

module.exports = { runScenario, expected };

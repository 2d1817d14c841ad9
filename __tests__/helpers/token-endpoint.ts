import { expect } from '@jest/globals';
import nock from 'nock';

/** The tenant that unit tests fake with nock (loopback tests use `startTestServer` instead). */
export const TENANT = 'https://tenant.example.auth0.com';
export const TOKEN_URL = `${TENANT}/oauth/token`;

type Answer = number | [number, nock.Body, Record<string, string>?];

export interface FakeTokenEndpointOptions {
  /** How many token requests it answers. @default 1000 */
  times?: number;
  /** `expires_in` of the tokens a bare 200 issues. @default 3600 */
  expiresIn?: number;
  /** Delay of every answer, on the global timers (so a fake clock moves it). @default 0 */
  delayMs?: number;
  /**
   * The answer to call N: a status, or `[status, body, headers]`. A bare 200 issues `token-N`; a
   * bare error status, an OAuth error body. @default 200 every time
   */
  answer?: (call: number) => Answer;
}

/**
 * The token endpoint of {@link TENANT} on nock: for the exact wire format, and for tests on a fake
 * clock. `calls` counts the requests it answered.
 */
export function fakeTokenEndpoint(options: FakeTokenEndpointOptions = {}): { calls: number } {
  const { times = 1000, expiresIn = 3600, delayMs = 0, answer = () => 200 } = options;
  const state = { calls: 0 };
  nock(TENANT)
    .post('/oauth/token')
    .times(times)
    .reply((_uri, _body, callback) => {
      state.calls += 1;
      const a = answer(state.calls);
      const reply: nock.ReplyFnResult =
        typeof a !== 'number'
          ? [a[0], a[1], a[2] ?? {}]
          : a === 200
            ? [
                200,
                {
                  access_token: `token-${state.calls}`,
                  token_type: 'Bearer',
                  expires_in: expiresIn,
                },
              ]
            : [a, { error: a >= 500 ? 'server_error' : 'invalid_request' }];
      if (delayMs === 0) callback(null, reply);
      else setTimeout(() => callback(null, reply), delayMs);
    });
  return state;
}

export const SECRET = 'test-secret-value';
/** The unit tests' client at {@link TENANT}. */
export const CLIENT = { clientId: 'client-1', clientSecret: SECRET, tokenUrl: TOKEN_URL };
/** A good token response body. */
export const TOKEN_BODY = {
  access_token: 'opaque-access-token-1',
  token_type: 'Bearer',
  expires_in: 3600,
};

/** For `afterEach`: every token request a test scripted was made, and none is left over. */
export function expectScriptedRequestsMade(): void {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
}

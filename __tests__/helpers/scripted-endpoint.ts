import nock from 'nock';
import type { TokenProvider } from '../../src/index.js';
import { settle } from './clock.js';

/**
 * A nock token endpoint that answers call N with `answer(N)`: a status, or `[status, body, headers]`.
 * A bare 200 answers `token-N`, valid for an hour. `calls` counts the requests.
 */
export function scriptedEndpoint(
  origin: string,
  times: number,
  answer: (call: number) => number | [number, nock.Body, Record<string, string>?],
): { calls: number } {
  const state = { calls: 0 };
  nock(origin)
    .post('/oauth/token')
    .times(times)
    .reply(() => {
      state.calls += 1;
      const a = answer(state.calls);
      if (typeof a !== 'number') return a;
      return a === 200
        ? [200, { access_token: `token-${state.calls}`, token_type: 'Bearer', expires_in: 3600 }]
        : [a, { error: a >= 500 ? 'server_error' : 'invalid_request' }];
    });
  return state;
}

/** Settles until the provider's cached token is `token` (a background renewal has landed). */
export async function untilCached(
  provider: TokenProvider,
  token: string,
  rounds = 500,
): Promise<void> {
  for (let i = 0; i < rounds && (await provider.getTokenInfo()).accessToken !== token; i++)
    await settle(1);
}

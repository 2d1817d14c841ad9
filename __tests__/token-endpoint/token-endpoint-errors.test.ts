import { afterEach, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { inspect } from 'node:util';
import {
  createTokenProvider,
  isBookableAuthError,
  type BookableAuthErrorCode,
} from '../../src/index.js';
import { CLIENT, expectScriptedRequestsMade, SECRET, TENANT } from '../helpers/token-endpoint.js';

const base = CLIENT;

afterEach(expectScriptedRequestsMade);

describe('token endpoint errors', () => {
  const cases: Array<[string, number, object, BookableAuthErrorCode, string]> = [
    [
      'invalid_client',
      401,
      { error: 'invalid_client', error_description: 'Client authentication failed' },
      'invalid_client_credentials',
      '`clientSecret`',
    ],
    [
      'access_denied Unauthorized',
      403,
      { error: 'access_denied', error_description: 'Unauthorized' },
      'invalid_client_credentials',
      '`clientId`',
    ],
    [
      'Service not found',
      403,
      { error: 'access_denied', error_description: 'Service not found: api.wrong' },
      'unknown_audience',
      '`audience`',
    ],
    [
      'Service not enabled',
      403,
      {
        error: 'access_denied',
        error_description: 'Service not enabled within domain: https://x/',
      },
      'unknown_audience',
      'Identifier',
    ],
    [
      'client not authorized',
      403,
      {
        error: 'access_denied',
        error_description:
          'Client is not authorized to access "api.bookabletech.com". You need to create a "client-grant" associated to this API.',
      },
      'client_not_authorized',
      'authorize the application',
    ],
    [
      'grant type not allowed',
      403,
      {
        error: 'unauthorized_client',
        error_description: "Grant type 'client_credentials' not allowed for the client.",
      },
      'grant_type_not_allowed',
      'Client Credentials',
    ],
    [
      'scope not granted',
      403,
      {
        error: 'access_denied',
        error_description: 'Client has not been granted scopes: venue:delete',
      },
      'invalid_scope',
      'scope',
    ],
    [
      'invalid_scope',
      400,
      { error: 'invalid_scope', error_description: 'bad scope' },
      'invalid_scope',
      'scope',
    ],
    [
      'invalid_request',
      400,
      { error: 'invalid_request', error_description: 'Missing required parameter: grant_type' },
      'invalid_request',
      '`tokenRequestFormat`',
    ],
    [
      'the older {code, description} body',
      401,
      { code: 'invalid_client', description: 'Unauthorized' },
      'invalid_client_credentials',
      '`clientSecret`',
    ],
    ['an unknown refusal', 418, { error: 'teapot' }, 'token_request_rejected', 'teapot'],
  ];
  it.each(cases)(
    'maps %s to a stable code and a fix, at once, without retrying',
    async (_name, status, body, code, fix) => {
      nock(TENANT).post('/oauth/token').reply(status, body);
      const error = await createTokenProvider(base)
        .getToken()
        .catch((e: unknown) => e);
      expect(isBookableAuthError(error)).toBe(true);
      expect(error).toMatchObject({ code, status, attempts: 1, transient: false });
      expect((error as Error).message).toContain(fix);
      expect((error as Error).message).toContain(`${TENANT}/oauth/token`);
    },
  );

  it('never shows the client secret, even when the server echoes it', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(401, { error: 'invalid_client', error_description: `bad secret ${SECRET}` });
    const error = await createTokenProvider(base)
      .getToken()
      .catch((e: unknown) => e);
    for (const view of [
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(error),
      String(error),
      (error as Error).stack,
    ]) {
      expect(view).not.toContain(SECRET);
    }
  });
});

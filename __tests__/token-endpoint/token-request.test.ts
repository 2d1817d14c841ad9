import { afterEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import nock from 'nock';
import { createTokenProvider, isBookableAuthError } from '../../src/index.js';
import {
  CLIENT,
  expectScriptedRequestsMade,
  SECRET,
  TENANT,
  TOKEN_BODY,
} from '../helpers/token-endpoint.js';

afterEach(expectScriptedRequestsMade);

describe('the token request on the wire', () => {
  it('sends the client-credentials grant form-encoded with the secret in the body by default', async () => {
    nock(TENANT, { badheaders: ['authorization'] })
      .post(
        '/oauth/token',
        'grant_type=client_credentials&client_id=client-1&client_secret=test-secret-value&audience=api.bookabletech.com',
      )
      .matchHeader('content-type', 'application/x-www-form-urlencoded')
      .matchHeader('accept', 'application/json')
      .reply(200, TOKEN_BODY);
    await expect(createTokenProvider(CLIENT).getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('sends the documented JSON body when tokenRequestFormat is json, with the scope when set', async () => {
    nock(TENANT)
      .post('/oauth/token', (body) => {
        expect(body).toEqual({
          grant_type: 'client_credentials',
          client_id: 'client-1',
          client_secret: SECRET,
          audience: 'api.example.com',
          scope: 'venue:read venue-booking:create',
        });
        return true;
      })
      .matchHeader('content-type', 'application/json')
      .reply(200, TOKEN_BODY);
    const provider = createTokenProvider({
      ...CLIENT,
      audience: 'api.example.com',
      scope: '  venue:read   venue-booking:create ',
      tokenRequestFormat: 'json',
    });
    await expect(provider.getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('sends form-encoded credentials in a Basic header, and not in the body, for client_secret_basic', async () => {
    const expected = `Basic ${Buffer.from('client%3A1:s+cret%2F%26').toString('base64')}`;
    nock(TENANT)
      .post('/oauth/token', 'grant_type=client_credentials&audience=api.bookabletech.com')
      .matchHeader('authorization', expected)
      .reply(200, TOKEN_BODY);
    const provider = createTokenProvider({
      ...CLIENT,
      clientId: 'client:1',
      clientSecret: 's cret/&',
      clientAuthentication: 'client_secret_basic',
    });
    await expect(provider.getToken()).resolves.toBe('opaque-access-token-1');
  });

  it('never passes through axios defaults or interceptors of the application', async () => {
    const interceptor = axios.interceptors.request.use((config) => {
      config.headers.set('x-app-interceptor', 'yes');
      return config;
    });
    axios.defaults.headers.common.Authorization = 'Bearer app-token';
    axios.defaults.baseURL = 'https://elsewhere.example';
    try {
      nock(TENANT, { badheaders: ['authorization', 'x-app-interceptor'] })
        .post('/oauth/token')
        .reply(200, TOKEN_BODY);
      await expect(createTokenProvider(CLIENT).getToken()).resolves.toBe('opaque-access-token-1');
    } finally {
      axios.interceptors.request.eject(interceptor);
      delete axios.defaults.headers.common.Authorization;
      delete axios.defaults.baseURL;
    }
  });

  it('does not follow a redirect, so the secret cannot be forwarded to another host', async () => {
    nock(TENANT)
      .post('/oauth/token')
      .reply(302, '', { location: 'https://attacker.example/collect' });
    const error = await createTokenProvider(CLIENT)
      .getToken()
      .catch((e: unknown) => e);
    expect(isBookableAuthError(error)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

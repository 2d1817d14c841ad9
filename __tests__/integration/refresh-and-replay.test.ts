import { describe, expect, it, jest } from '@jest/globals';
import { isAxiosError } from 'axios';
import { Readable } from 'node:stream';
import { attachedApis, failure } from '../helpers/attached-api.js';

const setUp = attachedApis();

describe('401: one refresh, one replay', () => {
  it('replays a request whose token was revoked with a fresh token, once', async () => {
    const { api, server } = await setUp();
    await api.get('/warm-up');
    server.revoke(server.issuedTokens[0]!);
    const response = await api.get('/venues');
    expect(response.status).toBe(200);
    expect(server.tokenRequests).toBe(2);
    expect(server.apiTokens.slice(-2)).toEqual(server.issuedTokens.slice(0, 2));
  });

  it.each([
    ['JSON', { venue: 'v1', seats: 4 }, undefined],
    ['a form', new URLSearchParams({ a: '1', b: 'two words' }), undefined],
    ['a Buffer', Buffer.from([0, 1, 2, 254, 255]), 'application/octet-stream'],
    ['a string', 'plain text body', 'text/plain'],
  ])(
    'replays %s body with method, URL, params and headers intact',
    async (_name, data, contentType) => {
      const { api, server } = await setUp();
      const send = () =>
        api.request({
          method: 'PUT',
          url: '/bookings/42',
          params: { dry: 'no' },
          data,
          headers: { 'x-custom': 'kept', ...(contentType ? { 'content-type': contentType } : {}) },
        });
      const reference = (await send()).data as Record<string, unknown>;
      server.revoke(server.issuedTokens[0]!);
      const replayed = (await send()).data as Record<string, unknown>;
      expect(server.tokenRequests).toBe(2);
      expect(replayed).toEqual(reference);
      expect(replayed).toMatchObject({
        method: 'PUT',
        path: '/bookings/42',
        query: '?dry=no',
        headers: expect.objectContaining({ 'x-custom': 'kept' }),
      });
    },
  );

  it('does not replay a stream body: fails with the 401 and says why', async () => {
    const { api, server } = await setUp();
    await api.get('/warm-up');
    server.revoke(server.issuedTokens[0]!);
    const error = await failure(
      api.post('/upload', Readable.from(['chunk']), { headers: { 'content-type': 'text/plain' } }),
    );
    expect(isAxiosError(error) && error.response?.status).toBe(401);
    expect((error as Error).message).toContain('stream');
    expect(server.tokenRequests).toBe(1);
  });

  it('never loops: a fresh token refused again is rejected as a 401 that points at audience and issuer', async () => {
    const { api, server } = await setUp();
    server.rejectAllTokens(true);
    const error = await failure(api.get('/venues'));
    expect(isAxiosError(error) && error.response?.status).toBe(401);
    expect((error as Error).message).toMatch(
      /freshly fetched access token too.*`audience`.*issuer/,
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('token_rejected');
    expect(server.apiRequests).toBe(2); // the request and its one replay
    expect(server.tokenRequests).toBe(2);
  });

  it('spaces forced refreshes when the API refuses every token, whatever the request rate', async () => {
    const { api, server } = await setUp();
    server.rejectAllTokens(true);
    await failure(api.get('/first'));
    const errors = await Promise.all(Array.from({ length: 20 }, () => failure(api.get('/more'))));
    expect(server.tokenRequests).toBe(2); // no more token requests within forcedRefreshIntervalSeconds
    for (const error of errors) {
      expect(isAxiosError(error) && error.response?.status).toBe(401);
      expect(((error as Error).cause as { code?: string }).code).toBe('token_rejected');
    }
  });

  it('turns a storm of 500 concurrent 401s into one token request, and every request succeeds', async () => {
    const { api, server } = await setUp();
    server.setApiLatency(30);
    await api.get('/warm-up');
    server.revoke(server.issuedTokens[0]!);
    server.failNextTokenRequests(1, { delayMs: 10 });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => api.get(`/venues/${i}`)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.tokenRequests).toBe(2);
  });

  it('keeps late 401s (arriving after the refresh finished) on the same single refresh', async () => {
    const { api, server } = await setUp();
    server.setApiLatency(200);
    await api.get('/warm-up');
    server.revoke(server.issuedTokens[0]!);
    const results = await Promise.all(Array.from({ length: 100 }, () => api.get('/venues')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.tokenRequests).toBe(2);
  });
});

describe('403', () => {
  it('is never "fixed" by a refresh, and names the scope wanted and the scopes the token has', async () => {
    const { api, server } = await setUp({ server: { scopes: ['venue:read'] } });
    const error = await failure(api.post('/scoped/venue-booking:create', {}));
    expect(isAxiosError(error) && error.response?.status).toBe(403);
    expect((error as Error).message).toContain(
      'requires scope "venue-booking:create" but the token has "venue:read"',
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('insufficient_scope');
    expect(server.tokenRequests).toBe(1);
    expect(server.apiRequests).toBe(1);
  });
});

describe('requests the plugin did not authorize', () => {
  it('leaves their 401 alone: no refresh, no replay', async () => {
    const { api, server } = await setUp();
    const error = await failure(
      api.get('/venues', { headers: { Authorization: 'Bearer not-ours' } }),
    );
    expect(isAxiosError(error) && error.response?.status).toBe(401);
    expect(server.tokenRequests).toBe(0);
    expect(server.apiRequests).toBe(1);
  });
});

jest.setTimeout(30_000);

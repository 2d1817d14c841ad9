import axios from 'axios';
import { attachBookableAuth, isBookableAuthError } from 'bookable-axios-auth';
import { startTestServer, type TestServer } from 'bookable-axios-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('bookable-axios-auth in Vitest', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('sends 20 concurrent requests with one token', async () => {
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
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(server.tokenRequests).toBe(1);
  });

  it('throws coded errors at creation', () => {
    let thrown: unknown;
    try {
      attachBookableAuth(axios.create(), { clientId: 'only-an-id', clientSecret: '' });
    } catch (error) {
      thrown = error;
    }
    expect(isBookableAuthError(thrown) && thrown.code).toBe('invalid_options');
  });
});

import axios from 'axios';
import { attachBookableAuth, createTokenProvider, isBookableAuthError } from 'bookable-axios-auth';
import { startTestServer, type TestServer } from 'bookable-axios-auth/testing';
import { createRedisTokenStore } from 'bookable-axios-auth/redis';

describe('bookable-axios-auth in Jest 29, CommonJS mode, ts-jest', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('resolves every subpath to the CommonJS build', () => {
    for (const subpath of ['', '/testing', '/redis']) {
      expect(require.resolve(`bookable-axios-auth${subpath}`)).toMatch(/\.cjs$/);
    }
    expect(typeof createRedisTokenStore).toBe('function');
  });

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
    expect(server.apiRequests).toBe(20);
  });

  it('fails with a coded error that isBookableAuthError recognises', async () => {
    const provider = createTokenProvider({
      clientId: server.clientId,
      clientSecret: 'not-the-secret',
      tokenUrl: server.tokenUrl,
      audience: server.audience,
    });
    const error: unknown = await provider.getToken().catch((e: unknown) => e);
    expect(isBookableAuthError(error) && error.code).toBe('invalid_client_credentials');
  });
});

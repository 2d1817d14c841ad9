import axios from 'axios';
import { attachBookableAuth, isBookableAuthError } from 'bookable-axios-auth';
import { startTestServer } from 'bookable-axios-auth/testing';

describe('bookable-axios-auth in Jest 29, CommonJS mode, babel-jest', () => {
  let server;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('resolves to the CommonJS build', () => {
    expect(require.resolve('bookable-axios-auth')).toMatch(/\.cjs$/);
    expect(require.resolve('bookable-axios-auth/testing')).toMatch(/\.cjs$/);
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
  });

  it('throws coded errors at creation', () => {
    let thrown;
    try {
      attachBookableAuth(axios.create(), { clientId: 'only-an-id' });
    } catch (error) {
      thrown = error;
    }
    expect(isBookableAuthError(thrown) && thrown.code).toBe('invalid_options');
  });
});

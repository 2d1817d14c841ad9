import { describe, expect, it } from '@jest/globals';
import axios, { AxiosHeaders, type AxiosInstance } from 'axios';
import { attachBookableAuth } from '../../src/index.js';
import { echoAdapter, stubProvider } from '../helpers/stub.js';

/**
 * An instance whose adapter answers 200, with an interceptor that runs after the plugin's and
 * records the headers as the application's own interceptors (and axios) then see them.
 */
function recordingInstance(): { api: AxiosInstance; seen: Array<Record<string, unknown>> } {
  const seen: Array<Record<string, unknown>> = [];
  const api = axios.create({
    baseURL: 'https://api.bookabletech.com',
    adapter: async (config) => ({
      data: null,
      status: 200,
      statusText: 'OK',
      headers: {},
      config,
      request: {},
    }),
  });
  // Added first, so axios runs it after the plugin's request interceptors.
  api.interceptors.request.use(
    (config) => {
      seen.push({ ...config.headers });
      return config;
    },
    undefined,
    { synchronous: true },
  );
  return { api, seen };
}

describe('what a request is sent with', () => {
  it('keeps an Authorization header the caller set, and skips requests marked skip', async () => {
    const api = axios.create({ adapter: echoAdapter, baseURL: 'https://api.bookabletech.com' });
    const provider = stubProvider();
    attachBookableAuth(api, { tokenProvider: provider });
    expect((await api.get('/x', { headers: { Authorization: 'Basic abc' } })).data).toBe(
      'Basic abc',
    );
    expect((await api.get('/x', { bookableAuth: { skip: true } })).data).toBeNull();
    expect(provider.fetches).toBe(0);
  });

  it("keeps a caller's header in any letter case, and fills an empty one without a duplicate", async () => {
    const { api, seen } = recordingInstance();
    const provider = stubProvider();
    attachBookableAuth(api, { tokenProvider: provider });
    for (const cached of [false, true]) {
      await api.get('/x', { headers: { authorization: 'Basic abc' } });
      await api.get('/x', { headers: { AUTHORIZATION: undefined } });
      const [own, filled] = seen.splice(0);
      expect({ cached, own, filled }).toEqual({
        cached,
        own: expect.objectContaining({ authorization: 'Basic abc' }),
        filled: expect.objectContaining({ AUTHORIZATION: 'Bearer token-1' }),
      });
      expect(Object.keys(filled!).filter((name) => /^authorization$/i.test(name))).toHaveLength(1);
      await provider.getToken();
    }
  });

  it('writes the header exactly as headers.set() would, control characters removed', async () => {
    const token = 'tok\r\nX-Injected: 1\u0000 ';
    const expected = new AxiosHeaders()
      .set('Authorization', `Bearer ${token}`)
      .get('Authorization');
    expect(expected).toBe('Bearer tokX-Injected: 1');
    for (const cached of [false, true]) {
      const { api, seen } = recordingInstance();
      const provider = stubProvider(() => token);
      if (cached) await provider.getToken();
      attachBookableAuth(api, { tokenProvider: provider });
      await api.get('/x');
      expect({ cached, sent: seen[0]?.Authorization }).toEqual({ cached, sent: expected });
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { attachBookableAuth } from '../../src/index.js';
import { echoAdapter, stubProvider } from '../helpers/stub.js';

/** The Authorization header a request goes out with, the same whether a token is cached or not. */
async function authorizationSent(
  instanceConfig: object,
  request: object,
  allowedOrigins?: string[],
) {
  const sent: unknown[] = [];
  for (const cached of [false, true]) {
    const provider = stubProvider();
    if (cached) await provider.getToken();
    const api = axios.create({ adapter: echoAdapter, ...instanceConfig });
    attachBookableAuth(api, {
      tokenProvider: provider,
      ...(allowedOrigins ? { allowedOrigins } : {}),
    });
    sent.push((await api.request(request)).data);
  }
  expect(sent[1]).toBe(sent[0]);
  return sent[0] as string | null;
}

describe('the origin guard sends the token only to allowed origins', () => {
  const base = { baseURL: 'https://api.bookabletech.com' };
  it.each([
    ['a relative URL under the baseURL', base, { url: '/venues' }],
    ['an absolute URL to the same origin', base, { url: 'https://api.bookabletech.com/venues' }],
    ['the same origin in other letter case', base, { url: 'HTTPS://API.BookableTech.com/venues' }],
    [
      'the same origin with its default port',
      base,
      { url: 'https://api.bookabletech.com:443/venues' },
    ],
    ['a baseURL with a path', { baseURL: 'https://api.bookabletech.com/v1/' }, { url: 'venues' }],
    ['a relative URL that looks like a host', base, { url: '@evil.example/x' }],
    [
      'an absolute URL when allowAbsoluteUrls is false (axios appends it to the base)',
      base,
      { url: 'https://evil.example/x', allowAbsoluteUrls: false },
    ],
    [
      'Bookable by default when the instance has no baseURL',
      {},
      { url: 'https://api.bookabletech.com/venues' },
    ],
  ])('sends it for %s', async (_name, instance, request) => {
    expect(await authorizationSent(instance, request)).toBe('Bearer token-1');
  });

  it.each([
    ['another host', base, { url: 'https://evil.example/venues' }],
    [
      'a host that merely starts with the allowed one',
      base,
      { url: 'https://api.bookabletech.com.evil.example/x' },
    ],
    [
      'userinfo that names the allowed host',
      base,
      { url: 'https://api.bookabletech.com@evil.example/x' },
    ],
    ['another port', base, { url: 'https://api.bookabletech.com:8443/x' }],
    ['another scheme', base, { url: 'http://api.bookabletech.com/x' }],
    ['a protocol-relative URL to another host', base, { url: '//evil.example/x' }],
    ['a per-request baseURL elsewhere', base, { baseURL: 'https://evil.example', url: '/x' }],
    ['a relative URL with no baseURL at all', {}, { url: '/venues' }],
    ['a sandbox API not in allowedOrigins', {}, { url: 'https://api-sandbox.bookabletech.com/x' }],
  ])('withholds it for %s', async (_name, instance, request) => {
    expect(await authorizationSent(instance, request)).toBeNull();
  });

  it('follows allowedOrigins when given, instead of the baseURL', async () => {
    const allowed = ['https://api-sandbox.bookabletech.com'];
    expect(
      await authorizationSent(base, { url: 'https://api-sandbox.bookabletech.com/x' }, allowed),
    ).toBe('Bearer token-1');
    expect(await authorizationSent(base, { url: '/x' }, allowed)).toBeNull();
  });

  it('decides each request afresh when requests alternate between baseURLs', async () => {
    const api = axios.create({ adapter: echoAdapter, ...base });
    attachBookableAuth(api, { tokenProvider: stubProvider() });
    const sent: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push((await api.get('/x')).data);
      sent.push((await api.get('/x', { baseURL: 'https://evil.example' })).data);
      sent.push((await api.get('/x', { baseURL: 'https://api.bookabletech.com/v2/' })).data);
    }
    expect(sent).toEqual(Array(3).fill(['Bearer token-1', null, 'Bearer token-1']).flat());
  });
});

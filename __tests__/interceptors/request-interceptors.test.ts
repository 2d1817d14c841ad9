import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { attachBookableAuth } from '../../src/index.js';
import { echoAdapter, stubProvider } from '../helpers/stub.js';

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
});

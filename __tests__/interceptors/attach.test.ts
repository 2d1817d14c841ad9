import { describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { attachBookableAuth } from '../../src/index.js';
import { echoAdapter, stubProvider } from '../helpers/stub.js';

describe('attaching and detaching', () => {
  it('detach() ejects its interceptors, and attaching twice does not stack them', async () => {
    const api = axios.create({ adapter: echoAdapter, baseURL: 'https://api.bookabletech.com' });
    const installed = (manager: unknown) =>
      (manager as { handlers: unknown[] }).handlers.filter(Boolean).length;
    const count = () => installed(api.interceptors.request) + installed(api.interceptors.response);
    attachBookableAuth(api, { tokenProvider: stubProvider() });
    const one = count();
    expect(one).toBeGreaterThan(0);
    const second = attachBookableAuth(api, { tokenProvider: stubProvider() });
    expect(count()).toBe(one);
    expect((await api.get('/x')).data).toBe('Bearer token-1');
    second.detach();
    expect(count()).toBe(0);
    expect((await api.get('/x')).data).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { isBookableAuthError } from '../../src/index.js';
import { createRedisTokenStore } from '../../src/redis/index.js';

describe('createRedisTokenStore', () => {
  it.each([
    ['no client', {}],
    ['an ioredis-style client without eval options', { client: { get() {}, set() {} } }],
  ])('refuses %s with invalid_options', (_name, options) => {
    let error: unknown;
    try {
      createRedisTokenStore(options as never);
    } catch (e) {
      error = e;
    }
    expect(isBookableAuthError(error) && error.code).toBe('invalid_options');
    expect((error as Error).message).toContain('createClient');
  });
});

import { describe, expect, it } from '@jest/globals';
import { BookableAuthError, TokenEndpointError, isBookableAuthError } from '../src/index.js';

describe('TokenEndpointError.withAttempts', () => {
  it('keeps every detail and the cause, and adds the count to attempts and the message', () => {
    const cause = new Error('ECONNRESET');
    const details = {
      status: 429,
      oauthError: 'too_many_requests',
      oauthErrorDescription: 'Global limit has been reached',
      retryAt: new Date('2026-01-01T01:00:00Z'),
      transient: true,
    };
    const last = new TokenEndpointError('rate_limited', 'Rate-limited', details, { cause });
    const error = last.withAttempts(4);
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ ...details, code: 'rate_limited', attempts: 4 });
    expect(error.message).toBe('Rate-limited; gave up after 4 attempts');
    expect(error.cause).toBe(cause);
  });

  it('points at the last failure itself when it had no cause', () => {
    const last = new TokenEndpointError('token_endpoint_unavailable', 'Failing', { status: 503 });
    expect(last.withAttempts(2).cause).toBe(last);
  });
});

describe('isBookableAuthError', () => {
  it('recognises errors of another copy of the package by name and code', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      name: 'TokenEndpointError',
      code: 'invalid_client_credentials',
    });
    expect(isBookableAuthError(foreign)).toBe(true);
    expect(isBookableAuthError(new BookableAuthError('aborted', 'x'))).toBe(true);
    expect(isBookableAuthError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isBookableAuthError({ name: 'BookableAuthError', code: 'aborted' })).toBe(false);
  });
});

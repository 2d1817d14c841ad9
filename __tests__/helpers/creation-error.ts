import { expect } from '@jest/globals';
import {
  createTokenProvider,
  isBookableAuthError,
  type BookableAuthError,
  type TokenProviderOptions,
} from '../../src/index.js';

/**
 * The error `createTokenProvider(options)` throws, checked to be the library's own (a coded
 * `BookableAuthError`); fails the test if it throws none.
 */
export function creationError(options: unknown): BookableAuthError {
  try {
    createTokenProvider(options as TokenProviderOptions);
  } catch (error) {
    expect(isBookableAuthError(error)).toBe(true);
    return error as BookableAuthError;
  }
  throw new Error('expected createTokenProvider to throw');
}

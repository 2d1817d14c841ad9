import { BookableAuthError } from '../errors.js';

/**
 * Waits for `shared` on behalf of one caller, who may stop waiting with `signal`: the caller's
 * promise rejects with `aborted` at once, while `shared` goes on for everyone else.
 */
export function abortableWait<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return shared;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function abortedError(signal: AbortSignal): BookableAuthError {
  return new BookableAuthError('aborted', 'Waiting for an access token was aborted by the caller', {
    cause: signal.reason,
  });
}

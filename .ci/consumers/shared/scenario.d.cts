import type { AxiosStatic } from 'axios';
import type * as auth from 'bookable-axios-auth';
import type * as testing from 'bookable-axios-auth/testing';

/** The modules the consumer loaded, its own way. */
export interface ScenarioModules {
  axios: Pick<AxiosStatic, 'create'>;
  auth: Pick<typeof auth, 'attachBookableAuth' | 'createTokenProvider' | 'isBookableAuthError'>;
  testing: Pick<typeof testing, 'startTestServer'>;
}

/** An error as the consumer's copy of the package sees it. */
export interface CodedError {
  /** What the consumer's `isBookableAuthError` says of it (false when nothing was thrown). */
  recognised: boolean;
  code: string | undefined;
}

/** What happened. */
export interface ScenarioOutcome {
  /** The statuses of the 20 concurrent API requests, in order. */
  statuses: number[];
  /** The token requests the testing server had received once those 20 were answered. */
  tokenRequests: number;
  /** The API requests it had received then. */
  apiRequests: number;
  /** What attachBookableAuth threw for a client id with an empty secret. */
  creationError: CodedError;
  /** What getToken() rejected with for a wrong client secret. */
  refusal: CodedError;
}

/**
 * Starts the testing server, attaches the plugin to an axios instance for its API, sends 20
 * concurrent requests, then makes the two mistakes; closes the server.
 */
export declare function runScenario(modules: ScenarioModules): Promise<ScenarioOutcome>;

/** What every consumer expects `runScenario()` to report. */
export declare const expected: Readonly<ScenarioOutcome>;

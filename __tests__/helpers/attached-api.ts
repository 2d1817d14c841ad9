import { afterEach } from '@jest/globals';
import axios, { type AxiosInstance } from 'axios';
import {
  attachBookableAuth,
  type BookableAuthAttachment,
  type BookableAuthOptions,
} from '../../src/index.js';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../src/testing/index.js';
import { clientOf } from './test-server.js';

export interface AttachedApi {
  /** An axios instance for the server's API, with the plugin attached. */
  api: AxiosInstance;
  auth: BookableAuthAttachment;
  server: TestServer;
}

export interface AttachedApiOptions {
  server?: TestServerOptions;
  /** Options of attachBookableAuth besides the server's credentials and fast retries. */
  attach?: Partial<BookableAuthOptions>;
}

/**
 * For a test file: a function that starts the testing server and attaches the plugin to an axios
 * instance for its API; every server it started is closed after each test.
 */
export function attachedApis(): (options?: AttachedApiOptions) => Promise<AttachedApi> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async ({ server: serverOptions = {}, attach = {} } = {}) => {
    const server = await startTestServer(serverOptions);
    servers.push(server);
    const api = axios.create({ baseURL: server.apiOrigin });
    const auth = attachBookableAuth(api, {
      ...clientOf(server),
      retry: { minTimeout: 1, maxTimeout: 5 },
      ...attach,
    } as BookableAuthOptions);
    return { api, auth, server };
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );

import { afterEach, beforeEach } from '@jest/globals';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../src/testing/index.js';

/** The provider options that name the testing server's client: id, secret, token URL, audience. */
export function clientOf(
  server: TestServer,
): Pick<TestServer, 'clientId' | 'clientSecret' | 'tokenUrl' | 'audience'> {
  return {
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    tokenUrl: server.tokenUrl,
    audience: server.audience,
  };
}

/**
 * For a test file or `describe`: a fresh testing server for each test, closed after it. What it
 * returns stands for the current test's server (each read goes to it), so it can be read like one
 * inside hooks and tests, but not before the first test starts.
 */
export function useTestServer(options?: TestServerOptions): TestServer {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startTestServer(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as TestServer, {
    get(_target, key) {
      if (current === undefined) throw new Error('the testing server starts in beforeEach');
      const value: unknown = Reflect.get(current, key);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}

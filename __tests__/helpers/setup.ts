import { afterAll, afterEach, beforeAll, jest } from '@jest/globals';
import nock from 'nock';

// Every test file: no network at all, except the loopback servers tests start themselves. And no
// proxy but the ones a test sets: one from the machine's environment would route token requests
// (and nock's) elsewhere.
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY']) {
  delete process.env[name];
  delete process.env[name.toLowerCase()];
}
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
});
afterEach(() => {
  jest.useRealTimers();
});
afterAll(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
  // Files share the core http module but each loads its own nock: unpatch, so the next file's
  // nock patches it afresh.
  nock.restore();
});

import { beforeAll } from '@jest/globals';
import nock from 'nock';

/**
 * Turns nock's interception off for the test file that calls it, so that its requests use Node's
 * real http and https clients.
 *
 * Needed for anything that goes through a proxy. nock 14 (through @mswjs/interceptors) hands a
 * passthrough request to `agent.createConnection()` synchronously, which agents built on
 * agent-base (`https-proxy-agent`) refuse ("No socket was returned in the `connect()` function"),
 * and it cannot parse the absolute-URI request path that forward proxying sends ("Invalid URL").
 * The file's tests must then talk only to the loopback servers they start, as every test here does.
 *
 * Call `http.request` and `https.request` through the modules' default exports: a named import
 * (`import { request } from 'node:https'`) is bound when the module is linked, while nock is on,
 * and keeps nock's patched function.
 */
export function useRealNetwork(): void {
  // Left off for the rest of the file: the next file loads a nock of its own, which patches
  // Node's http modules afresh (see setup.ts). Turning this one on again after the file would
  // leave two nocks patching them, and the next file's interceptors would never be reached.
  beforeAll(() => {
    nock.restore();
  });
}

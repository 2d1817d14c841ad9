import axios from 'axios';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachBookableAuth } from '../interceptors/attach.js';
import { errorMessage, isBookableAuthError } from '../errors.js';
import type { Logger } from '../options/provider-options.js';
import { startTestServer, type TestServer } from '../testing/index.js';
import { listenToEvents, type EventLines } from './demo-events.js';

interface Step {
  ok: boolean;
  line: string;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** After each step, print the diagnostics events it published, one line each. */
  events?: boolean;
}

/**
 * Runs the library's whole story against a local Auth0-compatible server and a protected API,
 * printing one plain line per step. Resolves to true when every step behaved.
 */
export async function runDemo(
  write: (line: string) => void,
  options: DemoOptions = {},
): Promise<boolean> {
  const events: EventLines | undefined = options.events ? listenToEvents() : undefined;
  const server = await startTestServer({ scopes: ['venue:read'] });
  const retries: string[] = [];
  const logger: Logger = {
    debug: (message) => {
      if (message.startsWith('Token request attempt')) retries.push(message);
    },
    warn: () => {},
  };
  const api = axios.create({ baseURL: server.apiOrigin });
  const auth = attachBookableAuth(api, {
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    tokenUrl: server.tokenUrl,
    audience: server.audience,
    logger,
  });
  const provider = auth.tokenProvider;
  const steps: Array<() => Promise<Step>> = [
    async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => api.get(`/venues/${i}`)),
      );
      const ok = responses.every((r) => r.status === 200) && server.tokenRequests === 1;
      return {
        ok,
        line: `Cold start: 50 concurrent requests, ${server.tokenRequests} token request.`,
      };
    },
    async () => {
      for (let i = 0; i < 20; i++) await api.get('/venues');
      return {
        ok: server.tokenRequests === 1,
        line: `Cache: 20 more requests, still ${server.tokenRequests} token request in all.`,
      };
    },
    () => backgroundRefresh(server, api, provider),
    async () => {
      const before = counts(server);
      server.revoke(await provider.getToken());
      const response = await api.get('/venues');
      const after = counts(server);
      return {
        ok:
          response.status === 200 &&
          after.tokens - before.tokens === 1 &&
          after.api - before.api === 2,
        line: `Revoked token: 401, ${after.tokens - before.tokens} refresh, replayed once, 200.`,
      };
    },
    async () => {
      server.failNextTokenRequests(2, { status: 503 });
      provider.invalidate();
      retries.length = 0;
      const before = counts(server);
      const response = await api.get('/venues');
      const attempts = counts(server).tokens - before.tokens;
      return {
        ok: response.status === 200 && attempts === 3,
        line: `Token endpoint outage: 503, 503, then 200: recovered after ${attempts} attempts with backoff (${retries
          .map((r) => r.replace(/.*retrying in /, ''))
          .join(', ')}).`,
      };
    },
    async () => {
      const wrong = axios.create({ baseURL: server.apiOrigin });
      attachBookableAuth(wrong, {
        clientId: server.clientId,
        clientSecret: 'not-the-secret',
        tokenUrl: server.tokenUrl,
        audience: server.audience,
      });
      try {
        await wrong.get('/venues');
        return { ok: false, line: 'Wrong secret: the request unexpectedly succeeded.' };
      } catch (error) {
        const ok = isBookableAuthError(error) && error.code === 'invalid_client_credentials';
        const message = errorMessage(error);
        return {
          ok,
          line: `Wrong secret: ${isBookableAuthError(error) ? error.code : 'error'}: ${message}`,
        };
      }
    },
  ];

  let allOk = true;
  try {
    for (const step of steps) {
      let result: Step;
      try {
        result = await step();
      } catch (error) {
        result = {
          ok: false,
          line: `Unexpected failure: ${errorMessage(error)}`,
        };
      }
      allOk &&= result.ok;
      write(`${result.ok ? '✓' : '✗'} ${result.line}`);
      if (events !== undefined) {
        const lines = events.drain();
        for (const line of lines.length > 0 ? lines : ['(no events)']) write(`    ${line}`);
      }
    }
  } finally {
    events?.stop();
    auth.detach();
    await server.close();
  }
  write(allOk ? 'Every step behaved.' : 'Some step did not behave as it should.');
  return allOk;
}

function counts(server: TestServer): { tokens: number; api: number } {
  return { tokens: server.tokenRequests, api: server.apiRequests };
}

async function backgroundRefresh(
  server: TestServer,
  api: ReturnType<typeof axios.create>,
  provider: ReturnType<typeof attachBookableAuth>['tokenProvider'],
): Promise<Step> {
  server.setTokenLifetime(4);
  provider.invalidate();
  await api.get('/venues');
  const first = await provider.getTokenInfo();
  const before = server.tokenRequests;
  await sleep(first.refreshAt.getTime() - Date.now() + 100);
  // Inside the refresh margin: these get the current token at once while one refresh runs.
  const during = await Promise.all(Array.from({ length: 10 }, () => api.get('/venues')));
  while (server.tokenRequests === before) await sleep(10);
  let refreshed = await provider.getTokenInfo();
  for (let i = 0; i < 100 && refreshed.accessToken === first.accessToken; i++) {
    await sleep(10);
    refreshed = await provider.getTokenInfo();
  }
  server.setTokenLifetime(3600);
  const aheadMs = first.expiresAt.getTime() - refreshed.obtainedAt.getTime();
  const ok =
    during.every((r) => r.status === 200) &&
    server.tokenRequests - before === 1 &&
    refreshed.accessToken !== first.accessToken &&
    aheadMs > 0;
  return {
    ok,
    line: `Renewal: a 4 s token renewed in the background ${(aheadMs / 1000).toFixed(1)} s before expiry; the 10 requests made meanwhile used the current token.`,
  };
}

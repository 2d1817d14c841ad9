import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../src/testing/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built package in a child process (the e2e project builds it before its first test). */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('the built package against an independent OAuth2 server (oauth2-mock-server)', () => {
  let results: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    const { code, stdout, stderr } = await run([
      fileURLToPath(new URL('./fixtures/independent-server.mjs', import.meta.url)),
    ]);
    if (code !== 0) throw new Error(`scenario script failed (${code}): ${stderr}`);
    results = JSON.parse(stdout) as typeof results;
  }, 60_000);

  it('makes one token request for 200 concurrent requests on a cold start', () => {
    expect(results.coldStart).toEqual({ ok: true, tokenRequests: 1 });
  });
  it('renews a short-lived token in the background, once, before it expires', () => {
    expect(results.renewal).toEqual({ ok: true, tokenRequests: 2, renewedBeforeExpiry: true });
  });
  it('answers a revoked token with one refresh and one replay per request', () => {
    expect(results.revocation).toEqual({ ok: true, tokenRequests: 1, apiRequests: 100 });
  });
  it('rides out a token endpoint outage with backoff', () => {
    expect(results.outage).toEqual({ ok: true, tokenRequests: 3 });
  });
  it('authenticates with private_key_jwt: a valid, fresh assertion on each attempt', () => {
    expect(results.privateKeyJwt).toEqual({
      ok: true,
      assertions: 2,
      allValid: true,
      distinctJti: 2,
    });
  });
  it('fails each user error at once with its code', () => {
    expect(results.userErrors).toEqual({
      wrongSecret: { code: 'invalid_client_credentials', tokenRequests: 1 },
      unknownAudience: { code: 'unknown_audience', tokenRequests: 1 },
      notAuthorized: { code: 'client_not_authorized', tokenRequests: 1 },
      grantNotAllowed: { code: 'grant_type_not_allowed', tokenRequests: 1 },
    });
  });
});

describe('the bookable-auth CLI (built bin)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());
  const env = () => ({
    BOOKABLE_CLIENT_ID: server.clientId,
    BOOKABLE_CLIENT_SECRET: server.clientSecret,
    BOOKABLE_TOKEN_URL: server.tokenUrl,
  });

  it('runs the demo, every step behaving, and exits 0', async () => {
    const { code, stdout } = await run([cli, 'demo']);
    expect(stdout).toContain('Every step behaved.');
    expect(stdout).not.toContain('✗');
    expect(stdout).not.toMatch(/^ {4}/m); // events only with --events
    expect(code).toBe(0);
  });

  it('demo --events: prints, under each step, the events it published, one line each', async () => {
    const { code, stdout } = await run([cli, 'demo', '--events']);
    expect(code).toBe(0);
    // Each step's line, followed by its events (indented), up to the next step.
    const steps = stdout
      .split(/^(?=[✓✗] )/m)
      .filter((block) => /^[✓✗] /.test(block))
      .map((block) => {
        const [title = '', ...events] = block.trimEnd().split('\n');
        return {
          title,
          channels: events
            .filter((line) => line.startsWith('    '))
            .map((line) => line.trim().split(/\s+/)[0]),
          events: events.join('\n'),
        };
      });
    expect(steps.map((s) => s.title.replace(/:.*/, ''))).toEqual([
      '✓ Cold start',
      '✓ Cache',
      '✓ Renewal',
      '✓ Revoked token',
      '✓ Token endpoint outage',
      '✓ Wrong secret',
    ]);
    const [cold, cache, renewal, revoked, outage, wrong] = steps;
    expect(cold?.channels).toEqual(['token-request-attempt', 'token-request', 'token-obtained']);
    expect(cold?.events).toMatch(
      /^ {4}token-obtained +source=endpoint tokenId=[0-9a-f]{8} expiresIn=3600\.\ds refreshIn=\d+\.\ds$/m,
    );
    expect(cache?.events).toBe('    (no events)'); // nothing is published on the cached path
    expect(renewal?.channels).toContain('background-refresh-started');
    expect(revoked?.channels).toEqual([
      'forced-refresh',
      'token-request-attempt',
      'token-request',
      'token-obtained',
      'request-replayed',
    ]);
    expect(revoked?.events).toMatch(
      /^ {4}forced-refresh +refusedTokenId=[0-9a-f]{8} via=request$/m,
    );
    expect(revoked?.events).toMatch(
      /^ {4}request-replayed +method=GET origin=http:\/\/127\.0\.0\.1:\d+ refusedTokenId=[0-9a-f]{8} tokenId=[0-9a-f]{8}$/m,
    );
    expect(outage?.events).toMatch(
      /attempt=1 status=503 errorCode=token_endpoint_unavailable durationMs=\d+\n.*attempt=2 status=503 errorCode=token_endpoint_unavailable durationMs=\d+\n.*attempt=3 durationMs=\d+\n {4}token-request +attempts=3 durationMs=\d+ tokenId=[0-9a-f]{8}$/m,
    );
    expect(wrong?.events).toMatch(
      /^ {4}token-request +attempts=1 durationMs=\d+ status=401 errorCode=invalid_client_credentials$/m,
    );
    expect(stdout).not.toMatch(/eyJ/); // no token, only token ids
    expect(stdout).toContain('Every step behaved.');
  });

  it('token: prints what the token grants, without the token itself, and exits 0', async () => {
    const { code, stdout } = await run([cli, 'token'], env());
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Token type +Bearer$/m);
    expect(stdout).toMatch(/^Scopes +venue:read venue-booking:create \(from response\)$/m);
    expect(stdout).toMatch(/^Subject +test-client@clients$/m);
    expect(stdout).not.toMatch(/eyJ/);
  });

  it('token --json --print-token: machine-readable, with the token', async () => {
    const { code, stdout } = await run([cli, 'token', '--json', '--print-token'], env());
    expect(code).toBe(0);
    const facts = JSON.parse(stdout) as Record<string, unknown>;
    expect(facts).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      lifetimes: 'agree',
      audience: 'api.bookabletech.com',
    });
    expect(String(facts.accessToken)).toMatch(/^eyJ/);
  });

  it('flags a JWT lifetime that disagrees with expires_in', async () => {
    server.setJwtLifetime(30 * 86400);
    try {
      const { stdout } = await run([cli, 'token'], env());
      expect(stdout).toMatch(/^JWT lifetime +2592000 s \(exp - iat\): DISAGREES with expires_in/m);
    } finally {
      server.setJwtLifetime(undefined);
    }
  });

  it.each([
    [
      'missing credentials',
      [],
      { BOOKABLE_CLIENT_ID: '', BOOKABLE_CLIENT_SECRET: '' },
      2,
      'Missing BOOKABLE_CLIENT_ID',
    ],
    ['an unknown flag', ['--frobnicate'], undefined, 2, "Unknown option '--frobnicate'"],
    [
      'a plain-http token URL elsewhere',
      [],
      { BOOKABLE_TOKEN_URL: 'http://auth.example/oauth/token' },
      2,
      'invalid_options',
    ],
    [
      'a wrong secret',
      [],
      { BOOKABLE_CLIENT_SECRET: 'wrong-secret-value' },
      3,
      'invalid_client_credentials',
    ],
    ['an unknown audience', ['--audience', 'api.nowhere'], undefined, 3, 'unknown_audience'],
    [
      'an unreachable server',
      [],
      { BOOKABLE_TOKEN_URL: 'http://127.0.0.1:9/oauth/token' },
      4,
      'token_endpoint_unreachable',
    ],
  ])(
    'token with %s exits with its code and the clear message',
    async (_name, args, extraEnv, exitCode, says) => {
      const { code, stderr } = await run(
        [cli, 'token', ...(args as string[])],
        extraEnv === undefined ? env() : { ...env(), ...(extraEnv as Record<string, string>) },
      );
      expect(code).toBe(exitCode);
      expect(stderr).toContain(says);
      expect(stderr).not.toContain(server.clientSecret);
    },
  );

  it('token with BOOKABLE_PRIVATE_KEY_FILE authenticates with private_key_jwt, no secret', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyServer = await startTestServer({ clients: [{ clientId: 'pk-client', publicKey }] });
    const file = join(mkdtempSync(join(tmpdir(), 'bookable-key-')), 'key.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      const { code, stdout, stderr } = await run([cli, 'token'], {
        BOOKABLE_CLIENT_ID: 'pk-client',
        BOOKABLE_PRIVATE_KEY_FILE: file,
        BOOKABLE_TOKEN_URL: keyServer.tokenUrl,
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^Subject +pk-client@clients$/m);
    } finally {
      await keyServer.close();
    }
  });

  it('prints usage for --help on each command', async () => {
    for (const args of [['--help'], ['token', '--help'], ['demo', '--help']]) {
      const { code, stdout } = await run([cli, ...args]);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: bookable-auth');
    }
  });
});

import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage, isBookableAuthError, type BookableAuthErrorCode } from '../errors.js';
import type { TokenProviderOptions } from '../options/provider-options.js';
import { createTokenProvider } from '../provider/create-token-provider.js';
import type { TokenInfo } from '../token-info.js';
import { runDemo } from './demo.js';

/** Where the CLI writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: documented in the usage text and in docs/cli.md. */
export const EXIT = Object.freeze({
  ok: 0,
  failed: 1,
  configuration: 2,
  rejected: 3,
  unreachable: 4,
});

const USAGE = `Usage: bookable-auth <command> [options]

Commands:
  token    Fetch a token with your credentials and show what it grants
  demo     Run the whole story against a local server (no credentials, no network)

Run "bookable-auth <command> --help" for a command's options.`;

const TOKEN_USAGE = `Usage: bookable-auth token [options]

Fetches an access token with the client-credentials grant and prints its type, granted scopes,
expires_in and the JWT's own lifetime (flagging a disagreement), issuer, audience and subject.

Options (each overrides its environment variable):
  --client-id <id>         BOOKABLE_CLIENT_ID (required)
  --client-secret <secret> BOOKABLE_CLIENT_SECRET (required, unless a private key is given;
                           prefer the variable: flags show in ps)
  --private-key-file <pem> BOOKABLE_PRIVATE_KEY_FILE (private_key_jwt instead of a secret)
  --key-id <kid>           BOOKABLE_KEY_ID
  --token-url <url>        BOOKABLE_TOKEN_URL   (default https://bookabletech.uk.auth0.com/oauth/token)
  --audience <id>          BOOKABLE_AUDIENCE    (default api.bookabletech.com)
  --scope <scopes>         BOOKABLE_SCOPE       (space-separated)
  --print-token            also print the access token itself
  --json                   print one JSON object instead of text
  -h, --help               show this help

Exit codes: 0 ok, 2 bad configuration, 3 rejected by the server, 4 server unreachable.`;

const DEMO_USAGE = `Usage: bookable-auth demo [options]

Starts a local Auth0-compatible server and protected API on 127.0.0.1 and shows, step by step,
cold-start concurrency, caching, renewal, a revoked token, an outage and a wrong secret.
Exits 0 when every step behaved, 1 otherwise.

Options:
  --events     after each step, print the diagnostics_channel events it published, one line
               each: the channel, then the fields an operator would graph
  -h, --help   show this help`;

const REJECTED: ReadonlySet<BookableAuthErrorCode> = new Set([
  'invalid_client_credentials',
  'unknown_audience',
  'client_not_authorized',
  'grant_type_not_allowed',
  'invalid_scope',
  'invalid_request',
  'token_request_rejected',
  'rate_limited',
  'quota_exceeded',
  'invalid_token_response',
]);

/** Runs the CLI and resolves to its exit code. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT.configuration : EXIT.ok;
  }
  if (command === 'token') return tokenCommand(rest, env, io);
  if (command === 'demo') {
    const parsed = parse(
      rest,
      { events: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      DEMO_USAGE,
      io,
    );
    if (parsed === undefined) return EXIT.configuration;
    if (parsed.help) {
      io.out(DEMO_USAGE);
      return EXIT.ok;
    }
    return (await runDemo(io.out, { events: parsed.events === true })) ? EXIT.ok : EXIT.failed;
  }
  io.err(`Unknown command "${command}".\n\n${USAGE}`);
  return EXIT.configuration;
}

function parse(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  io: CliIo,
): Record<string, string | boolean | undefined> | undefined {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${usage}`);
    return undefined;
  }
}

async function tokenCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const values = parse(
    args,
    {
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'private-key-file': { type: 'string' },
      'key-id': { type: 'string' },
      'token-url': { type: 'string' },
      audience: { type: 'string' },
      scope: { type: 'string' },
      'print-token': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    TOKEN_USAGE,
    io,
  );
  if (values === undefined) return EXIT.configuration;
  if (values.help) {
    io.out(TOKEN_USAGE);
    return EXIT.ok;
  }
  const pick = (flag: string, variable: string): string | undefined => {
    const value = values[flag] ?? env[variable];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const clientId = pick('client-id', 'BOOKABLE_CLIENT_ID');
  const clientSecret = pick('client-secret', 'BOOKABLE_CLIENT_SECRET');
  const keyFile = pick('private-key-file', 'BOOKABLE_PRIVATE_KEY_FILE');
  const keyId = pick('key-id', 'BOOKABLE_KEY_ID');
  const missing = [
    clientId === undefined ? 'BOOKABLE_CLIENT_ID (or --client-id)' : undefined,
    clientSecret === undefined && keyFile === undefined
      ? 'BOOKABLE_CLIENT_SECRET or BOOKABLE_PRIVATE_KEY_FILE (or --client-secret / --private-key-file)'
      : undefined,
  ].filter(Boolean);
  if (missing.length > 0) {
    io.err(
      `Missing ${missing.join(' and ')}: set the application's credentials.\n\n${TOKEN_USAGE}`,
    );
    return EXIT.configuration;
  }
  let privateKey: string | undefined;
  if (keyFile !== undefined) {
    try {
      privateKey = readFileSync(keyFile, 'utf8');
    } catch (error) {
      io.err(
        `Cannot read the private key file ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return EXIT.configuration;
    }
  }
  const tokenUrl = pick('token-url', 'BOOKABLE_TOKEN_URL');
  const audience = pick('audience', 'BOOKABLE_AUDIENCE');
  const scope = pick('scope', 'BOOKABLE_SCOPE');
  const credentials =
    privateKey !== undefined
      ? {
          clientAuthentication: 'private_key_jwt' as const,
          privateKey,
          ...(keyId === undefined ? {} : { keyId }),
        }
      : { clientSecret: clientSecret as string };
  const options: TokenProviderOptions = {
    clientId: clientId as string,
    ...credentials,
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    ...(audience === undefined ? {} : { audience }),
    ...(scope === undefined ? {} : { scope }),
  };
  let info: TokenInfo;
  try {
    info = await createTokenProvider(options).getTokenInfo();
  } catch (error) {
    if (!isBookableAuthError(error)) throw error;
    io.err(`${error.code}: ${error.message}`);
    if (error.code === 'invalid_options') return EXIT.configuration;
    return REJECTED.has(error.code) ? EXIT.rejected : EXIT.unreachable;
  }
  report(info, values, io);
  return EXIT.ok;
}

function report(
  info: TokenInfo,
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): void {
  const lifetimes =
    info.expiresIn !== undefined && info.jwtLifetimeSeconds !== undefined
      ? Math.abs(info.expiresIn - info.jwtLifetimeSeconds) > 60
        ? 'disagree'
        : 'agree'
      : 'not comparable';
  const jwt = info.jwt;
  const facts = {
    tokenType: info.tokenType,
    scopes: info.scopes,
    scopesSource: info.scopesSource,
    expiresIn: info.expiresIn ?? null,
    jwtLifetimeSeconds: info.jwtLifetimeSeconds ?? null,
    lifetimes,
    expiresAt: info.expiresAt.toISOString(),
    expiresAtSource: info.expiresAtSource,
    issuer: jwt?.issuer ?? null,
    audience: jwt?.audience ?? null,
    subject: jwt?.subject ?? null,
    ...(values['print-token'] ? { accessToken: info.accessToken } : {}),
  };
  if (values.json) {
    io.out(JSON.stringify(facts, null, 2));
    return;
  }
  const rows: Array<[string, string]> = [
    ['Token type', info.tokenType],
    ['Scopes', `${info.scopes.join(' ') || '(none)'} (from ${info.scopesSource})`],
    ['expires_in', info.expiresIn === undefined ? '(not given)' : `${info.expiresIn} s`],
    [
      'JWT lifetime',
      info.jwtLifetimeSeconds === undefined
        ? jwt === undefined
          ? '(opaque token)'
          : '(no exp/iat)'
        : `${info.jwtLifetimeSeconds} s (exp - iat)${lifetimes === 'disagree' ? ': DISAGREES with expires_in; the earlier is used' : ''}`,
    ],
    ['Expires at', `${info.expiresAt.toISOString()} (from ${info.expiresAtSource})`],
    ['Issuer', jwt?.issuer ?? '-'],
    ['Audience', Array.isArray(jwt?.audience) ? jwt.audience.join(' ') : (jwt?.audience ?? '-')],
    ['Subject', jwt?.subject ?? '-'],
  ];
  if (values['print-token']) rows.push(['Access token', info.accessToken]);
  for (const [label, value] of rows) io.out(`${label.padEnd(14)}${value}`);
}

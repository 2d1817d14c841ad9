import { isBookableAuthError, type BookableAuthErrorCode } from '../errors.js';
import { createTokenProvider } from '../provider/create-token-provider.js';
import type { TokenInfo } from '../token-info.js';
import { EXIT, parse, type CliIo, type ParsedFlags } from './io.js';
import { TOKEN_FLAGS, tokenOptions } from './token-options.js';

const TOKEN_USAGE = `Usage: bookable-auth token [options]

Fetches an access token with the client-credentials grant and prints its type, granted scopes,
expires_in and the JWT's own lifetime (flagging a disagreement), issuer, audience and subject.

Options (each overrides its environment variable):
  --client-id <id>         BOOKABLE_CLIENT_ID (required)
  --client-secret <secret> BOOKABLE_CLIENT_SECRET (required, unless a private key or a client
                           certificate is given; prefer the variable: flags show in ps)
  --private-key-file <pem> BOOKABLE_PRIVATE_KEY_FILE (private_key_jwt instead of a secret)
  --key-id <kid>           BOOKABLE_KEY_ID
  --cert-file <pem>        BOOKABLE_CERT_FILE   (a client certificate: mutual TLS, tls_client_auth
  --key-file <pem>         BOOKABLE_KEY_FILE     unless a secret is given; its private key)
  --client-authentication <method>
                           BOOKABLE_CLIENT_AUTHENTICATION (e.g. self_signed_tls_client_auth,
                           client_secret_basic)
  --ca-file <pem>          BOOKABLE_CA_FILE     (a private CA to trust, e.g. a TLS-inspecting proxy's)
  --token-url <url>        BOOKABLE_TOKEN_URL   (default https://bookabletech.uk.auth0.com/oauth/token)
  --audience <id>          BOOKABLE_AUDIENCE    (default api.bookabletech.com)
  --scope <scopes>         BOOKABLE_SCOPE       (space-separated)
  --print-token            also print the access token itself
  --json                   print one JSON object instead of text
  -h, --help               show this help

A proxy comes from HTTPS_PROXY and NO_PROXY; the token request tunnels through it.

Exit codes: 0 ok, 2 bad configuration (a missing CA or proxy credentials too), 3 rejected by the
server, 4 server unreachable.`;

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
  'client_certificate_rejected',
]);

/** Errors that a change of this machine's configuration fixes. */
const CONFIGURATION: ReadonlySet<BookableAuthErrorCode> = new Set([
  'invalid_options',
  'server_certificate_untrusted',
  'server_certificate_invalid',
  'proxy_authentication_required',
]);

/** `bookable-auth token`: fetches a token with the given credentials and shows what it grants. */
export async function tokenCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const values = parse(args, TOKEN_FLAGS, TOKEN_USAGE, io);
  if (values === undefined) return EXIT.configuration;
  if (values.help) {
    io.out(TOKEN_USAGE);
    return EXIT.ok;
  }
  const result = tokenOptions(values, env);
  if ('problem' in result) {
    io.err(`${result.problem}\n\n${TOKEN_USAGE}`);
    return EXIT.configuration;
  }
  let info: TokenInfo;
  try {
    info = await createTokenProvider(result.options).getTokenInfo();
  } catch (error) {
    if (!isBookableAuthError(error)) throw error;
    io.err(`${error.code}: ${error.message}`);
    if (CONFIGURATION.has(error.code)) return EXIT.configuration;
    return REJECTED.has(error.code) ? EXIT.rejected : EXIT.unreachable;
  }
  report(info, values, io);
  return EXIT.ok;
}

function report(info: TokenInfo, values: ParsedFlags, io: CliIo): void {
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

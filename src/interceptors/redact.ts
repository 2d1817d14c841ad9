import { AxiosHeaders, type AxiosError } from 'axios';

/** What an error shows where the plugin's bearer token was. */
export const REDACTED_AUTHORIZATION = 'Bearer [redacted]';

const RAW_AUTHORIZATION_LINE = /^(authorization:[ \t]*)[^\r\n]*/gim;

/**
 * Removes the bearer token from every view of an axios error that leaves the plugin:
 * `util.inspect`, `JSON.stringify`/`toJSON()`, `err.config.headers`, `err.response.config`, and
 * the request object (on Node a `ClientRequest`, or follow-redirects' wrapper around one, whose
 * raw header text and header map repeat the `Authorization` line).
 *
 * The config is replaced by a scrubbed copy, so a retry library that re-sends `err.config` still
 * works: the plugin sets a current token again on the way out. The request object keeps working
 * as far as it still can (it is finished), is scrubbed in place, and is made non-enumerable on
 * the error and its response, so printing the error does not walk into the socket and agent.
 * Runs only on the error path: successful responses pay nothing.
 */
export function redactAxiosError(error: AxiosError): void {
  const { config, response } = error;
  // A replay's error passes the plugin twice (inner and outer handler): scrub it once.
  if (config?.headers.get('Authorization') === REDACTED_AUTHORIZATION) return;
  if (config !== undefined) {
    const headers = new AxiosHeaders(config.headers);
    headers.set('Authorization', REDACTED_AUTHORIZATION);
    const scrubbed = { ...config, headers };
    error.config = scrubbed;
    if (response !== undefined) response.config = scrubbed;
  }
  for (const holder of [error, response]) {
    if (holder === undefined || holder.request === undefined) continue;
    scrubRequest(holder.request, new Set());
    Object.defineProperty(holder, 'request', {
      value: holder.request,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
}

/** Scrubs a Node `ClientRequest`, or follow-redirects' `RedirectableRequest`, in place. */
function scrubRequest(request: unknown, seen: Set<unknown>): void {
  if (typeof request !== 'object' || request === null || seen.has(request)) return;
  seen.add(request);
  const req = request as Record<string | symbol, unknown>;
  if (typeof req._header === 'string') {
    req._header = req._header.replace(RAW_AUTHORIZATION_LINE, `$1${REDACTED_AUTHORIZATION}`);
  }
  for (const symbol of Object.getOwnPropertySymbols(req)) {
    if (symbol.description !== 'kOutHeaders') continue;
    const outHeaders = req[symbol] as Record<string, [string, unknown]> | null | undefined;
    const entry = outHeaders?.authorization;
    if (outHeaders && entry) outHeaders.authorization = [entry[0], REDACTED_AUTHORIZATION];
  }
  // follow-redirects keeps the options it was given, headers included, and the live request.
  const options = req._options as { headers?: Record<string, unknown> } | undefined;
  if (options?.headers) {
    for (const name of Object.keys(options.headers)) {
      if (name.toLowerCase() === 'authorization') options.headers[name] = REDACTED_AUTHORIZATION;
    }
  }
  scrubRequest(req._currentRequest, seen);
  scrubRequest(req._redirectable, seen);
  scrubRequest((req.res as { req?: unknown } | undefined)?.req, seen);
  // axios pins the follow-redirects wrapper on the socket; scrub it only while it is this
  // request's own (a keep-alive socket may already serve another request).
  const socket = req.socket as Record<symbol, unknown> | null | undefined;
  if (socket) {
    for (const symbol of Object.getOwnPropertySymbols(socket)) {
      if (symbol.description !== 'axios.http.currentReq') continue;
      const pinned = socket[symbol] as { _currentRequest?: unknown } | undefined;
      if (pinned?._currentRequest === request) scrubRequest(pinned, seen);
    }
  }
}

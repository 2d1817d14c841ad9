import type { AxiosInstance } from 'axios';
import { BookableAuthError } from './errors.js';
import type { BookableAuthAttachment } from './interceptors/attach.js';
import type { BookableAuthOptions } from './options/attach-options.js';
import type { TokenProviderOptions } from './options/provider-options.js';
import type { TokenProvider } from './token-provider.js';

/*
 * What bundlers targeting a browser get (the "browser" condition of package.json "exports"). The
 * client-credentials grant authenticates with a client secret or a private key, and in a browser
 * bundle either is readable by anyone who loads the page: so the two entry points refuse, loudly
 * and with the reason, instead of failing later on a missing `node:crypto`. The rest of the API
 * is the same, and nothing of Node's is loaded.
 */

export { BookableAuthError, TokenEndpointError, isBookableAuthError } from './errors.js';
export { bookableAuthDefaults } from './options/defaults.js';
export { diagnosticsChannels } from './diagnostics-channels.js';
export type * from './index.js';

function unsupported(): never {
  throw new BookableAuthError(
    'unsupported_environment',
    'bookable-axios-auth runs on a server (Node.js): in a browser the client secret or private key ' +
      'would be readable by anyone who loads the page. Call the API through your own backend, which ' +
      'holds the credentials and attaches bookable-axios-auth there',
  );
}

export function createTokenProvider(_options: TokenProviderOptions): TokenProvider {
  return unsupported();
}

export function attachBookableAuth(
  _instance: AxiosInstance,
  _options: BookableAuthOptions,
): BookableAuthAttachment {
  return unsupported();
}

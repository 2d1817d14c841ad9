#!/usr/bin/env bash
# Packaging checks on the packed tarball, as users receive it: contents, publint, attw, then a
# smoke test that installs it into empty projects and uses it from ESM, CommonJS (require of
# ES modules, Node >= 20.19) and TypeScript (moduleResolution node16 and bundler, skipLibCheck
# false). Expects `npm run build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version=$(node -p "require('./package.json').version")
released=$(grep -m1 -oE '^## \[[0-9]+\.[0-9]+\.[0-9]+[^]]*\]' CHANGELOG.md | sed -E 's/^## \[(.*)\]/\1/' || true)
grep -q '^## \[Unreleased\]' CHANGELOG.md || { echo "CHANGELOG.md has no [Unreleased] section"; exit 1; }
if [ -n "$released" ] && [ "$released" != "$version" ]; then
  echo "package.json says $version but the newest release in CHANGELOG.md is $released"; exit 1
fi

tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "packed $(basename "$tarball")"

contents=$(tar -tzf "$tarball" | sed 's|^package/||')
unexpected=$(echo "$contents" \
  | grep -vE '^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist/([a-z-]+/)?[a-z0-9-]+\.(js|d\.ts))$' || true)
if [ -n "$unexpected" ]; then echo "unexpected files in the tarball:"; echo "$unexpected"; exit 1; fi
for required in dist/index.js dist/index.d.ts dist/testing/index.js dist/redis/index.js dist/opentelemetry/index.js dist/cli/index.js README.md LICENSE CHANGELOG.md; do
  grep -qx "$required" <<<"$contents" || { echo "missing from the tarball: $required"; exit 1; }
done

npx --no-install publint "$tarball"
npx --no-install attw "$tarball" --profile esm-only

consumer="$work/consumer"
mkdir "$consumer"
cd "$consumer"
axios_version=$(node -p "require('$root/node_modules/axios/package.json').version")
types_node=$(node -p "require('$root/node_modules/@types/node/package.json').version")
echo '{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --silent "$tarball" "axios@$axios_version" "@types/node@$types_node"

# The optional @opentelemetry/api peer is not installed: the imports below prove the main entry
# never loads it (only ./opentelemetry does).
test ! -e node_modules/@opentelemetry/api

node --input-type=module -e "
  import { attachBookableAuth, createTokenProvider, isBookableAuthError } from 'bookable-axios-auth';
  if (typeof attachBookableAuth !== 'function' || typeof createTokenProvider !== 'function') process.exit(1);
  try { createTokenProvider({ clientId: 'x' }); } catch (e) { if (!isBookableAuthError(e)) process.exit(1); }
  const { startTestServer } = await import('bookable-axios-auth/testing');
  const server = await startTestServer();
  const provider = createTokenProvider({ clientId: server.clientId, clientSecret: server.clientSecret, tokenUrl: server.tokenUrl });
  if (!(await provider.getToken()).startsWith('eyJ')) process.exit(1);
  await server.close();
  console.log('ESM import (and the testing export): ok');"

# The redis subpath loads without the optional redis package: it only uses the client it is given.
test ! -e node_modules/redis
node --input-type=module -e "
  import { createTokenProvider } from 'bookable-axios-auth';
  import { createRedisTokenStore } from 'bookable-axios-auth/redis';
  const calls = [];
  const client = { get: async (k) => (calls.push('get'), null), set: async () => (calls.push('set'), 'OK'), eval: async () => (calls.push('eval'), 1) };
  const store = createRedisTokenStore({ client });
  createTokenProvider({ clientId: 'x', clientSecret: 'y', store });
  if ((await store.get('k')) !== undefined || !(await store.setIfAbsent('l', 'v', 10)) || calls.join() !== 'get,set') process.exit(1);
  console.log('redis export without the redis package: ok');"

node --input-type=commonjs -e "
  const { attachBookableAuth, createTokenProvider } = require('bookable-axios-auth');
  if (typeof attachBookableAuth !== 'function' || typeof createTokenProvider !== 'function') process.exit(1);
  console.log('CommonJS require: ok');" 2>&1 | grep -v ExperimentalWarning | grep -v 'node --trace-warnings'

npx --no-install bookable-auth --help | grep -q 'Usage: bookable-auth' && echo 'bin bookable-auth: ok'

cat > consumer.ts <<'TS'
import axios from 'axios';
import {
  attachBookableAuth,
  createTokenProvider,
  isBookableAuthError,
  type BookableAuthErrorCode,
  type TokenInfo,
} from 'bookable-axios-auth';
import { createMemoryTokenStore, startTestServer, type TestServer } from 'bookable-axios-auth/testing';
import { createRedisTokenStore, type RedisClientLike } from 'bookable-axios-auth/redis';

const provider = createTokenProvider({ clientId: 'id', clientSecret: 'secret', scope: 'venue:read' });
const api = axios.create({ baseURL: 'https://api.bookabletech.com' });
const auth = attachBookableAuth(api, { tokenProvider: provider, allowedOrigins: ['https://api.bookabletech.com'] });
export const skipped = api.get('/health', { bookableAuth: { skip: true } });
export const info: Promise<TokenInfo> = auth.tokenProvider.getTokenInfo();
export function codeOf(error: unknown): BookableAuthErrorCode | undefined {
  return isBookableAuthError(error) ? error.code : undefined;
}
auth.detach();
export const server: Promise<TestServer> = startTestServer({ tokenLifetimeSeconds: 60 });
export const shared = (client: RedisClientLike) =>
  createTokenProvider({ clientId: 'id', clientSecret: 'secret', store: createRedisTokenStore({ client }) });
export const inMemory = createTokenProvider({ clientId: 'id', clientSecret: 'secret', store: createMemoryTokenStore() });
TS
for resolution in node16 bundler; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo esnext)
  "$root/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck false --target es2022 \
    --module "$module" --moduleResolution "$resolution" --types node consumer.ts
  echo "TypeScript ($resolution): ok"
done

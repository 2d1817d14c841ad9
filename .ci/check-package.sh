#!/usr/bin/env bash
# Packaging checks on the packed tarball, as users receive it: contents, a self-contained
# CommonJS build, publint, attw (full profile), then a smoke test that installs it into an empty
# project and uses it from ESM, CommonJS and TypeScript (moduleResolution node16, bundler and,
# from CommonJS, node10; skipLibCheck false). Expects `npm run build` to have run. The consumer
# matrix (.ci/check-consumers.sh) then runs real projects against the same tarball.
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
# ES build (.js, .d.ts), CommonJS build (.cjs, .d.cts, chunks/), the bundled packages' licences.
unexpected=$(echo "$contents" \
  | grep -vE '^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist/THIRD-PARTY-LICENSES\.txt|dist/([a-z0-9-]+/)*[a-z0-9_-]+\.(js|cjs|d\.ts|d\.cts))$' || true)
if [ -n "$unexpected" ]; then echo "unexpected files in the tarball:"; echo "$unexpected"; exit 1; fi
# Every target of "exports" and "bin", for each condition, and the licence texts.
required=$(node -p "
  const p = require('./package.json');
  const targets = (t) => (typeof t === 'string' ? [t] : Object.values(t).flatMap(targets));
  [...targets(p.exports), ...Object.values(p.bin)].map((f) => f.replace(/^\.\//, '')).join('\n')")
for file in $required dist/THIRD-PARTY-LICENSES.txt README.md LICENSE CHANGELOG.md; do
  grep -qx "$file" <<<"$contents" || { echo "missing from the tarball: $file"; exit 1; }
done
# The CommonJS build require()s only its own files, Node's built-ins, peer dependencies and the
# dependencies that CommonJS can require (jose and p-retry are ES modules only: they must be
# bundled in); the ES build imports every dependency.
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
node --input-type=module - "$work/unpacked/package" <<'JS'
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
const dir = process.argv[2];
const { peerDependencies = {}, dependencies = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const requirable = (name) => {
  const manifest = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'));
  return manifest.type !== 'module' || JSON.stringify(manifest.exports ?? {}).includes('"require"');
};
const external = [...Object.keys(peerDependencies), ...Object.keys(dependencies).filter(requirable)];
const allowed = (s) => s.startsWith('.') || s.startsWith('node:') || builtinModules.includes(s) ||
  external.some((p) => s === p || s.startsWith(`${p}/`));
const files = readdirSync(join(dir, 'dist'), { recursive: true }).filter((f) => f.endsWith('.cjs'));
const wrong = [];
for (const file of files) {
  const text = readFileSync(join(dir, 'dist', file), 'utf8');
  for (const [, s] of text.matchAll(/\brequire\(['"]([^'"]+)['"]\)/g)) if (!allowed(s)) wrong.push(`${file}: require('${s}')`);
  if (/^\s*(import|export)\s[^(]/m.test(text)) wrong.push(`${file}: ES module syntax`);
}
if (files.length === 0) wrong.push('no .cjs file in dist/');
const esm = readdirSync(join(dir, 'dist'), { recursive: true }).filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(join(dir, 'dist', f), 'utf8')).join('\n');
for (const dep of Object.keys(dependencies)) {
  if (!new RegExp(`(from |import\\()'${dep}(/[^']*)?'`).test(esm)) wrong.push(`the ES build never imports ${dep}: is it bundled?`);
}
if (wrong.length > 0) { console.error(`CommonJS/ES build: \n  ${wrong.join('\n  ')}`); process.exit(1); }
console.log(`CommonJS build: ${files.length} files, self-contained but for ${external.join(', ')} and built-ins`);
JS

npx --no-install publint --strict "$tarball"
# The full profile: node10 (TypeScript's default for "module": "commonjs"), node16 from CommonJS
# and from ESM, and bundler.
npx --no-install attw "$tarball"

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

# The redis subpath loads without either optional client package: it only uses the client it is
# given, recognised by its shape (node-redis: isOpen and sendCommand; ioredis: status and call).
test ! -e node_modules/redis && test ! -e node_modules/ioredis
node --input-type=module -e "
  import { createTokenProvider } from 'bookable-axios-auth';
  import { createRedisTokenStore } from 'bookable-axios-auth/redis';
  const calls = [];
  const nodeRedis = { isOpen: true, sendCommand: async () => null, get: async (k) => (calls.push('get'), null), set: async (k, v, o) => (calls.push('set ' + o.expiration.type + ' ' + o.condition), 'OK'), eval: async () => (calls.push('eval'), 1) };
  const ioRedis = { status: 'ready', call: async () => null, get: async (k) => (calls.push('get'), null), set: async (k, v, ...a) => (calls.push('set ' + a.join(' ')), 'OK'), eval: async () => (calls.push('eval'), 1) };
  for (const client of [nodeRedis, ioRedis]) {
    const store = createRedisTokenStore({ client });
    createTokenProvider({ clientId: 'x', clientSecret: 'y', store });
    if ((await store.get('k')) !== undefined || !(await store.setIfAbsent('l', 'v', 10))) process.exit(1);
  }
  if (calls.join() !== 'get,set PX NX,get,set PX 10 NX') process.exit(1);
  console.log('redis export without the redis and ioredis packages: ok');"

# require() gets the CommonJS build, which loads without require(esm) and its warning.
node --input-type=commonjs -e "
  const { attachBookableAuth, createTokenProvider } = require('bookable-axios-auth');
  if (typeof attachBookableAuth !== 'function' || typeof createTokenProvider !== 'function') process.exit(1);
  for (const s of ['bookable-axios-auth', 'bookable-axios-auth/testing', 'bookable-axios-auth/redis']) {
    if (!require.resolve(s).endsWith('.cjs')) { console.error(s + ' resolved to ' + require.resolve(s)); process.exit(1); }
    require(s);
  }
  console.log('CommonJS require: ok');" 2>"$work/stderr"
if [ -s "$work/stderr" ]; then echo "require() printed:"; cat "$work/stderr"; exit 1; fi

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
# The same file in a CommonJS package: node16 reads the .d.cts files; node10 (the default for
# "module": "commonjs", as NestJS sets it) finds the subpaths through typesVersions.
mkdir cjs
echo '{ "type": "commonjs" }' > cjs/package.json
cp consumer.ts cjs/
for resolution in node16 node10; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo commonjs)
  "$root/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck false --target es2022 --esModuleInterop \
    --module "$module" --moduleResolution "$resolution" --types node cjs/consumer.ts
  echo "TypeScript, CommonJS ($resolution): ok"
done

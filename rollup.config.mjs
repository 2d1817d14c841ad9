// Both published builds, made from what tsc has just written to build/tsc (JavaScript and
// declarations), so that they run the same code:
//
// - The ES build (dist/*.js), for `import`: each entry point with its modules in a few shared
//   chunks, so that loading the package reads a handful of files rather than one per module (the
//   import cost of a cold start). Every dependency stays an import, as do axios and Node's
//   built-ins. The declarations (.d.ts) are copied as tsc wrote them.
// - The CommonJS build (dist/*.cjs), for `require()` (the "require" condition of package.json
//   "exports"): Jest 29's CommonJS runtime, NestJS's default setup and any tool that cannot load
//   an ES module. jose and p-retry ship as ES modules only, so they (and what they import) are
//   bundled in; axios and the other peer dependencies, the dependencies that CommonJS can require
//   (https-proxy-agent, proxy-from-env), and Node's built-ins stay require() calls. Each entry's
//   declarations are copied to .d.cts (relative specifiers `./x.js` -> `./x.cjs`), so TypeScript
//   reads them as CommonJS under the "require" condition. The licence texts of the bundled
//   packages go to dist/THIRD-PARTY-LICENSES.txt, and each file that bundles one names it.
//
// In both, code shared by the entry points goes into chunks, so that `bookable-axios-auth` and
// `bookable-axios-auth/redis` share one copy of each module (one BookableAuthError class). The
// entry points come from package.json: the "import" (and "browser") targets of "exports", and
// the bin.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, sep } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const LICENSES = 'THIRD-PARTY-LICENSES.txt';
/** Where tsc writes (tsconfig.build.json), and where the published builds go. */
const COMPILED = 'build/tsc';
const DIST = 'dist';

/** `{ 'testing/index': 'dist/testing/index.js', ... }` from the "import" targets of "exports". */
/** `{ 'testing/index': 'build/tsc/testing/index.js', ... }` for the given dist/ targets. */
const entriesOf = (targets) =>
  Object.fromEntries(
    targets
      .filter((file) => typeof file === 'string')
      .map((file) => posix.relative(DIST, posix.normalize(file)).replace(/\.js$/, ''))
      .map((name) => [name, posix.join(COMPILED, `${name}.js`)]),
  );
const exportTargets = (condition) =>
  Object.values(pkg.exports).map((target) => target?.[condition]?.default);
/** What `require()` reaches: the "require" conditions' entry points, compiled to CommonJS. */
const entries = entriesOf(exportTargets('import'));
/** What `import` reaches: those, the browser build and the CLI. */
const esmEntries = entriesOf([
  ...exportTargets('import'),
  ...exportTargets('browser'),
  ...Object.values(pkg.bin ?? {}),
]);

/** Whether CommonJS can require() a dependency: it has a "require" export, or is CommonJS itself. */
function requirable(name) {
  const manifest = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'));
  const exported = JSON.stringify(manifest.exports ?? {});
  return manifest.type !== 'module' || exported.includes('"require"');
}

// Peers, and dependencies that CommonJS can require() (only the ES-only ones are bundled).
const external = [
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.dependencies ?? {}).filter(requirable),
];
const isBuiltin = (id) => id.startsWith('node:') || builtinModules.includes(id);
const within = (names) => (id) => names.some((name) => id === name || id.startsWith(`${name}/`));
const isExternal = (id) => isBuiltin(id) || within(external)(id);
/** The ES build bundles none of the dependencies. */
const isExternalToEsm = (id) =>
  isBuiltin(id) ||
  within([...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {})])(id);

/** The package a bundled module belongs to: its name, version, licence and folder. */
function packageOf(moduleId) {
  const at = moduleId.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const parts = moduleId.slice(at + 14).split(sep);
  const dir =
    moduleId.slice(0, at + 14) + parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join(sep);
  const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { name, version, license, dir };
}

function bundledPackages(moduleIds) {
  const found = new Map();
  for (const id of moduleIds) {
    const p = packageOf(id);
    if (p !== undefined) found.set(p.name, p);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The declaration files an entry's .d.ts reaches through relative specifiers. */
function reachableDeclarations(entryJs) {
  const seen = new Set();
  const pending = [entryJs.replace(/\.js$/, '.d.ts')];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(RELATIVE_SPECIFIER)) {
      const target = posix.join(posix.dirname(file), specifier.replace(/\.js$/, '.d.ts'));
      if (existsSync(target)) pending.push(target);
    }
  }
  return seen;
}
const RELATIVE_SPECIFIER = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+\.js)['"]/g;

/**
 * A declaration file as CommonJS sees it: relative specifiers name the .d.cts copies, and imports
 * of bundled packages (ES modules only, such as jose) are read as ES modules, which a CommonJS
 * declaration file may do for types only (`resolution-mode`, TypeScript 5.3+).
 */
function commonJsDeclarations(text) {
  return text
    .replace(/((?:from\s+|import\s*\(\s*)['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
    .replace(
      /^import\s+(?:type\s+)?(.+?)\s+from\s+(['"])([^'"]+)\2;$/gm,
      (line, clause, quote, specifier) => {
        if (specifier.startsWith('.') || isExternal(specifier)) return line;
        const names = clause.replace(/\btype\s+/g, '');
        return `import type ${names} from ${quote}${specifier}${quote} with { 'resolution-mode': 'import' };`;
      },
    );
}

/** Emits the .d.cts files and the licence file next to the CommonJS output. */
function declarationsAndLicenses() {
  return {
    name: 'declarations-and-licenses',
    generateBundle(_options, bundle) {
      const declarations = new Set();
      for (const entry of Object.values(entries)) {
        for (const file of reachableDeclarations(entry)) declarations.add(file);
      }
      for (const file of declarations) {
        this.emitFile({
          type: 'asset',
          fileName: posix.relative(COMPILED, file).replace(/\.d\.ts$/, '.d.cts'),
          source: commonJsDeclarations(readFileSync(file, 'utf8')),
        });
      }
      const moduleIds = Object.values(bundle).flatMap((c) =>
        c.type === 'chunk' ? c.moduleIds : [],
      );
      const texts = bundledPackages(moduleIds).map((p) => {
        const file = readdirSync(p.dir).find((f) => /^(licen[cs]e|copying)(\.\w+)?$/i.test(f));
        if (file === undefined) this.error(`${p.name} is bundled but has no licence file`);
        const text = readFileSync(join(p.dir, file), 'utf8').trim();
        return `${p.name} ${p.version} (${p.license})\n${'='.repeat(40)}\n\n${text}\n`;
      });
      this.emitFile({
        type: 'asset',
        fileName: LICENSES,
        source: `The CommonJS build (*.cjs) of ${pkg.name} bundles these packages.\n\n${texts.join('\n\n')}`,
      });
    },
  };
}

/** Copies every declaration tsc wrote next to the ES build, as tsc wrote it. */
function declarations() {
  return {
    name: 'declarations',
    generateBundle() {
      for (const file of readdirSync(COMPILED, { recursive: true })) {
        if (!String(file).endsWith('.d.ts')) continue;
        const path = posix.join(COMPILED, String(file).split(sep).join('/'));
        this.emitFile({
          type: 'asset',
          fileName: posix.relative(COMPILED, path),
          source: readFileSync(path, 'utf8'),
        });
      }
    },
  };
}

/** A warning (a missing export, an unresolved import) is a broken build. */
function onwarn(warning) {
  throw new Error(warning.message, { cause: warning });
}

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    input: esmEntries,
    external: isExternalToEsm,
    plugins: [declarations()],
    output: {
      dir: DIST,
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name].js',
      generatedCode: { preset: 'es2015', symbols: false },
    },
    onwarn,
  },
  {
    input: entries,
    external: isExternal,
    plugins: [
      nodeResolve({ exportConditions: ['node', 'import', 'default'] }),
      declarationsAndLicenses(),
    ],
    output: {
      dir: DIST,
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'chunks/[name].cjs',
      exports: 'named',
      // A lazily loaded dependency (https-proxy-agent) is require()d: Jest's CommonJS runtime
      // cannot import() without --experimental-vm-modules.
      dynamicImportInCjs: false,
      generatedCode: { preset: 'es2015', symbols: false },
      banner: (chunk) => {
        const bundled = bundledPackages(chunk.moduleIds);
        if (bundled.length === 0) return '';
        const licenses = posix.relative(posix.dirname(chunk.fileName), LICENSES);
        return `/*! Bundles ${bundled.map((p) => `${p.name} ${p.version} (${p.license})`).join(', ')}: licence texts in ${licenses} */`;
      },
    },
    onwarn,
  },
];

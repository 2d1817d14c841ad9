// Extracts every ```ts block of README.md and docs/*.md into its own module and type-checks them
// all against the sources, so no sample can drift from the API. A block that is deliberately
// not a whole program is fenced as ```ts fragment and skipped. A block fenced as
// ```ts file=<path> must equal that file of the repository, which is compiled and run elsewhere
// (the NestJS recipe is the consumer project .ci/consumers/nestjs, with Nest's own tsconfig).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const sources = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
// Inside node_modules so that the samples resolve axios and @types/node as a user's code does.
const out = join(root, 'node_modules', '.cache', 'doc-samples');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
const drifted = [];
let copies = 0;
for (const source of sources) {
  const text = readFileSync(join(root, source), 'utf8');
  for (const match of text.matchAll(/^```ts file=(\S+)\n([\s\S]*?)^```$/gm)) {
    copies += 1;
    const original = readFileSync(join(root, match[1]), 'utf8');
    if (original.trimEnd() !== match[2].trimEnd()) drifted.push(`${source}: ${match[1]}`);
  }
  let n = 0;
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    n += 1;
    const file = join(out, `${source.replace(/[/.]/g, '_')}_${n}.mts`);
    writeFileSync(file, `${match[1]}\nexport {};\n`);
    files.push(file);
  }
}
if (drifted.length > 0) {
  console.error(`doc samples differ from the files they copy:\n  ${drifted.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      types: ['node'],
      paths: {
        'bookable-axios-auth': [join(root, 'src/index.ts')],
        'bookable-axios-auth/testing': [join(root, 'src/testing/index.ts')],
        'bookable-axios-auth/redis': [join(root, 'src/redis/index.ts')],
        'bookable-axios-auth/opentelemetry': [join(root, 'src/opentelemetry/index.ts')],
      },
    },
    files,
    include: [],
  }),
);
try {
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    ['--noEmit', '-p', join(out, 'tsconfig.json')],
    {
      stdio: 'inherit',
    },
  );
  console.log(
    `doc samples: ${files.length} compiled, ${copies} equal to the files they copy, from ${sources.length} files`,
  );
} catch {
  console.error(`doc samples failed to compile (extracted under ${out})`);
  process.exit(1);
} finally {
  if (!process.exitCode) rmSync(out, { recursive: true, force: true });
}

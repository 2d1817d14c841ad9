// Import cost: what loading bookable-axios-auth adds to loading axios alone, as a serverless cold
// start or a CLI pays it. Each round starts two fresh Node processes, in alternating order: one
// loads axios, the other axios and then the package (the built dist/, by its package name, as
// users load it). Each process times its own loading, so Node's start-up is left out: wall time
// with performance.now(), and CPU time (all its threads) with process.cpuUsage(), which other
// load on the machine disturbs less. A round's delta is the difference between the two processes.
// Not a test: nothing here asserts a time.
//
// Part of `npm run bench` (section `import`); alone: `npm run bench:import`. BENCH_IMPORT_ROUNDS
// sets the number of rounds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Out = (line?: string) => void;

const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 31);
const WARM_UP_ROUNDS = 3;
const root = fileURLToPath(new URL('../../', import.meta.url));

const PRINT = `const c = process.cpuUsage(c0);
  console.log(JSON.stringify([performance.now() - t0, (c.user + c.system) / 1000]));`;

interface Variant {
  name: string;
  /** Prints how long loading `specifiers` took: wall and CPU time, in ms. */
  script: (specifiers: string[]) => string;
  inputType: 'module' | 'commonjs';
}

const variants: Variant[] = [
  {
    name: '`import` (ES build)',
    inputType: 'module',
    script: (specifiers) =>
      `const t0 = performance.now(), c0 = process.cpuUsage();
       ${specifiers.map((s) => `await import(${JSON.stringify(s)});`).join('\n')}
       ${PRINT}`,
  },
  {
    name: '`require()` (CommonJS build)',
    inputType: 'commonjs',
    script: (specifiers) =>
      `const t0 = performance.now(), c0 = process.cpuUsage();
       ${specifiers.map((s) => `require(${JSON.stringify(s)});`).join('\n')}
       ${PRINT}`,
  },
];

interface Load {
  wall: number;
  cpu: number;
}

/** Loads the specifiers in a fresh process (in the repository, so the package resolves to dist/). */
function load(variant: Variant, specifiers: string[]): Load {
  const output = execFileSync(
    process.execPath,
    [`--input-type=${variant.inputType}`, '-e', variant.script(specifiers)],
    { cwd: root, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
  );
  const [wall, cpu] = JSON.parse(output) as [number, number];
  return { wall, cpu };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const quantile = (xs: number[], q: number) => sorted(xs)[Math.floor(q * (xs.length - 1))]!;

interface ImportCost {
  /** Wall ms to load axios alone, per round. */
  alone: number[];
  /** Wall ms to load axios and the package, per round. */
  both: number[];
  /** Per round: both - alone, in wall and in CPU ms. */
  wallDeltas: number[];
  cpuDeltas: number[];
}

function measureImportCost(variant: Variant, rounds = ROUNDS): ImportCost {
  const result: ImportCost = { alone: [], both: [], wallDeltas: [], cpuDeltas: [] };
  const run = (withPackage: boolean) =>
    load(variant, withPackage ? ['axios', 'bookable-axios-auth'] : ['axios']);
  for (let round = -WARM_UP_ROUNDS; round < rounds; round++) {
    let alone: Load;
    let both: Load;
    if (round % 2 === 0) {
      alone = run(false);
      both = run(true);
    } else {
      both = run(true);
      alone = run(false);
    }
    if (round < 0) continue;
    result.alone.push(alone.wall);
    result.both.push(both.wall);
    result.wallDeltas.push(both.wall - alone.wall);
    result.cpuDeltas.push(both.cpu - alone.cpu);
  }
  return result;
}

const ms = (x: number) => x.toFixed(1);

/** Median, and the middle half of the values in brackets. */
const spread = (xs: number[]) =>
  `${signed(quantile(xs, 0.5))} (${signed(quantile(xs, 0.25))} to ${signed(quantile(xs, 0.75))})`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${ms(x)}`;

export async function importCostSection(out: Out): Promise<void> {
  out('## Import cost (fresh processes, ms)');
  out();
  out(
    `What loading bookable-axios-auth adds to loading axios alone, as a cold start pays it: ${ROUNDS} rounds, each of two fresh processes in alternating order, one loading axios and one loading axios and then the package; each times its own loading, without Node's start-up. Loading times are medians of wall time. Deltas: the median of the per-round differences, and in brackets the middle half of them (25th to 75th percentile); in CPU time too, which other load on the machine disturbs less.`,
  );
  out();
  out('| how it is loaded | axios alone | axios and the package | delta | delta in CPU time |');
  out('| --- | --- | --- | --- | --- |');
  for (const variant of variants) {
    const cost = measureImportCost(variant);
    out(
      `| ${variant.name} | ${ms(quantile(cost.alone, 0.5))} | ${ms(quantile(cost.both, 0.5))} | ${spread(cost.wallDeltas)} | ${spread(cost.cpuDeltas)} |`,
    );
  }
}

// Run alone: `npm run bench:import`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await importCostSection((line = '') => process.stdout.write(`${line}\n`));
}

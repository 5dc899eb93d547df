#!/usr/bin/env node
/**
 * `npm run bench`: lab's benchmarks against the simulated world (issue 6). Maintainer script: runs
 * with zx (`zx scripts/bench.mjs`, what the npm script does after building) or plain node.
 *
 *   zx scripts/bench.mjs [--runs N] [--scale x] [--quick] [--real] [--out dir] [--json]
 *
 *   --runs N    samples per row (default 3): N cold deploys + N baselines, N verifies per size
 *   --scale x   the world's time scale, real ms per simulated ms (default 0.05)
 *   --quick     1 run, 3 nodes only, 3 start-up spawns (the smoke test in `npm test`)
 *   --real      lab deploy's rows against the REAL world instead (scripts/bench/real.mjs): needs root
 *               and the real components with the operator; runs in its own network namespace
 *   --out dir   where results go (default bench-results/, gitignored)
 *   --json      print the results JSON on stdout instead of the table
 *
 * Prints a Markdown table (row, median, max, target, ok/MISS) and writes it with the raw JSON to the
 * out dir. A missed target is reported, never a failure: the exit code is 0 unless the harness or a
 * `lab` command failed (1) or the options are wrong (2); with --real, 3 when it cannot run here (not
 * root, components or manifests missing: the message says which). Needs `dist/` (npm run build).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS, runBench, summarizeChild, writeResults } from './bench/harness.mjs';
import { buildRealRows, realPrerequisites, runRealBench } from './bench/real.mjs';
import { renderTable } from './bench/table.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Under zx, process.argv holds zx's own argv before this script's path.
const self = process.argv.findIndex((a) => a.endsWith('bench.mjs'));
const argv = process.argv.slice(self + 1);

let values;
try {
  ({ values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      scale: { type: 'string' },
      quick: { type: 'boolean' },
      real: { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`bench: ${error.message}\nusage: zx scripts/bench.mjs [--runs N] [--scale x] [--quick] [--real] [--out dir] [--json]\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write('usage: zx scripts/bench.mjs [--runs N] [--scale x] [--quick] [--real] [--out dir] [--json]\n');
  process.exit(0);
}
const quick = values.quick === true;
const runs = values.runs !== undefined ? Number(values.runs) : quick ? 1 : DEFAULTS.runs;
const scale = values.scale !== undefined ? Number(values.scale) : DEFAULTS.scale;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench: --runs must be a positive integer, got ${values.runs}\n`);
  process.exit(2);
}
if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
  process.stderr.write(`bench: --scale must be a number in (0, 1], got ${values.scale}\n`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/sim/world.js'))) {
  process.stderr.write('bench: dist/ is missing: run `npm run build` first (npm run bench does)\n');
  process.exit(2);
}

if (values.real && values.scale !== undefined) {
  process.stderr.write('bench: --scale is the simulated world\'s time scale; the real world runs in real time (drop --scale or --real)\n');
  process.exit(2);
}
if (values.real) {
  const why = process.getuid?.() !== 0 ? 'needs root (the real world runs in a network namespace it creates with ip netns)' : await realPrerequisites(root);
  if (why) {
    process.stderr.write(`bench --real: cannot run here: ${why}\n`);
    process.exit(3);
  }
  const { currentNetns, NETNS_PREFIX } = await import(join(root, 'dist/real/netns.js'));
  if (!(currentNetns() ?? '').startsWith(NETNS_PREFIX)) {
    // into the world's own namespace: this same command runs there, and the namespace goes afterwards
    const { runInNetns } = await import('./real/netns-run.mjs');
    const script = process.argv[self];
    const { code } = await runInNetns({ root, command: process.execPath, args: [script, ...argv], step: (s) => process.stderr.write(`bench --real: ${s}\n`) });
    process.exit(code);
  }
}

const realBench = async () => {
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const real = await runRealBench({ root, runs, summarize: summarizeChild });
  const rows = buildRealRows(real.samples);
  return {
    meta: { date: new Date().toISOString(), world: 'real', node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpu: cpus()[0]?.model, runs, quick, loadavg: { start: loadStart, end: loadavg().map((x) => Math.round(x * 100) / 100) }, components: real.components },
    rows,
    table: renderTable(rows),
    errors: real.errors,
    real: real.samples,
  };
};

let results;
try {
  results = values.real ? await realBench() : await runBench({ root, runs, scale, quick });
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
const files = await writeResults(values.out ? resolve(values.out) : join(root, 'bench-results'), results);
if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else {
  process.stdout.write(`\n${results.table}\n\n`);
  for (const e of results.errors) process.stdout.write(`error: ${e}\n`);
}
process.stderr.write(`results: ${files.md} and ${files.json}\n`);
process.exitCode = results.errors.length > 0 ? 1 : 0;

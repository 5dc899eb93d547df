#!/usr/bin/env node
/**
 * The nightly matrix, defined once (maintainer script; plain node or zx). Prints one line of JSON for
 * GitHub Actions' `fromJSON`: `{"include":[{lesson, calico, install, key}, …]}`.
 *
 *   node scripts/nightly-matrix.mjs [--cli dist/cli.js] [--pins manifests/calico-pins.yaml]
 *
 * Read from the lessons and the pins file, nothing written here by hand:
 * - one leg per lesson × each Calico version that lesson uses (`lab lessons --json`: the lesson file's
 *   `calico:`, else the pins file's default), with `--preload` (install `preload`);
 * - plus the one leg without `--preload` (install `early`): the default lesson (the first, what a bare
 *   `lab deploy` runs) with its version — the path users get by default.
 * Every version must be in the pins file. A lesson that does not load, or an unpinned version, is an
 * error (exit 1, naming it): the night must not silently skip a lesson. Needs `dist/` (npm run build).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The matrix from `lab lessons --json`'s document and the parsed pins file. Pure; throws an Error
 * naming what is wrong (broken lessons, a version the pins file does not list, no lessons).
 */
export function nightlyMatrix(lessonsDoc, pins, pinsFile = 'the pins file') {
  const broken = lessonsDoc?.broken ?? [];
  if (broken.length > 0) throw new Error(`lessons that do not load: ${broken.map((b) => `${b.id} (${b.error})`).join('; ')}`);
  const lessons = lessonsDoc?.lessons ?? [];
  if (lessons.length === 0) throw new Error('`lab lessons --json` listed no lessons');
  const pinned = Object.keys(pins?.versions ?? {});
  const include = [];
  const leg = (lesson, calico, install) => {
    if (!pinned.includes(calico)) throw new Error(`lesson ${lesson} uses Calico ${calico}, which ${pinsFile} does not pin (it pins ${pinned.join(', ') || 'nothing'})`);
    include.push({ lesson, calico, install, key: `${lesson}-${calico}-${install}` });
  };
  for (const l of lessons) leg(l.id, l.calicoVersion, 'preload');
  leg(lessons[0].id, lessons[0].calicoVersion, 'early');
  return { include };
}

function main(argv) {
  const { values } = parseArgs({ args: argv, options: { cli: { type: 'string' }, pins: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('usage: node scripts/nightly-matrix.mjs [--cli dist/cli.js] [--pins manifests/calico-pins.yaml]\n');
    return 0;
  }
  const cli = resolve(values.cli ?? join(root, 'dist', 'cli.js'));
  const pinsFile = resolve(values.pins ?? join(root, 'manifests', 'calico-pins.yaml'));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  let out;
  try {
    out = execFileSync(process.execPath, [cli, 'lessons', '--json', '--pins', pinsFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (error) {
    // exit 1 with broken lessons still prints the document: report them by name
    out = error.stdout;
    if (!out) throw new Error(`lab lessons --json failed: ${error.stderr || error.message}`);
  }
  const matrix = nightlyMatrix(JSON.parse(out), parse(readFileSync(pinsFile, 'utf8')), pinsFile);
  process.stdout.write(`${JSON.stringify(matrix)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`nightly-matrix: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

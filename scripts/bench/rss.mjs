#!/usr/bin/env node
/**
 * Bench wrapper (not product code): runs a CLI entry module in this process and, at exit, writes the
 * process's peak resident set size to the file named by $BENCH_RSS_FILE as JSON { maxRssKb }.
 *
 *   BENCH_RSS_FILE=/tmp/x.json node scripts/bench/rss.mjs dist/cli.js deploy --json
 *
 * The entry module sees the same argv as `node dist/cli.js deploy --json` would give it.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/bench/rss.mjs <entry.js> [args…]\n');
  process.exit(2);
}
const out = process.env.BENCH_RSS_FILE;
process.on('exit', () => {
  if (out) writeFileSync(out, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
});
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(resolve(entry)).href);

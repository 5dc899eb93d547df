/**
 * Which block a host claims first: Calico v3.30 walks the pool's blocks from a per-host start index
 * (seed = FNV-1 32-bit of the host name, Go math/rand) then sequentially with wrap-around. The start
 * index comes from data/expected-first-blocks.tsv (computed with Go; see data/README.md) for the hosts
 * and pool sizes it lists (no cost), and from Go's math/rand reproduced in ./gorand.ts otherwise (its
 * seed table takes about a second to compute, once per process).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simDataDir } from '../paths.js';
import { GoRand } from './gorand.js';

/** FNV-1 (not FNV-1a), 32-bit, over the UTF-8 bytes. */
export function fnv1_32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ byte) >>> 0;
  }
  return h;
}

/** Start indexes by number of blocks in the pool, then host name. */
let table: Map<number, Map<string, number>> | undefined;

function loadTable(): Map<number, Map<string, number>> {
  if (table) return table;
  const t = new Map<number, Map<string, number>>();
  const text = readFileSync(join(simDataDir(), 'expected-first-blocks.tsv'), 'utf8');
  const of = (n: number): Map<string, number> => {
    let m = t.get(n);
    if (!m) t.set(n, (m = new Map()));
    return m;
  };
  for (const line of text.split('\n')) {
    // Rows: hostname <TAB> block_index <TAB> cidr in a /16 with /26 blocks (1024 blocks).
    const row = /^([^#\s][^\t]*)\t(\d+)\t/.exec(line);
    if (row && row[1] !== 'hostname') {
      of(1024).set(row[1]!, Number(row[2]));
      continue;
    }
    // Comment rows for other pool sizes: "# /17 pool ... (512 blocks) ...: host idx N -> ..., host idx M ..."
    const other = /^#\s*\/\d+ pool .*\((\d+) blocks\)/.exec(line);
    if (other) for (const m of line.matchAll(/([A-Za-z0-9][A-Za-z0-9.-]*) idx (\d+)/g)) of(Number(other[1])).set(m[1]!, Number(m[2]));
  }
  table = t;
  return t;
}

/** The index in [0, numBlocks) where `host`'s walk over a pool of `numBlocks` blocks starts. */
export function firstBlockIndex(host: string, numBlocks: number): number {
  const known = loadTable().get(numBlocks)?.get(host);
  if (known !== undefined) return known;
  return new GoRand(fnv1_32(host)).bigIntRand(numBlocks);
}

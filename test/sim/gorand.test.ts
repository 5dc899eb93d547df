/**
 * Go's math/rand source reproduced in the simulated world (src/sim/calico/gorand.ts), checked against
 * values Go itself computed: the first-block table (src/sim/data/expected-first-blocks.tsv, computed
 * with Go's stdlib; six rows also seen in real clusters) and test/fixtures/go-first-blocks.tsv (node
 * names nobody listed before, computed with Go 1.26's math/rand + math/big + hash/fnv for this test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { firstBlockIndex, fnv1_32 } from '../../src/sim/calico/blocks.js';
import { GoRand } from '../../src/sim/calico/gorand.js';

function rows(file: string): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([^#\s][^\t]*)\t(\d+)\t/.exec(line);
    if (m && m[1] !== 'hostname') out.push([m[1]!, 1024, Number(m[2])]);
    const other = /^#\s*\/\d+ pool .*\((\d+) blocks\)/.exec(line);
    if (other) for (const h of line.matchAll(/([A-Za-z0-9][A-Za-z0-9.-]*) idx (\d+)/g)) out.push([h[1]!, Number(other[1]), Number(h[2])]);
  }
  return out;
}

describe('GoRand (Go math/rand default source)', () => {
  const table = rows(join(import.meta.dirname, '..', '..', 'src', 'sim', 'data', 'expected-first-blocks.tsv'));

  test('the table has rows to check against', () => {
    expect(table.length).toBeGreaterThan(30);
  });

  test('reproduces the start block of every host in the Go-computed table', { timeout: 60_000 }, () => {
    const wrong = table.filter(([host, blocks, idx]) => new GoRand(fnv1_32(host)).bigIntRand(blocks) !== idx);
    expect(wrong).toEqual([]);
  });

  test('reproduces Go for names and pool sizes the table never listed', { timeout: 60_000 }, () => {
    const fixture = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'go-first-blocks.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    expect(fixture.length).toBe(42);
    const got = fixture.map(([host, blocks]) => [host, blocks, String(new GoRand(fnv1_32(host!)).bigIntRand(Number(blocks)))]);
    expect(got).toEqual(fixture);
  });

  test('firstBlockIndex follows Go for a host outside the table', () => {
    expect(firstBlockIndex('zz-test-worker', 1024)).toBe(154);
    expect(firstBlockIndex('demo-control-plane', 512)).toBe(9);
  });
});

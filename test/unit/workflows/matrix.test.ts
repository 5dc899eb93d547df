/**
 * The nightly matrix (scripts/nightly-matrix.mjs): one leg per lesson x the Calico version it uses,
 * with --preload, plus one leg for the default lesson without it. The expected legs for the shipped
 * lessons are written from their lesson files (every one says `calico: v3.30.0`), not from the script.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nightlyMatrix } from '../../../scripts/nightly-matrix.mjs';
import { lessonRow } from '../../../src/commands/lessons.js';
import { listLessonFolders } from '../../../src/lab/catalog.js';
import { loadLab } from '../../../src/lab/load.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pinsFile = join(root, 'manifests', 'calico-pins.yaml');
const pins = parse(readFileSync(pinsFile, 'utf8')) as { default: string; versions: Record<string, unknown> };

const SHIPPED = ['01-calico-ipam', '02-pod-network', '03-pod-routing', '04-k8s-services', '05-k8s-dns'];
const leg = (lesson: string, calico: string, install: 'preload' | 'early') => ({ lesson, calico, install, key: `${lesson}-${calico}-${install}` });
const expected = { include: [...SHIPPED.map((id) => leg(id, 'v3.30.0', 'preload')), leg('01-calico-ipam', 'v3.30.0', 'early')] };

/** `lab lessons --json`'s document, built in-process the way the command builds it. */
async function lessonsDoc(): Promise<{ lessons: ReturnType<typeof lessonRow>[]; broken: { id: string; error: string }[] }> {
  const lessons = [];
  for (const f of listLessonFolders()) lessons.push(lessonRow(await loadLab({ topology: f.dir, cwd: root, env: {} }), f.dir));
  return { lessons, broken: [] };
}

const row = (id: string, calicoVersion: string) => ({ id, calicoVersion });

describe('nightlyMatrix', () => {
  it('the shipped lessons: each with v3.30.0 and --preload, plus lesson 01 without it', async () => {
    expect(nightlyMatrix(await lessonsDoc(), pins)).toEqual(expected);
  });

  it('a lesson that names another pinned version gets a leg with that version; the early leg follows the first lesson', () => {
    const m = nightlyMatrix({ lessons: [row('01-a', 'v3.31.3'), row('02-b', 'v3.30.0')], broken: [] }, pins);
    expect(m.include).toEqual([leg('01-a', 'v3.31.3', 'preload'), leg('02-b', 'v3.30.0', 'preload'), leg('01-a', 'v3.31.3', 'early')]);
  });

  it('refuses what would make the night skip or misrun a lesson: unpinned versions, broken lessons, no lessons', () => {
    expect(() => nightlyMatrix({ lessons: [row('07-x', 'v3.29.9')], broken: [] }, pins, 'pins.yaml')).toThrow('lesson 07-x uses Calico v3.29.9, which pins.yaml does not pin (it pins v3.30.0, v3.31.3)');
    expect(() => nightlyMatrix({ lessons: [row('01-a', 'v3.30.0')], broken: [{ id: '02-b', error: 'lesson.yaml:3: bad' }] }, pins)).toThrow('lessons that do not load: 02-b (lesson.yaml:3: bad)');
    expect(() => nightlyMatrix({ lessons: [], broken: [] }, pins)).toThrow(/listed no lessons/);
  });
});

describe.skipIf(!existsSync(join(root, 'dist', 'cli.js')))('node scripts/nightly-matrix.mjs (through `lab lessons --json` of dist/)', () => {
  it('prints the matrix for the shipped lessons as one line of JSON', () => {
    const out = execFileSync(process.execPath, ['scripts/nightly-matrix.mjs', '--pins', pinsFile], { cwd: root, encoding: 'utf8' });
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('a pins file without the lessons\' version: exit 1 naming the lessons that do not load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-matrix-'));
    try {
      const sha = 'a'.repeat(64);
      const other = join(dir, 'pins.yaml');
      writeFileSync(other, `default: v9.9.9\nversions:\n  v9.9.9:\n    manifests:\n      operator-crds.yaml: { url: file:///x, sha256: ${sha} }\n      tigera-operator.yaml: { url: file:///y, sha256: ${sha} }\n    calicoctl: {}\n    images: []\n`);
      const r = spawnSync(process.execPath, ['scripts/nightly-matrix.mjs', '--pins', other], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^nightly-matrix: lessons that do not load: 01-calico-ipam \(.*v3\.30\.0/);
      expect(r.stderr).toContain('05-k8s-dns');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `lab images`: list, `--save` into one archive, `--load` it back (what the nightly caches). */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, startTestWorld, type TestWorld } from '../helpers/world.js';

describe('lab images', () => {
  let t: TestWorld;
  let dir: string;
  beforeAll(async () => {
    t = await startTestWorld();
    dir = mkdtempSync(path.join(tmpdir(), 'lab-images-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the node image and the pinned Calico images', async () => {
    const r = await t.runLab(['images', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('kindest/node:v1.28.0');
    expect(lines).toContain('quay.io/tigera/operator:v1.38.0');
    expect(lines).toContain('docker.io/calico/node:v3.30.0');
  });

  it('a reader that closes the pipe early (`lab images | head -1`) ends it quietly, exit 0', async () => {
    const head = await t.run('sh', ['-c', `"${process.execPath}" "${cliPath}" images --topology "${t.topology}" | head -1`]);
    // a reader that has gone before lab writes: lab's write fails with EPIPE
    const shell = await t.run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cliPath}" images --topology "${t.topology}" | (exec 0<&-; true)`]);
    expect(head.stdout).toBe('kindest/node:v1.28.0\n');
    expect(shell.stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(shell.exitCode, shell.stderr).toBe(0);
  });

  it('--save pulls what is missing into one archive; --load brings them back', async () => {
    const archive = path.join(dir, 'cache', 'images.tar');
    const save = await t.runLab(['images', '--save', archive, '--json', '--topology', t.topology]);
    expect(save.exitCode, save.stderr).toBe(0);
    const saved = JSON.parse(save.stdout) as { images: string[]; pulled: string[] };
    expect(saved.pulled.sort()).toEqual([...saved.images].sort());
    expect(existsSync(archive)).toBe(true);
    for (const image of saved.images) expect(t.world.host.images.has(image)).toBe(true);

    t.world.host.images.clear();
    const load = await t.runLab(['images', '--load', archive]);
    expect(load.exitCode, load.stderr).toBe(0);
    for (const image of saved.images) expect(t.world.host.images.has(image), image).toBe(true);
  });

  it('--save and --load together is a usage error', async () => {
    const r = await t.runLab(['images', '--save', 'a', '--load', 'b']);
    expect(r.exitCode).toBe(2);
  });
});

/**
 * Bad input: exit 2 naming file:line, and nothing is created (no containerlab/kind/docker call that changes state).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

describe('bad input', () => {
  let t: TestWorld;
  beforeAll(async () => {
    t = await startTestWorld();
  });
  afterAll(async () => {
    await t?.close();
  });

  const mutating = (): string[] =>
    t.world.invocations.filter((i) => (i.tool === 'containerlab' && ['deploy', 'destroy'].includes(i.argv[0] ?? '')) || (i.tool === 'kind' && i.argv[0] === 'delete')).map((i) => `${i.tool} ${i.argv.join(' ')}`);

  it('malformed YAML in the topology: exit 2 naming file:line', async () => {
    const bad = join(t.labDir, 'topology', '01-calico-ipam', 'broken.clab.yaml');
    writeFileSync(bad, 'name: calico-ipam\ntopology:\n  nodes:\n    calico-ipam: [unclosed\n');
    const r = await t.runLab(['deploy', '--topology', bad]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/broken\.clab\.yaml:\d+/);
    expect(mutating()).toEqual([]);
  });

  it('Installation pool CIDR different from the kind podSubnet: exit 2, nothing created', async () => {
    const file = join(t.labDir, 'topology', '01-calico-ipam', 'calico-cni-config', 'custom-resources.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('192.168.0.0/16', '10.244.0.0/16'));
    try {
      const r = await t.runLab(['deploy', '--topology', t.topology]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/custom-resources\.yaml:\d+/);
      expect(mutating()).toEqual([]);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('unknown flag: usage error exit 2', async () => {
    const r = await t.runLab(['deploy', '--no-such-flag']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no-such-flag/);
  });

  it('bad --timeout: exit 2', async () => {
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(mutating()).toEqual([]);
  });
});

/**
 * F-4 in the simulated world: the fake calicoctl, like calico v3.30's (clientmgr.LoadClientConfig →
 * apiconfig.LoadClientConfigFromFile), takes its datastore from `--config=<file>` when given and then
 * reads no environment variable — so `lab verify` passing in the world means lab's own config file
 * (tools/calicoctl.ts) points at the lab's cluster.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calicoctl } from '../../src/sim/calico/calicoctl.js';
import type { ToolInvocation } from '../../src/sim/context.js';
import { calicoctlConfig } from '../../src/tools/calicoctl.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';

let w: TestWorld;
let dir: string;
beforeAll(async () => {
  w = testWorld();
  w.applyManifests();
  await w.settled();
  dir = mkdtempSync(join(tmpdir(), 'lab-calicoctl-cfg-'));
  // A kind-style kubeconfig for the world's API port (testWorld's: 35677).
  writeFileSync(join(dir, 'lab.kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters:\n- name: kind-calico-ipam\n  cluster:\n    server: https://127.0.0.1:35677\n');
});
afterAll(() => {
  w.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const inv: ToolInvocation = { argv, cwd: dir, env, stdin: Buffer.alloc(0), signal: new AbortController().signal, out: (c) => (stdout += c.toString()), err: (c) => (stderr += c) };
  const code = await calicoctl(inv);
  return { code, stdout, stderr };
}

describe('calicoctl --config', () => {
  it('lab\'s CalicoAPIConfig selects the lab\'s cluster even when KUBECONFIG points nowhere', async () => {
    writeFileSync(join(dir, 'lab.cfg'), calicoctlConfig(join(dir, 'lab.kubeconfig')));
    const r = await run(['ipam', 'show', `--config=${join(dir, 'lab.cfg')}`], { KUBECONFIG: '/nonexistent/kubeconfig' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/IP Pool\s*\|\s*192\.168\.0\.0\/16/);
  });

  it('a config file naming another datastore wins over a correct KUBECONFIG (the host-wide calicoctl.cfg case)', async () => {
    writeFileSync(join(dir, 'etcd.cfg'), 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nmetadata:\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: http://127.0.0.1:2379\n');
    const r = await run(['ipam', 'show', `--config=${join(dir, 'etcd.cfg')}`], { KUBECONFIG: join(dir, 'lab.kubeconfig') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Failed to create Calico API client: /);
  });

  it('a file of the wrong kind is refused as calicoctl does', async () => {
    writeFileSync(join(dir, 'bad.cfg'), 'apiVersion: v1\nkind: Config\n');
    const r = await run(['ipam', 'show', `--config=${join(dir, 'bad.cfg')}`], { KUBECONFIG: join(dir, 'lab.kubeconfig') });
    expect(r).toMatchObject({ code: 1, stderr: `Failed to create Calico API client: syntax error in ${join(dir, 'bad.cfg')}: invalid config file: unknown APIVersion 'v1'\n` });
  });
});

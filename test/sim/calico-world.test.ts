/**
 * The Calico half inside the whole simulated world: containerlab deploy, the real kubectl applying the
 * operator manifests to the simulated API, then the fake calicoctl through PATH.
 */
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { operatorCrdsYaml } from '../../src/sim/calico/crds.js';
import { tigeraOperatorYaml } from '../../src/sim/calico/manifests.js';
import { RELEASES } from '../../src/sim/calico/releases.js';
import { startWorld, type World } from '../../src/sim/world.js';
import { REF } from './calicoctl-reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hasKubectl = await execa('kubectl', ['version', '--client'], { reject: false }).then((r) => r.exitCode === 0).catch(() => false);

let world: World;
let kubeconfig: string;
beforeAll(async () => {
  world = await startWorld({ timeScale: 0.002 });
  const env = world.env;
  // CLAB_VERSION_CHECK: lab sets it for every containerlab call; the simulated containerlab insists
  const deploy = await execa('containerlab', ['deploy', '-t', join(root, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml')], { env: { ...env, CLAB_VERSION_CHECK: 'disable' }, reject: false, cwd: mkdtempSync(join(tmpdir(), 'clab-')) });
  expect(deploy.exitCode, deploy.stderr).toBe(0);
  const kc = await execa('kind', ['get', 'kubeconfig', '--name', 'calico-ipam'], { env });
  kubeconfig = join(world.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kc.stdout);
});
afterAll(async () => {
  await world?.stop();
});

test.skipIf(!hasKubectl)('kubectl applies the operator; calicoctl shows the lesson blocks', async () => {
  const env = { ...world.env, KUBECONFIG: kubeconfig };
  const before = await execa('calicoctl', ['version'], { env, reject: false });
  expect([before.exitCode, before.stdout, before.stderr + '\n']).toEqual([1, REF['calicoctl-version-before-calico.stdout.txt']!.trimEnd(), REF['calicoctl-version-before-calico.stderr.txt']]);
  const k = (args: string[]) => execa('kubectl', args, { env, reject: false });
  // the world's own manifests (what its download server serves)
  const crdsFile = join(world.dir, 'operator-crds.yaml');
  const operatorFile = join(world.dir, 'tigera-operator.yaml');
  writeFileSync(crdsFile, operatorCrdsYaml('v3.30.0'));
  writeFileSync(operatorFile, tigeraOperatorYaml(RELEASES['v3.30.0']!));
  let r = await k(['create', '-f', crdsFile]);
  expect(r.exitCode, r.stderr).toBe(0);
  r = await k(['wait', '--for=condition=Established', 'crd/installations.operator.tigera.io', '--timeout=30s']);
  r = await k(['apply', '--server-side', '-f', operatorFile]);
  expect(r.exitCode, r.stderr).toBe(0);
  r = await k(['apply', '--server-side', '-f', join(root, 'topology', '01-calico-ipam', 'calico-cni-config', 'custom-resources.yaml')]);
  expect(r.exitCode, r.stderr).toBe(0);
  r = await k(['wait', '--for=condition=Available', 'tigerastatus/calico', 'tigerastatus/apiserver', '--timeout=60s']);
  expect(r.exitCode, r.stderr).toBe(0);
  const show = await execa('calicoctl', ['ipam', 'show', '--show-blocks'], { env, reject: false });
  expect(show.stdout + '\n').toBe(REF['calicoctl-ipam-show-blocks.txt']);
  r = await k(['get', 'nodes', '--no-headers']);
  expect(r.stdout.split('\n').every((l) => / Ready /.test(l))).toBe(true);
  r = await k(['get', 'blockaffinities.crd.projectcalico.org', '-o', 'jsonpath={.items[*].spec.deleted}']);
  expect(r.stdout).toBe('false false false');
  // With the Calico API server up, the short name resolves to the aggregated projectcalico.org/v3 view.
  // The Calico API server's aggregated view (fresh discovery cache: kubectl cached discovery before the group existed).
  const cache = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
  expect((await k(['api-resources', '--api-group', 'projectcalico.org', '--cache-dir', cache])).stdout).toMatch(/blockaffinities .*projectcalico\.org\/v3/);
  r = await k(['get', 'blockaffinities.v3.projectcalico.org', '-o', 'json', '--cache-dir', cache]);
  expect(r.exitCode, r.stderr).toBe(0);
  const list = JSON.parse(r.stdout) as { items: { apiVersion: string; spec: Record<string, unknown> }[] };
  expect(list.items.map((i) => i.apiVersion)).toEqual(['projectcalico.org/v3', 'projectcalico.org/v3', 'projectcalico.org/v3']);
  expect(list.items.every((i) => !('type' in i.spec) && !('deleted' in i.spec))).toBe(true);
  r = await k(['get', 'tigerastatus', '--no-headers']);
  expect(r.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(['apiserver True False False', 'calico True False False', 'ippools True False False']);
  r = await k(['get', 'pods', '-A', '-o', 'wide']);
  expect(r.stdout.split('\n').slice(1).every((l) => /Running/.test(l))).toBe(true);
});

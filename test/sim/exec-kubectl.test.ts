/**
 * The real kubectl (≥ 1.30 speaks exec over WebSocket) against the simulated API server's exec
 * subresource: the protocol is kubectl's, not only client-node's. Skipped when kubectl is absent or
 * older than 1.30 (SPDY only, which the simulated server does not speak).
 */
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/sim/apiserver/index.js';
import { R } from '../../src/sim/calico/refs.js';
import { testWorld, type TestWorld } from '../helpers/calico-sim.js';

const hasKubectl = await execa('kubectl', ['version', '--client'], { reject: false })
  .then((r) => r.exitCode === 0 && Number(/v1\.(\d+)/.exec(r.stdout)?.[1] ?? 0) >= 30)
  .catch(() => false);

let w: TestWorld;
let api: ApiServer;
let kubeconfig: string;
let pod: string;
beforeAll(async () => {
  w = testWorld();
  w.store.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } }); // as kind creates it
  w.applyManifests();
  await w.settled();
  // a v1.32 server: version-matching kubectl wrappers pick a kubectl that execs over WebSocket (≥ 1.30)
  api = await startApiServer({ store: w.store, establishDelayMs: 10, gitVersion: 'v1.32.0' });
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'lab-exec-')), 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeconfig('calico-ipam'));
  pod = w.store.list(R.pods).items.find((p) => p.metadata.name.startsWith('coredns-'))!.metadata.name;
});
afterAll(async () => {
  await api?.close();
  w?.stop();
});

const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', kubeconfig, ...args], { reject: false, timeout: 30_000, env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' } });

test.skipIf(!hasKubectl)('kubectl exec: stdout, and a non-zero exit code passed through', async () => {
  const ok = await kubectl(['exec', '-n', 'kube-system', pod, '--', 'ip', 'route']);
  expect([ok.exitCode, ok.stdout], ok.stderr).toEqual([0, 'default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link ']);
  const bad = await kubectl(['exec', '-n', 'kube-system', pod, '--', 'nslookup', 'kubernetes']);
  expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([127, 'sh: nslookup: not found']);
  const ghost = await kubectl(['exec', '-n', 'kube-system', 'ghost', '--', 'hostname']);
  expect([ghost.exitCode, ghost.stderr.trim()]).toEqual([1, 'Error from server (NotFound): pods "ghost" not found']);
});

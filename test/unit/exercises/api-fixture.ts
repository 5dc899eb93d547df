/**
 * The healthy lesson-05 lab (k8s-dns) as verify inputs, read the way `lab verify --snapshot <dir>`
 * reads saved outputs: test/fixtures/exercises holds `kubectl get svc,endpointslices,ds,pods -A -o
 * yaml` and `kubectl get blockaffinities -o yaml` in the real Kubernetes/Calico shapes (written for
 * lab, see test/fixtures/README.md). `healthy()` returns a fresh copy each call, to mutate.
 */
import { readFileSync } from 'node:fs';
import { Accumulator } from '../../../src/calico/snapshot.js';
import type { InputName, InputTypes, VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import type { ExerciseSpec } from '../../../src/exercises/types.js';

export const FIXTURE_DIR = new URL('../../fixtures/exercises/', import.meta.url);
export const fixtureText = (name: string): string => readFileSync(new URL(name, FIXTURE_DIR), 'utf8');

export const CP = 'k8s-dns-control-plane';
export const W1 = 'k8s-dns-worker';
export const W2 = 'k8s-dns-worker2';

export const dnsLab: VerifyLab = {
  name: 'k8s-dns',
  cluster: 'k8s-dns',
  nodeImage: 'kindest/node:v1.28.0',
  kubernetesVersion: 'v1.28.0',
  nodes: [
    { name: CP, role: 'control-plane' },
    { name: W1, role: 'worker' },
    { name: W2, role: 'worker' },
  ],
  podSubnet: '192.168.0.0/16',
  serviceSubnet: '10.96.0.0/16',
  pool: { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' },
  topologyFile: '/home/user/k8s-dns/k8s-dns.clab.yaml',
};

export function healthy(): VerifyInputs {
  const acc = new Accumulator();
  acc.add('k8s-dns-api-objects.yaml', fixtureText('k8s-dns-api-objects.yaml'));
  acc.add('k8s-dns-blockaffinities.yaml', fixtureText('k8s-dns-blockaffinities.yaml'));
  return structuredClone(acc.inputs());
}

export function spec(probe: string, params: Record<string, unknown>, id = `ex-${probe}`): ExerciseSpec {
  return { id, title: `exercise ${id}`, teaches: 'what it teaches', commands: ['kubectl get pods -o wide'], probe, with: params, file: 'topology/05-k8s-dns/lesson.yaml', line: 1 };
}

/** The value of a present input (throws when absent: the fixture must hold it). */
export function value<K extends InputName>(inputs: VerifyInputs, key: K): InputTypes[K] {
  const i = inputs[key];
  if (!i.ok) throw new Error(`fixture has no ${String(key)}: ${i.reason}`);
  return i.value as InputTypes[K];
}

/**
 * The API-object exercises of lessons 03–05 in the simulated world: lesson 05's workloads (the
 * multitool DaemonSets in default and foo, nginx) applied with the real kubectl, the inputs gathered by
 * the product's `gatherInputs` through its own API client (one list per resource type), and the
 * exercises of the lesson FILES run through the rule engine (runChecks) — until helper X's verify
 * wiring runs them in `lab verify --lesson 0N` (test/integration/lessons-deploy.test.ts).
 * The world boots lesson 01's topology (calico-ipam): its nodes are the lab's nodes here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { gatherInputs, type ListClient } from '../../src/calico/gather.js';
import type { VerifyLab } from '../../src/calico/lab.js';
import { inputsUsedBy, runChecks } from '../../src/calico/runner.js';
import { API_PROBES } from '../../src/exercises/probes/api.js';
import type { ExerciseSpec } from '../../src/exercises/types.js';
import { KubeClient } from '../../src/kube/client.js';
import { bootWorkloadWorld, hasKubectl, type WorkloadWorld } from '../helpers/workload-world.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lab: VerifyLab = {
  name: 'calico-ipam',
  cluster: 'calico-ipam',
  nodeImage: 'kindest/node:v1.28.0',
  kubernetesVersion: 'v1.28.0',
  nodes: [
    { name: 'calico-ipam-control-plane', role: 'control-plane' },
    { name: 'calico-ipam-worker', role: 'worker' },
    { name: 'calico-ipam-worker2', role: 'worker' },
  ],
  podSubnet: '192.168.0.0/16',
  serviceSubnet: '10.96.0.0/16',
  pool: { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' },
  topologyFile: join(root, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml'),
};

/** The API-probe exercises a lesson file declares (the exec ones are helper X's). */
function apiExercises(folder: string): ExerciseSpec[] {
  const file = join(root, 'topology', folder, 'lesson.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as { exercises?: Record<string, unknown>[] };
  return (doc.exercises ?? [])
    .filter((e) => typeof e['probe'] === 'string' && API_PROBES[e['probe'] as string] !== undefined)
    .map((e) => ({ id: String(e['id']), title: String(e['title']), teaches: String(e['teaches']), commands: e['commands'] as string[], probe: String(e['probe']), with: (e['with'] ?? {}) as Record<string, unknown>, file, line: 0 }));
}

type Obj = Record<string, any>;

describe.skipIf(!hasKubectl)('API-object exercises in the simulated world', () => {
  let w: WorkloadWorld;
  let client: KubeClient;
  let calls: string[];
  let kube: ListClient;
  beforeAll(async () => {
    w = await bootWorkloadWorld();
    await w.installCalico();
    const tools = join(root, 'topology', '05-k8s-dns', 'tools');
    // Namespaces first, as lab's deploy applies them.
    await w.kubectl(['apply', '-f', join(tools, 'multitool-3-foo.yaml')]).catch(async () => w.kubectl(['apply', '-f', join(tools, 'multitool-3-foo.yaml')]));
    for (const f of ['multitool-1.yaml', 'multitool-2.yaml', 'nginx-deployment.yaml']) await w.kubectl(['apply', '-f', join(tools, f)]);
    await w.until('the DaemonSets, nginx and CoreDNS ready', async () => {
      const ds = (await w.getJson(['daemonsets', '-A'])).items.filter((d: Obj) => String(d.metadata.name).startsWith('multitool-'));
      const deploy = await w.getJson<Obj>(['deployment', 'nginx-deployment']);
      const dns = (await w.getJson(['pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns'])).items;
      const ready = (p: Obj): boolean => (p.status.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      return ds.length === 3 && ds.every((d: Obj) => d.status.numberReady === 3) && deploy.status.readyReplicas === 2 && dns.length === 2 && dns.every(ready) ? true : undefined;
    }, 60_000);
    client = await KubeClient.fromFile(w.env['KUBECONFIG']!);
    calls = [];
    kube = { list: async (apiVersion, resource) => (calls.push(`${apiVersion}/${resource}`), client.list(apiVersion, resource)) };
  }, 120_000);
  afterAll(async () => {
    client?.close();
    await w?.close();
  });

  const never = async (): Promise<never> => {
    throw new Error('not asked for');
  };

  for (const folder of ['03-pod-routing', '04-k8s-services', '05-k8s-dns']) {
    test(`lesson ${folder}: its API exercises pass on the objects the world holds`, async () => {
      const specs = apiExercises(folder);
      expect(specs.length).toBeGreaterThan(0);
      for (const s of specs) expect(API_PROBES[s.probe]!.validate(s.with), s.id).toEqual([]);
      const checks = specs.map((s) => API_PROBES[s.probe]!.check(s));
      calls.length = 0;
      const inputs = await gatherInputs({ kube, containers: never, kindSubnets: never, ipamShowText: never, ipamCheckText: never, hostRoutesText: never }, inputsUsedBy(checks));
      // One list per resource type whatever the number of exercises and pods.
      expect(new Set(calls).size).toBe(calls.length);
      const results = runChecks(checks, lab, inputs);
      for (const r of results) {
        expect(r.status, `${r.id}: ${r.summary}\n${JSON.stringify(r.evidence['problems'] ?? [])}`).toBe('pass');
        expect(r.rules!.every((x) => x.status === 'pass'), r.id).toBe(true);
      }
    });
  }

  test('a deleted DaemonSet pod fails daemonset-pods until its controller replaces it', async () => {
    const spec = apiExercises('05-k8s-dns').find((s) => s.id === 'daemonset-pods-foo')!;
    const victim = (await w.getJson(['pods', '-n', 'foo'])).items[0]!;
    const check = API_PROBES[spec.probe]!.check(spec);
    // Judge the objects as they were, with the pod gone (what a read between the delete and the replacement sees).
    const inputs = await gatherInputs({ kube, containers: never, kindSubnets: never, ipamShowText: never, ipamCheckText: never, hostRoutesText: never }, inputsUsedBy([check]));
    if (inputs.workloadPods.ok) inputs.workloadPods.value = inputs.workloadPods.value.filter((p) => p.metadata.name !== victim.metadata.name);
    const r = runChecks([check], lab, inputs)[0]!;
    expect(r.status).toBe('fail');
    expect(r.summary).toBe(`DaemonSet foo/multitool-3 has no pod on node ${victim.spec.nodeName}`);
  });
});

// `lab deploy/verify --lesson 03/04/05` running these exercises through the CLI (every one passes) is
// test/integration/lessons-deploy.test.ts.

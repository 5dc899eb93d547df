/**
 * The API-object inputs: gathered with one list per resource type and only when a selected check needs
 * them, slimmed (no env, volumes, commands, managedFields, last-applied), read back from a `lab
 * snapshot` file and from the `kubectl get svc,endpointslices,ds,pods -A -o yaml|json` a learner saved.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { gatherInputs, NOT_NEEDED, type GatherSources, type ListClient } from '../../../src/calico/gather.js';
import { PRIMARY_INPUTS } from '../../../src/calico/inputs.js';
import { inputsUsedBy, runChecks } from '../../../src/calico/runner.js';
import { buildSnapshot, loadSnapshot } from '../../../src/calico/snapshot.js';
import { API_PROBES } from '../../../src/exercises/probes/api.js';
import { dnsLab, fixtureText, healthy, spec, value } from './api-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-api-inputs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Raw = Record<string, any>;
const objects = parse(fixtureText('k8s-dns-api-objects.yaml')).items as Raw[];
const affinities = parse(fixtureText('k8s-dns-blockaffinities.yaml')).items as Raw[];

/** A fake API answering lists from the raw fixture objects (as a server returns them: managedFields, env, volumes). */
function fakeApi(): ListClient & { calls: string[] } {
  const byPath: Record<string, Raw[]> = {
    'v1/services': objects.filter((o) => o.kind === 'Service'),
    'discovery.k8s.io/v1/endpointslices': objects.filter((o) => o.kind === 'EndpointSlice'),
    'apps/v1/daemonsets': objects.filter((o) => o.kind === 'DaemonSet'),
    'v1/pods': objects.filter((o) => o.kind === 'Pod'),
    'crd.projectcalico.org/v1/blockaffinities': affinities,
  };
  const calls: string[] = [];
  return {
    calls,
    list: async <T>(apiVersion: string, resource: string) => {
      calls.push(`${apiVersion}/${resource}`);
      const items = byPath[`${apiVersion}/${resource}`];
      if (!items) throw new Error(`404 ${apiVersion}/${resource}`);
      return { items: structuredClone(items) as T[] };
    },
  };
}

const never = async (): Promise<never> => {
  throw new Error('not asked for');
};
const sources = (kube: ListClient): GatherSources => ({ kube, containers: never, kindSubnets: never, ipamShowText: never, ipamCheckText: never, hostRoutesText: never });

const exerciseChecks = [
  API_PROBES['daemonset-pods']!.check(spec('daemonset-pods', { daemonSets: ['multitool-1'] }, 'ds')),
  API_PROBES['service-endpoints']!.check(spec('service-endpoints', { service: 'nginx-service' }, 'svc')),
  API_PROBES['cluster-dns']!.check(spec('cluster-dns', {}, 'dns')),
];

describe('gathering the API objects', () => {
  it('one list per resource type, only for what the selected checks read; pods and workloadPods share one v1/pods list', async () => {
    const api = fakeApi();
    const inputs = await gatherInputs(sources(api), inputsUsedBy(exerciseChecks));
    // nodes (a DaemonSet's nodeSelector) and ipamBlocks (blocks without an affinity) are optional inputs: read, once each.
    expect(api.calls.sort()).toEqual(['apps/v1/daemonsets', 'crd.projectcalico.org/v1/blockaffinities', 'crd.projectcalico.org/v1/ipamblocks', 'discovery.k8s.io/v1/endpointslices', 'v1/nodes', 'v1/pods', 'v1/services']);
    expect(runChecks(exerciseChecks, dnsLab, inputs).map((r) => `${r.id}:${r.status}`)).toEqual(['ds:pass', 'svc:pass', 'dns:pass']);

    const both = fakeApi();
    const withPods = await gatherInputs(sources(both), new Set(['pods', 'workloadPods']));
    expect(both.calls).toEqual(['v1/pods']);
    // `pods` stays the pod-network pods lesson 01 judges; `workloadPods` holds every pod (hostNetwork kube-proxy too).
    expect(value(withPods, 'pods').some((p) => p.metadata.name.startsWith('kube-proxy-'))).toBe(false);
    expect(value(withPods, 'workloadPods').filter((p) => p.metadata.name.startsWith('kube-proxy-'))).toHaveLength(3);
  });

  it('lesson 01\'s checks read none of them: no Service, EndpointSlice or DaemonSet list', async () => {
    const api = fakeApi();
    const inputs = await gatherInputs({ ...sources(api), containers: async () => [], kindSubnets: async () => [], ipamShowText: async () => '', ipamCheckText: async () => '{}', hostRoutesText: async () => '[]' }, inputsUsedBy(CHECKS));
    expect(api.calls.filter((c) => /services|endpointslices|daemonsets/.test(c))).toEqual([]);
    expect(inputs.services).toEqual({ ok: false, reason: NOT_NEEDED });
    expect(inputs.workloadPods).toEqual({ ok: false, reason: NOT_NEEDED });
  });

  it('slims: no env, command, volumes, images, managedFields or last-applied; keeps labels, owners, tolerations, ports, conditions', async () => {
    const inputs = await gatherInputs(sources(fakeApi()), new Set(['services', 'endpointSlices', 'daemonSets', 'workloadPods']));
    const text = JSON.stringify([inputs.services, inputs.endpointSlices, inputs.daemonSets, inputs.workloadPods]);
    for (const bad of ['managedFields', 'last-applied-configuration', 'HTTP_PORT', '"env"', 'volumes', 'volumeMounts', 'serviceAccountToken', '/usr/local/bin/kube-proxy', 'containerStatuses', 'sha256:']) expect(text, bad).not.toContain(bad);
    const pod = value(inputs, 'workloadPods').find((p) => p.metadata.name.startsWith('multitool-3-'))!;
    expect(pod.metadata).toMatchObject({ namespace: 'foo', labels: { app: 'multitool-3' }, ownerReferences: [{ kind: 'DaemonSet', name: 'multitool-3', controller: true }] });
    expect(pod.spec?.containers).toEqual([{ name: 'multitool', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }] }]);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True' });
    const ds = value(inputs, 'daemonSets').find((d) => d.metadata.name === 'multitool-1')!;
    expect(ds.spec?.template?.spec?.tolerations?.[0]).toEqual({ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3 });
  });

  it('the new inputs are primary (lab snapshot captures them)', () => {
    for (const n of ['services', 'endpointSlices', 'daemonSets', 'workloadPods'] as const) expect(PRIMARY_INPUTS).toContain(n);
  });
});

describe('snapshot round trip and saved outputs', () => {
  it('a lab snapshot holds them and verifies the same after loading', async () => {
    const inputs = await gatherInputs(sources(fakeApi()), inputsUsedBy(exerciseChecks));
    const file = join(dir, 'snap.json');
    await writeFile(file, JSON.stringify(buildSnapshot(dnsLab, inputs)));
    const loaded = await loadSnapshot(file);
    const strip = (rs: ReturnType<typeof runChecks>) => rs.map((r) => ({ ...r, durationMs: 0 }));
    expect(strip(runChecks(exerciseChecks, loaded.lab!, loaded.inputs))).toEqual(strip(runChecks(exerciseChecks, dnsLab, inputs)));
    expect(loaded.inputs.endpointSlices.ok && loaded.inputs.endpointSlices.value.length).toBe(5);
  });

  it('a directory with `kubectl get svc,endpointslices,ds,pods -A -o json` and the affinities as YAML', async () => {
    await writeFile(join(dir, 'objects.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2));
    await writeFile(join(dir, 'affinities.yaml'), fixtureText('k8s-dns-blockaffinities.yaml'));
    const loaded = await loadSnapshot(dir);
    const seen = loaded.files.find((f) => f.file === 'objects.json')!.recognisedAs.sort();
    expect(seen).toEqual(['DaemonSet apps/v1', 'EndpointSlice discovery.k8s.io/v1', 'Pod v1', 'Service v1']);
    expect(value(loaded.inputs, 'workloadPods')).toHaveLength(13);
    expect(value(loaded.inputs, 'pods')).toHaveLength(10);
    expect(runChecks(exerciseChecks, dnsLab, loaded.inputs).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    // Same content as the YAML fixture read by the shared helper.
    expect(value(loaded.inputs, 'services')).toEqual(value(healthy(), 'services'));
  });
});

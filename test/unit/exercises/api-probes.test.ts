/**
 * The API-object probes over a healthy lesson-05 lab read from real-shaped `kubectl get … -o yaml`
 * files, and over mutations of it: every failure the probes should find, named the way a learner reads it.
 */
import { describe, expect, it } from 'vitest';
import { absent, type VerifyInputs } from '../../../src/calico/inputs.js';
import { runChecks } from '../../../src/calico/runner.js';
import type { CheckResult } from '../../../src/calico/types.js';
import { API_PROBES } from '../../../src/exercises/probes/api.js';
import { toleratesControlPlane } from '../../../src/exercises/probes/api/daemonset-pods.js';
import { CP, dnsLab, healthy, spec, value, W1, W2 } from './api-fixture.js';

function run(probe: string, params: Record<string, unknown>, inputs: VerifyInputs = healthy()): CheckResult {
  const p = API_PROBES[probe]!;
  expect(p.validate(params)).toEqual([]);
  return runChecks([p.check(spec(probe, params))], dnsLab, inputs)[0]!;
}

const problems = (r: CheckResult): string[] => (r.evidence['problems'] as string[] | undefined) ?? [];
const rule = (r: CheckResult, id: string): string | undefined => r.rules?.find((x) => x.id === id)?.status;

const podsOf = (inputs: VerifyInputs, prefix: string) => value(inputs, 'workloadPods').filter((p) => p.metadata.name.startsWith(prefix));
const sliceOf = (inputs: VerifyInputs, service: string) => value(inputs, 'endpointSlices').find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service)!;
const serviceOf = (inputs: VerifyInputs, name: string) => value(inputs, 'services').find((s) => s.metadata.name === name)!;

describe('the probes on a healthy lab', () => {
  it('registers the three API probes by name, each with a description', () => {
    expect(Object.keys(API_PROBES).sort()).toEqual(['cluster-dns', 'daemonset-pods', 'service-endpoints']);
    for (const [name, p] of Object.entries(API_PROBES)) {
      expect(p.name).toBe(name);
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.samples).toBeUndefined();
    }
  });

  it('daemonset-pods passes for multitool-1 (default) and multitool-3 (foo), every rule evaluated', () => {
    for (const [ds, ns] of [['multitool-1', 'default'], ['multitool-3', 'foo']] as const) {
      const r = run('daemonset-pods', { daemonSets: [ds], namespace: ns });
      expect(r.status, problems(r).join('\n')).toBe('pass');
      expect(r.rules!.map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
      expect(r.summary).toBe(`${ns}/${ds}: one Ready pod per node of k8s-dns, IPs in their node's block`);
      expect((r.evidence['pods'] as unknown[]).length).toBe(3);
    }
  });

  it('the check carries the exercise: id, title, teaches as explain, the learner\'s commands', () => {
    const c = API_PROBES['service-endpoints']!.check(spec('service-endpoints', { service: 'nginx-service' }, 'nginx-endpoints'));
    expect(c).toMatchObject({ id: 'nginx-endpoints', title: 'exercise nginx-endpoints', explain: 'what it teaches', commands: ['kubectl get pods -o wide'] });
  });

  it('service-endpoints passes for nginx-service, multitool-1-service and a named targetPort (multitool-3-service in foo)', () => {
    for (const [service, namespace] of [['nginx-service', 'default'], ['multitool-1-service', 'default'], ['multitool-3-service', 'foo']] as const) {
      const r = run('service-endpoints', { service, namespace });
      expect(r.status, `${service}: ${problems(r).join('\n')}`).toBe('pass');
      expect(r.rules!.map((x) => x.status)).toEqual(['pass', 'pass']);
    }
    const r = run('service-endpoints', { service: 'nginx-service' });
    expect(r.summary).toBe('default/nginx-service at 10.96.183.20 (inside 10.96.0.0/16), its EndpointSlices = its ready pods');
    expect(r.evidence['endpoints']).toMatchObject({ readyPodIPs: ['192.168.120.68', '192.168.77.132'], readyEndpoints: ['192.168.120.68', '192.168.77.132'], notReadyEndpoints: [] });
  });

  it('cluster-dns passes: kube-dns at 10.96.0.10 with the two CoreDNS pods', () => {
    const r = run('cluster-dns', {});
    expect(r.status, problems(r).join('\n')).toBe('pass');
    expect(r.summary).toBe('kube-dns at 10.96.0.10 with 2 Ready CoreDNS pods as its endpoints');
  });
});

describe('daemonset-pods failures', () => {
  it('a missing pod on a node', () => {
    const inputs = healthy();
    const pods = value(inputs, 'workloadPods');
    pods.splice(pods.findIndex((p) => p.metadata.name.startsWith('multitool-1-') && p.spec?.nodeName === W2), 1);
    const r = run('daemonset-pods', { daemonSets: ['multitool-1', 'multitool-2'] }, inputs);
    expect(r.status).toBe('fail');
    expect(problems(r)).toContain(`DaemonSet default/multitool-1 has no pod on node ${W2}`);
    expect(problems(r)).toContain('DaemonSet default/multitool-2 does not exist');
  });

  it('status: fewer ready than desired, desired not the node count', () => {
    const inputs = healthy();
    const ds = value(inputs, 'daemonSets').find((d) => d.metadata.name === 'multitool-1')!;
    ds.status = { ...ds.status, numberReady: 2, desiredNumberScheduled: 3 };
    expect(problems(run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs))).toEqual(['DaemonSet default/multitool-1: 2 of 3 pods ready']);
    ds.status = { ...ds.status, numberReady: 2, desiredNumberScheduled: 2 };
    expect(problems(run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs))).toEqual(['DaemonSet default/multitool-1: desiredNumberScheduled is 2, the lab has 3 nodes it may run on']);
  });

  it('an IP outside its node\'s block (in another node\'s block, or in none)', () => {
    const inputs = healthy();
    const onW1 = podsOf(inputs, 'multitool-1-').find((p) => p.spec?.nodeName === W1)!;
    onW1.status!.podIP = '192.168.50.40';
    const onW2 = podsOf(inputs, 'multitool-1-').find((p) => p.spec?.nodeName === W2)!;
    onW2.status!.podIP = '10.244.1.5';
    const r = run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs);
    expect(rule(r, 'own-block')).toBe('fail');
    expect(rule(r, 'one-per-node')).toBe('pass');
    expect(problems(r)).toEqual([
      `pod default/${onW1.metadata.name} on ${W1}: 192.168.50.40 is in block 192.168.50.0/26 (affine to ${CP}), not in a block of ${W1} (192.168.120.64/26)`,
      `pod default/${onW2.metadata.name} on ${W2}: 10.244.1.5 is in no block, not in a block of ${W2} (192.168.77.128/26)`,
    ]);
  });

  it('a pod not Ready, one not Running, two on one node', () => {
    const inputs = healthy();
    const [a, b, c] = podsOf(inputs, 'multitool-1-');
    a!.status!.conditions = a!.status!.conditions!.map((x) => (x.type === 'Ready' ? { ...x, status: 'False' } : x));
    b!.status!.phase = 'Pending';
    value(inputs, 'workloadPods').push({ ...structuredClone(c!), metadata: { ...structuredClone(c!.metadata), name: 'multitool-1-extra' } });
    const p = problems(run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs));
    expect(p).toContain(`pod default/${a!.metadata.name} on ${a!.spec!.nodeName} is Running but not Ready`);
    expect(p).toContain(`pod default/${b!.metadata.name} on ${b!.spec!.nodeName} is Pending, not Running`);
    expect(p).toContain(`DaemonSet default/multitool-1 has 2 pods on node ${c!.spec!.nodeName} (${c!.metadata.name}, multitool-1-extra)`);
  });

  it('without the control-plane toleration the control plane is not expected: a pod there is misplaced', () => {
    const inputs = healthy();
    const ds = value(inputs, 'daemonSets').find((d) => d.metadata.name === 'multitool-1')!;
    ds.spec!.template!.spec!.tolerations = [];
    const r = run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs);
    const onCp = podsOf(inputs, 'multitool-1-').find((p) => p.spec?.nodeName === CP)!;
    expect(problems(r)).toContain('DaemonSet default/multitool-1: desiredNumberScheduled is 3, the lab has 2 nodes it may run on');
    expect(problems(r)).toContain(`pod default/${onCp.metadata.name} of DaemonSet multitool-1 is on node ${CP}, not one of the nodes it should run on (${W1}, ${W2})`);
  });

  it('tolerations: Exists on the key or on everything, Equal with an empty value; not NoExecute only', () => {
    expect(toleratesControlPlane([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }])).toBe(true);
    expect(toleratesControlPlane([{ operator: 'Exists' }])).toBe(true);
    expect(toleratesControlPlane([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }])).toBe(true);
    expect(toleratesControlPlane([{ key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }])).toBe(false);
    expect(toleratesControlPlane([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoExecute' }])).toBe(false);
    expect(toleratesControlPlane(undefined)).toBe(false);
  });

  it('without the affinities the block rule is not evaluated and the check does not pass on it', () => {
    const inputs = { ...healthy(), blockAffinities: absent('not among the files given'), affinityNames: absent('not among the files given') } as VerifyInputs;
    const r = run('daemonset-pods', { daemonSets: ['multitool-1'] }, inputs);
    expect(rule(r, 'own-block')).toBe('not-evaluated');
    const none = run('daemonset-pods', { daemonSets: ['multitool-1'] }, { ...inputs, daemonSets: absent('not among the files given') } as VerifyInputs);
    expect(none.status).toBe('skip');
    const failed = run('daemonset-pods', { daemonSets: ['multitool-1'] }, { ...inputs, daemonSets: absent('the API at https://127.0.0.1:6443: 403', { failed: true }) } as VerifyInputs);
    expect(failed.status).toBe('fail');
  });
});

describe('service-endpoints failures', () => {
  it('an endpoint missing', () => {
    const inputs = healthy();
    const slice = sliceOf(inputs, 'nginx-service');
    const gone = slice.endpoints!.shift()!;
    const r = run('service-endpoints', { service: 'nginx-service' }, inputs);
    expect(rule(r, 'cluster-ip')).toBe('pass');
    expect(problems(r)).toEqual([`Service default/nginx-service: the ready pod default/${gone.targetRef!.name} (${gone.addresses![0]}) is not a ready endpoint`]);
  });

  it('an extra endpoint, and one that is a pod not Ready', () => {
    const inputs = healthy();
    sliceOf(inputs, 'nginx-service').endpoints!.push({ addresses: ['192.168.77.150'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'nginx-old' } });
    const pod = podsOf(inputs, 'nginx-deployment-')[0]!;
    pod.status!.conditions = pod.status!.conditions!.map((x) => (x.type === 'Ready' ? { ...x, status: 'False' } : x));
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs)).sort()).toEqual([
      `Service default/nginx-service: endpoint ${pod.status!.podIP} (Pod ${pod.metadata.name}) is the pod default/${pod.metadata.name}, which is not Ready`,
      'Service default/nginx-service: endpoint 192.168.77.150 (Pod nginx-old) is no ready pod the Service selects',
    ]);
  });

  it('a not-ready endpoint', () => {
    const inputs = healthy();
    const e = sliceOf(inputs, 'nginx-service').endpoints![1]!;
    e.conditions = { ready: false, serving: false, terminating: false };
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual([
      `Service default/nginx-service: the ready pod default/${e.targetRef!.name} (${e.addresses![0]}) is not a ready endpoint (it is listed not-ready)`,
      `Service default/nginx-service: endpoint ${e.addresses![0]} (Pod ${e.targetRef!.name}) is not ready`,
    ]);
  });

  it('ports: a slice whose port is not the Service\'s targetPort; a named targetPort the pods do not have', () => {
    const inputs = healthy();
    sliceOf(inputs, 'nginx-service').ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))[0]).toMatch(/^Service default\/nginx-service: EndpointSlice nginx-service-vm9sd has ports \[http:8080\/TCP\], the Service's ports resolve to \[http:80\/TCP\] on default\/nginx-deployment-/);
    serviceOf(inputs, 'multitool-3-service').spec!.ports![1]!.targetPort = 'tls';
    expect(problems(run('service-endpoints', { service: 'multitool-3-service', namespace: 'foo' }, inputs))[0]).toMatch(/has ports \[http:80\/TCP, https:443\/TCP\], the Service's ports resolve to \[http:80\/TCP\]/);
  });

  it('a ClusterIP outside the service CIDR, the DNS address taken, headless, no Service', () => {
    const inputs = healthy();
    const svc = serviceOf(inputs, 'nginx-service');
    svc.spec!.clusterIP = '10.97.0.5';
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual(['Service default/nginx-service: ClusterIP 10.97.0.5 is outside the service CIDR 10.96.0.0/16']);
    svc.spec!.clusterIP = '10.96.0.10';
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual(['Service default/nginx-service: ClusterIP 10.96.0.10 is the cluster DNS address (kube-dns\'s), which no other Service may hold']);
    svc.spec!.clusterIP = 'None';
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual(['Service default/nginx-service is headless (clusterIP: None): it has no virtual IP']);
    expect(problems(run('service-endpoints', { service: 'nginx-service', namespace: 'foo' }, inputs))).toEqual(['Service foo/nginx-service does not exist']);
  });

  it('a selector that matches no pod (the slice is empty: nothing to compare, still a failure)', () => {
    const inputs = healthy();
    serviceOf(inputs, 'nginx-service').spec!.selector = { app: 'ngnix' };
    sliceOf(inputs, 'nginx-service').endpoints = [];
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual(['Service default/nginx-service: its selector app=ngnix matches no pod in default']);
  });

  it('no EndpointSlice for the Service', () => {
    const inputs = healthy();
    const slices = value(inputs, 'endpointSlices');
    slices.splice(slices.indexOf(sliceOf(inputs, 'nginx-service')), 1);
    expect(problems(run('service-endpoints', { service: 'nginx-service' }, inputs))).toEqual(['Service default/nginx-service has no EndpointSlice (label kubernetes.io/service-name=nginx-service)']);
  });
});

describe('cluster-dns failures', () => {
  it('kube-dns at a wrong address', () => {
    const inputs = healthy();
    serviceOf(inputs, 'kube-dns').spec!.clusterIP = '10.96.0.53';
    const r = run('cluster-dns', {}, inputs);
    expect(rule(r, 'service')).toBe('fail');
    expect(problems(r)).toEqual(['Service kube-system/kube-dns is at 10.96.0.53, not 10.96.0.10 (the tenth address of 10.96.0.0/16, where the kubelet points every pod\'s resolv.conf)']);
  });

  it('a DNS port missing', () => {
    const inputs = healthy();
    const svc = serviceOf(inputs, 'kube-dns');
    svc.spec!.ports = svc.spec!.ports!.filter((p) => p.port !== 9153);
    sliceOf(inputs, 'kube-dns').ports = sliceOf(inputs, 'kube-dns').ports!.filter((p) => p.port !== 9153);
    expect(problems(run('cluster-dns', {}, inputs))).toEqual(['Service kube-system/kube-dns lacks the port 9153/TCP (it has 53/UDP, 53/TCP)']);
  });

  it('a CoreDNS pod not Ready but still a ready endpoint; no CoreDNS at all', () => {
    const inputs = healthy();
    const pod = podsOf(inputs, 'coredns-')[0]!;
    pod.status!.conditions = pod.status!.conditions!.map((x) => (x.type === 'Ready' ? { ...x, status: 'False' } : x));
    expect(problems(run('cluster-dns', {}, inputs))).toEqual([`Service kube-system/kube-dns: endpoint ${pod.status!.podIP} (Pod ${pod.metadata.name}) is the pod kube-system/${pod.metadata.name}, which is not Ready`]);
    const none = healthy();
    const all = value(none, 'workloadPods');
    for (const p of podsOf(none, 'coredns-')) all.splice(all.indexOf(p), 1);
    expect(problems(run('cluster-dns', {}, none))[0]).toBe('no pod labelled k8s-app=kube-dns in kube-system (CoreDNS is not deployed)');
  });
});

describe('parameters (validated at load time)', () => {
  it('names each problem under `with` with a fix', () => {
    expect(API_PROBES['daemonset-pods']!.validate({})).toEqual([{ path: 'daemonSets', message: 'daemonSets is missing or empty', fix: expect.stringContaining('daemonSets: [multitool-1') }]);
    expect(API_PROBES['daemonset-pods']!.validate({ daemonSets: ['Multitool', 'a', 'a'], ns: 'x' }).map((p) => p.path)).toEqual(['ns', 'daemonSets.0', 'daemonSets']);
    expect(API_PROBES['service-endpoints']!.validate({ namespace: 'default' })).toEqual([{ path: 'service', message: 'service is missing', fix: expect.any(String) }]);
    expect(API_PROBES['service-endpoints']!.validate({ service: 'nginx-service', namespace: 7 }).map((p) => p.path)).toEqual(['namespace']);
    expect(API_PROBES['cluster-dns']!.validate({ service: 'kube-dns' })).toEqual([{ path: 'service', message: 'unknown parameter service', fix: 'this probe takes no parameters: write `with: {}`' }]);
    expect(API_PROBES['cluster-dns']!.validate({})).toEqual([]);
  });
});

/**
 * Pure parts of the real-world harness (no namespace or binaries needed): the kwok stages, the
 * kubelet's env resolution, the conformance shape/diff.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { stagesYaml, CNI_READY_ANNOTATION, POD_IP_ANNOTATION } from '../../src/real/kwok.js';
import { containerEnv, expand } from '../../src/real/podenv.js';
import { differences, normalMessage, sequenceDifferences, shape, simulatedNextBlock, type ConditionStep } from '../helpers/real-conformance.js';
import { pullFailureLine, toolDifferences, type ToolCall } from '../helpers/real-conformance-tools.js';
import type { Kube } from '../../src/real/kube.js';
import { FAKE, fakeBanner } from '../../src/real/fake.js';

describe('kwok stages of the real world', () => {
  const docs = parseAllDocuments(stagesYaml('v1.28.0'));
  const stages = docs.map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { resourceRef: { kind: string }; selector: Record<string, unknown>; next: { statusTemplate?: string } } });

  it('is valid YAML: one Stage per document, for Nodes and Pods', () => {
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(stages.map((s) => `${s.spec.resourceRef.kind}/${s.metadata.name}`)).toEqual([
      'Node/lab-node-register-not-ready',
      'Node/lab-node-cni-ready',
      'Node/lab-node-cni-gone',
      'Pod/lab-pod-run-host-network',
      'Pod/lab-pod-run-cni-address',
      'Pod/lab-pod-delete',
    ]);
  });

  it('a node turns Ready only with the CNI annotation; a pod-network pod runs only with the CNI address', () => {
    const ready = stages.find((s) => s.metadata.name === 'lab-node-cni-ready');
    expect(ready?.spec.selector['matchAnnotations']).toEqual({ [CNI_READY_ANNOTATION]: 'ready' });
    expect(ready?.spec.next.statusTemplate).toContain('KubeletReady');
    const register = stages.find((s) => s.metadata.name === 'lab-node-register-not-ready');
    expect(register?.spec.next.statusTemplate).toContain('cni plugin not initialized');
    expect(register?.spec.next.statusTemplate).not.toContain('KubeletReady');
    const cni = stages.find((s) => s.metadata.name === 'lab-pod-run-cni-address');
    expect(JSON.stringify(cni?.spec.selector)).toContain(POD_IP_ANNOTATION);
    expect(cni?.spec.next.statusTemplate).toContain(`index .metadata.annotations "${POD_IP_ANNOTATION}"`);
  });
});

describe('container env as a kubelet resolves it', () => {
  const kube = {
    find: async (path: string) => (path.endsWith('/configmaps/kubernetes-services-endpoint') ? { data: { KUBERNETES_SERVICE_HOST: '172.18.0.3', KUBERNETES_SERVICE_PORT: '6443' } } : undefined),
  } as unknown as Kube;

  it('values, fieldRefs, envFrom and $(VAR) expansion', async () => {
    const env = await containerEnv(kube, { metadata: { name: 'calico-node-x1', namespace: 'calico-system' }, spec: { nodeName: 'calico-ipam-worker' } }, {
      name: 'calico-node',
      envFrom: [{ configMapRef: { name: 'kubernetes-services-endpoint', optional: true } }],
      env: [
        { name: 'NODENAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'WHO', value: '$(POD)@$(NODENAME)' },
        { name: 'MISSING', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
      ],
    });
    expect(env).toEqual({ KUBERNETES_SERVICE_HOST: '172.18.0.3', KUBERNETES_SERVICE_PORT: '6443', NODENAME: 'calico-ipam-worker', POD: 'calico-node-x1', WHO: 'calico-node-x1@calico-ipam-worker' });
    expect(expand('-a=$(UNSET)', {})).toBe('-a=$(UNSET)');
  });
});

describe('conformance', () => {
  it('shape: field paths and types, free-keyed maps folded', () => {
    const s = shape({ metadata: { name: 'n', labels: { a: '1', b: '2' } }, spec: { cidr: '10.0.0.0/26', allocations: [0, null] } });
    expect(Object.fromEntries(s)).toEqual({ metadata: 'object', 'metadata.name': 'string', 'metadata.labels': 'object', 'metadata.labels.*': 'string', spec: 'object', 'spec.cidr': 'string', 'spec.allocations': 'array', 'spec.allocations[]': 'null|number' });
  });

  it('differences: each is open unless a listed reason accepts it', () => {
    const base = { conditions: [], finalConditions: {}, ipamShow: '', tables: {} };
    const d = differences(
      { ...base, shapes: { Node: { 'status.nodeInfo.bootID': 'string' }, IPAMBlock: { 'spec.affinity': 'string' } }, firstBlocks: { w: ['192.168.1.0/26'] } },
      { ...base, shapes: { Node: {}, IPAMBlock: { 'spec.affinity': 'string', 'spec.sequenceNumber': 'number' } }, firstBlocks: { w: ['192.168.7.0/26'] } },
    );
    expect(d.map((x) => [x.what, x.verdict.split(':')[0]])).toEqual([
      ['IPAMBlock spec.sequenceNumber', 'open'],
      ['Node status.nodeInfo.bootID', 'accepted'],
      ['first block of w', 'open'],
    ]);
  });
});

describe('conformance: sequences, tools, first blocks', () => {
  const step = (name: string, type: string, status: string, reason: string, message: string): ConditionStep => ({ name, type, status, reason, message });

  it('normalMessage hides counts and pod hashes, keeps the words', () => {
    expect(normalMessage('DaemonSet "calico-system/calico-node" is not available (awaiting 2 nodes)')).toBe('DaemonSet "calico-system/calico-node" is not available (awaiting N nodes)');
    expect(normalMessage('pod calico-kube-controllers-848b9ff984-jwblf not ready')).toBe('pod calico-kube-controllers-<hash>-<id> not ready');
  });

  it('sequenceDifferences: a step only one world shows, and the order conditions became True', () => {
    const sim = [step('calico', 'Progressing', 'True', 'ResourceNotReady', 'awaiting 3 nodes'), step('calico', 'Available', 'True', 'AllObjectsAvailable', 'All objects available')];
    const real = [step('calico', 'Progressing', 'True', 'ResourceNotReady', 'awaiting 1 nodes'), step('calico', 'Degraded', 'True', 'ResourceUpdateError', 'conflict'), step('calico', 'Available', 'True', 'AllObjectsAvailable', 'All objects available')];
    const d = sequenceDifferences(sim, real);
    expect(d.map((x) => [x.what, x.sim, x.real])).toEqual([
      ['TigeraStatus step calico/Degraded=True', '(never seen)', 'calico/Degraded=True ResourceUpdateError: conflict'],
      ['TigeraStatus calico order of True conditions', 'Progressing → Available', 'Progressing → Degraded → Available'],
    ]);
    expect(sequenceDifferences(sim, sim)).toEqual([]);
  });

  it('toolDifferences: exit codes, the pull-failure line, plain output', () => {
    const call = (exitCode: number, stderr: string, stdout = ''): ToolCall => ({ argv: [], exitCode, stdout, stderr });
    const line = 'failed to pull image "kindest/node:v1.28.0": command "docker pull kindest/node:v1.28.0" failed with error: exit status 1';
    expect(pullFailureLine(`ERROR: failed to create cluster: ${line}\n`)).toBe(line);
    expect(toolDifferences([{ key: 'kind create cluster (node image pull fails)', real: call(1, `ERROR: failed to create cluster: ${line}`), sim: call(1, `Error: node "x" deploy: ${line}`) }])).toEqual([]);
    expect(toolDifferences([{ key: 'kind create cluster (node image pull fails)', real: call(1, `ERROR: ${line}`), sim: call(2, 'Error: something else') }]).map((d) => d.what)).toEqual([
      'tool kind create cluster (node image pull fails): exit code',
      'tool kind create cluster (node image pull fails): pull failure message',
    ]);
    expect(toolDifferences([{ key: 'kind get clusters (none)', real: call(0, 'No kind clusters found.\n'), sim: call(0, 'No kind clusters found.\n') }])).toEqual([]);
    expect(toolDifferences([{ key: 'kind version', real: call(0, '', 'kind v0.31.0\n'), sim: call(0, '', 'kind v0.32.0\n') }]).map((d) => d.what)).toEqual(['tool kind version: stdout']);
  });

  it('simulatedNextBlock walks from the host\'s Go start block past blocks that exist', () => {
    const pool = { cidr: '192.168.0.0/16', blockSize: 26 };
    // seen in a real cluster: calico-ipam-worker's first block (src/sim/data/expected-first-blocks.tsv)
    expect(simulatedNextBlock('calico-ipam-worker', pool, [])).toBe('192.168.131.128/26');
    expect(simulatedNextBlock('calico-ipam-worker', pool, ['192.168.131.128/26'])).toBe('192.168.131.192/26');
    // computed with Go for a name no table lists (test/fixtures/go-first-blocks.tsv: index 154 → 192.168.38.128/26)
    expect(simulatedNextBlock('zz-test-worker', pool, [])).toBe('192.168.38.128/26');
  });
});

describe('what stays fake', () => {
  it('is one list, printed as the banner', () => {
    expect(FAKE.length).toBeGreaterThan(3);
    for (const f of FAKE) expect(fakeBanner()).toContain(f.what);
  });
});

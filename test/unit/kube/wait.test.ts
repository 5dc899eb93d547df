import { describe, expect, it } from 'vitest';
import { crdsPending, nodesReady, tigeraReady, tigeraState } from '../../../src/kube/wait.js';
import { describeEvents, describePods, describeTigera, podProblem } from '../../../src/kube/diagnose.js';
import type { KubeObject } from '../../../src/lab/model.js';

const obj = (name: string, conditions: { type: string; status: string; reason?: string; message?: string }[], extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'X', metadata: { name }, status: { conditions }, ...extra }) as KubeObject;

// Real TigeraStatus condition shapes (ipam-facts.md / issue 3): Available, Progressing, Degraded.
const ts = (name: string, a: string, p: string, d: string, message = '') =>
  obj(name, [
    { type: 'Available', status: a, reason: a === 'True' ? 'AllObjectsAvailable' : 'ResourceNotReady', message: a === 'True' ? 'All Objects Available' : message },
    { type: 'Progressing', status: p, message: p === 'True' ? message : '' },
    { type: 'Degraded', status: d, message: d === 'True' ? message : '' },
  ]);

describe('TigeraStatus readiness', () => {
  it('missing = not yet', () => {
    expect(tigeraReady([]).done).toBeUndefined();
    expect(tigeraState('calico', undefined)).toMatchObject({ available: false, message: 'not created yet' });
  });
  it('calico + apiserver Available, not Degraded → done; ippools not required', () => {
    const r = tigeraReady([ts('calico', 'True', 'False', 'False'), ts('apiserver', 'True', 'False', 'False'), ts('ippools', 'False', 'False', 'True', 'waiting for apiserver')]);
    expect(r.done?.map((s) => s.name)).toEqual(['calico', 'apiserver']);
  });
  it('Available but Degraded → not done', () => {
    expect(tigeraReady([ts('calico', 'True', 'False', 'True', 'x'), ts('apiserver', 'True', 'False', 'False')]).done).toBeUndefined();
  });
  it('Progressing: the state names the message', () => {
    const msg = 'DaemonSet "calico-system/calico-node" is not available (awaiting 3 nodes)';
    const r = tigeraReady([ts('calico', 'False', 'True', 'False', msg), ts('apiserver', 'True', 'False', 'False')]);
    expect(r.done).toBeUndefined();
    expect(r.state).toBe(`calico: Progressing (${msg})`);
  });
});

describe('nodes Ready', () => {
  const node = (name: string, ready: string) => obj(name, [{ type: 'Ready', status: ready }]);
  const expected = ['c-control-plane', 'c-worker', 'c-worker2'];
  it('all expected nodes Ready → done', () => {
    expect(nodesReady(expected.map((n) => node(n, 'True')), expected).done).toEqual(expected);
  });
  it('one NotReady / one missing → not done, named', () => {
    const r = nodesReady([node('c-control-plane', 'True'), node('c-worker', 'False')], expected);
    expect(r.done).toBeUndefined();
    expect(r.state).toBe('1/3 nodes Ready; NotReady: c-worker; missing: c-worker2');
  });
  it('extra nodes do not matter', () => {
    expect(nodesReady([...expected, 'other'].map((n) => node(n, 'True')), expected).done).toBeDefined();
  });
});

describe('CRDs Established', () => {
  it('pending names', () => {
    const crds = [obj('a.x', [{ type: 'Established', status: 'True' }]), obj('b.x', [{ type: 'NamesAccepted', status: 'True' }])];
    expect(crdsPending(crds, ['a.x', 'b.x', 'c.x'])).toEqual(['b.x', 'c.x']);
  });
});

describe('diagnostics', () => {
  const pod = (name: string, status: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'calico-system' }, spec: { nodeName: 'c-worker' }, status }) as KubeObject;
  it('ImagePullBackOff with its message', () => {
    const p = pod('calico-node-abcde', { phase: 'Pending', containerStatuses: [{ name: 'calico-node', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/calico/node:v3.30.0"' } } }] });
    expect(podProblem(p as never)).toBe('ImagePullBackOff (Back-off pulling image "docker.io/calico/node:v3.30.0")');
    expect(describePods([p as never])).toEqual(['pod calico-system/calico-node-abcde on c-worker: ImagePullBackOff (Back-off pulling image "docker.io/calico/node:v3.30.0")']);
  });
  it('CrashLoopBackOff with restarts', () => {
    const p = pod('x', { phase: 'Running', containerStatuses: [{ name: 'x', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
    expect(podProblem(p as never)).toBe('CrashLoopBackOff, 4 restarts');
  });
  it('Pending + scheduling reason', () => {
    const p = pod('coredns-1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.' }] });
    expect(podProblem(p as never)).toMatch(/^Pending: Unschedulable \(0\/3 nodes are available/);
  });
  it('running but never Ready: the Ready condition\'s reason and message (a readiness probe that never passes)', () => {
    const notReady = { reason: 'ContainersNotReady', message: 'containers with unready status: [web]' };
    const p = pod('web-0', {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'False', ...notReady },
        { type: 'ContainersReady', status: 'False', ...notReady },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [{ name: 'web', ready: false, started: true, restartCount: 0, state: { running: { startedAt: '2026-12-02T10:00:00Z' } } }],
    });
    expect(podProblem(p as never)).toBe('Running, not Ready: ContainersNotReady (containers with unready status: [web])');
    // no reason given: the phase alone, as before
    expect(podProblem(pod('x', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }) as never)).toBe('Running, not Ready');
  });
  it('Ready pods are not listed; image problems first', () => {
    const ready = pod('ok', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    const pending = pod('a', { phase: 'Pending' });
    const pull = pod('b', { phase: 'Pending', containerStatuses: [{ name: 'b', state: { waiting: { reason: 'ErrImagePull' } } }] });
    expect(describePods([ready as never, pending as never, pull as never]).map((l) => l.split(':')[0])).toEqual(['pod calico-system/b on c-worker', 'pod calico-system/a on c-worker']);
  });
  it('TigeraStatus lines with the condition message', () => {
    expect(describeTigera([ts('calico', 'False', 'False', 'True', 'Pod calico-system/calico-node-x failed to pull container image for: calico-node'), ts('apiserver', 'True', 'False', 'False')])).toEqual([
      'TigeraStatus calico: Degraded — Pod calico-system/calico-node-x failed to pull container image for: calico-node',
    ]);
  });
  it('last Warning events, oldest first, at most 5', () => {
    const ev = (i: number, type = 'Warning') => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: `e${i}` }, type, reason: 'Failed', message: `m${i}`, lastTimestamp: `2026-01-01T00:00:0${i}Z`, involvedObject: { kind: 'Pod', namespace: 'ns', name: `p${i}` } });
    const lines = describeEvents([ev(7), ev(1), ev(2, 'Normal'), ev(3), ev(4), ev(5), ev(6)] as never);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('event Failed Pod/ns/p3: m3');
    expect(lines[4]).toBe('event Failed Pod/ns/p7: m7');
  });
});

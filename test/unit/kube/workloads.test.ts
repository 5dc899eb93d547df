/**
 * Readiness of the lesson's workloads and the timeout diagnostics, over objects in the shapes a v1.28
 * API server returns (fixtures written for these tests; sources in test/fixtures/README.md).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject, WorkloadWait } from '../../../src/lab/model.js';
import { daemonSetReadiness, deploymentReadiness, podReadiness, podSelector, readiness, statefulSetReadiness, workloadsProgress, workloadsReady } from '../../../src/kube/workloads.js';
import { describeWorkloads, type Event, type Pod } from '../../../src/kube/diagnose.js';

const deployment = (replicas: number | undefined, status: Record<string, unknown>, generation = 2): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'lesson', generation, uid: 'a1b2', resourceVersion: '1234' },
    spec: { ...(replicas === undefined ? {} : { replicas }), selector: { matchLabels: { app: 'web', tier: 'front' } }, template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    status,
  }) as KubeObject;

const available3 = {
  observedGeneration: 2,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [
    { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-7d9c6b5f4d" has successfully progressed.' },
  ],
};

describe('Deployment readiness', () => {
  it('available: observedGeneration current and 3/3 available, updated, ready', () => {
    expect(deploymentReadiness(deployment(3, available3))).toEqual({ ready: true, readyCount: 3, desired: 3 });
  });
  it('spec.replicas omitted means 1', () => {
    const r = deploymentReadiness(deployment(undefined, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }));
    expect(r).toMatchObject({ ready: true, desired: 1 });
  });
  it('a status from the previous generation is not ready, even if it says 3/3', () => {
    expect(deploymentReadiness(deployment(3, { ...available3, observedGeneration: 1 }))).toMatchObject({ ready: false, reason: 'rollout not observed yet' });
  });
  it('1/3 available (no availableReplicas field while none is) is not ready', () => {
    expect(deploymentReadiness(deployment(3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 2 }))).toMatchObject({ ready: false, readyCount: 1, desired: 3, reason: '1/3 available, 3 updated' });
    expect(deploymentReadiness(deployment(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 }))).toMatchObject({ ready: false, readyCount: 0 });
  });
  it('mid-rollout (old pods still available, 4 replicas for 3) is not ready', () => {
    expect(deploymentReadiness(deployment(3, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 })).ready).toBe(false);
  });
  it('no status yet (just applied) is not ready', () => {
    expect(deploymentReadiness(deployment(3, {})).ready).toBe(false);
  });
});

const daemonSet = (status: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'netshoot', namespace: 'lesson', generation: 1 }, spec: { selector: { matchLabels: { app: 'netshoot' } } }, status }) as KubeObject;

describe('DaemonSet readiness', () => {
  it('3 scheduled, 3 ready, 3 updated: ready', () => {
    expect(daemonSetReadiness(daemonSet({ currentNumberScheduled: 3, desiredNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0, numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3 }))).toEqual({ ready: true, readyCount: 3, desired: 3 });
  });
  it('desiredNumberScheduled 0 (no node matches, or not looked at yet) is not ready', () => {
    expect(daemonSetReadiness(daemonSet({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: 1 }))).toMatchObject({ ready: false, reason: 'no node scheduled (desiredNumberScheduled 0)' });
  });
  it('2/3 ready, or not all updated, is not ready', () => {
    expect(daemonSetReadiness(daemonSet({ desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberUnavailable: 1, observedGeneration: 1 }))).toMatchObject({ ready: false, readyCount: 2, reason: '2/3 ready, 3 updated' });
    expect(daemonSetReadiness(daemonSet({ desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 2, observedGeneration: 1 })).ready).toBe(false);
  });
});

describe('StatefulSet and Pod readiness', () => {
  const sts = (replicas: number, ready?: number): KubeObject =>
    ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'lesson', generation: 1 }, spec: { replicas }, status: { observedGeneration: 1, replicas, currentReplicas: replicas, ...(ready === undefined ? {} : { readyReplicas: ready }) } }) as KubeObject;
  it('StatefulSet: readyReplicas == replicas', () => {
    expect(statefulSetReadiness(sts(2, 2)).ready).toBe(true);
    expect(statefulSetReadiness(sts(2, 1))).toMatchObject({ ready: false, reason: '1/2 ready' });
    expect(statefulSetReadiness(sts(2)).ready).toBe(false);
  });
  const pod = (phase: string, ready: 'True' | 'False'): KubeObject =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'lesson' },
      status: { phase, conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: ready }, { type: 'ContainersReady', status: ready }, { type: 'PodScheduled', status: 'True' }] },
    }) as KubeObject;
  it('Pod: the Ready condition, not the phase', () => {
    expect(podReadiness(pod('Running', 'True')).ready).toBe(true);
    expect(podReadiness(pod('Running', 'False'))).toMatchObject({ ready: false, reason: 'Running, not Ready' });
    expect(podReadiness(pod('Pending', 'False')).ready).toBe(false);
    const never = pod('Running', 'False');
    (never as unknown as { status: { conditions: Record<string, string>[] } }).status.conditions[1] = { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [client]' };
    expect(podReadiness(never)).toMatchObject({ ready: false, reason: 'Running, not Ready: ContainersNotReady (containers with unready status: [client])' });
  });
  it('a workload that does not exist is not ready', () => {
    expect(readiness('Deployment', undefined)).toMatchObject({ ready: false, reason: 'not found' });
  });
});

describe('all workloads', () => {
  const waits: WorkloadWait[] = [
    { kind: 'Deployment', namespace: 'lesson', name: 'web' },
    { kind: 'DaemonSet', namespace: 'lesson', name: 'netshoot' },
  ];
  it('done only when every one is ready; progress names what is left', () => {
    const objs = new Map<string, KubeObject>([['web', deployment(3, available3)]]);
    const r = workloadsReady(waits, (w) => objs.get(w.name));
    expect(r.done).toBe(false);
    expect(r.pending.map((p) => p.wait.name)).toEqual(['netshoot']);
    expect(workloadsProgress(2, r)).toBe('1/2 workloads ready (waiting for DaemonSet lesson/netshoot: not found)');
    objs.set('netshoot', daemonSet({ desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, observedGeneration: 1 }));
    expect(workloadsReady(waits, (w) => objs.get(w.name)).done).toBe(true);
  });
  it('the pods of a workload are found by its matchLabels', () => {
    expect(podSelector(deployment(3, {}))).toBe('app=web,tier=front');
    expect(podSelector(undefined)).toBeUndefined();
  });
});

describe('diagnostics of unready workloads', () => {
  const pod = (name: string, node: string | undefined, status: Pod['status']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'lesson' }, spec: node ? { nodeName: node } : {}, status });
  const pulling = pod('web-7d9c6b5f4d-x2x9q', 'calico-ipam-worker', {
    phase: 'Pending',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [nginx]' }, { type: 'PodScheduled', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx:1.25-doesnotexist"' } } }],
  });
  const unschedulable = pod('web-7d9c6b5f4d-q8kzt', undefined, {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling." }],
  });
  const crashing = pod('netshoot-5xk2p', 'calico-ipam-worker2', {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'netshoot', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container=netshoot pod=netshoot-5xk2p_lesson(9f1c…)' } } }],
  });
  const event = (kind: string, name: string, reason: string, message: string, at: string, count = 1): Event => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.17a`, namespace: 'lesson' },
    type: 'Warning',
    reason,
    message,
    count,
    lastTimestamp: at,
    involvedObject: { kind, name, namespace: 'lesson' },
  });
  const events: Event[] = [
    event('Pod', 'web-7d9c6b5f4d-x2x9q', 'Failed', 'Failed to pull image "nginx:1.25-doesnotexist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.25-doesnotexist": not found', '2026-12-02T15:00:01Z', 3),
    event('Pod', 'web-7d9c6b5f4d-q8kzt', 'FailedScheduling', "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", '2026-12-02T15:00:02Z'),
    event('Pod', 'calico-node-abcde', 'Unhealthy', 'Readiness probe failed', '2026-12-02T15:00:03Z'),
  ];

  it('names the workload, each pod with its reason (image problems first), and only its own events', () => {
    const lines = describeWorkloads([{ kind: 'Deployment', namespace: 'lesson', name: 'web', reason: '0/2 available, 2 updated', pods: [unschedulable, pulling] }], events);
    expect(lines[0]).toBe('Deployment lesson/web not ready: 0/2 available, 2 updated');
    expect(lines[1]).toBe('  pod lesson/web-7d9c6b5f4d-x2x9q on calico-ipam-worker: ImagePullBackOff (Back-off pulling image "nginx:1.25-doesnotexist")');
    expect(lines[2]).toMatch(/^ {2}pod lesson\/web-7d9c6b5f4d-q8kzt: Pending: Unschedulable \(0\/3 nodes are available/);
    expect(lines.filter((l) => l.startsWith('  event '))).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/event Failed Pod\/lesson\/web-7d9c6b5f4d-x2x9q: Failed to pull image .*\(×3\)/);
    expect(lines.join('\n')).not.toMatch(/calico-node/);
  });
  it('CrashLoopBackOff with its restarts; a Deployment without pods says so; a missing Pod is only named', () => {
    const lines = describeWorkloads(
      [
        { kind: 'DaemonSet', namespace: 'lesson', name: 'netshoot', reason: '2/3 ready, 3 updated', pods: [crashing] },
        { kind: 'Deployment', namespace: 'lesson', name: 'api', reason: '0/1 available, 0 updated', pods: [] },
        { kind: 'Pod', namespace: 'lesson', name: 'client', reason: 'not found', pods: [] },
      ],
      [],
    );
    expect(lines).toEqual([
      'DaemonSet lesson/netshoot not ready: 2/3 ready, 3 updated',
      '  pod lesson/netshoot-5xk2p on calico-ipam-worker2: CrashLoopBackOff (back-off 1m20s restarting failed container=netshoot pod=netshoot-5xk2p_lesson(9f1c…)), 4 restarts',
      'Deployment lesson/api not ready: 0/1 available, 0 updated',
      '  no pods were created for it',
      'Pod lesson/client not ready: not found',
    ]);
  });
  it('events of the ReplicaSet count for its Deployment (FailedCreate: quota, admission)', () => {
    const lines = describeWorkloads([{ kind: 'Deployment', namespace: 'lesson', name: 'web', reason: '0/1 available, 0 updated', pods: [] }], [
      event('ReplicaSet', 'web-7d9c6b5f4d', 'FailedCreate', 'Error creating: pods "web-7d9c6b5f4d-" is forbidden: exceeded quota', '2026-12-02T15:00:04Z'),
      event('ReplicaSet', 'webhook-55d8', 'FailedCreate', 'other', '2026-12-02T15:00:05Z'),
      event('ReplicaSet', 'web-api-6f7d8', 'FailedCreate', 'of the Deployment web-api', '2026-12-02T15:00:06Z'),
    ]);
    expect(lines.filter((l) => l.includes('FailedCreate'))).toEqual(['  event FailedCreate ReplicaSet/lesson/web-7d9c6b5f4d: Error creating: pods "web-7d9c6b5f4d-" is forbidden: exceeded quota']);
  });
});

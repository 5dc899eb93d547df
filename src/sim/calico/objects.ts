/** Builders for the Kubernetes/Calico objects the simulated operator creates. */
import { createHash, randomUUID } from 'node:crypto';
import type { StoredObject } from '../store.js';
import { fnv1_32 } from './blocks.js';

export const nowIso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Go `time.Time.String()` of now, as Calico CNI stores pod allocation timestamps. */
export function goTimeString(d = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const nanos = p(d.getUTCMilliseconds(), 3) + p(Math.floor(Math.random() * 1e6), 6);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${nanos} +0000 UTC`;
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
/** Deterministic Kubernetes-style name suffix (pod-template-hash / pod suffix) from a seed. */
export function nameSuffix(seed: string, length: number): string {
  let h = fnv1_32(seed);
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += ALNUM[h % ALNUM.length];
    h = fnv1_32(`${seed}:${i}:${h}`);
  }
  return out;
}

/** Hex template hash like the ReplicaSet's pod-template-hash (9–10 chars of [0-9a-f]). */
export const templateHash = (seed: string): string => createHash('sha256').update(seed).digest('hex').slice(0, 9).replace(/^0/, '7');

export const containerId = (): string => createHash('sha256').update(randomUUID()).digest('hex');

export function namespaceObj(name: string, labels: Record<string, string> = {}): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export interface ContainerSpec {
  name: string;
  image: string;
}

export interface PodSpecInput {
  name: string;
  namespace: string;
  nodeName: string;
  hostNetwork: boolean;
  labels: Record<string, string>;
  owner: { kind: string; name: string };
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  serviceAccountName?: string;
  priorityClassName?: string;
}

/** A freshly scheduled pod: Pending, ContainerCreating. */
export function scheduledPod(input: PodSpecInput, hostIP: string | undefined): StoredObject {
  const t = nowIso();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      // set by the DaemonSet / ReplicaSet controller that created the pod (<owner>-<5 chars>)
      generateName: `${input.owner.name}-`,
      namespace: input.namespace,
      labels: input.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: input.owner.kind, name: input.owner.name, uid: randomUUID(), controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: input.nodeName,
      hostNetwork: input.hostNetwork,
      ...(input.hostNetwork ? { dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
      ...(input.initContainers ? { initContainers: input.initContainers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent' })) } : {}),
      containers: input.containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent' })),
      serviceAccountName: input.serviceAccountName ?? input.owner.name,
      serviceAccount: input.serviceAccountName ?? input.owner.name, // the API server's deprecated alias
      ...(input.priorityClassName ? { priorityClassName: input.priorityClassName } : {}),
      tolerations: [
        { key: 'CriticalAddonsOnly', operator: 'Exists' },
        { effect: 'NoSchedule', operator: 'Exists' },
        { effect: 'NoExecute', operator: 'Exists' },
      ],
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    },
    status: {
      phase: 'Pending',
      ...(hostIP ? { hostIP } : {}), // no hostIPs: PodHostIPs is alpha (off) in Kubernetes 1.28
      startTime: t,
      qosClass: 'BestEffort',
      conditions: [
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: t, reason: 'ContainersNotReady', message: `containers with unready status: [${input.containers.map((c) => c.name).join(' ')}]` },
        { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: t, reason: 'ContainersNotReady', message: `containers with unready status: [${input.containers.map((c) => c.name).join(' ')}]` },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      ],
      containerStatuses: input.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      })),
    },
  };
}

/** Mark every container of the pod running and the pod Ready. */
export function setPodRunning(pod: StoredObject): void {
  const t = nowIso();
  const spec = pod.spec as { containers: ContainerSpec[] };
  const status = (pod.status ?? {}) as Record<string, unknown>;
  status.phase = 'Running';
  const conds = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter((c) => !['Ready', 'ContainersReady', 'PodScheduled', 'Initialized'].includes(String(c.type)));
  status.conditions = [
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    ...conds,
  ];
  const imageID = (image: string): string => `${image.replace(/:[^:/]+$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`;
  const init = (pod.spec as { initContainers?: ContainerSpec[] }).initContainers;
  // the kubelet reports each init container as terminated Completed once the pod runs (kubectl: not "Init:0/N")
  if (init && init.length > 0) {
    status.initContainerStatuses = init.map((c) => {
      const id = `containerd://${containerId()}`;
      return { name: c.name, image: c.image, imageID: imageID(c.image), containerID: id, ready: true, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: id } }, lastState: {} };
    });
  }
  status.containerStatuses = spec.containers.map((c) => ({
    name: c.name,
    image: c.image,
    imageID: imageID(c.image),
    containerID: `containerd://${containerId()}`,
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: t } },
    lastState: {},
  }));
  pod.status = status;
}

export function isPodReady(pod: StoredObject): boolean {
  const conds = ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

export function workloadObj(kind: 'Deployment' | 'DaemonSet', name: string, ns: string, labels: Record<string, string>, replicas: number, containers: ContainerSpec[], hostNetwork: boolean): StoredObject {
  const template = { metadata: { labels }, spec: { hostNetwork, containers, serviceAccountName: name } };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: ns,
      labels: { 'k8s-app': name, 'app.kubernetes.io/name': name },
      ownerReferences: [{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', name: 'default', controller: true, blockOwnerDeletion: true, uid: randomUUID() }],
    },
    spec: kind === 'Deployment' ? { replicas, selector: { matchLabels: labels }, template } : { selector: { matchLabels: labels }, template },
    status: {},
  };
}

/** Hash-like deterministic 32-hex cluster GUID. */
export const clusterGuid = (seed: string): string => createHash('md5').update(`cluster-guid:${seed}:${randomUUID()}`).digest('hex');

/** Pods made from a workload's pod template, as the ReplicaSet and DaemonSet controllers create them. */
import { suffix } from '../cluster/objects.js';
import type { StoredObject } from '../store.js';
import type { Toleration } from './match.js';

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: PodSpec;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  ports?: ContainerPort[];
  [key: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  containers?: Container[];
  initContainers?: Container[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; operator: string; values?: string[] }[] }[] } } };
  [key: string]: unknown;
}

export const podSpec = (p: StoredObject): PodSpec => (p.spec ?? {}) as PodSpec;
export const nowIso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The controller owner reference of an object (the one with controller: true). */
export function controllerOf(obj: StoredObject): { kind: string; name: string; uid: string } | undefined {
  const refs = (obj.metadata['ownerReferences'] ?? []) as { kind: string; name: string; uid: string; controller?: boolean }[];
  return refs.find((r) => r.controller === true);
}

export function ownerReference(owner: StoredObject): Record<string, unknown> {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** Image pull policy defaulting: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): string {
  const last = image.split('/').pop() ?? image;
  if (last.includes('@')) return 'IfNotPresent';
  const tag = last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainers(cs: Container[] | undefined): Container[] | undefined {
  return cs?.map((c) => ({ ...c, imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image), terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}) }));
}

/** The defaulted spec of a new pod (the API server's defaults for the fields the sim reads). */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  const containers = defaultContainers(spec.containers) ?? [];
  const init = defaultContainers(spec.initContainers);
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: spec.hostNetwork === true ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'default',
    securityContext: {},
    enableServiceLinks: true,
    ...spec,
    serviceAccount: spec.serviceAccountName ?? 'default', // the API server's deprecated alias of serviceAccountName
    containers,
    ...(init ? { initContainers: init } : {}),
    tolerations: [
      ...(spec.tolerations ?? []),
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  };
}

/** A new Pending pod of `owner` from `template` (name `<prefix><5 chars>`). */
export function podFromTemplate(owner: StoredObject, template: PodTemplate, prefix: string, extraLabels: Record<string, string>, specExtra: Partial<PodSpec> = {}): StoredObject {
  const spec = defaultPodSpec({ ...(template.spec ?? {}), ...specExtra, tolerations: [...(template.spec?.tolerations ?? []), ...(specExtra.tolerations ?? [])] });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${prefix}${suffix(5)}`,
      generateName: prefix,
      namespace: owner.metadata.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [ownerReference(owner)],
    },
    spec,
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

export function isPodReady(p: StoredObject): boolean {
  return ((p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podIPOf(p: StoredObject): string | undefined {
  return (p.status as { podIP?: string } | undefined)?.podIP;
}

/** The API server's defaults for a new pod: the defaulted spec, status Pending (whatever the client sent). */
export function admitPod(obj: StoredObject): void {
  obj.spec = defaultPodSpec(podSpec(obj));
  obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
}

/**
 * The API objects lessons 03–05's exercises judge — Services, EndpointSlices (discovery.k8s.io/v1),
 * DaemonSets and every Pod with its labels — and how each is slimmed on the way in (live, snapshot or a
 * saved `kubectl get … -o yaml|json`): only the fields the exercise probes read. A pod keeps its
 * containers' names and ports (to resolve a named targetPort) but never their env, command, volumes or
 * images' pull secrets; a DaemonSet keeps the scheduling part of its template, not its containers.
 */
import type { Condition, KubeItem, ObjectMeta } from './types.js';

export interface ServicePortSpec {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceObject extends KubeItem {
  spec?: { type?: string; clusterIP?: string; clusterIPs?: string[]; selector?: Record<string, string>; ports?: ServicePortSpec[] };
}

export interface EndpointObject {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointSliceObject extends KubeItem {
  addressType?: string;
  endpoints?: EndpointObject[] | null;
  ports?: { name?: string; protocol?: string; port?: number }[] | null;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface DaemonSetObject extends KubeItem {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { tolerations?: Toleration[]; nodeSelector?: Record<string, string>; affinity?: unknown; hostNetwork?: boolean } };
  };
  status?: { desiredNumberScheduled?: number; currentNumberScheduled?: number; numberReady?: number; numberAvailable?: number; numberMisscheduled?: number; updatedNumberScheduled?: number };
}

export interface WorkloadPodObject extends KubeItem {
  metadata: ObjectMeta & { ownerReferences?: { kind: string; name: string; controller?: boolean }[]; deletionTimestamp?: string };
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    tolerations?: Toleration[];
    containers?: { name: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; conditions?: Pick<Condition, 'type' | 'status'>[] };
}

type Meta = KubeItem['metadata'];

function meta(m: Meta | undefined, extra: Partial<Pick<WorkloadPodObject['metadata'], 'ownerReferences' | 'deletionTimestamp'>> = {}): Meta {
  const x = m ?? { name: '' };
  return {
    name: x.name,
    ...(x.namespace !== undefined ? { namespace: x.namespace } : {}),
    ...(x.labels !== undefined ? { labels: { ...x.labels } } : {}),
    ...extra,
  };
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function slimService(s: ServiceObject): ServiceObject {
  const spec = s.spec ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(s.metadata),
    spec: defined({
      type: spec.type,
      clusterIP: spec.clusterIP,
      clusterIPs: spec.clusterIPs ? [...spec.clusterIPs] : undefined,
      selector: spec.selector ? { ...spec.selector } : undefined,
      ports: spec.ports?.map((p) => defined({ name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort, nodePort: p.nodePort })),
    }),
  };
}

export function slimEndpointSlice(s: EndpointSliceObject): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(s.metadata),
    ...(s.addressType !== undefined ? { addressType: s.addressType } : {}),
    endpoints: (s.endpoints ?? []).map((e) =>
      defined({
        addresses: e.addresses ? [...e.addresses] : undefined,
        conditions: e.conditions ? defined({ ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating }) : undefined,
        nodeName: e.nodeName,
        targetRef: e.targetRef ? defined({ kind: e.targetRef.kind, name: e.targetRef.name, namespace: e.targetRef.namespace }) : undefined,
      }),
    ),
    ports: (s.ports ?? []).map((p) => defined({ name: p.name, protocol: p.protocol, port: p.port })),
  };
}

export function slimDaemonSet(d: DaemonSetObject): DaemonSetObject {
  const t = d.spec?.template;
  const ts = t?.spec;
  const st = d.status ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(d.metadata),
    spec: defined({
      selector: d.spec?.selector?.matchLabels ? { matchLabels: { ...d.spec.selector.matchLabels } } : undefined,
      template: defined({
        metadata: t?.metadata?.labels ? { labels: { ...t.metadata.labels } } : undefined,
        spec: ts ? defined({ tolerations: ts.tolerations?.map(slimToleration), nodeSelector: ts.nodeSelector ? { ...ts.nodeSelector } : undefined, affinity: ts.affinity !== undefined ? ts.affinity : undefined, hostNetwork: ts.hostNetwork === true ? true : undefined }) : undefined,
      }),
    }),
    status: defined({
      desiredNumberScheduled: st.desiredNumberScheduled,
      currentNumberScheduled: st.currentNumberScheduled,
      numberReady: st.numberReady,
      numberAvailable: st.numberAvailable,
      numberMisscheduled: st.numberMisscheduled,
      updatedNumberScheduled: st.updatedNumberScheduled,
    }),
  };
}

function slimToleration(t: Toleration): Toleration {
  return defined({ key: t.key, operator: t.operator, value: t.value, effect: t.effect });
}

/** Every pod (hostNetwork ones too): labels, owner kinds/names, node, tolerations, container ports, phase, IPs, conditions. */
export function slimWorkloadPod(p: WorkloadPodObject): WorkloadPodObject {
  const m = p.metadata;
  const owners = m?.ownerReferences?.map((o) => defined({ kind: o.kind, name: o.name, controller: o.controller }));
  const spec = p.spec ?? {};
  const s = p.status ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(m, defined({ ownerReferences: owners, deletionTimestamp: m?.deletionTimestamp })) as WorkloadPodObject['metadata'],
    spec: defined({
      nodeName: spec.nodeName,
      hostNetwork: spec.hostNetwork === true ? true : undefined,
      tolerations: spec.tolerations?.map(slimToleration),
      containers: spec.containers?.map((c) => defined({ name: c.name, ports: c.ports?.map((x) => defined({ name: x.name, containerPort: x.containerPort, protocol: x.protocol })) })),
    }),
    status: defined({
      phase: s.phase,
      podIP: s.podIP,
      podIPs: s.podIPs?.map((x) => ({ ip: x.ip })),
      conditions: s.conditions?.map((c) => ({ type: c.type, status: c.status })),
    }),
  };
}

/**
 * `VerifyInputs`: everything the rules read, keyed by input name. Each input is either present (with
 * where it came from, e.g. `crd.projectcalico.org/v1` or a file name) or absent with the reason, so a
 * rule that needs an absent input is not evaluated (or fails, when reading it failed) saying why. The same object is gathered from a live lab
 * (`gather.ts`), written by `lab snapshot` and read back from a snapshot or a directory of tool outputs
 * (`snapshot.ts`). Objects are slimmed on the way in: no managedFields, no last-applied annotation,
 * only the fields verify judges for Nodes and Pods (so a snapshot cannot carry secrets from pod specs).
 */
import type {
  BlockAffinityObject,
  ClabRow,
  HostRoute,
  InstallationObject,
  IPAMBlockObject,
  IPAMHandleObject,
  IpamCheckReport,
  IpamShow,
  IPPoolObject,
  KubeItem,
  NodeObject,
  PodObject,
  NodeRowView,
  PodRowView,
  AffinityNameView,
  IpamCheckSummary,
  TigeraRow,
  TigeraStatus,
} from './types.js';
import type { DaemonSetObject, EndpointSliceObject, ServiceObject, WorkloadPodObject } from './workload-objects.js';

/**
 * An input is present (with where it came from) or absent with the reason. An absent input is
 * - `failed` when it was there to read and reading it failed (a list call, calicoctl): rules needing it FAIL;
 * - `notApplicable` when it cannot exist on this host or lab (no calicoctl build for the OS, no route table);
 * - otherwise simply not given (a snapshot without it): rules needing it are not evaluated.
 */
export type Input<T> = { ok: true; value: T; source: string } | { ok: false; reason: string; failed?: boolean; notApplicable?: boolean };

/**
 * The value type behind each input key. OPEN: a later lesson adds its own observations with
 * `declare module '…/calico/inputs.js' { interface InputTypes { myKey: MyType } }` plus
 * `registerInput('myKey', label)` and a provider — the rule engine never lists the keys.
 */
export interface InputTypes {
  tigeraStatuses: TigeraStatus[];
  nodes: NodeObject[];
  /** Pod-network pods only (not hostNetwork), all namespaces. */
  pods: PodObject[];
  ippools: IPPoolObject[];
  ipamBlocks: IPAMBlockObject[];
  blockAffinities: BlockAffinityObject[];
  ipamHandles: IPAMHandleObject[];
  installations: InstallationObject[];
  containers: ClabRow[];
  ipamShow: IpamShow;
  ipamCheck: IpamCheckReport;
  kindSubnets: string[];
  hostRoutes: HostRoute[];
  /** v1 Services, all namespaces (lessons 04–05). */
  services: ServiceObject[];
  /** discovery.k8s.io/v1 EndpointSlices, all namespaces. */
  endpointSlices: EndpointSliceObject[];
  /** apps/v1 DaemonSets, all namespaces (lessons 03, 05). */
  daemonSets: DaemonSetObject[];
  /** Every Pod (hostNetwork ones too) with labels, owners, tolerations and conditions; from the same list call as `pods`. */
  workloadPods: WorkloadPodObject[];
  /** The weaker views (a table shows less than the objects); derived from the objects when those are there. */
  tigeraRows: TigeraRow[];
  nodeRows: NodeRowView[];
  podRows: PodRowView[];
  affinityNames: AffinityNameView[];
  /** `calicoctl ipam show --show-blocks` (the ipamShow input when it has block rows). */
  ipamShowBlocks: IpamShow;
  ipamCheckText: IpamCheckSummary;
  /** `ip route` run in a lab node (a transcript's `root@<node>` prompt), by node name. */
  nodeRoutes: Record<string, HostRoute[]>;
}

export type InputName = keyof InputTypes & string;

export type VerifyInputs = { [K in InputName]: Input<InputTypes[K]> };

/** How each input is described to a user ("needs …"); `registerInput` adds one. */
export const INPUT_LABELS: Record<string, string> = {
  tigeraStatuses: 'TigeraStatuses (kubectl get tigerastatus -o yaml)',
  nodes: 'Nodes (kubectl get nodes -o yaml)',
  pods: 'Pods (kubectl get pods -A -o yaml)',
  ippools: 'IPPools (kubectl get ippools.crd.projectcalico.org)',
  ipamBlocks: 'IPAMBlocks (kubectl get ipamblocks.crd.projectcalico.org)',
  blockAffinities: 'BlockAffinities (kubectl get blockaffinities -o yaml)',
  ipamHandles: 'IPAMHandles (kubectl get ipamhandles.crd.projectcalico.org)',
  installations: 'Installation (kubectl get installation default)',
  containers: 'containerlab inspect',
  ipamShow: 'calicoctl ipam show',
  ipamCheck: 'calicoctl ipam check -o <file>',
  kindSubnets: 'docker network inspect kind',
  hostRoutes: 'host routes (ip route)',
  services: 'Services (kubectl get svc -A -o yaml)',
  endpointSlices: 'EndpointSlices (kubectl get endpointslices -A -o yaml)',
  daemonSets: 'DaemonSets (kubectl get ds -A -o yaml)',
  workloadPods: 'Pods with labels and conditions (kubectl get pods -A -o yaml)',
  tigeraRows: 'TigeraStatus table (kubectl get tigerastatus)',
  nodeRows: 'Nodes table (kubectl get nodes -o wide)',
  podRows: 'Pods table (kubectl get pods -A -o wide)',
  affinityNames: 'BlockAffinity names (kubectl get blockaffinities)',
  ipamShowBlocks: 'calicoctl ipam show --show-blocks',
  ipamCheckText: 'calicoctl ipam check',
  nodeRoutes: 'node routes (ip route in a kind node)',
};

/** The inputs a live read or a snapshot fills directly (the derived views come after, see derive.ts). */
export const INPUT_NAMES: InputName[] = [
  'tigeraStatuses', 'nodes', 'pods', 'ippools', 'ipamBlocks', 'blockAffinities', 'ipamHandles', 'installations',
  'containers', 'ipamShow', 'ipamCheck', 'kindSubnets', 'hostRoutes',
  'services', 'endpointSlices', 'daemonSets', 'workloadPods',
  'tigeraRows', 'nodeRows', 'podRows', 'affinityNames', 'ipamShowBlocks', 'ipamCheckText', 'nodeRoutes',
];

/** The inputs a live run reads directly (what `lab snapshot` captures). */
export const PRIMARY_INPUTS: readonly InputName[] = INPUT_NAMES.slice(0, INPUT_NAMES.indexOf('workloadPods') + 1);

/** Register an input key a lesson adds (its label; the key is then stored and reported like the others). */
export function registerInput(name: InputName, label: string): void {
  INPUT_LABELS[name] = label;
  if (!INPUT_NAMES.includes(name)) INPUT_NAMES.push(name);
}

export function inputLabel(name: string): string {
  return INPUT_LABELS[name] ?? name;
}

export function present<T>(value: T, source: string): Input<T> {
  return { ok: true, value, source };
}

export function absent<T>(reason: string, o: { failed?: boolean; notApplicable?: boolean } = {}): Input<T> {
  return { ok: false, reason, ...(o.failed ? { failed: true } : {}), ...(o.notApplicable ? { notApplicable: true } : {}) };
}

export function emptyInputs(reason: string): VerifyInputs {
  const out = {} as Record<InputName, Input<unknown>>;
  for (const name of INPUT_NAMES) out[name] = absent(reason);
  return out as unknown as VerifyInputs;
}

const DROPPED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

/** Drop managedFields and the last-applied annotation; keep everything else of the object. */
export function cleanObject<T extends KubeItem>(obj: T): T {
  const { managedFields: _m, ...metadata } = obj.metadata ?? ({ name: '' } as KubeItem['metadata']);
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    for (const a of DROPPED_ANNOTATIONS) delete annotations[a];
    metadata.annotations = annotations;
  }
  return { ...obj, metadata } as T;
}

function pickMeta(obj: KubeItem, annotationPrefix?: string): KubeItem['metadata'] {
  const m = obj.metadata ?? { name: '' };
  const annotations = annotationPrefix === undefined
    ? undefined
    : Object.fromEntries(Object.entries(m.annotations ?? {}).filter(([k]) => k.startsWith(annotationPrefix)));
  return {
    name: m.name,
    ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
    ...(m.labels !== undefined ? { labels: m.labels } : {}),
    ...(annotations !== undefined && Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(m.creationTimestamp !== undefined ? { creationTimestamp: m.creationTimestamp } : {}),
  };
}

/** Only what the checks read: labels, Calico annotations, conditions, addresses, nodeInfo versions. */
export function slimNode(node: NodeObject): NodeObject {
  const s = node.status ?? {};
  const info = s.nodeInfo;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: pickMeta(node, 'projectcalico.org/'),
    ...(node.spec?.podCIDR !== undefined ? { spec: { podCIDR: node.spec.podCIDR } } : {}),
    status: {
      ...(s.conditions ? { conditions: s.conditions.map(slimCondition) } : {}),
      ...(s.addresses ? { addresses: s.addresses.map((a) => ({ type: a.type, address: a.address })) } : {}),
      ...(info
        ? { nodeInfo: { ...(info.kubeletVersion ? { kubeletVersion: info.kubeletVersion } : {}), ...(info.containerRuntimeVersion ? { containerRuntimeVersion: info.containerRuntimeVersion } : {}), ...(info.osImage ? { osImage: info.osImage } : {}) } }
        : {}),
    },
  };
}

function slimCondition(c: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }): { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string } {
  return {
    type: c.type,
    status: c.status,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    ...(c.lastTransitionTime !== undefined ? { lastTransitionTime: c.lastTransitionTime } : {}),
  };
}

/** Only name, namespace, node, hostNetwork, phase and IPs: never the spec's containers (env values, tokens). */
export function slimPod(pod: PodObject): PodObject {
  const s = pod.status ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.metadata?.name ?? '', ...(pod.metadata?.namespace !== undefined ? { namespace: pod.metadata.namespace } : {}) },
    spec: { ...(pod.spec?.nodeName !== undefined ? { nodeName: pod.spec.nodeName } : {}), ...(pod.spec?.hostNetwork === true ? { hostNetwork: true } : {}) },
    status: {
      ...(s.phase !== undefined ? { phase: s.phase } : {}),
      ...(s.podIP !== undefined ? { podIP: s.podIP } : {}),
      ...(s.podIPs !== undefined ? { podIPs: s.podIPs.map((p) => ({ ip: p.ip })) } : {}),
      ...(s.hostIP !== undefined ? { hostIP: s.hostIP } : {}),
    },
  };
}

export function isPodNetwork(pod: PodObject): boolean {
  return pod.spec?.hostNetwork !== true;
}

export function slimTigeraStatus(ts: TigeraStatus): TigeraStatus {
  return {
    apiVersion: ts.apiVersion ?? 'operator.tigera.io/v1',
    kind: 'TigeraStatus',
    metadata: pickMeta(ts),
    status: { conditions: (ts.status?.conditions ?? []).map(slimCondition) },
  };
}

/** Installation: only its pool list, MTU and status version/conditions. */
export function slimInstallation(inst: InstallationObject): InstallationObject {
  return {
    apiVersion: inst.apiVersion ?? 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: pickMeta(inst),
    spec: { calicoNetwork: { ipPools: inst.spec?.calicoNetwork?.ipPools ?? [], ...(typeof inst.spec?.calicoNetwork?.mtu === 'number' ? { mtu: inst.spec.calicoNetwork.mtu } : {}) } },
    ...(inst.status ? { status: { ...(inst.status.calicoVersion ? { calicoVersion: inst.status.calicoVersion } : {}), ...(inst.status.conditions ? { conditions: inst.status.conditions.map(slimCondition) } : {}) } } : {}),
  };
}

export type AffinityShape = 'crd.projectcalico.org/v1' | 'projectcalico.org/v3';

/**
 * BlockAffinity in either shape → the crd v1 shape: `deleted` the STRING "true"/"false".
 * projectcalico.org/v3 (what `kubectl get blockaffinities` shows with the Calico API server) has a
 * bool or omitted `deleted` and no `type`.
 */
export function normaliseAffinity(obj: BlockAffinityObject): { affinity: BlockAffinityObject; shape: AffinityShape } {
  const clean = cleanObject(obj);
  const shape: AffinityShape = (obj.apiVersion ?? '').startsWith('projectcalico.org/') ? 'projectcalico.org/v3' : 'crd.projectcalico.org/v1';
  const spec = { ...(clean.spec ?? {}) } as Record<string, unknown>;
  const deleted = spec['deleted'];
  if (typeof deleted === 'boolean') spec['deleted'] = deleted ? 'true' : 'false';
  else if (deleted === undefined && shape === 'projectcalico.org/v3') spec['deleted'] = 'false';
  return { affinity: { ...clean, spec: spec as BlockAffinityObject['spec'] }, shape };
}

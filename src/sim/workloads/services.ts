/**
 * Services: the API server's ClusterIP (and NodePort) allocation at create time (admit), and the
 * EndpointSlice controller: one slice per distinct port mapping, endpoints for every selected pod that
 * has an IP and is not terminating, `conditions.ready` from the pod's Ready condition.
 */
import { fnv1_32 } from '../calico/blocks.js';
import { cidrSize, ipToNum, numToIp, parseCidr } from '../calico/cidr.js';
import { nameSuffix } from '../calico/objects.js';
import { refs } from '../cluster/objects.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { mapSelects } from './match.js';
import { type Container, isPodReady, ownerReference, podIPOf, podSpec } from './pods.js';

export const ENDPOINTSLICES_REF = { group: 'discovery.k8s.io', resource: 'endpointslices' } as const;
const MANAGED_BY = 'endpointslice-controller.k8s.io';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
  appProtocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  selector?: Record<string, string>;
  ports?: ServicePort[];
  [key: string]: unknown;
}

const svcSpec = (s: StoredObject): ServiceSpec => (s.spec ?? {}) as ServiceSpec;

/**
 * Defaults of a new Service (mutates `obj`): type ClusterIP, a free ClusterIP of `serviceSubnet` (never
 * the network address, .1 for `kubernetes` or .10 for kube-dns), port protocol/targetPort, NodePorts.
 */
export function admitService(store: ObjectStore, serviceSubnet: string, obj: StoredObject): void {
  const spec = ((obj.spec as ServiceSpec | undefined) ?? {}) as ServiceSpec;
  obj.spec = spec;
  spec.type ??= 'ClusterIP';
  spec.ports = (spec.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port }));
  Object.assign(spec, { sessionAffinity: spec['sessionAffinity'] ?? 'None', internalTrafficPolicy: spec['internalTrafficPolicy'] ?? 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  if (spec.type === 'ExternalName') return;
  const existing = store.list(refs.services).items;
  if (spec.clusterIP === undefined || spec.clusterIP === '') {
    const taken = new Set(existing.map((s) => svcSpec(s).clusterIP));
    const net = parseCidr(serviceSubnet);
    const size = cidrSize(net);
    const start = fnv1_32(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`) % size;
    for (let i = 0; i < size; i += 1) {
      const off = (start + i) % size;
      const ip = numToIp(net.base + off);
      if (off === 0 || off === 1 || off === 10 || off === size - 1 || taken.has(ip)) continue;
      spec.clusterIP = ip;
      break;
    }
  }
  if (spec.clusterIP !== undefined) spec.clusterIPs = [spec.clusterIP];
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    const used = new Set(existing.flatMap((s) => (svcSpec(s).ports ?? []).map((p) => p.nodePort)));
    let next = 30000 + (fnv1_32(obj.metadata.name) % 2768);
    for (const p of spec.ports) {
      if (p.nodePort !== undefined) continue;
      while (used.has(next)) next = next >= 32767 ? 30000 : next + 1;
      p.nodePort = next;
      used.add(next);
    }
  }
  obj.status ??= { loadBalancer: {} };
}

/** The port a Service port targets on one pod (a number, or a container port's name); undefined if the pod has no such name. */
function resolvePort(p: ServicePort, containers: readonly Container[]): number | undefined {
  const t = p.targetPort ?? p.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of containers) for (const cp of c.ports ?? []) if (cp.name === t && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) return cp.containerPort;
  return undefined;
}

interface SliceContent {
  ports: { name: string; port: number; protocol: string; appProtocol?: string }[];
  endpoints: Record<string, unknown>[];
}

/** Group the selected pods by their resolved ports (one EndpointSlice each). */
function slicesFor(svc: StoredObject, pods: readonly StoredObject[]): Map<string, SliceContent> {
  const spec = svcSpec(svc);
  const out = new Map<string, SliceContent>();
  for (const pod of pods) {
    const ip = podIPOf(pod);
    if (ip === undefined || pod.metadata.deletionTimestamp || !mapSelects(spec.selector, pod.metadata.labels)) continue;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const ports = (spec.ports ?? []).flatMap((p) => {
      const port = resolvePort(p, podSpec(pod).containers ?? []);
      return port === undefined ? [] : [{ name: p.name ?? '', port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }];
    });
    const key = JSON.stringify(ports);
    let slice = out.get(key);
    if (!slice) out.set(key, (slice = { ports, endpoints: [] }));
    const ready = isPodReady(pod);
    const { hostname, subdomain } = podSpec(pod) as { hostname?: string; subdomain?: string };
    slice.endpoints.push({
      addresses: [ip],
      ...(hostname !== undefined && subdomain === svc.metadata.name ? { hostname } : {}),
      conditions: { ready, serving: ready, terminating: false },
      nodeName: podSpec(pod).nodeName,
      targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    });
  }
  for (const s of out.values()) s.endpoints.sort((a, b) => ipToNum((a['addresses'] as string[])[0] ?? '0.0.0.0') - ipToNum((b['addresses'] as string[])[0] ?? '0.0.0.0'));
  return out;
}

/**
 * Create, update and delete the EndpointSlices of every Service with a selector — in every namespace,
 * like kube-controller-manager's controller: kube-dns's slice holds the CoreDNS pods the kind boot made.
 */
export function reconcileEndpointSlices(store: ObjectStore): void {
  const services = store.list(refs.services).items;
  const pods = store.list(refs.pods).items;
  const slices = store.list(ENDPOINTSLICES_REF).items.filter((s) => s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY);
  const wanted = new Set<string>();
  for (const svc of services) {
    const spec = svcSpec(svc);
    if (!spec.selector || Object.keys(spec.selector).length === 0) continue;
    const ns = svc.metadata.namespace ?? 'default';
    const groups = slicesFor(svc, pods.filter((p) => p.metadata.namespace === ns));
    // A selector that selects nothing still gets one (empty) slice, like the real controller.
    if (groups.size === 0) groups.set('[]', { ports: [], endpoints: [] });
    for (const [key, content] of groups) {
      const name = `${svc.metadata.name}-${nameSuffix(`${svc.metadata.uid ?? ''}/${key}`, 5)}`;
      wanted.add(`${ns}/${name}`);
      const body: StoredObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name, namespace: ns, generateName: `${svc.metadata.name}-`, labels: { 'kubernetes.io/service-name': svc.metadata.name, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY }, ownerReferences: [{ ...ownerReference(svc), blockOwnerDeletion: true }] },
        addressType: 'IPv4',
        endpoints: content.endpoints,
        ports: content.ports,
      };
      const cur = slices.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
      if (!cur) store.create(ENDPOINTSLICES_REF, body);
      else if (JSON.stringify([cur['endpoints'], cur['ports']]) !== JSON.stringify([body['endpoints'], body['ports']])) {
        store.mutate(ENDPOINTSLICES_REF, ns, name, (o) => Object.assign(o, { endpoints: body['endpoints'], ports: body['ports'] }));
      }
    }
  }
  for (const s of slices) if (!wanted.has(`${s.metadata.namespace ?? ''}/${s.metadata.name}`)) store.delete(ENDPOINTSLICES_REF, s.metadata.namespace, s.metadata.name);
}

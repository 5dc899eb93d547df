/**
 * Validation rules for the lab's files. Each rule reads plain values and reports problems with the
 * exact place (file:line and the path of the bad value) and the fix. No I/O here.
 */
import type { YamlDoc } from './yaml.js';
import { canonicalCidr, cidrOverlaps, parseCidr } from './cidr.js';
import type { CalicoPool, ExpectedNode, NodeRole } from './model.js';

export interface Problem {
  file: string;
  line: number;
  /** Dotted path of the bad value, e.g. `topology.nodes.calico-ipam.startup-config`. */
  path: string;
  message: string;
  fix: string;
}

export class Problems {
  readonly list: Problem[] = [];
  add(doc: YamlDoc, path: (string | number)[], message: string, fix: string): void {
    this.list.push({ file: doc.file, line: doc.lineOf(path), path: path.join('.'), message, fix });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface TopologyFacts {
  name: string;
  node: string;
  image: string;
  startupConfig: string;
}

/** containerlab topology: a name and exactly one k8s-kind node with an image and a startup-config. */
export function checkTopology(doc: YamlDoc, problems: Problems): TopologyFacts | undefined {
  const v = doc.value;
  if (!isRecord(v)) {
    problems.add(doc, [], 'the topology is not a YAML mapping', 'start from topology/01-calico-ipam/calico-ipam.clab.yaml: `name:` and `topology.nodes`');
    return undefined;
  }
  const name = v['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    problems.add(doc, ['name'], 'the topology has no `name`', 'add `name: <lab-name>` at the top');
  }
  const nodes = isRecord(v['topology']) ? v['topology']['nodes'] : undefined;
  if (!isRecord(nodes)) {
    problems.add(doc, ['topology'], 'the topology has no `topology.nodes` mapping', 'add `topology:` → `nodes:` with one node of `kind: k8s-kind`');
    return undefined;
  }
  const kindNodes = Object.entries(nodes).filter(([, n]) => isRecord(n) && n['kind'] === 'k8s-kind');
  if (kindNodes.length === 0) {
    const kinds = Object.entries(nodes).map(([k, n]) => `${k} (${isRecord(n) ? String(n['kind'] ?? 'no kind') : 'not a mapping'})`);
    problems.add(doc, ['topology', 'nodes'], `the topology has no node of kind k8s-kind${kinds.length ? `: found ${kinds.join(', ')}` : ''}`, 'declare the kind cluster as a node with `kind: k8s-kind`');
    return undefined;
  }
  if (kindNodes.length > 1) {
    problems.add(doc, ['topology', 'nodes', kindNodes[1]![0]], `the topology has ${kindNodes.length} k8s-kind nodes; lab drives one cluster per lab`, 'keep one k8s-kind node, or split the lab');
  }
  const [nodeName, node] = kindNodes[0] as [string, Record<string, unknown>];
  const image = node['image'];
  if (typeof image !== 'string' || image.trim() === '') {
    problems.add(doc, ['topology', 'nodes', nodeName], `node ${nodeName} has no \`image\``, 'add `image: kindest/node:v1.28.0` (the kind node image)');
  }
  const startup = node['startup-config'];
  if (typeof startup !== 'string' || startup.trim() === '') {
    problems.add(doc, ['topology', 'nodes', nodeName], `node ${nodeName} has no \`startup-config\` (the kind cluster config)`, 'add `startup-config: <file>.yaml` pointing at a kind.x-k8s.io/v1alpha4 Cluster with disableDefaultCNI: true');
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(nodeName)) {
    problems.add(doc, ['topology', 'nodes', nodeName], `node name ${nodeName} is not a valid kind cluster / Kubernetes node name prefix`, 'use lower-case letters, digits and dashes');
  }
  if (typeof name !== 'string' || typeof image !== 'string' || typeof startup !== 'string') return undefined;
  return { name, node: nodeName, image, startupConfig: startup };
}

export interface KindFacts {
  nodes: ExpectedNode[];
  podSubnet: string;
  serviceSubnet: string;
}

/** kind Cluster config: apiVersion/kind, at least one control-plane, no default CNI (Calico is the CNI). */
export function checkKindConfig(doc: YamlDoc, cluster: string, problems: Problems): KindFacts | undefined {
  const v = doc.value;
  if (!isRecord(v)) {
    problems.add(doc, [], 'the kind config is not a YAML mapping', 'write a `kind: Cluster` / `apiVersion: kind.x-k8s.io/v1alpha4` document');
    return undefined;
  }
  if (v['kind'] !== 'Cluster') {
    problems.add(doc, ['kind'], `kind is ${JSON.stringify(v['kind'] ?? null)}, expected "Cluster"`, 'set `kind: Cluster`');
  }
  if (v['apiVersion'] !== 'kind.x-k8s.io/v1alpha4') {
    problems.add(doc, ['apiVersion'], `apiVersion is ${JSON.stringify(v['apiVersion'] ?? null)}, expected "kind.x-k8s.io/v1alpha4"`, 'set `apiVersion: kind.x-k8s.io/v1alpha4`');
  }
  const networking = isRecord(v['networking']) ? v['networking'] : {};
  if (networking['disableDefaultCNI'] !== true) {
    problems.add(doc, ['networking', 'disableDefaultCNI'], 'the default CNI (kindnet) is not disabled; it would fight with Calico', 'set `networking.disableDefaultCNI: true`');
  }
  const podSubnet = typeof networking['podSubnet'] === 'string' ? networking['podSubnet'] : '10.244.0.0/16';
  const serviceSubnet = typeof networking['serviceSubnet'] === 'string' ? networking['serviceSubnet'] : '10.96.0.0/16';
  for (const [key, value] of [['podSubnet', podSubnet], ['serviceSubnet', serviceSubnet]] as const) {
    if (!parseCidr(value)) problems.add(doc, ['networking', key], `networking.${key} ${JSON.stringify(value)} is not a CIDR`, `write it like 192.168.0.0/16`);
  }
  const rawNodes = v['nodes'] === undefined ? [{ role: 'control-plane' }] : v['nodes'];
  if (!Array.isArray(rawNodes)) {
    problems.add(doc, ['nodes'], '`nodes` is not a list', 'write `nodes:` as a list of `- role: control-plane|worker`');
    return undefined;
  }
  const roles: NodeRole[] = [];
  rawNodes.forEach((n, i) => {
    const role = isRecord(n) ? n['role'] : undefined;
    if (role === 'control-plane' || role === 'worker') roles.push(role);
    else problems.add(doc, ['nodes', i, 'role'], `nodes[${i}].role is ${JSON.stringify(role ?? null)}, expected control-plane or worker`, 'use `role: control-plane` or `role: worker`');
  });
  if (!roles.includes('control-plane')) {
    problems.add(doc, ['nodes'], 'the kind config has no control-plane node', 'add `- role: control-plane` to `nodes`');
  }
  return { nodes: kindNodeNames(cluster, roles), podSubnet, serviceSubnet };
}

/** kind's naming: `<cluster>-<role>` for the first of a role, then `<cluster>-<role>2`, `3`… in config order. */
export function kindNodeNames(cluster: string, roles: readonly NodeRole[]): ExpectedNode[] {
  const seen: Record<NodeRole, number> = { 'control-plane': 0, worker: 0 };
  return roles.map((role) => {
    seen[role] += 1;
    return { name: `${cluster}-${role}${seen[role] > 1 ? seen[role] : ''}`, role };
  });
}

/** The first IPv4 pool of the Installation, checked against the kind config. */
export function checkInstallation(doc: YamlDoc, index: number, kind: KindFacts | undefined, problems: Problems): CalicoPool | undefined {
  const base = ['spec', 'calicoNetwork', 'ipPools'];
  const inst = doc.value as Record<string, unknown>;
  const pools = isRecord(inst['spec']) && isRecord(inst['spec']['calicoNetwork']) ? inst['spec']['calicoNetwork']['ipPools'] : undefined;
  if (!Array.isArray(pools) || pools.length === 0) {
    problems.add(doc, base.slice(0, 2), 'the Installation has no spec.calicoNetwork.ipPools', 'add an IPv4 pool: cidr, blockSize, encapsulation, natOutgoing, nodeSelector');
    return undefined;
  }
  void index;
  const i = pools.findIndex((p) => isRecord(p) && typeof p['cidr'] === 'string' && parseCidr(p['cidr'])?.family === 4);
  if (i === -1) {
    problems.add(doc, base, 'the Installation has no IPv4 pool with a valid cidr', 'set `cidr:` of the pool to the kind podSubnet, e.g. 192.168.0.0/16');
    return undefined;
  }
  const p = pools[i] as Record<string, unknown>;
  const cidr = parseCidr(p['cidr'] as string)!;
  const blockSize = p['blockSize'] === undefined ? 26 : p['blockSize'];
  if (typeof blockSize !== 'number' || !Number.isInteger(blockSize) || blockSize < 20 || blockSize > 32) {
    problems.add(doc, [...base, i, 'blockSize'], `blockSize ${JSON.stringify(blockSize)} is outside 20–32 (Calico's range for IPv4)`, 'use a block size between 20 and 32; the lesson uses 26 (64 addresses per block)');
  } else if (blockSize < cidr.prefix) {
    problems.add(doc, [...base, i, 'blockSize'], `blockSize /${blockSize} is larger than the pool /${cidr.prefix}`, 'use a block size at least the pool prefix length');
  }
  if (kind) {
    const pod = parseCidr(kind.podSubnet);
    if (pod && canonicalCidr(pod) !== canonicalCidr(cidr)) {
      problems.add(doc, [...base, i, 'cidr'], `pool cidr ${p['cidr'] as string} differs from the kind podSubnet ${kind.podSubnet}`, 'make the Installation pool cidr and the kind config networking.podSubnet the same');
    }
    const svc = parseCidr(kind.serviceSubnet);
    if (svc && cidrOverlaps(svc, cidr)) {
      problems.add(doc, [...base, i, 'cidr'], `pool cidr ${p['cidr'] as string} overlaps the service CIDR ${kind.serviceSubnet}`, 'pick pod and service ranges that do not overlap (the lesson: pods 192.168.0.0/16, services 10.96.0.0/16)');
    }
  }
  const str = (key: string, dflt: string): string => (typeof p[key] === 'string' ? (p[key] as string) : dflt);
  return {
    name: str('name', 'default-ipv4-ippool'),
    cidr: canonicalCidr(cidr),
    blockSize: typeof blockSize === 'number' ? blockSize : 26,
    encapsulation: str('encapsulation', 'IPIP'),
    natOutgoing: str('natOutgoing', 'Enabled'),
    nodeSelector: str('nodeSelector', 'all()'),
  };
}

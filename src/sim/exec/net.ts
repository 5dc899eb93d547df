/**
 * The network as Calico and the kubelet program it, DERIVED from the world's store (Pods, Nodes,
 * IPPool, Installation, IPAMBlocks, the kube-dns Service) — never canned per lesson. A pod: lo and
 * eth0 (its pod IP /32, MTU = uplink 1500 − encapsulation overhead, the peer ifindex of its cali
 * interface), the link-local gateway routes, resolv.conf as the kubelet writes it. A node: eth0 on
 * the kind network, vxlan.calico with the tunnel IP, a cali interface and /32 route per local pod,
 * a blackhole per own block, routes to the other nodes' blocks as Felix programs them.
 * Faults: pod-mtu-mismatch (pods' eth0 report 1500), missing-pod-route (see missingRoutePod).
 */
import { createHash } from 'node:crypto';
import type { FaultId } from '../context.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { R, TUNNEL_ANNOTATION } from '../calico/refs.js';

export interface SimAddr {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: 'global' | 'link' | 'host';
  label?: string;
}

export interface SimLink {
  ifindex: number;
  name: string;
  peerIfindex?: number;
  flags: string[];
  mtu: number;
  qdisc: string;
  state: 'UP' | 'UNKNOWN';
  qlen?: number;
  linkType: 'ether' | 'loopback';
  mac: string;
  linkNetnsId?: number;
  linkNetns?: string;
  addrs: SimAddr[];
}

export interface SimRoute {
  type?: 'blackhole';
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: 'link';
  prefsrc?: string;
  flags: string[];
}

/** One network namespace's view: what `ip` and `cat /etc/resolv.conf` print inside it. */
export interface NetView {
  hostname: string;
  links: SimLink[];
  routes: SimRoute[];
  resolvConf: string;
  /** busybox `ip` (no `-j`) or iproute2. */
  tools: 'busybox' | 'iproute2';
}

export interface NetWorld {
  store: ObjectStore;
  faults: ReadonlySet<FaultId>;
}

export const UPLINK_MTU = 1500;
export const CALICO_GATEWAY = '169.254.1.1';
const CLUSTER_DOMAIN = 'cluster.local';
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'calico-system', 'calico-apiserver', 'tigera-operator', 'local-path-storage']);

const spec = <T>(o: StoredObject | undefined): T => ((o?.spec ?? {}) as T);
const status = <T>(o: StoredObject | undefined): T => ((o?.status ?? {}) as T);
const hex = (s: string): string => createHash('sha1').update(s).digest('hex');

export const podIP = (p: StoredObject): string | undefined => status<{ podIP?: string }>(p).podIP;
export const nodeNameOf = (p: StoredObject): string | undefined => spec<{ nodeName?: string }>(p).nodeName;
const onPodNetwork = (p: StoredObject): boolean => spec<{ hostNetwork?: boolean }>(p).hostNetwork !== true && podIP(p) !== undefined && !p.metadata.deletionTimestamp;

/** Calico's host-side veth name: "cali" + the first 11 hex digits of sha1("<namespace>.<pod>"). */
export function caliName(namespace: string, pod: string): string {
  return `cali${hex(`${namespace}.${pod}`).slice(0, 11)}`;
}

/** A locally administered unicast MAC derived from a seed. */
function mac(seed: string): string {
  const h = hex(seed);
  const first = ((parseInt(h.slice(0, 2), 16) | 0x02) & 0xfe).toString(16).padStart(2, '0');
  return [first, ...[1, 2, 3, 4, 5].map((i) => h.slice(i * 2, i * 2 + 2))].join(':');
}

/** Encapsulation overhead of the pool in use: VXLAN 50 bytes, IP-in-IP 20, none 0. */
export function encapOverhead(world: NetWorld): number {
  const pool = world.store.list(R.ippools).items[0];
  const p = spec<{ vxlanMode?: string; ipipMode?: string }>(pool);
  if (p.vxlanMode !== undefined && p.vxlanMode !== 'Never') return 50;
  if (p.ipipMode !== undefined && p.ipipMode !== 'Never') return 20;
  return 0;
}

/** The pod MTU: the Installation's `calicoNetwork.mtu` when set, else the uplink's minus the overhead. */
export function podMtu(world: NetWorld): number {
  const inst = world.store.get(R.installations, undefined, 'default');
  const set = spec<{ calicoNetwork?: { mtu?: number } }>(inst).calicoNetwork?.mtu;
  return typeof set === 'number' ? set : UPLINK_MTU - encapOverhead(world);
}

/** Pods on the pod network of a node, in creation order (their cali ifindexes follow it). */
export function localPods(world: NetWorld, node: string): StoredObject[] {
  return world.store
    .list(R.pods)
    .items.filter((p) => nodeNameOf(p) === node && onPodNetwork(p))
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
}

/**
 * missing-pod-route: the pod whose /32 its node lacks — the first (namespace/name order) pod on the
 * pod network outside the system namespaces (a lesson's own pod), else the first of all.
 */
export function missingRoutePod(world: NetWorld): StoredObject | undefined {
  if (!world.faults.has('missing-pod-route')) return undefined;
  const pods = world.store.list(R.pods).items.filter(onPodNetwork).sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  return pods.find((p) => !SYSTEM_NAMESPACES.has(p.metadata.namespace ?? '')) ?? pods[0];
}

interface NodeFacts {
  name: string;
  ip: string;
  tunnel: string | undefined;
  blocks: string[];
}

function nodeFacts(world: NetWorld, node: StoredObject): NodeFacts {
  const ip = status<{ addresses?: { type: string; address: string }[] }>(node).addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
  const name = node.metadata.name;
  const blocks = world.store
    .list(R.ipamblocks)
    .items.map((b) => spec<{ cidr: string; affinity?: string }>(b))
    .filter((b) => b.affinity === `host:${name}`)
    .map((b) => b.cidr);
  return { name, ip, tunnel: node.metadata.annotations?.[TUNNEL_ANNOTATION], blocks };
}

const ipNum = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
function network(ip: string, prefixlen: number): string {
  const n = Math.floor(ipNum(ip) / Math.pow(2, 32 - prefixlen)) * Math.pow(2, 32 - prefixlen);
  return [24, 16, 8, 0].map((s) => Math.floor(n / Math.pow(2, s)) % 256).join('.');
}

const LOOPBACK: SimLink = {
  ifindex: 1,
  name: 'lo',
  flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
  mtu: 65536,
  qdisc: 'noqueue',
  state: 'UNKNOWN',
  qlen: 1000,
  linkType: 'loopback',
  mac: '00:00:00:00:00:00',
  addrs: [
    { family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' },
    { family: 'inet6', local: '::1', prefixlen: 128, scope: 'host' },
  ],
};

/** The kind network as the node sees it (from the docker network; kind's default when unknown). */
export interface Uplink {
  prefixlen: number;
  gateway: string;
}

/** resolv.conf as the kubelet writes it for dnsPolicy ClusterFirst (kube-dns ClusterIP, the namespace's search list, ndots:5). */
export function clusterFirstResolv(world: NetWorld, namespace: string): string {
  const dns = spec<{ clusterIP?: string }>(world.store.get(R.services, 'kube-system', 'kube-dns')).clusterIP;
  return `search ${namespace}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}\n${dns ? `nameserver ${dns}\n` : ''}options ndots:5\n`;
}

export function podView(world: NetWorld, pod: StoredObject, uplink: Uplink): NetView | undefined {
  const node = nodeNameOf(pod);
  if (spec<{ hostNetwork?: boolean }>(pod).hostNetwork === true) return node ? nodeViewByName(world, node, uplink) : undefined;
  const ip = podIP(pod);
  if (!ip || !node) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const index = localPods(world, node).findIndex((p) => p.metadata.namespace === ns && p.metadata.name === pod.metadata.name);
  const mtu = world.faults.has('pod-mtu-mismatch') ? UPLINK_MTU : podMtu(world);
  const eth0: SimLink = {
    ifindex: 2,
    name: 'eth0',
    peerIfindex: caliIfindexBase(world, node) + Math.max(0, index),
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu,
    qdisc: 'noqueue',
    state: 'UP',
    qlen: 1000,
    linkType: 'ether',
    mac: mac(`pod/${ns}/${pod.metadata.name}`),
    linkNetnsId: 0,
    addrs: [{ family: 'inet', local: ip, prefixlen: 32, scope: 'global', label: 'eth0' }],
  };
  const dnsPolicy = spec<{ dnsPolicy?: string }>(pod).dnsPolicy ?? 'ClusterFirst';
  const images = spec<{ containers?: { image?: string }[] }>(pod).containers?.map((c) => c.image ?? '') ?? [];
  return {
    hostname: spec<{ hostname?: string }>(pod).hostname ?? pod.metadata.name,
    links: [LOOPBACK, eth0],
    routes: [
      { dst: 'default', gateway: CALICO_GATEWAY, dev: 'eth0', flags: [] },
      { dst: CALICO_GATEWAY, dev: 'eth0', scope: 'link', flags: [] },
    ],
    resolvConf: dnsPolicy === 'Default' ? nodeResolv(uplink) : clusterFirstResolv(world, ns),
    tools: images.some((i) => /(^|\/)busybox(:|@|$)/.test(i)) ? 'busybox' : 'iproute2',
  };
}

/** kind nodes resolve through the docker network's gateway. */
function nodeResolv(uplink: Uplink): string {
  return `nameserver ${uplink.gateway}\noptions ndots:0\n`;
}

/** vxlan.calico exists once the node has a tunnel address; cali interfaces come after it. */
function caliIfindexBase(world: NetWorld, node: string): number {
  const n = world.store.get(R.nodes, undefined, node);
  return n?.metadata.annotations?.[TUNNEL_ANNOTATION] ? 4 : 3;
}

export function nodeViewByName(world: NetWorld, name: string, uplink: Uplink): NetView | undefined {
  const node = world.store.get(R.nodes, undefined, name);
  return node ? nodeView(world, node, uplink) : undefined;
}

export function nodeView(world: NetWorld, node: StoredObject, uplink: Uplink): NetView {
  const me = nodeFacts(world, node);
  const mtu = podMtu(world);
  const links: SimLink[] = [
    LOOPBACK,
    {
      ifindex: 2,
      name: 'eth0',
      peerIfindex: 10 + (ipNum(me.ip) % 256),
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: UPLINK_MTU,
      qdisc: 'noqueue',
      state: 'UP',
      linkType: 'ether',
      mac: `02:42:ac:12:00:${(ipNum(me.ip) % 256).toString(16).padStart(2, '0')}`,
      linkNetnsId: 0,
      addrs: [{ family: 'inet', local: me.ip, prefixlen: uplink.prefixlen, scope: 'global', label: 'eth0' }],
    },
  ];
  if (me.tunnel) {
    links.push({ ifindex: 3, name: 'vxlan.calico', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu, qdisc: 'noqueue', state: 'UNKNOWN', linkType: 'ether', mac: mac(`vxlan/${me.name}`), addrs: [{ family: 'inet', local: me.tunnel, prefixlen: 32, scope: 'global', label: 'vxlan.calico' }] });
  }
  const base = caliIfindexBase(world, me.name);
  const pods = localPods(world, me.name);
  pods.forEach((p, i) => {
    const name = caliName(p.metadata.namespace ?? 'default', p.metadata.name);
    links.push({ ifindex: base + i, name, peerIfindex: 2, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu, qdisc: 'noqueue', state: 'UP', qlen: 1000, linkType: 'ether', mac: 'ee:ee:ee:ee:ee:ee', linkNetnsId: i + 1, linkNetns: `cni-${netnsId(p)}`, addrs: [{ family: 'inet6', local: 'fe80::ecee:eeff:feee:eeee', prefixlen: 64, scope: 'link' }] });
  });
  return { hostname: me.name, links, routes: nodeRoutes(world, me, pods, uplink), resolvConf: nodeResolv(uplink), tools: 'iproute2' };
}

/** The CNI netns name of a pod (containerd: cni-<uuid>), stable per pod. */
function netnsId(p: StoredObject): string {
  const h = hex(`netns/${p.metadata.uid ?? ''}/${p.metadata.namespace ?? ''}/${p.metadata.name}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function nodeRoutes(world: NetWorld, me: NodeFacts, pods: StoredObject[], uplink: Uplink): SimRoute[] {
  const pool = spec<{ vxlanMode?: string }>(world.store.list(R.ippools).items[0]);
  const missing = missingRoutePod(world);
  const routes: SimRoute[] = [
    { dst: 'default', gateway: uplink.gateway, dev: 'eth0', flags: [] },
    { dst: `${network(me.ip, uplink.prefixlen)}/${uplink.prefixlen}`, dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: me.ip, flags: [] },
  ];
  for (const cidr of me.blocks) routes.push({ type: 'blackhole', dst: cidr, protocol: '80', flags: [] });
  for (const p of pods) {
    if (missing && missing.metadata.namespace === p.metadata.namespace && missing.metadata.name === p.metadata.name) continue;
    routes.push({ dst: podIP(p)!, dev: caliName(p.metadata.namespace ?? 'default', p.metadata.name), scope: 'link', flags: [] });
  }
  for (const other of world.store.list(R.nodes).items) {
    if (other.metadata.name === me.name) continue;
    const o = nodeFacts(world, other);
    const direct = pool.vxlanMode !== 'Always' && network(o.ip, uplink.prefixlen) === network(me.ip, uplink.prefixlen);
    for (const cidr of o.blocks) {
      if (direct) routes.push({ dst: cidr, gateway: o.ip, dev: 'eth0', protocol: '80', flags: ['onlink'] });
      else if (o.tunnel) routes.push({ dst: cidr, gateway: o.tunnel, dev: 'vxlan.calico', protocol: '80', flags: ['onlink'] });
    }
  }
  return sortRoutes(routes);
}

/** The kernel's main-table order as `ip route` prints it: default first, then by destination. */
function sortRoutes(routes: SimRoute[]): SimRoute[] {
  const key = (r: SimRoute): [number, number] => {
    if (r.dst === 'default') return [-1, 0];
    const [a, l] = r.dst.split('/');
    return [ipNum(a!), Number(l ?? 32)];
  };
  return [...routes].sort((x, y) => {
    const [a, b] = [key(x), key(y)];
    return a[0] - b[0] || a[1] - b[1];
  });
}

/** The kind network seen from a node whose IP is `ip` when the docker network is not at hand: kind's /16, gateway .1. */
export function uplinkFor(ip: string, known?: { subnet: string; gateway: string }): Uplink {
  if (known) return { prefixlen: Number(known.subnet.split('/')[1] ?? 16), gateway: known.gateway };
  const octets = network(ip, 16).split('.');
  octets[3] = '1';
  return { prefixlen: 16, gateway: octets.join('.') };
}

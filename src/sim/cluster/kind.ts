/**
 * The kind "provider" of the simulated Docker host: creates a cluster's node containers on the `kind`
 * network and boots it over realistic simulated durations (the steps kind v0.2x prints), bringing the
 * API up and creating the objects a fresh kind cluster has; deletes clusters like `kind delete`.
 * The truth of which clusters exist is the host's containers (label io.x-k8s.kind.cluster), as for kind.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { HostState, SimClusterSpec, SimContainer, SimContext } from '../context.js';
import { hasImage } from '../dispatch/runtime.js';
import * as objects from './objects.js';

export const KIND_NETWORK = {
  name: 'kind',
  subnets: [
    { subnet: '172.18.0.0/16', gateway: '172.18.0.1' },
    { subnet: 'fc00:f853:ccd:e793::/64', gateway: 'fc00:f853:ccd:e793::1' },
  ],
};

/** Simulated durations of kind's create steps (ms), from real runs (containerlab-deploy.stderr.txt). */
export const KIND_STEP_MS = {
  pullNodeImage: 20_000,
  prepareNodes: 7_000,
  writeConfiguration: 1_000,
  startControlPlane: 17_000,
  installStorageClass: 1_000,
  joinWorkers: 17_000,
  deleteCluster: 2_000,
} as const;

export interface KindConfig {
  roles: ('control-plane' | 'worker')[];
  podSubnet: string;
  serviceSubnet: string;
  disableDefaultCNI: boolean;
}

/** Lenient parse of a kind.x-k8s.io/v1alpha4 Cluster (like containerlab does); kind's defaults otherwise. */
export function parseKindConfig(text: string | undefined): KindConfig {
  const doc = (text === undefined ? {} : (parseYaml(text) ?? {})) as {
    nodes?: { role?: string }[];
    networking?: { podSubnet?: string; serviceSubnet?: string; disableDefaultCNI?: boolean };
  };
  const roles = (doc.nodes ?? [{ role: 'control-plane' }]).map((n) => (n.role === 'worker' ? 'worker' : 'control-plane') as 'control-plane' | 'worker');
  return {
    roles: roles.length === 0 ? ['control-plane'] : roles,
    podSubnet: doc.networking?.podSubnet ?? '10.244.0.0/16',
    serviceSubnet: doc.networking?.serviceSubnet ?? '10.96.0.0/16',
    disableDefaultCNI: doc.networking?.disableDefaultCNI === true,
  };
}

/** Node names from the roles: `<cluster>-control-plane`, `<cluster>-control-plane2`, `<cluster>-worker`, `<cluster>-worker2`… */
export function clusterSpec(name: string, config: KindConfig, image: string): SimClusterSpec {
  const counts = { 'control-plane': 0, worker: 0 };
  const nodes = config.roles.map((role) => {
    counts[role] += 1;
    return { name: `${name}-${role}${counts[role] === 1 ? '' : counts[role]}`, role };
  });
  return { name, nodes, podSubnet: config.podSubnet, serviceSubnet: config.serviceSubnet, image };
}

export class KindError extends Error {}

export interface CreateOptions {
  /** kind's status lines (` • Preparing nodes 📦  ...`), without timestamps. */
  log(line: string): void;
  signal: AbortSignal;
  /** Create everything at once, without simulated durations (leftover clusters). */
  instant?: boolean;
  /** Fail pulling the node image (fault clab-image-pull). */
  failPull?: boolean;
  /** kind's --wait in ms (0 = skip the wait step). */
  waitMs?: number;
  disableDefaultCNI?: boolean;
}

export interface KindHooks {
  apiPort(): number;
  /** The control plane came up: the API answers (start Calico, API faults…). */
  onApiUp(spec: SimClusterSpec): void;
  /** The cluster is gone: the API goes down and its objects are removed. */
  onDeleted(name: string): void;
  /** Awaited before the joined workers appear (WorldOptions.holdWorkerJoinUntil). */
  beforeWorkersJoin?(signal: AbortSignal): Promise<void>;
}

let seq = 0;

export class KindClusters {
  private readonly specs = new Map<string, SimClusterSpec>();

  constructor(
    private readonly ctx: SimContext,
    private readonly host: HostState,
    private readonly hooks: KindHooks,
  ) {}

  /** Cluster names, unique and sorted (kind get clusters). */
  names(): string[] {
    const names = new Set<string>();
    for (const c of this.host.containers.values()) {
      const n = c.labels['io.x-k8s.kind.cluster'];
      if (n !== undefined) names.add(n);
    }
    return [...names].sort();
  }

  exists(name: string): boolean {
    return this.nodes(name).length > 0;
  }

  spec(name: string): SimClusterSpec | undefined {
    return this.specs.get(name);
  }

  /** The cluster's node containers in `docker ps` order (newest first). */
  nodes(name: string): SimContainer[] {
    return sortNewestFirst([...this.host.containers.values()].filter((c) => c.labels['io.x-k8s.kind.cluster'] === name));
  }

  private ensureNetwork(): void {
    if (this.host.networks.has('kind')) return;
    this.host.networks.set('kind', { name: 'kind', id: randomBytes(32).toString('hex'), subnets: KIND_NETWORK.subnets.map((s) => ({ ...s })), labels: {} });
  }

  private nextHostNumber(): number {
    const used = new Set<number>();
    for (const c of this.host.containers.values()) {
      const ip = c.networks['kind']?.ipv4;
      if (ip) used.add(Number(ip.split('.')[3]));
    }
    let n = 2;
    while (used.has(n)) n++;
    return n;
  }

  private async step(status: string, simMs: number, opts: CreateOptions, name?: string): Promise<void> {
    opts.log(` • ${status}  ...`);
    if (!opts.instant) await this.ctx.clock.sleep(simMs, opts.signal);
    // deleted meanwhile (kind delete / docker rm -f from another process): kubeadm fails on the node
    if (name !== undefined && !this.exists(name)) {
      opts.log(` ✗ ${status}`);
      throw new KindError(`failed to init node with kubeadm: node "${name}-control-plane" is gone`);
    }
    opts.log(` ✓ ${status}`);
  }

  /** kind create cluster: resolves when done, throws KindError with kind's message on failure. */
  async create(spec: SimClusterSpec, opts: CreateOptions): Promise<void> {
    const { store, recorder } = this.ctx;
    if (this.exists(spec.name)) throw new KindError(`node(s) already exist for a cluster with the name "${spec.name}"`);
    opts.log(`Creating cluster "${spec.name}" ...`);
    // Ensuring node image
    const imageStatus = `Ensuring node image (${spec.image}) 🖼`;
    opts.log(` • ${imageStatus}  ...`);
    let simElapsed = 0;
    if (!hasImage(this.host.images, spec.image)) {
      if (!opts.instant) await this.ctx.clock.sleep(opts.failPull ? 3_000 : KIND_STEP_MS.pullNodeImage, opts.signal);
      if (opts.failPull) {
        opts.log(` ✗ ${imageStatus}`);
        throw new KindError(`failed to pull image "${spec.image}": command "docker pull ${spec.image}" failed with error: exit status 1`);
      }
      this.host.images.add(spec.image);
      simElapsed += KIND_STEP_MS.pullNodeImage;
    }
    opts.log(` ✓ ${imageStatus}`);

    // Preparing nodes: the containers appear (concurrently in kind: IPs and order are not by role).
    this.ensureNetwork();
    this.specs.set(spec.name, spec);
    const creationOrder = [...spec.nodes.slice(1, 2), ...spec.nodes.slice(0, 1), ...spec.nodes.slice(2)];
    const port = this.hooks.apiPort();
    const createdAt = new Date();
    for (const n of creationOrder) {
      const host = this.nextHostNumber();
      const id = randomBytes(32).toString('hex');
      this.host.containers.set(id, {
        id,
        name: n.name,
        image: spec.image,
        labels: { 'io.x-k8s.kind.cluster': spec.name, 'io.x-k8s.kind.role': n.role },
        state: 'running',
        createdAt,
        networks: { kind: { ipv4: `172.18.0.${host}`, ipv6: `fc00:f853:ccd:e793::${host.toString(16)}` } },
        ports: n === spec.nodes[0] ? `127.0.0.1:${port}->6443/tcp` : '',
      });
      (this.host.containers.get(id) as SimContainer & { seq?: number }).seq = ++seq;
      this.host.nodeImages.set(n.name, new Set());
    }
    try {
      await this.step(`Preparing nodes ${'📦 '.repeat(spec.nodes.length)}`, KIND_STEP_MS.prepareNodes, opts, spec.name);
      await this.step('Writing configuration 📜', KIND_STEP_MS.writeConfiguration, opts, spec.name);
      await this.step('Starting control-plane 🕹️', KIND_STEP_MS.startControlPlane, opts, spec.name);
    } catch (error) {
      // kind deletes the nodes it created when provisioning fails (an abort leaves them, like a killed process).
      if (!opts.signal.aborted) this.removeContainers(spec.name);
      throw error;
    }
    simElapsed += KIND_STEP_MS.prepareNodes + KIND_STEP_MS.writeConfiguration + KIND_STEP_MS.startControlPlane;
    const ipOf = (name: string): string => [...this.host.containers.values()].find((c) => c.name === name)?.networks['kind']?.ipv4 ?? '';
    const cp = spec.nodes[0] as { name: string; role: 'control-plane' | 'worker' };

    // The API is up: the objects of a fresh kubeadm control plane.
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'local-path-storage']) store.put(objects.refs.namespaces, objects.namespace(ns));
    store.put(objects.refs.configmaps, objects.kubeadmConfig(spec));
    const svcBase = spec.serviceSubnet;
    store.put(objects.refs.services, objects.service('kubernetes', 'default', objects.nthAddress(svcBase, 1), [{ name: 'https', port: 443, protocol: 'TCP' }]));
    store.put(
      objects.refs.services,
      objects.service('kube-dns', 'kube-system', objects.nthAddress(svcBase, 10), [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ], { 'k8s-app': 'kube-dns' }),
    );
    const cpIndex = 0;
    store.put(objects.refs.nodes, objects.node(spec, cp.name, cp.role, ipOf(cp.name), cpIndex));
    for (const p of objects.staticPods(spec, cp.name, ipOf(cp.name))) store.put(objects.refs.pods, p);
    store.put(objects.refs.daemonsets, objects.workload('DaemonSet', 'kube-proxy', 'kube-system', { 'k8s-app': 'kube-proxy' }, spec.nodes.length, `registry.k8s.io/kube-proxy:${objects.kubeletVersion(spec.image)}`));
    store.put(objects.refs.deployments, objects.workload('Deployment', 'coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, 2, 'registry.k8s.io/coredns/coredns:v1.10.1'));
    store.put(objects.refs.pods, objects.kubeProxyPod(spec, cp.name, ipOf(cp.name)));
    recorder.condition('api-up');
    recorder.condition(`node-created:${cp.name}`);
    recorder.span('kind-api-up', simElapsed, []);
    this.hooks.onApiUp(spec);

    await this.step('Installing StorageClass 💾', KIND_STEP_MS.installStorageClass, opts, spec.name);
    simElapsed += KIND_STEP_MS.installStorageClass;
    store.put(objects.refs.storageclasses, objects.storageClass());
    store.put(
      objects.refs.deployments,
      objects.workload('Deployment', 'local-path-provisioner', 'local-path-storage', { app: 'local-path-provisioner' }, 1, 'docker.io/kindest/local-path-provisioner:v20230511-dc714da8'),
    );
    for (const p of objects.pendingPods(spec.nodes.length)) store.put(objects.refs.pods, p);

    const workers = spec.nodes.slice(1);
    if (workers.length > 0) {
      await this.step('Joining worker nodes 🚜', KIND_STEP_MS.joinWorkers, opts, spec.name);
      await this.hooks.beforeWorkersJoin?.(opts.signal);
      simElapsed += KIND_STEP_MS.joinWorkers;
      spec.nodes.forEach((n, index) => {
        if (index === 0) return;
        store.put(objects.refs.nodes, objects.node(spec, n.name, n.role, ipOf(n.name), index));
        store.put(objects.refs.pods, objects.kubeProxyPod(spec, n.name, ipOf(n.name)));
        recorder.condition(`node-created:${n.name}`);
      });
    }
    if (opts.disableDefaultCNI === false) {
      // A default CNI (kindnet) is not simulated: the nodes stay NotReady like with disableDefaultCNI.
      await this.step('Installing CNI 🔌', 1_000, opts);
    }
    if ((opts.waitMs ?? 0) > 0) {
      const minutes = Math.round((opts.waitMs ?? 0) / 60_000);
      opts.log(` • Waiting ≤ ${minutes}m0s for control-plane = Ready ⏳  ...`);
      if (!opts.instant) await this.ctx.clock.sleep(opts.waitMs ?? 0, opts.signal);
      opts.log(' • WARNING: Timed out waiting for Ready ⚠️');
      simElapsed += opts.waitMs ?? 0;
    }
    recorder.span('kind-create', simElapsed, []);
    recorder.condition(`kind-created:${spec.name}`);
  }

  private removeContainers(name: string): string[] {
    const gone: string[] = [];
    for (const c of this.nodes(name)) {
      this.host.containers.delete(c.id);
      this.host.nodeImages.delete(c.name);
      gone.push(c.name);
    }
    return gone;
  }

  /** kind delete cluster: removes the node containers (docker ps order) and the cluster's API state. */
  delete(name: string): string[] {
    const gone = this.removeContainers(name);
    if (gone.length > 0 || this.specs.has(name)) {
      this.specs.delete(name);
      this.hooks.onDeleted(name);
    }
    return gone;
  }

  /** Remove one container (docker rm -f); deleting the last node of a cluster deletes its API state. */
  removeContainer(id: string): void {
    const c = this.host.containers.get(id);
    if (!c) return;
    this.host.containers.delete(id);
    this.host.nodeImages.delete(c.name);
    const cluster = c.labels['io.x-k8s.kind.cluster'];
    if (cluster !== undefined && !this.exists(cluster)) {
      this.specs.delete(cluster);
      this.hooks.onDeleted(cluster);
    }
  }
}

export function sortNewestFirst(containers: SimContainer[]): SimContainer[] {
  const s = (c: SimContainer): number => (c as SimContainer & { seq?: number }).seq ?? 0;
  return [...containers].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || s(b) - s(a));
}

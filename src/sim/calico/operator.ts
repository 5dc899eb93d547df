/**
 * The simulated tigera-operator (v1.38.0 / Calico v3.30.0 or v1.40.3 / v3.31.3, whichever image the
 * applied Deployment runs) + calico-node/CNI: reacts to the store like the real
 * controllers (Deployment tigera-operator → operator pod; Installation default → IPPool,
 * ClusterInformation, calico-system workloads, TigeraStatus; calico-node per node → tunnel IP, Node
 * Ready; pod-network pods → IPs from Calico IPAM; APIServer → calico-apiserver and the aggregated
 * projectcalico.org/v3 view). Every duration goes through ctx.clock; everything ends with the signal.
 */
import { setMaxListeners } from 'node:events';
import type { HostState, SimClusterSpec, SimContext } from '../context.js';
import type { ResourceRef, StoredObject } from '../store.js';
import { projectcalicoV3 } from './aggregated.js';
import { applyIpamFaults } from './faults.js';
import { autoAssign, releaseByHandle } from './ipam.js';
import { clusterGuid, type ContainerSpec, containerId, goTimeString, nameSuffix, namespaceObj, nowIso, scheduledPod, setPodRunning, templateHash, workloadObj } from './objects.js';
import { CLUSTER_TYPE, CRD_V1, NOT_READY_TAINT, R, TUNNEL_ANNOTATION } from './refs.js';
import { type CalicoReleaseFacts, DEFAULT_RELEASE, type ReleaseImages, releaseImages, releaseOfOperatorImage, RELEASES } from './releases.js';
import { isManaged } from '../workloads/scope.js';
import { refreshWorkloads, type StatusState, tigeraState, workloadCounts, writeTigeraStatus } from './status.js';

export interface AggregatedRegistryLike {
  registry: {
    addAggregated(group: ReturnType<typeof projectcalicoV3>): void;
    removeAggregated(group: string): void;
  };
}

/** Simulated durations (ms). */
export const DURATIONS = {
  operatorPull: 8_000,
  operatorStart: 3_000,
  reconcile: 2_000,
  /** calico-node images per node: base + step × node index, capped. */
  nodePullBase: 24_000,
  nodePullStep: 3_000,
  nodePullMax: 30_000,
  calicoNodeStart: 12_000,
  typhaPull: 6_000,
  typhaStart: 3_000,
  sandbox: 1_000,
  podPull: 8_000,
  podStart: 4_000,
  kubeControllersReady: 6_000,
  apiserverReady: 10_000,
} as const;

const NS_CALICO = 'calico-system';

interface Component {
  cr: ResourceRef;
  /** Deployment and TigeraStatus name. */
  name: string;
  containers(images: ReleaseImages): ContainerSpec[];
}

/** Components the operator adds for their own custom resource (pkg/render/goldmane, pkg/render/whisker). */
const COMPONENTS: readonly Component[] = [
  { cr: R.goldmanes, name: 'goldmane', containers: (i) => [{ name: 'goldmane', image: i.goldmane }] },
  { cr: R.whiskers, name: 'whisker', containers: (i) => [{ name: 'whisker', image: i.whisker }, { name: 'whisker-backend', image: i.whiskerBackend }] },
];

/** The registry URL containerd asks for an image's manifest (docker.io is served by registry-1.docker.io). */
function manifestUrl(image: string): string {
  const [host, ...rest] = image.split('/');
  const [repo, tag] = rest.join('/').split(':');
  return `https://${host === 'docker.io' ? 'registry-1.docker.io' : host}/v2/${repo}/manifests/${tag}`;
}
/** Images the kindest/node image ships (coredns, etcd, kube-*, local-path-provisioner): never pulled. */
export const BUILT_INTO_NODE_IMAGE = /^(registry\.k8s\.io\/|docker\.io\/kindest\/)/;
const NS_APISERVER = 'calico-apiserver';

/** Order in which a node's CNI hands out pod IPs once calico-node runs there (like real runs). */
function podPriority(pod: StoredObject): number {
  const n = pod.metadata.name;
  if (n.startsWith('csi-node-driver-')) return 0;
  if (n.startsWith('coredns-')) return 1;
  if (n.startsWith('local-path-provisioner-')) return 2;
  if (n.startsWith('calico-kube-controllers-')) return 3;
  if (n.startsWith('calico-apiserver-')) return 4;
  return 5;
}

/** Pod-network pods this CNI serves; the managed namespaces' pods get theirs from the workload kubelets (workloads/). */
const isPodNetwork = (p: StoredObject): boolean => (p.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork !== true && !isManaged(p);
const podIP = (p: StoredObject): string | undefined => (p.status as { podIP?: string } | undefined)?.podIP;
const nodeNameOf = (p: StoredObject): string | undefined => (p.spec as { nodeName?: string } | undefined)?.nodeName;
const keyOf = (p: StoredObject): string => `${p.metadata.namespace ?? ''}/${p.metadata.name}`;

export class CalicoController {
  private readonly abort = new AbortController();
  private readonly signal: AbortSignal;
  private readonly unwatch: (() => void)[] = [];
  private readonly readyNodes = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly workers = new Map<string, { dirty: boolean }>();
  private readonly background = new Set<Promise<unknown>>();
  private apiRegistered = false;
  private calicoAvailableAt = 0;
  private settledResolve: () => void = () => undefined;
  /** Resolves when the rollout reached its final state and the IPAM faults (if any) were applied. */
  readonly settledPromise = new Promise<void>((resolve) => {
    this.settledResolve = resolve;
  });
  private guid = '';
  /** The release whose operator image the tigera-operator Deployment runs (set when it appears). */
  private release: CalicoReleaseFacts = RELEASES[DEFAULT_RELEASE]!;
  private images: ReleaseImages = releaseImages(this.release);
  private readonly cp: string;
  private readonly workers_: string[];

  constructor(
    private readonly ctx: SimContext,
    private readonly host: HostState,
    private readonly cluster: SimClusterSpec,
    private readonly api?: AggregatedRegistryLike,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.abort.signal]);
    setMaxListeners(1000, this.signal); // one sleep per pod and node listens on it
    this.cp = cluster.nodes.find((n) => n.role === 'control-plane')?.name ?? cluster.nodes[0]?.name ?? 'control-plane';
    this.workers_ = cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  }

  private get store() {
    return this.ctx.store;
  }

  start(): void {
    // CNI DEL: a deleted pod releases its IPs.
    this.unwatch.push(
      this.store.watch(R.pods, (e) => {
        if (e.type === 'DELETED') {
          const cid = e.object.metadata.annotations?.['cni.projectcalico.org/containerID'];
          if (cid) releaseByHandle(this.store, `k8s-pod-network.${cid}`);
          return;
        }
        const n = nodeNameOf(e.object);
        if (isPodNetwork(e.object) && podIP(e.object) === undefined) {
          if (n) this.kick(n);
          else for (const r of this.readyNodes) this.kick(r);
        }
      }),
    );
    this.spawn(this.run());
  }

  stop(): void {
    this.abort.abort();
    for (const u of this.unwatch.splice(0)) u();
    if (this.apiRegistered) this.api?.registry.removeAggregated('projectcalico.org');
    this.apiRegistered = false;
  }

  /** Resolves when every background flow has ended (tests). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private spawn(p: Promise<unknown>): void {
    const wrapped = p.catch((err: unknown) => {
      if (this.signal.aborted) return;
      throw err;
    });
    this.background.add(wrapped);
    void wrapped.finally(() => this.background.delete(wrapped));
  }

  private sleep(simMs: number): Promise<void> {
    return this.ctx.clock.sleep(simMs, this.signal);
  }

  /** Resolves with the first value `probe` returns that is not undefined, re-probing on every store event of `ref`. */
  private waitFor<T>(ref: ResourceRef, probe: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = probe();
      if (first !== undefined) return resolve(first);
      const onAbort = (): void => {
        stop();
        reject(this.signal.reason instanceof Error ? this.signal.reason : new Error('stopped'));
      };
      const stop = this.store.watch(ref, () => {
        const v = probe();
        if (v !== undefined) {
          stop();
          this.signal.removeEventListener('abort', onAbort);
          resolve(v);
        }
      });
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Pull `image` on `node` unless its containerd already has it (kind load / preload). */
  private async pull(node: string, image: string, simMs: number): Promise<number> {
    let images = this.host.nodeImages.get(node);
    if (images?.has(image) || BUILT_INTO_NODE_IMAGE.test(image)) return 0;
    this.host.nodePulls.push({ node, image });
    await this.sleep(simMs);
    if (!images) this.host.nodeImages.set(node, (images = new Set()));
    images.add(image);
    return simMs;
  }

  private hostIP(node: string): string | undefined {
    const n = this.store.get(R.nodes, undefined, node);
    return (n?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  }

  /** Per-node logical time (simulated ms since the Installation was seen) of the node's CNI sandbox queue. */
  private readonly cniTime = new Map<string, number>();
  private readonly nodeReadyAt = new Map<string, number>();

  private async run(): Promise<void> {
    // 1. The operator Deployment.
    const opDeployment = await this.waitFor(R.deployments, () => this.store.get(R.deployments, 'tigera-operator', 'tigera-operator'));
    const opImage = (opDeployment.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers?.[0]?.image;
    this.release = releaseOfOperatorImage(opImage) ?? this.release;
    this.images = releaseImages(this.release);
    const opHash = templateHash('tigera-operator');
    const opPodName = `tigera-operator-${opHash}-${nameSuffix(`${this.cluster.name}/tigera-operator`, 5)}`;
    this.store.put(
      R.pods,
      scheduledPod(
        { name: opPodName, namespace: 'tigera-operator', nodeName: this.cp, hostNetwork: true, labels: { name: 'tigera-operator', 'k8s-app': 'tigera-operator', 'pod-template-hash': opHash }, owner: { kind: 'ReplicaSet', name: `tigera-operator-${opHash}` }, containers: [{ name: 'tigera-operator', image: this.images.operator }], serviceAccountName: 'tigera-operator' },
        this.hostIP(this.cp),
      ),
    );
    refreshWorkloads(this.store, 'tigera-operator', this.cluster.nodes.length);
    const opPull = await this.pull(this.cp, this.images.operator, DURATIONS.operatorPull);
    await this.sleep(DURATIONS.operatorStart);
    this.store.mutate(R.pods, 'tigera-operator', opPodName, (p) => {
      const s = p.status as Record<string, unknown>;
      const ip = this.hostIP(this.cp);
      if (ip) Object.assign(s, { podIP: ip, podIPs: [{ ip }] });
      setPodRunning(p);
    });
    refreshWorkloads(this.store, 'tigera-operator', this.cluster.nodes.length);
    this.ctx.recorder.condition('operator-running');
    // The operator needs only the API (kind's control plane), not the workers.
    this.ctx.recorder.span('operator-start', opPull + DURATIONS.operatorStart, ['kind-api-up']);

    // 2. The Installation.
    const inst = await this.waitFor(R.installations, () => this.store.get(R.installations, undefined, 'default'));
    this.ctx.recorder.condition('installation-seen');
    await this.sleep(DURATIONS.reconcile);
    this.installBase(inst);
    this.spawn(this.apiserverFlow());
    for (const c of COMPONENTS) this.spawn(this.componentFlow(c));
    this.createCalicoWorkloads();
    this.refresh(DURATIONS.reconcile);
    const nodeFlows = this.cluster.nodes.map((n, i) => this.nodeFlow(n.name, i));
    this.spawn(this.typhaFlow());
    await Promise.all(nodeFlows);
    await this.settled();
    this.applyFaultsOnce();
    this.ctx.recorder.condition('calico-settled');
    this.settledResolve();
  }

  private faultsApplied = false;

  /** IPAM faults, once: as soon as the healthy IPAM state exists (same tick the last status turns Available). */
  private applyFaultsOnce(): void {
    if (this.faultsApplied || ![...this.ctx.faults].some((f) => IPAM_FAULTS.has(f))) return;
    this.faultsApplied = true;
    applyIpamFaults(this.store, this.cluster, this.ctx.faults);
    this.ctx.recorder.condition('ipam-faults-applied');
  }

  private healthyIpam(): boolean {
    if (tigeraState(this.store, 'calico')?.kind !== 'available') return false;
    if (this.store.get(R.apiservers, undefined, 'default') && tigeraState(this.store, 'apiserver')?.kind !== 'available') return false;
    return this.store.list(R.pods).items.every((p) => !isPodNetwork(p) || podIP(p) !== undefined);
  }

  /** Waits until the rollout reached its final state (every pod that can get an IP has one). */
  private async settled(): Promise<void> {
    const hasApiServer = (): boolean => this.store.get(R.apiservers, undefined, 'default') !== undefined;
    for (;;) {
      const pending = this.store.list(R.pods).items.filter((p) => isPodNetwork(p) && podIP(p) === undefined && this.readyNodes.has(nodeNameOf(p) ?? this.cp));
      const apiDone = !hasApiServer() || tigeraState(this.store, 'apiserver') !== undefined;
      const podsSettled = this.store.list(R.pods).items.filter((p) => this.inFlight.has(keyOf(p))).length === 0;
      if (pending.length === 0 && apiDone && podsSettled && (!hasApiServer() || tigeraState(this.store, 'apiserver')?.kind === 'available' || this.ctx.faults.has('node-notready') || this.ctx.faults.has('image-pull-backoff'))) return;
      await this.sleep(250);
    }
  }

  private installBase(inst: StoredObject): void {
    const pool = ((inst.spec as { calicoNetwork?: { ipPools?: Record<string, unknown>[] } } | undefined)?.calicoNetwork?.ipPools ?? [])[0] ?? {};
    const encap = String(pool.encapsulation ?? 'VXLANCrossSubnet');
    const cidr = String(pool.cidr ?? this.cluster.podSubnet);
    const ipPoolSpec: Record<string, unknown> = {
      allowedUses: ['Workload', 'Tunnel'],
      assignmentMode: 'Automatic',
      blockSize: Number(pool.blockSize ?? 26),
      cidr,
      ipipMode: encap === 'IPIP' ? 'Always' : encap === 'IPIPCrossSubnet' ? 'CrossSubnet' : 'Never',
      natOutgoing: (pool.natOutgoing ?? 'Enabled') === 'Enabled',
      nodeSelector: String(pool.nodeSelector ?? 'all()'),
      vxlanMode: encap === 'VXLAN' ? 'Always' : encap === 'VXLANCrossSubnet' ? 'CrossSubnet' : 'Never',
    };
    if (pool.disableBGPExport === true) ipPoolSpec.disableBGPExport = true;
    const poolName = typeof pool.name === 'string' && pool.name !== '' ? pool.name : 'default-ipv4-ippool';
    if (!this.store.get(R.ippools, undefined, poolName)) {
      this.store.create(R.ippools, { apiVersion: CRD_V1, kind: 'IPPool', metadata: { name: poolName, labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' } }, spec: ipPoolSpec });
    }
    this.guid = clusterGuid(this.cluster.name);
    if (!this.store.get(R.clusterinformations, undefined, 'default')) {
      this.store.create(R.clusterinformations, {
        apiVersion: CRD_V1,
        kind: 'ClusterInformation',
        metadata: { name: 'default' },
        spec: { calicoVersion: this.release.calico, clusterGUID: this.guid, clusterType: CLUSTER_TYPE, datastoreReady: true },
      });
    }
    if (!this.store.get(R.namespaces, undefined, NS_CALICO)) {
      this.store.create(R.namespaces, namespaceObj(NS_CALICO, { name: NS_CALICO, 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest' }));
    }
  }

  private calicoPodSpec(name: string, ns: string, node: string, hostNetwork: boolean, labels: Record<string, string>, owner: { kind: string; name: string }, containers: ContainerSpec[], initContainers?: ContainerSpec[]): StoredObject {
    return scheduledPod({ name, namespace: ns, nodeName: node, hostNetwork, labels, owner, containers, ...(initContainers ? { initContainers } : {}), serviceAccountName: owner.name.replace(/-[a-z0-9]{8,10}$/, ''), priorityClassName: 'system-node-critical' }, this.hostIP(node));
  }

  private createCalicoWorkloads(): void {
    const s = this.store;
    const put = (ref: ResourceRef, o: StoredObject): void => {
      if (!s.get(ref, o.metadata.namespace, o.metadata.name)) s.create(ref, o);
    };
    const nodes = this.cluster.nodes.map((n) => n.name);
    put(R.daemonsets, workloadObj('DaemonSet', 'calico-node', NS_CALICO, { 'k8s-app': 'calico-node' }, nodes.length, [{ name: 'calico-node', image: this.images.node }], true));
    put(R.daemonsets, workloadObj('DaemonSet', 'csi-node-driver', NS_CALICO, { 'k8s-app': 'csi-node-driver' }, nodes.length, [{ name: 'calico-csi', image: this.images.csi }, { name: 'csi-node-driver-registrar', image: this.images.registrar }], false));
    const typhaReplicas = nodes.length <= 1 ? 1 : 2;
    put(R.deployments, workloadObj('Deployment', 'calico-typha', NS_CALICO, { 'k8s-app': 'calico-typha' }, typhaReplicas, [{ name: 'calico-typha', image: this.images.typha }], true));
    put(R.deployments, workloadObj('Deployment', 'calico-kube-controllers', NS_CALICO, { 'k8s-app': 'calico-kube-controllers' }, 1, [{ name: 'calico-kube-controllers', image: this.images.kubeControllers }], false));

    const seed = this.cluster.name;
    for (const node of nodes) {
      put(R.pods, this.calicoPodSpec(`calico-node-${nameSuffix(`${seed}/calico-node/${node}`, 5)}`, NS_CALICO, node, true, { 'k8s-app': 'calico-node', 'controller-revision-hash': templateHash('calico-node').slice(0, 8) }, { kind: 'DaemonSet', name: 'calico-node' }, [{ name: 'calico-node', image: this.images.node }], [{ name: 'flexvol-driver', image: this.images.flexvol }, { name: 'install-cni', image: this.images.cni }]));
      put(R.pods, this.calicoPodSpec(`csi-node-driver-${nameSuffix(`${seed}/csi/${node}`, 5)}`, NS_CALICO, node, false, { 'k8s-app': 'csi-node-driver', 'controller-revision-hash': templateHash('csi-node-driver').slice(0, 8) }, { kind: 'DaemonSet', name: 'csi-node-driver' }, [{ name: 'calico-csi', image: this.images.csi }, { name: 'csi-node-driver-registrar', image: this.images.registrar }]));
    }
    const th = templateHash('calico-typha');
    for (let i = 0; i < typhaReplicas; i += 1) {
      const node = nodes[(nodes.length - 1 - i + nodes.length) % nodes.length] ?? this.cp;
      put(R.pods, this.calicoPodSpec(`calico-typha-${th}-${nameSuffix(`${seed}/typha/${i}`, 5)}`, NS_CALICO, node, true, { 'k8s-app': 'calico-typha', 'pod-template-hash': th }, { kind: 'ReplicaSet', name: `calico-typha-${th}` }, [{ name: 'calico-typha', image: this.images.typha }]));
    }
    const kh = templateHash('calico-kube-controllers');
    put(R.pods, this.calicoPodSpec(`calico-kube-controllers-${kh}-${nameSuffix(`${seed}/kc`, 5)}`, NS_CALICO, this.workers_[0] ?? this.cp, false, { 'k8s-app': 'calico-kube-controllers', 'pod-template-hash': kh }, { kind: 'ReplicaSet', name: `calico-kube-controllers-${kh}` }, [{ name: 'calico-kube-controllers', image: this.images.kubeControllers }]));
  }

  private async apiserverFlow(): Promise<void> {
    await this.waitFor(R.apiservers, () => (this.store.get(R.apiservers, undefined, 'default') ? true : undefined));
    await this.sleep(DURATIONS.reconcile);
    if (!this.store.get(R.namespaces, undefined, NS_APISERVER)) this.store.create(R.namespaces, namespaceObj(NS_APISERVER, { name: NS_APISERVER, 'pod-security.kubernetes.io/enforce': 'privileged' }));
    if (!this.store.get(R.deployments, NS_APISERVER, 'calico-apiserver')) {
      this.store.create(R.deployments, workloadObj('Deployment', 'calico-apiserver', NS_APISERVER, { 'k8s-app': 'calico-apiserver', apiserver: 'true' }, 2, [{ name: 'calico-apiserver', image: this.images.apiserver }], false));
      const ah = templateHash('calico-apiserver');
      const placement = [this.workers_[0] ?? this.cp, this.workers_[1] ?? this.workers_[0] ?? this.cp];
      placement.forEach((node, i) => {
        this.store.create(R.pods, this.calicoPodSpec(`calico-apiserver-${ah}-${nameSuffix(`${this.cluster.name}/apiserver/${i}`, 5)}`, NS_APISERVER, node, false, { 'k8s-app': 'calico-apiserver', apiserver: 'true', 'pod-template-hash': ah }, { kind: 'ReplicaSet', name: `calico-apiserver-${ah}` }, [{ name: 'calico-apiserver', image: this.images.apiserver }]));
      });
    }
    this.refresh();
  }

  /** Goldmane / Whisker: the operator renders one Deployment in calico-system per custom resource named `default`. */
  private async componentFlow(c: Component): Promise<void> {
    await this.waitFor(c.cr, () => (this.store.get(c.cr, undefined, 'default') ? true : undefined));
    await this.sleep(DURATIONS.reconcile);
    const containers = c.containers(this.images);
    if (!this.store.get(R.deployments, NS_CALICO, c.name)) {
      this.store.create(R.deployments, workloadObj('Deployment', c.name, NS_CALICO, { 'k8s-app': c.name }, 1, containers, false));
      const h = templateHash(c.name);
      this.store.create(R.pods, this.calicoPodSpec(`${c.name}-${h}-${nameSuffix(`${this.cluster.name}/${c.name}`, 5)}`, NS_CALICO, this.workers_[0] ?? this.cp, false, { 'k8s-app': c.name, 'pod-template-hash': h }, { kind: 'ReplicaSet', name: `${c.name}-${h}` }, containers));
    }
    this.refresh();
  }

  private async typhaFlow(): Promise<void> {
    const typhas = this.store.list(R.pods, { namespace: NS_CALICO, labels: [{ key: 'k8s-app', op: '=', values: ['calico-typha'] }] }).items;
    await Promise.all(
      typhas.map(async (p) => {
        const node = nodeNameOf(p) ?? this.cp;
        const t = DURATIONS.reconcile + (await this.pull(node, this.images.typha, DURATIONS.typhaPull)) + DURATIONS.typhaStart;
        await this.sleep(DURATIONS.typhaStart);
        this.store.mutate(R.pods, NS_CALICO, p.metadata.name, (o) => {
          const ip = this.hostIP(node);
          if (ip) Object.assign(o.status as object, { podIP: ip, podIPs: [{ ip }] });
          setPodRunning(o);
        });
        this.refresh(t);
      }),
    );
  }

  private async nodeFlow(node: string, index: number): Promise<void> {
    const pod = this.store.list(R.pods, { namespace: NS_CALICO, labels: [{ key: 'k8s-app', op: '=', values: ['calico-node'] }], fields: [{ path: 'spec.nodeName', op: '=', value: node }] }).items[0];
    if (!pod) return;
    // A worker that kind has not joined yet has no kubelet to run calico-node: wait for its Node.
    await this.waitFor(R.nodes, () => (this.store.get(R.nodes, undefined, node) ? true : undefined));
    const pullMs = Math.min(DURATIONS.nodePullMax, DURATIONS.nodePullBase + DURATIONS.nodePullStep * index);
    // Three images; the pull time is spread over them.
    let t = DURATIONS.reconcile;
    for (const image of [this.images.cni, this.images.flexvol, this.images.node]) t += await this.pull(node, image, pullMs / 3);
    const lastWorker = this.workers_[this.workers_.length - 1];
    if (this.ctx.faults.has('node-notready') && node === lastWorker) {
      // install-cni never completes: the node keeps its NotReady condition and gets no tunnel IP.
      this.store.mutate(R.pods, NS_CALICO, pod.metadata.name, (o) => {
        const st = o.status as Record<string, unknown>;
        st.initContainerStatuses = [
          { name: 'flexvol-driver', image: this.images.flexvol, imageID: '', ready: true, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: nowIso(), finishedAt: nowIso() } } },
          { name: 'install-cni', image: this.images.cni, imageID: '', ready: false, restartCount: 4, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container=install-cni' } } },
        ];
        st.containerStatuses = [{ name: 'calico-node', image: this.images.node, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'PodInitializing' } } }];
      });
      this.refresh();
      return;
    }
    await this.sleep(DURATIONS.calicoNodeStart);
    t += DURATIONS.calicoNodeStart;
    this.nodeReadyAt.set(node, t);
    // calico-node start: VXLAN tunnel address from IPAM, Node annotations.
    const tunnel = autoAssign(this.store, node, `vxlan-tunnel-addr-${node}`, { node, type: 'vxlanTunnelAddress' });
    const ip = this.hostIP(node);
    this.store.mutate(R.nodes, undefined, node, (n) => {
      const ann = (n.metadata.annotations ??= {});
      if (ip) ann['projectcalico.org/IPv4Address'] = `${ip}/16`;
      if (tunnel) ann[TUNNEL_ANNOTATION] = tunnel.ip;
    });
    this.store.mutate(R.pods, NS_CALICO, pod.metadata.name, (o) => {
      if (ip) Object.assign(o.status as object, { podIP: ip, podIPs: [{ ip }] });
      setPodRunning(o);
    });
    // CNI config installed → kubelet reports Ready, the node controller lifts the not-ready taint.
    this.store.mutate(R.nodes, undefined, node, (n) => {
      const t = nowIso();
      const st = n.status as { conditions?: Record<string, unknown>[] };
      for (const c of st.conditions ?? []) {
        if (c.type === 'Ready') Object.assign(c, { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t });
      }
      const spec = (n.spec ??= {}) as { taints?: { key: string }[] };
      if (spec.taints) {
        spec.taints = spec.taints.filter((x) => x.key !== NOT_READY_TAINT);
        if (spec.taints.length === 0) delete spec.taints;
      }
    });
    this.readyNodes.add(node);
    this.ctx.recorder.condition(`node-ready:${node}`);
    this.refresh(t);
    for (const r of this.readyNodes) this.kick(r);
  }

  /** Start (or mark dirty) the CNI worker of a node. */
  private kick(node: string): void {
    if (!this.readyNodes.has(node) || this.signal.aborted) return;
    const w = this.workers.get(node);
    if (w) {
      w.dirty = true;
      return;
    }
    const state = { dirty: false };
    this.workers.set(node, state);
    this.spawn(
      (async () => {
        try {
          do {
            state.dirty = false;
            await this.cniPass(node);
          } while (state.dirty);
        } finally {
          this.workers.delete(node);
        }
      })(),
    );
  }

  /** One pass of a node's CNI: bind unscheduled pods, then give IPs one sandbox at a time, in priority order. */
  private async cniPass(node: string): Promise<void> {
    const candidates = this.store
      .list(R.pods)
      .items.filter((p) => isPodNetwork(p) && podIP(p) === undefined && !p.metadata.deletionTimestamp && !this.inFlight.has(keyOf(p)))
      .filter((p) => (nodeNameOf(p) ?? this.schedulerChoice()) === node)
      .sort((a, b) => podPriority(a) - podPriority(b) || keyOf(a).localeCompare(keyOf(b)));
    for (const p of candidates) {
      if (this.signal.aborted) return;
      const k = keyOf(p);
      if (this.inFlight.has(k)) continue;
      this.inFlight.add(k);
      try {
        await this.sleep(DURATIONS.sandbox);
        const t0 = Math.max(this.cniTime.get(node) ?? 0, this.nodeReadyAt.get(node) ?? 0) + DURATIONS.sandbox;
        this.cniTime.set(node, t0);
        const cur = this.store.get(R.pods, p.metadata.namespace, p.metadata.name);
        if (!cur || podIP(cur) !== undefined) {
          this.inFlight.delete(k);
          continue;
        }
        if (!nodeNameOf(cur)) this.bind(cur, node);
        const cid = containerId();
        const alloc = autoAssign(this.store, node, `k8s-pod-network.${cid}`, { namespace: cur.metadata.namespace ?? 'default', node, pod: cur.metadata.name, timestamp: goTimeString() });
        if (!alloc) {
          this.inFlight.delete(k);
          continue;
        }
        const ip = this.hostIP(node);
        this.store.mutate(R.pods, cur.metadata.namespace, cur.metadata.name, (o) => {
          const ann = (o.metadata.annotations ??= {});
          ann['cni.projectcalico.org/containerID'] = cid;
          ann['cni.projectcalico.org/podIP'] = `${alloc.ip}/32`;
          ann['cni.projectcalico.org/podIPs'] = `${alloc.ip}/32`;
          const st = (o.status ??= {}) as Record<string, unknown>;
          Object.assign(st, { podIP: alloc.ip, podIPs: [{ ip: alloc.ip }], ...(ip ? { hostIP: ip } : {}) });
          st.startTime ??= nowIso();
        });
        this.spawn(this.startContainers(cur, node, t0).finally(() => this.inFlight.delete(k)));
      } catch (err) {
        this.inFlight.delete(k);
        throw err;
      }
    }
  }

  /** Where the default scheduler puts a pod without nodeName: the control-plane if Ready, else the first Ready node. */
  private schedulerChoice(): string | undefined {
    if (this.readyNodes.has(this.cp)) return this.cp;
    return this.cluster.nodes.map((n) => n.name).find((n) => this.readyNodes.has(n));
  }

  private bind(pod: StoredObject, node: string): void {
    this.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (o) => {
      (o.spec as Record<string, unknown>).nodeName = node;
      const st = (o.status ??= {}) as { conditions?: Record<string, unknown>[] };
      const t = nowIso();
      st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t }];
    });
  }

  private async startContainers(pod: StoredObject, node: string, t0: number): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const containers = ((pod.spec as { containers?: ContainerSpec[] }).containers ?? []);
    const isKc = ns === NS_CALICO && pod.metadata.name.startsWith('calico-kube-controllers-');
    if (isKc && this.ctx.faults.has('image-pull-backoff')) {
      await this.sleep(DURATIONS.podPull);
      this.imagePullBackOff(pod, node);
      return;
    }
    let t = t0;
    for (const c of containers) t += await this.pull(node, c.image, DURATIONS.podPull);
    const start = DURATIONS.podStart + (isKc ? DURATIONS.kubeControllersReady : 0) + (ns === NS_APISERVER ? DURATIONS.apiserverReady : 0);
    await this.sleep(start);
    this.store.mutate(R.pods, ns, pod.metadata.name, (o) => setPodRunning(o));
    this.refresh(t + start, ns);
  }

  private imagePullBackOff(pod: StoredObject, node: string): void {
    const ns = pod.metadata.namespace ?? NS_CALICO;
    const image = this.images.kubeControllers;
    this.store.mutate(R.pods, ns, pod.metadata.name, (o) => {
      const st = o.status as Record<string, unknown>;
      st.containerStatuses = [
        { name: 'calico-kube-controllers', image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }, lastState: {} },
      ];
    });
    const t = nowIso();
    const event = (reason: string, type: string, message: string): StoredObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name}.${nameSuffix(`${pod.metadata.name}/${reason}`, 16).replace(/[^0-9a-f]/g, 'a')}`, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: ns, uid: pod.metadata.uid, fieldPath: 'spec.containers{calico-kube-controllers}' },
      reason,
      message,
      source: { component: 'kubelet', host: node },
      firstTimestamp: t,
      lastTimestamp: t,
      count: reason === 'BackOff' ? 3 : 1,
      type,
      reportingComponent: 'kubelet',
      reportingInstance: node,
    });
    this.store.put(R.events, event('Failed', 'Warning', `Failed to pull image "${image}": failed to pull and unpack image "${image}": failed to resolve reference "${image}": unexpected status from HEAD request to ${manifestUrl(image)}: 429 Too Many Requests`));
    this.store.put(R.events, event('BackOff', 'Normal', `Back-off pulling image "${image}"`));
    this.refresh();
  }

  /** Recompute workload status and the TigeraStatus objects from the pods. */
  private simMax = 0;

  private refresh(simTime?: number, extraNs?: string): void {
    // Logical simulated clock: the latest flow time reported so far (robust to real-time jitter).
    if (simTime !== undefined) this.simMax = Math.max(this.simMax, simTime);
    const simT = this.simMax;
    const n = this.cluster.nodes.length;
    for (const ns of new Set([NS_CALICO, NS_APISERVER, 'tigera-operator', extraNs ?? NS_CALICO])) refreshWorkloads(this.store, ns, n);
    const inst = this.store.get(R.installations, undefined, 'default');
    if (!inst) return;
    const gen = inst.metadata.generation ?? 1;
    const calico = this.calicoState();
    const wasAvailable = tigeraState(this.store, 'calico')?.kind === 'available';
    writeTigeraStatus(this.store, 'calico', calico, gen);
    if (calico.kind === 'available' && !wasAvailable) {
      this.ctx.recorder.condition('tigerastatus-available:calico');
      this.calicoAvailableAt = simT;
      // calico-node runs on every node: the roll-out also waits for kind to have joined the workers.
      this.ctx.recorder.span('calico-rollout', this.calicoAvailableAt, ['operator-start', 'kind-create']);
    }
    this.writeInstallationStatus(calico);

    const apiserverCr = this.store.get(R.apiservers, undefined, 'default');
    let apiState: StatusState | undefined;
    if (apiserverCr && this.store.get(R.deployments, NS_APISERVER, 'calico-apiserver')) {
      const c = workloadCounts(this.store, R.deployments, NS_APISERVER, 'calico-apiserver');
      apiState = c && c.ready >= c.desired ? { kind: 'available' } : { kind: 'progressing', message: `Deployment "${NS_APISERVER}/calico-apiserver" is not available (awaiting ${(c?.desired ?? 2) - (c?.ready ?? 0)} replicas)` };
      const was = tigeraState(this.store, 'apiserver')?.kind === 'available';
      writeTigeraStatus(this.store, 'apiserver', apiState, apiserverCr.metadata.generation ?? 1);
      if (apiState.kind === 'available' && !was) {
        this.ctx.recorder.condition('tigerastatus-available:apiserver');
        this.ctx.recorder.span('apiserver-rollout', Math.max(0, simT - this.calicoAvailableAt), ['calico-rollout']);
        this.store.mutate(R.apiservers, undefined, 'default', (o) => {
          const t = nowIso();
          o.status = {
            state: 'Ready',
            conditions: [
              { type: 'Ready', status: 'True', reason: 'AllObjectsAvailable', message: 'All Objects are available', lastTransitionTime: t, observedGeneration: o.metadata.generation ?? 1 },
              { type: 'Progressing', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects are available', lastTransitionTime: t, observedGeneration: o.metadata.generation ?? 1 },
              { type: 'Degraded', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects are available', lastTransitionTime: t, observedGeneration: o.metadata.generation ?? 1 },
            ],
          };
        });
      }
      const anyReady = (c?.ready ?? 0) > 0;
      if (anyReady && !this.apiRegistered && this.api) {
        this.api.registry.addAggregated(projectcalicoV3());
        this.apiRegistered = true;
      }
    }
    const ippools: StatusState = apiserverCr && apiState?.kind !== 'available' ? { kind: 'degraded', reason: 'ResourceNotReady', message: 'Unable to modify IP pools while Calico API server is unavailable: ' } : { kind: 'available' };
    const wasPools = tigeraState(this.store, 'ippools')?.kind === 'available';
    writeTigeraStatus(this.store, 'ippools', ippools, gen);
    if (ippools.kind === 'available' && !wasPools) this.ctx.recorder.condition('tigerastatus-available:ippools');
    for (const c of COMPONENTS) this.refreshComponent(c);
    if (!this.faultsApplied && this.healthyIpam()) this.applyFaultsOnce();
  }

  /** TigeraStatus `goldmane` / `whisker` from its Deployment, once the custom resource exists. */
  private refreshComponent(c: Component): void {
    const cr = this.store.get(c.cr, undefined, 'default');
    if (!cr || !this.store.get(R.deployments, NS_CALICO, c.name)) return;
    const n = workloadCounts(this.store, R.deployments, NS_CALICO, c.name);
    const state: StatusState = n && n.ready >= n.desired ? { kind: 'available' } : { kind: 'progressing', message: `Deployment "${NS_CALICO}/${c.name}" is not available (awaiting ${(n?.desired ?? 1) - (n?.ready ?? 0)} replicas)` };
    const was = tigeraState(this.store, c.name)?.kind === 'available';
    writeTigeraStatus(this.store, c.name, state, cr.metadata.generation ?? 1);
    if (state.kind === 'available' && !was) this.ctx.recorder.condition(`tigerastatus-available:${c.name}`);
  }

  private calicoState(): StatusState {
    const pods = this.store.list(R.pods, { namespace: NS_CALICO }).items;
    for (const p of pods) {
      for (const cs of ((p.status as { containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] } | undefined)?.containerStatuses ?? [])) {
        const reason = cs.state?.waiting?.reason;
        if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') {
          return { kind: 'degraded', reason: 'PodFailure', message: `Pod ${NS_CALICO}/${p.metadata.name} failed to pull container image for: ${cs.name}` };
        }
      }
    }
    const ds = (name: string): StatusState | undefined => {
      const c = workloadCounts(this.store, R.daemonsets, NS_CALICO, name);
      if (!c) return undefined;
      if (c.scheduled === 0) return { kind: 'progressing', message: `DaemonSet "${NS_CALICO}/${name}" is not yet scheduled on any nodes` };
      if (c.ready < c.desired) return { kind: 'progressing', message: `DaemonSet "${NS_CALICO}/${name}" is not available (awaiting ${c.desired - c.ready} nodes)` };
      return undefined;
    };
    const dep = (name: string): StatusState | undefined => {
      const c = workloadCounts(this.store, R.deployments, NS_CALICO, name);
      if (!c) return undefined;
      if (c.ready < c.desired) return { kind: 'progressing', message: `Deployment "${NS_CALICO}/${name}" is not available (awaiting ${c.desired - c.ready} replicas)` };
      return undefined;
    };
    return ds('calico-node') ?? dep('calico-typha') ?? ds('csi-node-driver') ?? dep('calico-kube-controllers') ?? { kind: 'available' };
  }

  private writeInstallationStatus(calico: StatusState): void {
    const inst = this.store.get(R.installations, undefined, 'default');
    if (!inst) return;
    const gen = inst.metadata.generation ?? 1;
    const t = nowIso();
    const ready = calico.kind === 'available';
    const reason = calico.kind === 'available' ? 'AllObjectsAvailable' : calico.kind === 'degraded' ? calico.reason : 'ResourceNotReady';
    const message = calico.kind === 'available' ? 'All Objects are available' : calico.message;
    const prev = inst.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined;
    const keep = (type: string, status: string): string => {
      const p = prev?.conditions?.find((c) => c.type === type);
      return p && p.status === status ? (p.lastTransitionTime ?? t) : t;
    };
    const cond = (type: string, status: string): Record<string, unknown> => ({ type, status, reason, message, lastTransitionTime: keep(type, status), observedGeneration: gen });
    const status = {
      variant: 'Calico',
      mtu: 1450,
      imageSet: '',
      calicoVersion: this.release.calico,
      ...(ready ? { computed: { ...(inst.spec as object), variant: 'Calico', cni: { type: 'Calico', ipam: { type: 'Calico' } } } } : {}),
      conditions: [cond('Ready', ready ? 'True' : 'False'), cond('Progressing', calico.kind === 'progressing' ? 'True' : 'False'), cond('Degraded', calico.kind === 'degraded' ? 'True' : 'False')],
    };
    const strip = (s: unknown): string => JSON.stringify(s, (k, v: unknown) => (k === 'lastTransitionTime' ? undefined : v));
    if (strip(inst.status) !== strip(status)) this.store.mutate(R.installations, undefined, 'default', (o) => (o.status = status));
  }
}

export const IPAM_FAULTS: ReadonlySet<string> = new Set(['node-without-block', 'leaked-ip', 'overlapping-blocks', 'block-outside-pool', 'affinity-pending', 'duplicate-pod-ip', 'borrowed-ip']);


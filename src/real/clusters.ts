/**
 * kind's "provider" in the real world: the simulated Docker host still holds the node containers
 * (src/sim/cluster/kind.ts), but creating a cluster starts the REAL control plane for it first, then
 * registers its nodes and the objects kubeadm and kind create in the real API server, and starts kwok.
 * Deleting the cluster stops all of it and throws its etcd away.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { KindClusters, KindError, type CreateOptions, type KindHooks } from '../sim/cluster/kind.js';
import { kubeletVersion, nthAddress } from '../sim/cluster/objects.js';
import type { HostState, SimClusterSpec, SimContext } from '../sim/context.js';
import type { Binary, Program } from './components.js';
import { prepareControlPlane, startControlPlane, type ControlPlane, type Prepared } from './controlplane.js';
import { createAll, kindObjects, nodeObject, staticPods } from './kind-objects.js';
import { startKwok } from './kwok.js';
import { Kube } from './kube.js';
import type { Procs } from './procs.js';

export interface RealClusterHooks {
  /** The real control plane answers and the kind objects are in: start the kubelet side. */
  onUp(cp: ControlPlane, spec: SimClusterSpec): Promise<void>;
  /** Before the control plane stops. */
  onDown(): Promise<void>;
}

export class RealClusters extends KindClusters {
  current: ControlPlane | undefined;
  private prepared: Prepared | undefined;
  private early: Kube | undefined;
  private stopping: Promise<void> = Promise.resolve();

  constructor(
    ctx: SimContext,
    host: HostState,
    private readonly apiPortValue: number,
    private readonly bins: Map<Program, Binary>,
    private readonly procs: Procs,
    private readonly stateDir: string,
    private readonly signal: AbortSignal,
    private readonly real: RealClusterHooks,
  ) {
    const hooks: KindHooks = {
      apiPort: () => apiPortValue,
      onApiUp: () => undefined,
      onDeleted: () => {
        this.stopping = this.stopping.then(() => this.teardown());
      },
    };
    super(ctx, host, hooks);
  }

  override async create(spec: SimClusterSpec, opts: CreateOptions): Promise<void> {
    await this.stopping;
    if (this.exists(spec.name)) return super.create(spec, opts); // kind's "already exist" error
    // kind's order: node containers, kubeconfig, then kubeadm brings the API up
    const stateDir = join(this.stateDir, 'cluster');
    const serviceIp = nthAddress(spec.serviceSubnet, 1);
    this.prepared = prepareControlPlane(spec.name, serviceIp, this.apiPortValue, stateDir);
    let cp: ControlPlane;
    try {
      await super.create(spec, { ...opts, instant: true });
    } catch (e) {
      await this.teardown();
      throw e;
    }
    const ipOf = (name: string): string => [...this.nodes(spec.name)].find((c) => c.name === name)?.networks['kind']?.ipv4 ?? '';
    try {
      cp = await startControlPlane(
        { clusterName: spec.name, podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, serviceIp, apiPort: this.apiPortValue, advertiseAddress: ipOf(spec.nodes[0]?.name ?? '') },
        this.prepared,
        this.bins,
        this.procs,
        stateDir,
        this.signal,
      );
    } catch (e) {
      this.removeAll(spec.name);
      await this.teardown();
      throw new KindError(`failed to init node with kubeadm: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.current = cp;
    for (const n of spec.nodes) await cp.kube.create('/api/v1/nodes', nodeObject(spec, n.name, n.role, ipOf(n.name)));
    await createAll(cp.kube, [...kindObjects(spec), ...staticPods(spec, spec.nodes[0]?.name ?? '')]);
    const kwok = this.bins.get('kwok');
    if (kwok) startKwok(kwok, this.procs, join(this.stateDir, 'cluster'), cp.kubeconfigs.world, kubeletVersion(spec.image));
    await this.real.onUp(cp, spec);
  }

  kubeconfig(): string | undefined {
    return this.prepared?.adminKubeconfigText;
  }

  /**
   * A world client (system:masters) of the cluster being created, as soon as its certificates exist:
   * before its API answers and before create() returns (`current` is set only once it is all up).
   */
  apiClient(): Kube | undefined {
    if (!this.prepared) return undefined;
    this.early ??= new Kube(this.prepared.server, this.prepared.pki);
    return this.early;
  }

  /** kind removes the nodes it created when provisioning fails. */
  private removeAll(name: string): void {
    for (const c of this.nodes(name)) this.removeContainer(c.id);
  }

  private async teardown(): Promise<void> {
    const cp = this.current;
    this.current = undefined;
    this.prepared = undefined;
    this.early?.close();
    this.early = undefined;
    await this.real.onDown();
    await this.procs.stop('kwok');
    if (cp) await cp.stop();
    else for (const n of ['kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) await this.procs.stop(n);
    rmSync(join(this.stateDir, 'cluster'), { recursive: true, force: true });
  }

  async settled(): Promise<void> {
    await this.stopping;
  }
}

/**
 * The part of a kubelet the real world plays for pods whose program it can run out of cluster:
 * when kwok reports such a pod Running, the real binary starts with the pod's env, command line and
 * a token of the pod's ServiceAccount (so the manifest's RBAC is what is exercised); when the pod
 * goes, the process stops. It is also the CNI caller (src/real/cni.ts) and marks a node's network
 * ready once calico-node on it has started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Binary, Program } from './components.js';
import type { ControlPlane } from './controlplane.js';
import { Kube } from './kube.js';
import { containerEnv, expand, podToken, type Container, type PodLike } from './podenv.js';
import { tokenKubeconfig } from './pki.js';
import type { Procs } from './procs.js';
import { CNI_READY_ANNOTATION } from './kwok.js';
import type { Cni } from './cni.js';

/** A pod the world runs for real: which pods (namespace + label), which container, which binary. */
export interface RunnablePod {
  id: 'tigera-operator' | 'calico-kube-controllers';
  namespace: string;
  label: [string, string];
  container: string;
  program: Program;
  /** Flags added to the pod's command line (e.g. leader election off). */
  extraArgs: string[];
  /** Env overrides for running out of cluster. */
  extraEnv?: Record<string, string>;
}

export const RUNNABLE: RunnablePod[] = [
  { id: 'tigera-operator', namespace: 'tigera-operator', label: ['k8s-app', 'tigera-operator'], container: 'tigera-operator', program: 'tigera-operator', extraArgs: ['-enable-leader-election=false'], extraEnv: { OPERATOR_NAMESPACE: 'tigera-operator' } },
  { id: 'calico-kube-controllers', namespace: 'calico-system', label: ['k8s-app', 'calico-kube-controllers'], container: 'calico-kube-controllers', program: 'kube-controllers', extraArgs: [] },
];

export interface KubeletOptions {
  cp: ControlPlane;
  bins: Map<Program, Binary>;
  procs: Procs;
  stateDir: string;
  signal: AbortSignal;
  cni: Cni | undefined;
  /** Pod ids the world must not (re)start: fault injection ("stop the operator"), shared across clusters. */
  held: Set<RunnablePod['id']>;
  log(line: string): void;
}

const running = (p: PodLike): boolean => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined;

export class Kubelet {
  private readonly started = new Map<string, string>(); // id → pod uid
  private readonly errors = new Map<string, string>();
  private loop: Promise<void> | undefined;
  private readonly ended = new AbortController();

  constructor(private readonly o: KubeletOptions) {
    o.signal.addEventListener('abort', () => this.ended.abort(), { once: true });
  }

  start(): void {
    this.loop = this.run();
  }

  lastErrors(): Map<string, string> {
    return new Map(this.errors);
  }

  /** Stop a pod's process and keep it stopped (until `release`). */
  async hold(id: RunnablePod['id']): Promise<void> {
    this.o.held.add(id);
    await this.o.procs.stop(id);
    this.started.delete(id);
  }

  release(id: RunnablePod['id']): void {
    this.o.held.delete(id);
  }

  private async run(): Promise<void> {
    while (!this.ended.signal.aborted) {
      try {
        await this.tick();
        this.errors.delete('tick');
      } catch (e) {
        this.errors.set('tick', e instanceof Error ? e.message : String(e));
      }
      await sleep(500, undefined, { signal: this.ended.signal }).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.ended.abort();
    await this.loop?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const kube = this.o.cp.kube;
    const pods = (await kube.list('/api/v1/pods')) as PodLike[];
    for (const r of RUNNABLE) await this.reconcileRunnable(r, pods);
    if (this.o.cni) {
      const nodes = await kube.list('/api/v1/nodes');
      await this.o.cni.reconcile(pods, nodes);
      await this.markNetworkReady(pods, nodes);
    }
  }

  private async reconcileRunnable(r: RunnablePod, pods: PodLike[]): Promise<void> {
    const pod = pods.find((p) => p.metadata?.namespace === r.namespace && p.metadata.labels?.[r.label[0]] === r.label[1] && running(p));
    const proc = this.o.procs.get(r.id);
    const startedFor = this.started.get(r.id);
    if (!pod || this.o.held.has(r.id)) {
      if (proc?.running()) await proc.stop();
      this.started.delete(r.id);
      return;
    }
    if (startedFor === pod.metadata?.uid && proc?.running()) return;
    if (proc?.running()) await proc.stop();
    const bin = this.o.bins.get(r.program);
    if (!bin) {
      this.errors.set(r.id, `${r.program} is not built: its pod runs in kwok only`);
      return;
    }
    const c = (pod.spec?.containers ?? []).find((x) => x.name === r.container) ?? pod.spec?.containers?.[0];
    if (!c) return;
    await this.startContainer(r, pod, c, bin);
    this.started.set(r.id, pod.metadata?.uid ?? '');
  }

  private async startContainer(r: RunnablePod, pod: PodLike, c: Container, bin: Binary): Promise<void> {
    const kube = this.o.cp.kube;
    const env = await containerEnv(kube, pod, c);
    const token = await podToken(kube, pod);
    const dir = join(this.o.stateDir, 'pods', r.id);
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, tokenKubeconfig(this.o.cp.server, this.o.cp.pki, token));
    // the image's entrypoint is the binary: command[0] is replaced by the built program
    const argv = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map((a) => expand(a, env));
    const fullEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...env, ...r.extraEnv, KUBECONFIG: kubeconfig };
    this.o.log(`kubelet: starting ${r.id} (${bin.component} ${bin.version}) for pod ${pod.metadata?.namespace}/${pod.metadata?.name} on ${pod.spec?.nodeName}`);
    this.o.procs.start(r.id, bin.path, [...argv, ...r.extraArgs], { env: fullEnv, cwd: dir });
  }

  /** A node's network is ready once calico-node runs on it and the CNI caller could start it (src/real/cni.ts). */
  private async markNetworkReady(pods: PodLike[], nodes: { metadata?: { name?: string; annotations?: Record<string, string> } }[]): Promise<void> {
    const kube = this.o.cp.kube;
    for (const n of nodes) {
      const name = n.metadata?.name ?? '';
      const calicoNode = pods.find((p) => p.metadata?.namespace === 'calico-system' && p.metadata.labels?.['k8s-app'] === 'calico-node' && p.spec?.nodeName === name && running(p));
      const ready = calicoNode !== undefined && (this.o.cni?.nodeStarted(name, calicoNode.metadata?.uid ?? '') ?? false);
      const marked = n.metadata?.annotations?.[CNI_READY_ANNOTATION] === 'ready';
      if (ready && !marked) await kube.mergePatch(`/api/v1/nodes/${name}`, { metadata: { annotations: { [CNI_READY_ANNOTATION]: 'ready' } } });
      if (!ready && marked) await kube.mergePatch(`/api/v1/nodes/${name}`, { metadata: { annotations: { [CNI_READY_ANNOTATION]: null } } });
    }
  }
}

export { Kube };

/**
 * The kubelets of the managed pods: once a pod is bound to a node, its sandbox waits for the node's
 * CNI (calico-node Ready there; host-network pods need none), gets its IP from Calico IPAM on that
 * node (handle `k8s-pod-network.<containerID>`, like the Calico CNI), pulls the images the node's
 * containerd lacks (host.nodeImages; each pull recorded in host.nodePulls) and starts the containers.
 * Faults: workload-image-pull (ErrImagePull → ImagePullBackOff), pod-never-ready (Running, never Ready).
 * Deleting a pod ends its flow and releases its IPs.
 */
import { createHash } from 'node:crypto';
import type { FaultId, HostState, SimContext } from '../context.js';
import { hasImage } from '../dispatch/runtime.js';
import { autoAssign, releaseByHandle } from '../calico/ipam.js';
import { containerId, goTimeString } from '../calico/objects.js';
import { BUILT_INTO_NODE_IMAGE } from '../calico/operator.js';
import { refs } from '../cluster/objects.js';
import type { StoredObject } from '../store.js';
import { podEvent } from './events.js';
import { type Container, isPodReady, nowIso, podSpec } from './pods.js';
import { isManaged } from './scope.js';

export const KUBELET_DURATIONS = { sandbox: 1_000, pull: 8_000, start: 2_000, backOff: 10_000 } as const;

const CID_ANNOTATION = 'cni.projectcalico.org/containerID';

function hostIPOf(store: SimContext['store'], node: string): string | undefined {
  const n = store.get(refs.nodes, undefined, node);
  return (n?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

const imageID = (image: string): string => `${image.replace(/:[^:/]+$/, '').replace(/@.*$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`;

function waiting(c: Container, reason: string, message?: string): Record<string, unknown> {
  return { name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason, ...(message ? { message } : {}) } }, lastState: {} };
}

function conditions(ready: boolean, sandbox: boolean, notReady: string[]): Record<string, unknown>[] {
  const t = nowIso();
  const unready = ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${notReady.join(' ')}]` };
  return [
    { type: 'PodReadyToStartContainers', status: sandbox ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    { type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t, ...unready },
    { type: 'ContainersReady', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t, ...unready },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
  ];
}

/** Keep each condition's lastTransitionTime while its status holds. */
function mergeConditions(prev: Record<string, unknown>[] | undefined, next: Record<string, unknown>[]): Record<string, unknown>[] {
  return next.map((c) => {
    const p = prev?.find((x) => x['type'] === c['type']);
    return p && p['status'] === c['status'] ? { ...c, lastTransitionTime: p['lastTransitionTime'] } : c;
  });
}

/** `p`, or a rejection as soon as `signal` aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('pod flow ended'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('pod flow ended'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class Kubelets {
  private readonly flows = new Map<string, AbortController>();

  constructor(
    private readonly ctx: SimContext,
    private readonly host: HostState,
    private readonly faults: ReadonlySet<FaultId>,
  ) {}

  private get store() {
    return this.ctx.store;
  }

  /** Start a flow for every bound managed pod that has none yet. */
  sync(): void {
    for (const p of this.store.list(refs.pods).items) {
      const uid = p.metadata.uid ?? '';
      if (!isManaged(p) || podSpec(p).nodeName === undefined || this.flows.has(uid) || (p.status as { phase?: string } | undefined)?.phase === 'Running') continue;
      const ac = new AbortController();
      this.flows.set(uid, ac);
      const signal = AbortSignal.any([this.ctx.signal, ac.signal]);
      this.run(p, signal).catch(() => undefined);
    }
  }

  /** A pod was deleted: end its flow, release its IPs (CNI DEL). */
  deleted(pod: StoredObject): void {
    const uid = pod.metadata.uid ?? '';
    this.flows.get(uid)?.abort();
    const cid = pod.metadata.annotations?.[CID_ANNOTATION];
    if (cid && isManaged(pod)) releaseByHandle(this.store, `k8s-pod-network.${cid}`);
  }

  stop(): void {
    for (const ac of this.flows.values()) ac.abort();
  }

  /** The pod as stored now, if it is still the same pod. */
  private current(pod: StoredObject): StoredObject | undefined {
    const cur = this.store.get(refs.pods, pod.metadata.namespace, pod.metadata.name);
    return cur && cur.metadata.uid === pod.metadata.uid ? cur : undefined;
  }

  private update(pod: StoredObject, change: (status: Record<string, unknown>, o: StoredObject) => void): boolean {
    if (!this.current(pod)) return false;
    this.store.mutate(refs.pods, pod.metadata.namespace, pod.metadata.name, (o) => change((o.status ??= {}) as Record<string, unknown>, o));
    return true;
  }

  private cniReady(node: string): boolean {
    const pods = this.store.list(refs.pods, { namespace: 'calico-system', labels: [{ key: 'k8s-app', op: '=', values: ['calico-node'] }], fields: [{ path: 'spec.nodeName', op: '=', value: node }] }).items;
    return pods.some(isPodReady);
  }

  private waitForCni(node: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.cniReady(node)) return resolve();
      const onAbort = (): void => {
        unwatch();
        reject(new Error('pod flow ended'));
      };
      const unwatch = this.store.watch(refs.pods, () => {
        if (!this.cniReady(node)) return;
        unwatch();
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async run(pod: StoredObject, signal: AbortSignal): Promise<void> {
    const spec = podSpec(pod);
    const node = spec.nodeName ?? '';
    const containers = spec.containers ?? [];
    const hostNetwork = spec.hostNetwork === true;
    const hostIP = hostIPOf(this.store, node);
    this.update(pod, (st) => {
      Object.assign(st, { phase: 'Pending', ...(hostIP ? { hostIP } : {}), startTime: st['startTime'] ?? nowIso() });
      st['conditions'] = mergeConditions(st['conditions'] as Record<string, unknown>[] | undefined, conditions(false, false, containers.map((c) => c.name)));
      st['containerStatuses'] = containers.map((c) => waiting(c, 'ContainerCreating'));
    });
    if (!hostNetwork) await this.waitForCni(node, signal);
    await this.ctx.clock.sleep(KUBELET_DURATIONS.sandbox, signal);
    if (!this.sandbox(pod, node, hostNetwork, hostIP)) return;
    for (const c of containers) if (!(await this.pull(pod, node, c, signal))) return;
    await this.ctx.clock.sleep(KUBELET_DURATIONS.start, signal);
    this.startContainers(pod, node, containers);
  }

  /** The sandbox: the pod's IP (Calico IPAM, or the node's for host-network pods). False when the pod is gone or IPAM had no address. */
  private sandbox(pod: StoredObject, node: string, hostNetwork: boolean, hostIP: string | undefined): boolean {
    if (!this.current(pod)) return false;
    let ip = hostNetwork ? hostIP : undefined;
    let cid: string | undefined;
    if (!hostNetwork) {
      cid = containerId();
      const alloc = autoAssign(this.store, node, `k8s-pod-network.${cid}`, { namespace: pod.metadata.namespace ?? 'default', node, pod: pod.metadata.name, timestamp: goTimeString() });
      if (!alloc) {
        podEvent(this.store, pod, { type: 'Warning', reason: 'FailedCreatePodSandBox', message: 'Failed to create pod sandbox: plugin type="calico" failed (add): failed to request IPv4 addresses: Assigned 0 out of 1 requested IPv4 addresses; No more free affine blocks and failed to find free IPs in any block', component: 'kubelet', node });
        return false;
      }
      ip = alloc.ip;
    }
    const assigned = this.update(pod, (st, o) => {
      if (cid) {
        const ann = (o.metadata.annotations ??= {});
        Object.assign(ann, { [CID_ANNOTATION]: cid, 'cni.projectcalico.org/podIP': `${ip}/32`, 'cni.projectcalico.org/podIPs': `${ip}/32` });
      }
      if (ip) Object.assign(st, { podIP: ip, podIPs: [{ ip }] });
      st['conditions'] = mergeConditions(st['conditions'] as Record<string, unknown>[] | undefined, conditions(false, true, (podSpec(o).containers ?? []).map((c) => c.name)));
    });
    if (!assigned && cid) releaseByHandle(this.store, `k8s-pod-network.${cid}`);
    return assigned;
  }

  /** Pull one image unless the node has it. False when the pull fails (fault) or the pod is gone. */
  private async pull(pod: StoredObject, node: string, c: Container, signal: AbortSignal): Promise<boolean> {
    const fieldPath = `spec.containers{${c.name}}`;
    const images = this.host.nodeImages.get(node);
    const present = BUILT_INTO_NODE_IMAGE.test(c.image) || (images !== undefined && hasImage(images, c.image));
    if (present && !this.faults.has('workload-image-pull')) {
      podEvent(this.store, pod, { type: 'Normal', reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, component: 'kubelet', node, fieldPath });
      return this.current(pod) !== undefined;
    }
    podEvent(this.store, pod, { type: 'Normal', reason: 'Pulling', message: `Pulling image "${c.image}"`, component: 'kubelet', node, fieldPath });
    if (this.faults.has('workload-image-pull')) {
      await this.ctx.clock.sleep(KUBELET_DURATIONS.pull, signal);
      if (this.current(pod)) await this.failPull(pod, node, c, signal);
      return false;
    }
    await this.pullOnce(node, c.image, signal);
    if (!this.current(pod)) return false;
    podEvent(this.store, pod, { type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${c.image}" in ${(KUBELET_DURATIONS.pull / 1000).toFixed(3)}s`, component: 'kubelet', node, fieldPath });
    return true;
  }

  /** containerd pulls an image once per node, however many pods wait for it. */
  private readonly pulling = new Map<string, Promise<void>>();

  private pullOnce(node: string, image: string, signal: AbortSignal): Promise<void> {
    const key = `${node}\u0000${image}`;
    let p = this.pulling.get(key);
    if (!p) {
      p = this.ctx.clock.sleep(KUBELET_DURATIONS.pull, this.ctx.signal).then(() => {
        this.host.nodePulls.push({ node, image });
        const images = this.host.nodeImages.get(node);
        if (images) images.add(image);
        else this.host.nodeImages.set(node, new Set([image]));
      });
      p.catch(() => undefined).finally(() => this.pulling.delete(key));
      this.pulling.set(key, p);
    }
    return abortable(p, signal);
  }

  /** workload-image-pull: ErrImagePull, then (after the first back-off) ImagePullBackOff for good. */
  private async failPull(pod: StoredObject, node: string, c: Container, signal: AbortSignal): Promise<void> {
    const fieldPath = `spec.containers{${c.name}}`;
    const ref = c.image.includes('/') ? c.image : `docker.io/library/${c.image}`;
    const why = `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
    const setWaiting = (reason: string, message: string): boolean =>
      this.update(pod, (st) => {
        st['containerStatuses'] = (podSpec(pod).containers ?? []).map((x) => (x.name === c.name ? waiting(x, reason, message) : waiting(x, 'ContainerCreating')));
      });
    if (!setWaiting('ErrImagePull', `rpc error: code = NotFound desc = ${why}`)) return;
    podEvent(this.store, pod, { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${c.image}": ${why}`, component: 'kubelet', node, fieldPath });
    podEvent(this.store, pod, { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', component: 'kubelet', node, fieldPath });
    await this.ctx.clock.sleep(KUBELET_DURATIONS.backOff, signal);
    if (!setWaiting('ImagePullBackOff', `Back-off pulling image "${c.image}"`)) return;
    podEvent(this.store, pod, { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${c.image}"`, component: 'kubelet', node, fieldPath });
    podEvent(this.store, pod, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', component: 'kubelet', node, fieldPath });
  }

  private startContainers(pod: StoredObject, node: string, containers: Container[]): void {
    const ready = !this.faults.has('pod-never-ready');
    const t = nowIso();
    const ok = this.update(pod, (st) => {
      st['phase'] = 'Running';
      st['conditions'] = mergeConditions(st['conditions'] as Record<string, unknown>[] | undefined, conditions(ready, true, containers.map((c) => c.name)));
      st['containerStatuses'] = containers.map((c) => ({ name: c.name, image: c.image, imageID: imageID(c.image), containerID: `containerd://${containerId()}`, ready, restartCount: 0, started: true, state: { running: { startedAt: t } }, lastState: {} }));
    });
    if (!ok) return;
    for (const c of containers) {
      podEvent(this.store, pod, { type: 'Normal', reason: 'Created', message: `Created container ${c.name}`, component: 'kubelet', node, fieldPath: `spec.containers{${c.name}}` });
      podEvent(this.store, pod, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet', node, fieldPath: `spec.containers{${c.name}}` });
    }
    if (!ready) podEvent(this.store, pod, { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: connection refused', component: 'kubelet', node, fieldPath: `spec.containers{${containers[0]?.name ?? ''}}` });
  }
}

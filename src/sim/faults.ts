/**
 * Fault ids (see FAULT_IDS in context.ts) and the deploy-time ones the world core implements:
 * - clab-image-pull: the first pull of the kind node image fails (containerlab deploy exits 1 with
 *   kind's pull error; kind leaves nothing behind). A later deploy succeeds, so the product can converge.
 * - leftover-cluster: at world start a cluster of the topology's name already exists (booted, no CNI).
 * - api-flaky: the API answers 5xx / drops watches for ~20 simulated s after it first comes up.
 * - api-down: the API is unreachable for ~15 simulated s after it first comes up.
 * - admin-rights-late: kubeadm ≥ 1.29 — admin.conf's user gets cluster-admin only a moment after
 *   /readyz: every request but health/discovery is a 403 until ADMIN_RIGHTS_LATE_MS after /readyz
 *   first answered 200, at the latest when kind has finished creating (kubeadm init is done by then).
 * - checksum-mismatch: the download server serves altered bytes (downloads.ts).
 * - slow: the clock runs 3× slower (world.ts multiplies the time scale).
 * - docker-down: the fake docker CLI cannot reach its daemon (tools/docker.ts), as with dockerd stopped.
 * image-pull-backoff, node-notready and the IPAM faults are implemented by the Calico part;
 * workload-image-pull and pod-never-ready by the workload controllers (workloads/kubelet.ts).
 * pod-mtu-mismatch and missing-pod-route by the exec answers (src/sim/exec/net.ts).
 */
import { FAULT_IDS, isFaultId, type FaultId, type SimClock } from './context.js';
import type { ApiServerLike } from './dispatch/runtime.js';

export const FAULT_DESCRIPTIONS: Record<FaultId, string> = {
  'clab-image-pull': 'containerlab deploy fails pulling kindest/node (first attempt)',
  'leftover-cluster': 'a kind cluster of the lab\'s name already exists when the world starts',
  'api-flaky': 'the API server answers 5xx and drops watches for ~20 s after it comes up',
  'api-down': 'the API server is unreachable for ~15 s after it first comes up',
  'admin-rights-late': 'admin.conf is not cluster-admin yet for ~5 s after /readyz first answers (kubeadm ≥ 1.29): API requests get 403',
  'image-pull-backoff': 'a Calico pod is stuck in ImagePullBackOff; TigeraStatus Degraded',
  'node-notready': 'one node never becomes Ready',
  'checksum-mismatch': 'the download source serves altered bytes',
  slow: 'everything takes 3× longer',
  'docker-down': 'the Docker daemon is not running: every docker command but `docker version` fails to connect',
  'node-without-block': 'IPAM: a node has no block affinity',
  'leaked-ip': 'IPAM: an allocation whose pod no longer exists',
  'overlapping-blocks': 'IPAM: two blocks overlap',
  'block-outside-pool': 'IPAM: a block outside every IP pool',
  'affinity-pending': 'IPAM: a block affinity stuck in pending',
  'duplicate-pod-ip': 'IPAM: two pods share an IP',
  'borrowed-ip': 'IPAM: a pod IP borrowed from another node\'s block',
  'calico-crd-errors': 'lists of crd.projectcalico.org/v1 resources answer 500 (the API server implements it)',
  'workload-image-pull': 'the images of non-system workloads cannot be pulled (preloaded or not): their pods wait in ErrImagePull, then ImagePullBackOff',
  'pod-never-ready': 'the containers of non-system workloads run but never become ready: pods Ready=False (ContainersNotReady)',
  'pod-mtu-mismatch': "exec: pods' eth0 report MTU 1500 although VXLAN needs 1450 (src/sim/exec)",
  'missing-pod-route': "exec: a node lacks the /32 route to one of its pods (a lesson pod first; src/sim/exec)",
};

export const API_FLAKY_MS = 20_000;
export const API_DOWN_MS = 15_000;
export const ADMIN_RIGHTS_LATE_MS = 5_000;
/** kind's steps after the API is up (StorageClass, joining the workers): the rights come before kind returns. */
export const ADMIN_RIGHTS_LATEST_MS = 17_000;

export class UnknownFaultError extends Error {
  constructor(readonly id: string) {
    super(`unknown fault '${id}'; known faults: ${FAULT_IDS.join(', ')}`);
  }
}

/** Validate fault ids (throws UnknownFaultError naming the bad id and listing the known ones). */
export function parseFaults(ids: readonly string[]): FaultId[] {
  const out: FaultId[] = [];
  for (const id of ids.flatMap((i) => i.split(',')).map((i) => i.trim()).filter((i) => i !== '')) {
    if (!isFaultId(id)) throw new UnknownFaultError(id);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * When the API first comes up: api-down keeps it 'down', api-flaky makes it 'flaky', for a while, then 'up'.
 * Returns the mode to set now. The timer ends with the signal.
 */
export function apiFaultOnUp(faults: ReadonlySet<FaultId>, api: ApiServerLike, clock: SimClock, signal: AbortSignal, spent: Set<string>): 'up' | 'down' | 'flaky' {
  for (const [id, mode, ms] of [
    ['api-down', 'down', API_DOWN_MS],
    ['api-flaky', 'flaky', API_FLAKY_MS],
  ] as const) {
    if (!faults.has(id) || spent.has(id)) continue;
    spent.add(id);
    clock.sleep(ms, signal).then(
      () => {
        if (!signal.aborted) api.setMode('up');
      },
      () => undefined,
    );
    return mode;
  }
  return 'up';
}

/**
 * admin-rights-late: called when the API first comes up. Withholds admin rights until
 * ADMIN_RIGHTS_LATE_MS after the next /readyz 200, or ADMIN_RIGHTS_LATEST_MS after now, whichever
 * comes first. The timers end with the signal.
 */
export function adminRightsOnUp(faults: ReadonlySet<FaultId>, api: ApiServerLike, clock: SimClock, signal: AbortSignal, spent: Set<string>): void {
  if (!faults.has('admin-rights-late') || spent.has('admin-rights-late')) return;
  spent.add('admin-rights-late');
  api.setAdminRights(false);
  const grant = (): void => {
    if (!signal.aborted) api.setAdminRights(true);
  };
  api.onNextReady(() => void clock.sleep(ADMIN_RIGHTS_LATE_MS, signal).then(grant, () => undefined));
  clock.sleep(ADMIN_RIGHTS_LATEST_MS, signal).then(grant, () => undefined);
}

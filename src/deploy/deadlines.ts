/**
 * Deadlines. `--timeout` (default 15m) bounds the whole command; each step also has its own default
 * below, and gets min(its default, what is left of the overall deadline). Documented in the README.
 */
export const DEFAULT_TIMEOUT_MS = 15 * 60_000;

export const STEP_TIMEOUT_MS = {
  /** docker info, containerlab version/root check, kind/docker discovery of an existing cluster. */
  preflight: 60_000,
  /** containerlab deploy (kind pulls the node image and boots the cluster). */
  containerlabDeploy: 15 * 60_000,
  /** kind get kubeconfig + write the file. */
  kubeconfig: 30_000,
  /** The API answering /readyz after the cluster was created. */
  api: 3 * 60_000,
  /** Each download (calicoctl, operator-crds.yaml, tigera-operator.yaml). */
  download: 5 * 60_000,
  /** Server-side apply of the manifests, CRDs Established, custom resources. */
  apply: 3 * 60_000,
  /** TigeraStatus calico/apiserver Available and all nodes Ready: what is left of --timeout. */
  calicoReady: 15 * 60_000,
  /** Server-side apply of the lesson's workloads (the series' tools/*.yaml). */
  workloadsApply: 2 * 60_000,
  /** The lesson's Deployments/DaemonSets/StatefulSets/Pods ready (image pulls included). */
  workloadsReady: 5 * 60_000,
  /** containerlab destroy + kind delete + leftovers. */
  destroy: 10 * 60_000,
  /** A quick health probe of an existing cluster's API (reuse decision, status). */
  probe: 5_000,
} as const;

/** Overall deadline tracker. */
export class Deadline {
  readonly at: number;
  constructor(readonly totalMs: number, readonly start = Date.now()) {
    this.at = start + totalMs;
  }

  /** Absolute deadline for a step: min(now + stepMs, overall). */
  step(stepMs: number): number {
    return Math.min(Date.now() + stepMs, this.at);
  }

  /** Milliseconds left for a step (at least 1). */
  remaining(stepMs: number = Number.POSITIVE_INFINITY): number {
    return Math.max(1, Math.min(stepMs, this.at - Date.now()));
  }
}

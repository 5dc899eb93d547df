/**
 * The Calico half of the simulated world: tigera-operator + calico-node + Calico IPAM controllers,
 * IPAM faults, and the fake `calicoctl`.
 */
import type { HostState, SimClusterSpec, SimContext } from '../context.js';
import { registerTarget } from './calicoctl.js';
import { type AggregatedRegistryLike, CalicoController } from './operator.js';

export { calicoctl, registerTarget } from './calicoctl.js';
export type { CalicoTarget } from './calicoctl.js';
export { CalicoController, DURATIONS } from './operator.js';
export { applyIpamFaults } from './faults.js';

/**
 * Start the controllers for one cluster (called once its API is up). `api.registry` receives the
 * aggregated projectcalico.org/v3 group when the calico API server becomes available; `api.port`
 * (when present) lets `calicoctl` match the cluster named by its KUBECONFIG.
 */
export function startCalico(ctx: SimContext, host: HostState, cluster: SimClusterSpec, api?: AggregatedRegistryLike | unknown): { stop(): void; idle(): Promise<void>; settled(): Promise<void> } {
  const reg = api && typeof api === 'object' && 'registry' in api ? (api as AggregatedRegistryLike) : undefined;
  const port = api && typeof api === 'object' && 'port' in api && typeof (api as { port: unknown }).port === 'number' ? (api as { port: number }).port : undefined;
  const controller = new CalicoController(ctx, host, cluster, reg);
  const unregister = registerTarget({ store: ctx.store, ...(port !== undefined ? { port } : {}) });
  controller.start();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    unregister();
    controller.stop();
  };
  ctx.signal.addEventListener('abort', stop, { once: true });
  return { stop, idle: () => controller.idle(), settled: () => controller.settledPromise };
}

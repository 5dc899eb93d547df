/**
 * Which objects the workload controllers own. The kind boot (cluster/) and the Calico part (calico/)
 * model the system namespaces' pods themselves (coredns, calico-node, the operator…); the workload
 * controllers run everything else, the way kube-controller-manager, the scheduler and the kubelets of
 * a real cluster would.
 */
import type { StoredObject } from '../store.js';

export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'local-path-storage',
  'tigera-operator',
  'calico-system',
  'calico-apiserver',
]);

/** True for objects of a namespace the workload controllers manage (every non-system namespace). */
export function isManaged(obj: StoredObject): boolean {
  const ns = obj.metadata.namespace;
  return ns !== undefined && ns !== '' && !SYSTEM_NAMESPACES.has(ns);
}

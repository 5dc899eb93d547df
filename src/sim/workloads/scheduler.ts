/**
 * kube-scheduler for the managed pods: filters nodes by nodeName/nodeSelector/DaemonSet node affinity
 * and untolerated NoSchedule/NoExecute taints, scores by fewest pods (ties: node name), binds. A pod no
 * node fits stays Pending with PodScheduled=False/Unschedulable and the scheduler's message.
 */
import { refs } from '../cluster/objects.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { nodeViews, pinnedNode } from './controllers.js';
import { untolerated } from './match.js';
import { nowIso, podSpec } from './pods.js';
import { isManaged } from './scope.js';

export function schedulePending(store: ObjectStore): void {
  const all = store.list(refs.pods).items;
  const pending = all.filter((p) => isManaged(p) && podSpec(p).nodeName === undefined && !p.metadata.deletionTimestamp);
  if (pending.length === 0) return;
  const nodes = nodeViews(store);
  const load = new Map(nodes.map((n) => [n.name, 0]));
  for (const p of all) {
    const n = podSpec(p).nodeName;
    if (n !== undefined) load.set(n, (load.get(n) ?? 0) + 1);
  }
  for (const pod of pending.sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name.localeCompare(b.metadata.name))) {
    const spec = podSpec(pod);
    const pin = pinnedNode(pod);
    const reasons = new Map<string, number>();
    const fit = nodes.filter((n) => {
      if (pin !== undefined && n.name !== pin) return count(reasons, "didn't match Pod's node affinity/selector");
      if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => n.labels[k] === v)) return count(reasons, "didn't match Pod's node affinity/selector");
      const bad = untolerated(n.taints, spec.tolerations ?? []);
      if (bad[0]) return count(reasons, `had untolerated taint {${bad[0].key}: ${bad[0].value ?? ''}}`);
      return true;
    });
    fit.sort((a, b) => (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0) || a.name.localeCompare(b.name));
    const chosen = fit[0];
    if (chosen) {
      load.set(chosen.name, (load.get(chosen.name) ?? 0) + 1);
      bind(store, pod, chosen.name);
    } else markUnschedulable(store, pod, nodes.length, reasons);
  }
}

function count(reasons: Map<string, number>, reason: string): false {
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return false;
}

function bind(store: ObjectStore, pod: StoredObject, node: string): void {
  store.mutate(refs.pods, pod.metadata.namespace, pod.metadata.name, (o) => {
    (o.spec as Record<string, unknown>).nodeName = node;
    const st = (o.status ??= {}) as { conditions?: Record<string, unknown>[] };
    st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowIso() }];
  });
}

function markUnschedulable(store: ObjectStore, pod: StoredObject, total: number, reasons: Map<string, number>): void {
  const parts = [...reasons.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([r, n]) => `${n} node(s) ${r}`);
  const message = `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
  const prev = ((pod.status as { conditions?: { type: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (prev?.message === message) return;
  store.mutate(refs.pods, pod.metadata.namespace, pod.metadata.name, (o) => {
    const st = (o.status ??= {}) as { conditions?: Record<string, unknown>[] };
    st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: nowIso() }];
  });
}

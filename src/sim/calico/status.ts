/** TigeraStatus / Installation / workload status writers (operator pkg/controller/status semantics). */
import type { ObjectStore, StoredObject } from '../store.js';
import { isPodReady, nowIso } from './objects.js';
import { R } from './refs.js';

export type StatusState =
  | { kind: 'progressing'; message: string }
  | { kind: 'available' }
  | { kind: 'degraded'; reason: string; message: string };

interface Condition {
  type: 'Available' | 'Progressing' | 'Degraded';
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

function conditionsFor(state: StatusState): Condition[] {
  switch (state.kind) {
    case 'available':
      return [
        { type: 'Available', status: 'True', reason: 'AllObjectsAvailable', message: 'All objects available' },
        { type: 'Progressing', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
        { type: 'Degraded', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
      ];
    case 'progressing':
      // The real operator (v1.38.0) sets only Progressing while it waits: Available and Degraded stay
      // False with reason Unknown and no message (seen for calico and apiserver in the real-world
      // conformance report).
      return [
        { type: 'Available', status: 'False', reason: 'Unknown', message: '' },
        { type: 'Progressing', status: 'True', reason: 'ResourceNotReady', message: state.message },
        { type: 'Degraded', status: 'False', reason: 'Unknown', message: '' },
      ];
    case 'degraded':
      return [
        { type: 'Available', status: 'False', reason: state.reason, message: state.message },
        { type: 'Progressing', status: 'False', reason: state.reason, message: state.message },
        { type: 'Degraded', status: 'True', reason: state.reason, message: state.message },
      ];
  }
}

/** Merge new conditions into old ones, keeping lastTransitionTime where the status did not change. */
function merge(old: Condition[] | undefined, next: Condition[], generation: number): Condition[] {
  const t = nowIso();
  return next.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? t) : t, observedGeneration: generation };
  });
}

/** Create or update TigeraStatus `name`; returns true when the object changed. */
export function writeTigeraStatus(store: ObjectStore, name: string, state: StatusState, generation: number): boolean {
  const existing = store.get(R.tigerastatuses, undefined, name);
  const oldConds = (existing?.status as { conditions?: Condition[] } | undefined)?.conditions;
  const conditions = merge(oldConds, conditionsFor(state), generation);
  const strip = (cs: Condition[] | undefined): string => JSON.stringify((cs ?? []).map(({ lastTransitionTime: _t, ...rest }) => rest));
  if (existing && strip(oldConds) === strip(conditions)) return false;
  store.put(R.tigerastatuses, {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'TigeraStatus',
    metadata: { name, ...(existing ? { uid: existing.metadata.uid } : {}) },
    spec: {},
    status: { conditions },
  });
  return true;
}

export function tigeraState(store: ObjectStore, name: string): StatusState | undefined {
  const ts = store.get(R.tigerastatuses, undefined, name);
  const conds = (ts?.status as { conditions?: Condition[] } | undefined)?.conditions;
  if (!conds) return undefined;
  const get = (type: string): Condition | undefined => conds.find((c) => c.type === type);
  if (get('Available')?.status === 'True') return { kind: 'available' };
  const d = get('Degraded');
  if (d?.status === 'True') return { kind: 'degraded', reason: d.reason, message: d.message };
  return { kind: 'progressing', message: get('Progressing')?.message ?? '' };
}

const selectorMatches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export interface WorkloadCounts {
  desired: number;
  ready: number;
  scheduled: number;
}

/** Recompute the status of every Deployment/DaemonSet of `namespace` from its pods. */
export function refreshWorkloads(store: ObjectStore, namespace: string, nodeCount: number): void {
  const pods = store.list(R.pods, { namespace }).items;
  for (const ref of [R.deployments, R.daemonsets]) {
    for (const w of store.list(ref, { namespace }).items) {
      const spec = w.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
      const sel = spec.selector?.matchLabels;
      if (!sel) continue;
      const mine = pods.filter((p) => selectorMatches(sel, p.metadata.labels));
      const ready = mine.filter(isPodReady).length;
      const gen = w.metadata.generation ?? 1;
      let status: Record<string, unknown>;
      if (w.kind === 'DaemonSet') {
        const desired = Math.max(mine.length, w.metadata.namespace === 'calico-system' ? nodeCount : mine.length);
        status = {
          currentNumberScheduled: mine.length,
          desiredNumberScheduled: desired,
          numberAvailable: ready,
          numberMisscheduled: 0,
          numberReady: ready,
          ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
          observedGeneration: gen,
          updatedNumberScheduled: mine.length,
        };
      } else {
        const replicas = spec.replicas ?? 1;
        const t = nowIso();
        const prev = (w.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions;
        const avail = ready >= replicas ? 'True' : 'False';
        const keep = (type: string, s: string): string => {
          const p = prev?.find((c) => c.type === type);
          return p && p.status === s ? (p.lastTransitionTime ?? t) : t;
        };
        status = {
          observedGeneration: gen,
          replicas: mine.length,
          updatedReplicas: mine.length,
          ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
          ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
          conditions: [
            {
              type: 'Available',
              status: avail,
              lastUpdateTime: keep('Available', avail),
              lastTransitionTime: keep('Available', avail),
              reason: avail === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
              message: avail === 'True' ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
            },
            {
              type: 'Progressing',
              status: 'True',
              lastUpdateTime: keep('Progressing', 'True'),
              lastTransitionTime: keep('Progressing', 'True'),
              reason: avail === 'True' ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
              message: `ReplicaSet "${w.metadata.name}-${String(w.metadata.labels?.['pod-template-hash'] ?? '')}" ${avail === 'True' ? 'has successfully progressed.' : 'is progressing.'}`.replace('-"', '"'),
            },
          ],
        };
      }
      const strip = (s: unknown): string => JSON.stringify(s, (k, v: unknown) => (k === 'lastUpdateTime' || k === 'lastTransitionTime' ? undefined : v));
      if (strip(w.status) !== strip(status)) {
        store.mutate(ref, namespace, w.metadata.name, (o) => {
          o.status = status;
        });
      }
    }
  }
}

export function workloadCounts(store: ObjectStore, ref: typeof R.deployments | typeof R.daemonsets, namespace: string, name: string): WorkloadCounts | undefined {
  const w = store.get(ref, namespace, name);
  if (!w) return undefined;
  const s = (w.status ?? {}) as Record<string, number | undefined>;
  if (w.kind === 'DaemonSet') return { desired: s.desiredNumberScheduled ?? 0, ready: s.numberAvailable ?? 0, scheduled: s.currentNumberScheduled ?? 0 };
  return { desired: (w.spec as { replicas?: number }).replicas ?? 1, ready: s.availableReplicas ?? 0, scheduled: s.replicas ?? 0 };
}

export type { Condition as TigeraCondition, StoredObject };

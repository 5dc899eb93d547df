/** Status of ReplicaSets, Deployments and DaemonSets computed from their pods, written only when it changed. */
import type { ObjectStore, ResourceRef, StoredObject } from '../store.js';
import { isPodReady, nowIso } from './pods.js';

type Status = Record<string, unknown>;
type Cond = { type: string; status: string; lastUpdateTime?: string; lastTransitionTime?: string; reason?: string; message?: string };

const strip = (s: unknown): string => JSON.stringify(s, (k, v: unknown) => (k === 'lastUpdateTime' || k === 'lastTransitionTime' ? undefined : v));

/** Write `status` on `obj` unless only timestamps differ; keeps a condition's times while its status holds. */
export function writeStatus(store: ObjectStore, ref: ResourceRef, obj: StoredObject, status: Status): void {
  const prev = (obj.status ?? {}) as { conditions?: Cond[] };
  const conds = status.conditions as Cond[] | undefined;
  if (conds) {
    const t = nowIso();
    status.conditions = conds.map((c) => {
      const p = prev.conditions?.find((x) => x.type === c.type);
      const same = p !== undefined && p.status === c.status;
      return { ...c, lastUpdateTime: same && p.reason === c.reason ? (p.lastUpdateTime ?? t) : t, lastTransitionTime: same ? (p.lastTransitionTime ?? t) : t };
    });
  }
  if (strip(obj.status ?? {}) === strip(status)) return;
  store.mutate(ref, obj.metadata.namespace, obj.metadata.name, (o) => void (o.status = status));
}

const positive = (key: string, n: number): Status => (n > 0 ? { [key]: n } : {});

export function replicaSetStatus(rs: StoredObject, pods: readonly StoredObject[]): Status {
  const ready = pods.filter(isPodReady).length;
  return { replicas: pods.length, fullyLabeledReplicas: pods.length, ...positive('readyReplicas', ready), ...positive('availableReplicas', ready), observedGeneration: rs.metadata.generation ?? 1 };
}

export function deploymentStatus(d: StoredObject, sets: readonly StoredObject[], _pods: readonly StoredObject[], currentName: string): Status {
  const want = (d.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const count = (s: StoredObject, k: string): number => ((s.status as Record<string, number> | undefined)?.[k] ?? 0);
  const replicas = sets.reduce((n, s) => n + count(s, 'replicas'), 0);
  const ready = sets.reduce((n, s) => n + count(s, 'readyReplicas'), 0);
  const current = sets.find((s) => s.metadata.name === currentName);
  const updated = current ? count(current, 'replicas') : 0;
  const available = ready >= want;
  const complete = available && updated === want && replicas === want;
  return {
    observedGeneration: d.metadata.generation ?? 1,
    replicas,
    updatedReplicas: updated,
    ...positive('readyReplicas', ready),
    ...positive('availableReplicas', ready),
    ...positive('unavailableReplicas', Math.max(0, want - ready)),
    conditions: [
      { type: 'Available', status: available ? 'True' : 'False', reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
      { type: 'Progressing', status: 'True', reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', message: complete ? `ReplicaSet "${currentName}" has successfully progressed.` : `ReplicaSet "${currentName}" is progressing.` },
    ],
  };
}

export function daemonSetStatus(ds: StoredObject, pods: readonly StoredObject[], desired: number, hash: string): Status {
  const ready = pods.filter(isPodReady).length;
  const scheduled = pods.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName !== undefined).length;
  return {
    currentNumberScheduled: scheduled,
    desiredNumberScheduled: desired,
    ...positive('numberAvailable', ready),
    numberMisscheduled: 0,
    numberReady: ready,
    ...positive('numberUnavailable', Math.max(0, desired - ready)),
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash && (p.spec as { nodeName?: string } | undefined)?.nodeName !== undefined).length,
  };
}

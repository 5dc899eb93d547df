/**
 * Readiness of a lesson's workloads, as the controllers report it in `status` (pure functions over
 * the objects the API returns; tested against fixtures in the real JSON shapes):
 * - Deployment: status.observedGeneration ≥ metadata.generation, updatedReplicas, availableReplicas
 *   and readyReplicas == spec.replicas (default 1);
 * - DaemonSet: observedGeneration current, desiredNumberScheduled > 0, numberReady ==
 *   updatedNumberScheduled == desiredNumberScheduled;
 * - StatefulSet: observedGeneration current, readyReplicas == spec.replicas (default 1);
 * - Pod: condition Ready True (or phase Succeeded).
 */
import type { KubeObject, WorkloadWait } from '../lab/model.js';
import { podNotReady } from './diagnose.js';
import { conditionIs, conditionsOf } from './wait.js';

export const WORKLOAD_RESOURCES: Record<WorkloadWait['kind'], { apiVersion: string; resource: string }> = {
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments' },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets' },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets' },
  Pod: { apiVersion: 'v1', resource: 'pods' },
};

export interface Readiness {
  ready: boolean;
  readyCount: number;
  desired: number;
  /** Why not ready, short (`1/3 available`, `rollout not observed yet`). */
  reason?: string;
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

function generationSeen(o: Obj): boolean {
  const generation = (o.metadata as { generation?: unknown }).generation;
  if (typeof generation !== 'number') return true;
  return num(o.status?.['observedGeneration'], -1) >= generation;
}

export function deploymentReadiness(o: Obj): Readiness {
  const desired = num(o.spec?.['replicas'], 1);
  const s = o.status ?? {};
  const available = num(s['availableReplicas']);
  const updated = num(s['updatedReplicas']);
  const ready = num(s['readyReplicas']);
  if (!generationSeen(o)) return { ready: false, readyCount: available, desired, reason: 'rollout not observed yet' };
  const ok = available === desired && updated === desired && ready === desired && num(s['replicas'], desired) === desired;
  return ok ? { ready: true, readyCount: available, desired } : { ready: false, readyCount: available, desired, reason: `${available}/${desired} available, ${updated} updated` };
}

export function daemonSetReadiness(o: Obj): Readiness {
  const s = o.status ?? {};
  const desired = num(s['desiredNumberScheduled']);
  const ready = num(s['numberReady']);
  const updated = num(s['updatedNumberScheduled']);
  if (!generationSeen(o)) return { ready: false, readyCount: ready, desired, reason: 'rollout not observed yet' };
  if (desired === 0) return { ready: false, readyCount: 0, desired, reason: 'no node scheduled (desiredNumberScheduled 0)' };
  const ok = ready === desired && updated === desired;
  return ok ? { ready: true, readyCount: ready, desired } : { ready: false, readyCount: ready, desired, reason: `${ready}/${desired} ready, ${updated} updated` };
}

export function statefulSetReadiness(o: Obj): Readiness {
  const desired = num(o.spec?.['replicas'], 1);
  const ready = num(o.status?.['readyReplicas']);
  if (!generationSeen(o)) return { ready: false, readyCount: ready, desired, reason: 'rollout not observed yet' };
  return ready === desired ? { ready: true, readyCount: ready, desired } : { ready: false, readyCount: ready, desired, reason: `${ready}/${desired} ready` };
}

export function podReadiness(o: Obj): Readiness {
  if (o.status?.['phase'] === 'Succeeded' || conditionIs(o, 'Ready')) return { ready: true, readyCount: 1, desired: 1 };
  return { ready: false, readyCount: 0, desired: 1, reason: podNotReady(typeof o.status?.['phase'] === 'string' ? o.status['phase'] : 'Pending', conditionsOf(o)) };
}

export function readiness(kind: WorkloadWait['kind'], o: KubeObject | undefined): Readiness {
  if (!o) return { ready: false, readyCount: 0, desired: 0, reason: 'not found' };
  switch (kind) {
    case 'Deployment':
      return deploymentReadiness(o);
    case 'DaemonSet':
      return daemonSetReadiness(o);
    case 'StatefulSet':
      return statefulSetReadiness(o);
    case 'Pod':
      return podReadiness(o);
  }
}

export function waitLabel(w: WorkloadWait): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

/** Over the current objects of every kind waited for: done when all are ready, else what is left. */
export function workloadsReady(waits: readonly WorkloadWait[], objects: (w: WorkloadWait) => KubeObject | undefined): { done: boolean; ready: number; pending: { wait: WorkloadWait; readiness: Readiness }[] } {
  const pending: { wait: WorkloadWait; readiness: Readiness }[] = [];
  for (const w of waits) {
    const r = readiness(w.kind, objects(w));
    if (!r.ready) pending.push({ wait: w, readiness: r });
  }
  return { done: pending.length === 0, ready: waits.length - pending.length, pending };
}

/** One progress line: `2/3 workloads ready (waiting for Deployment web/nginx: 1/3 available…)`. */
export function workloadsProgress(total: number, r: ReturnType<typeof workloadsReady>): string {
  const first = r.pending.slice(0, 2).map((p) => `${waitLabel(p.wait)}: ${p.readiness.reason ?? 'not ready'}`);
  return `${r.ready}/${total} workloads ready${first.length > 0 ? ` (waiting for ${first.join('; ')}${r.pending.length > 2 ? '; …' : ''})` : ''}`;
}

/** The label selector of a workload's pods (spec.selector.matchLabels), or undefined for a Pod / none. */
export function podSelector(o: KubeObject | undefined): string | undefined {
  const sel = (o as Obj | undefined)?.spec?.['selector'] as { matchLabels?: Record<string, string> } | undefined;
  const labels = sel?.matchLabels;
  if (!labels || Object.keys(labels).length === 0) return undefined;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

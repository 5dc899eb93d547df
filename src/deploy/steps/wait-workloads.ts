/**
 * Step "wait workloads": watch until every workload the lesson waits for is ready (rules in
 * src/kube/workloads.ts: Deployment available, DaemonSet scheduled and ready, StatefulSet ready, Pod
 * Ready). One watch per kind and namespace. Deadline: STEP_TIMEOUT_MS.workloadsReady (bounded by
 * --timeout); on timeout it names each unready workload, its pods and their waiting reasons, and
 * the Warning events about them. Idempotent: only watches. Hidden when there is nothing to wait for.
 */
import { TimeoutError } from '../../errors.js';
import type { KubeObject, WorkloadWait } from '../../lab/model.js';
import { diagnoseWorkloads } from '../../kube/diagnose.js';
import { DeadlineError, watchUntil } from '../../kube/wait.js';
import { WORKLOAD_RESOURCES, podSelector, readiness, workloadsProgress, workloadsReady } from '../../kube/workloads.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import type { WorkloadState } from '../types.js';
import type { Step } from './context.js';
import { NO_WORKLOADS } from './workloads.js';

const keyOf = (w: Pick<WorkloadWait, 'kind' | 'namespace' | 'name'>): string => `${w.kind}/${w.namespace}/${w.name}`;

/** Group the waits by (kind, namespace): one watch each. */
export function watchGroups(waits: readonly WorkloadWait[]): { kind: WorkloadWait['kind']; namespace: string; waits: WorkloadWait[] }[] {
  const groups = new Map<string, { kind: WorkloadWait['kind']; namespace: string; waits: WorkloadWait[] }>();
  for (const w of waits) {
    const k = `${w.kind}/${w.namespace}`;
    const g = groups.get(k) ?? { kind: w.kind, namespace: w.namespace, waits: [] };
    g.waits.push(w);
    groups.set(k, g);
  }
  return [...groups.values()];
}

export function workloadStates(waits: readonly WorkloadWait[], seen: ReadonlyMap<string, KubeObject>): WorkloadState[] {
  return waits.map((w) => {
    const o = seen.get(keyOf(w));
    const r = readiness(w.kind, o);
    return { kind: w.kind, namespace: w.namespace, name: w.name, ready: r.ready, readyCount: r.readyCount, desired: r.desired, exists: o !== undefined };
  });
}

export const waitWorkloadsStep: Step = {
  name: 'wait workloads',
  title: (c) => `Wait for the lesson's workloads (${c.lab.workloads.waitFor.length}) to be ready`,
  hidden: (c) => (c.lab.workloads.waitFor.length === 0 ? (c.lab.workloads.manifests.length === 0 ? NO_WORKLOADS : 'nothing to wait for') : false),
  run: async (c, task) => {
    const { o, state } = c;
    const waits = c.lab.workloads.waitFor;
    const client = state.client!;
    const seen = new Map<string, KubeObject>();
    const stepMs = Math.min(STEP_TIMEOUT_MS.workloadsReady, c.deadline.remaining());
    const stepDeadline = c.deadline.step(STEP_TIMEOUT_MS.workloadsReady);
    const overall = (): ReturnType<typeof workloadsReady> => workloadsReady(waits, (w) => seen.get(keyOf(w)));
    try {
      await Promise.all(
        watchGroups(waits).map((g) => {
          const { apiVersion, resource } = WORKLOAD_RESOURCES[g.kind];
          return watchUntil(
            client,
            apiVersion,
            resource,
            { namespace: g.namespace },
            (items) => {
              const byName = new Map(items.map((i) => [i.metadata.name, i]));
              for (const w of g.waits) {
                const obj = byName.get(w.name);
                if (obj) seen.set(keyOf(w), obj);
                else seen.delete(keyOf(w));
              }
              const all = overall();
              const mine = workloadsReady(g.waits, (w) => seen.get(keyOf(w)));
              return mine.done ? { done: true, state: workloadsProgress(waits.length, all) } : { state: workloadsProgress(waits.length, all) };
            },
            { signal: o.signal, deadline: stepDeadline, what: `${g.kind}s in ${g.namespace} ready`, onProgress: () => (task.output = workloadsProgress(waits.length, overall())) },
          );
        }),
      );
    } catch (error) {
      state.workloads = workloadStates(waits, seen);
      if (!(error instanceof DeadlineError)) throw error;
      const pending = overall().pending.map((p) => ({ kind: p.wait.kind, namespace: p.wait.namespace, name: p.wait.name, reason: p.readiness.reason ?? 'not ready', selector: podSelector(seen.get(keyOf(p.wait))) }));
      // When --timeout, not the step's own limit, ended the wait, say so: "after 2 s" alone reads as a 2 s limit.
      const after = stepMs < STEP_TIMEOUT_MS.workloadsReady ? `${Math.round(c.deadline.totalMs / 1000)} s (--timeout; the last ${Math.round(stepMs / 1000)} s of it)` : `${Math.round(stepMs / 1000)} s`;
      throw new TimeoutError(`lab deploy timed out after ${after} waiting for the lesson's workloads: ${pending.length} of ${waits.length} not ready`, {
        details: await diagnoseWorkloads(client, pending),
        hint: 'fix what the lines above point at (an image that cannot be pulled, a pod that crashes; `lab collect` writes a diagnostics bundle), or raise --timeout on a slow host; `lab deploy` picks up from here',
      });
    }
    state.workloads = workloadStates(waits, seen);
    return `${waits.length}/${waits.length} ready (${state.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name} ${w.readyCount}/${w.desired}`).join(', ')})`;
  },
};

/**
 * Explain, from the cluster, why a wait timed out or a step failed: TigeraStatus condition messages,
 * nodes not Ready, pods not Ready with their waiting reason, the last Warning events. Short (a few
 * lines each), best effort (an unreachable API is itself the explanation).
 */
import type { KubeObject } from '../lab/model.js';
import type { KubeClient } from './client.js';
import { conditionsOf, nodeReady, tigeraState } from './wait.js';

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string };
  status?: { phase?: string; reason?: string; message?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[]; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

export interface Event extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  metadata: KubeObject['metadata'] & { creationTimestamp?: string };
}

function short(text: string | undefined, max = 160): string {
  if (!text) return '';
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Why a pod is not Ready: the first container waiting reason, else Pending + scheduling reason, else its phase. Undefined if Ready. */
export function podProblem(pod: Pod): string | undefined {
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase === 'Succeeded') return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (ready && phase === 'Running') return undefined;
  for (const c of statuses) {
    const w = c.state?.waiting;
    if (w?.reason && w.reason !== 'PodInitializing' && w.reason !== 'ContainerCreating') {
      return `${w.reason}${w.message ? ` (${short(w.message)})` : ''}${c.restartCount ? `, ${c.restartCount} restarts` : ''}`;
    }
  }
  if (phase === 'Pending') {
    const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (sched) return `Pending: ${sched.reason ?? 'Unschedulable'}${sched.message ? ` (${short(sched.message)})` : ''}`;
    const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
    return `Pending${waiting ? `: ${waiting}` : ''}`;
  }
  for (const c of statuses) {
    if (c.state?.terminated) return `${c.state.terminated.reason ?? 'Terminated'} (exit ${c.state.terminated.exitCode ?? '?'})`;
  }
  return podNotReady(phase, pod.status?.conditions);
}

/**
 * `Running, not Ready: ContainersNotReady (containers with unready status: [app])`: the phase and, when the
 * kubelet gave one, the Ready condition's reason and message (a readiness probe that never passes).
 */
export function podNotReady(phase: string, conditions: readonly { type: string; status: string; reason?: string; message?: string }[] | undefined): string {
  const cond = conditions?.find((c) => c.type === 'Ready' && c.status !== 'True');
  return `${phase}, not Ready${cond?.reason ? `: ${cond.reason}${cond.message ? ` (${short(cond.message)})` : ''}` : ''}`;
}

export function describePods(pods: Pod[], max = 6): string[] {
  const lines: string[] = [];
  for (const p of pods) {
    const problem = podProblem(p);
    if (problem) lines.push(`pod ${p.metadata.namespace}/${p.metadata.name}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}: ${problem}`);
  }
  // Image and crash problems first: they are the causes; Pending pods are often their consequence.
  lines.sort((a, b) => rank(a) - rank(b));
  return lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more pods not Ready`] : lines;
}

function rank(line: string): number {
  if (/ImagePull|ErrImage|CrashLoop|Err|Invalid/.test(line)) return 0;
  return 1;
}

export function describeTigera(items: KubeObject[]): string[] {
  return items
    .map((ts) => tigeraState(ts.metadata.name, ts))
    .filter((s) => !s.available || s.degraded)
    .map((s) => `TigeraStatus ${s.name}: ${s.degraded ? 'Degraded' : s.progressing ? 'Progressing' : 'not Available'}${s.message ? ` — ${short(s.message, 200)}` : ''}`);
}

export function describeEvents(events: Event[], max = 5): string[] {
  const time = (e: Event): string => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  return events
    .filter((e) => e.type === 'Warning')
    .sort((a, b) => time(a).localeCompare(time(b)))
    .slice(-max)
    .map((e) => `event ${e.reason ?? ''} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.namespace ? `${e.involvedObject.namespace}/` : ''}${e.involvedObject?.name ?? ''}: ${short(e.message)}${e.count && e.count > 1 ? ` (×${e.count})` : ''}`);
}

export function describeNodes(nodes: KubeObject[], expected: readonly string[]): string[] {
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  const out: string[] = [];
  for (const name of expected) {
    const n = byName.get(name);
    if (!n) out.push(`node ${name}: not registered`);
    else if (!nodeReady(n)) {
      const c = conditionsOf(n).find((x) => x.type === 'Ready');
      out.push(`node ${name}: NotReady${c?.reason ? ` (${c.reason}${c.message ? `: ${short(c.message, 120)}` : ''})` : ''}`);
    }
  }
  return out;
}

/** Everything above, in one short list of lines. Never throws. */
export async function diagnose(client: KubeClient, expectedNodes: readonly string[], o: { deadline?: number } = {}): Promise<string[]> {
  const deadline = o.deadline ?? Date.now() + 5_000;
  const lines: string[] = [];
  const attempt = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined;
    }
  };
  void deadline;
  const [ts, nodes, pods, events] = await Promise.all([
    attempt(() => client.list('operator.tigera.io/v1', 'tigerastatuses')),
    attempt(() => client.list('v1', 'nodes')),
    attempt(() => client.list<Pod>('v1', 'pods')),
    attempt(() => client.list<Event>('v1', 'events', { fieldSelector: 'type=Warning' })),
  ]);
  if (!ts && !nodes && !pods) return ['the Kubernetes API did not answer (is the cluster running? `lab status`)'];
  if (ts) lines.push(...describeTigera(ts.items));
  if (nodes) lines.push(...describeNodes(nodes.items, expectedNodes));
  if (pods) lines.push(...describePods(pods.items));
  if (events) lines.push(...describeEvents(events.items));
  return lines;
}

/** A workload that is not ready, with what was found about it (input of describeWorkloads). */
export interface UnreadyWorkload {
  kind: string;
  namespace: string;
  name: string;
  /** `1/3 available, 3 updated`, `not found`… */
  reason: string;
  pods: Pod[];
}

/**
 * Name each unready workload, each of its pods that is not Ready with its reason (ErrImagePull,
 * ImagePullBackOff, CrashLoopBackOff, Pending: Unschedulable…), and the Warning events about the
 * workload, its ReplicaSets or its pods. A workload without pods says so (nothing was scheduled).
 */
export function describeWorkloads(unready: readonly UnreadyWorkload[], events: Event[], maxPods = 4): string[] {
  const lines: string[] = [];
  for (const w of unready) {
    lines.push(`${w.kind} ${w.namespace}/${w.name} not ready: ${w.reason}`);
    if (w.reason !== 'not found') {
      const pods = describePods(w.pods, maxPods).map((l) => `  ${l}`);
      if (w.pods.length === 0 && w.kind !== 'Pod') lines.push('  no pods were created for it');
      lines.push(...pods);
    }
    const podNames = new Set(w.pods.map((p) => p.metadata.name));
    const mine = events.filter((e) => {
      const io = e.involvedObject;
      if (!io || (io.namespace ?? w.namespace) !== w.namespace) return false;
      if (io.kind === w.kind && io.name === w.name) return true;
      if (io.kind === 'Pod' && io.name !== undefined && podNames.has(io.name)) return true;
      // A Deployment's ReplicaSets are `<name>-<pod-template-hash>` (no dash in the hash).
      return io.kind === 'ReplicaSet' && io.name !== undefined && io.name.startsWith(`${w.name}-`) && !io.name.slice(w.name.length + 1).includes('-');
    });
    lines.push(...describeEvents(mine, 3).map((l) => `  ${l}`));
  }
  return lines;
}

/** describeWorkloads over what the cluster says now. Never throws; bounded by `deadline`. */
export async function diagnoseWorkloads(
  client: KubeClient,
  unready: readonly { kind: string; namespace: string; name: string; reason: string; selector: string | undefined }[],
): Promise<string[]> {
  const attempt = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch {
      return undefined;
    }
  };
  const withPods = await Promise.all(
    unready.map(async (w): Promise<UnreadyWorkload> => {
      let pods: Pod[] = [];
      if (w.kind === 'Pod') {
        const p = await attempt(() => client.get<Pod>('v1', 'pods', w.name, w.namespace));
        pods = p ? [p] : [];
      } else if (w.selector) {
        pods = (await attempt(() => client.list<Pod>('v1', 'pods', { namespace: w.namespace, labelSelector: w.selector })))?.items ?? [];
      }
      return { kind: w.kind, namespace: w.namespace, name: w.name, reason: w.reason, pods };
    }),
  );
  const namespaces = [...new Set(unready.map((w) => w.namespace))];
  const events = (await Promise.all(namespaces.map((ns) => attempt(() => client.list<Event>('v1', 'events', { namespace: ns, fieldSelector: 'type=Warning' }))))).flatMap((l) => l?.items ?? []);
  return describeWorkloads(withPods, events);
}

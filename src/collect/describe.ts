/**
 * `kubectl describe pod`-level text from a Pod object and the events of its namespace: phase, node,
 * conditions, every container's state with its waiting/terminated reason and message, restarts, and
 * the events that name the pod. Pure.
 */

export interface ContainerStateLike {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; finishedAt?: string };
}

export interface ContainerStatusLike {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerStateLike;
  lastState?: ContainerStateLike;
}

export interface PodLike {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatusLike[];
    containerStatuses?: ContainerStatusLike[];
  };
}

export interface EventLike {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
}

export function describeState(state: ContainerStateLike | undefined): string {
  if (!state) return 'unknown';
  if (state.waiting) return `Waiting (${state.waiting.reason ?? 'no reason'})${state.waiting.message ? `: ${state.waiting.message}` : ''}`;
  if (state.terminated) {
    const t = state.terminated;
    return `Terminated (${t.reason ?? 'no reason'}, exit ${t.exitCode ?? '?'})${t.message ? `: ${t.message}` : ''}`;
  }
  if (state.running) return `Running${state.running.startedAt ? ` since ${state.running.startedAt}` : ''}`;
  return 'unknown';
}

export function describePod(pod: PodLike, events: readonly EventLike[]): string {
  const s = pod.status ?? {};
  const lines: string[] = [];
  lines.push(`Pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name}`);
  lines.push(`  Node:    ${pod.spec?.nodeName ?? '<none>'}`);
  lines.push(`  Phase:   ${s.phase ?? 'Unknown'}${s.reason ? ` (${s.reason})` : ''}${s.message ? `: ${s.message}` : ''}`);
  if (s.podIP) lines.push(`  IP:      ${s.podIP}`);
  const owner = pod.metadata.ownerReferences?.[0];
  if (owner) lines.push(`  Owner:   ${owner.kind}/${owner.name}`);
  if (s.conditions?.length) {
    lines.push('  Conditions:');
    for (const c of s.conditions) lines.push(`    ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`);
  }
  const images = new Map<string, string | undefined>([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [c.name, c.image]));
  const groups: [string, ContainerStatusLike[] | undefined][] = [
    ['Init containers', s.initContainerStatuses],
    ['Containers', s.containerStatuses],
  ];
  for (const [title, statuses] of groups) {
    if (!statuses?.length) continue;
    lines.push(`  ${title}:`);
    for (const c of statuses) {
      lines.push(`    ${c.name} (${c.image ?? images.get(c.name) ?? '?'})`);
      lines.push(`      State:    ${describeState(c.state)}`);
      if (c.lastState && Object.keys(c.lastState).length > 0) lines.push(`      Last:     ${describeState(c.lastState)}`);
      lines.push(`      Ready:    ${c.ready === true ? 'true' : 'false'}   Restarts: ${c.restartCount ?? 0}`);
    }
  }
  if (!s.containerStatuses?.length && !s.initContainerStatuses?.length) {
    const declared = [...images.keys()];
    if (declared.length) lines.push(`  Containers: ${declared.join(', ')} (no status yet)`);
  }
  const mine = events.filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === pod.metadata.name && (pod.metadata.uid === undefined || e.involvedObject.uid === undefined || e.involvedObject.uid === pod.metadata.uid));
  lines.push(mine.length ? '  Events:' : '  Events: <none>');
  for (const e of mine) {
    lines.push(`    ${e.type ?? ''} ${e.reason ?? ''}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}: ${e.message ?? ''}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Live gathering of the exercises' samples, after the API lists: each probe's samples resolve to pods
 * over the Pods list (by name, or a label selector → the first Running pod in name order, so a run is
 * deterministic), then lab execs podNetwork() into each sampled pod and nodeRoutes() into each
 * sampled pod's node (each once), all concurrently and under the verify deadline. An exec that fails
 * makes its input failed (the rules needing it fail, saying why); a selector no Running pod matches is
 * recorded in `podSamples`, and the rule judging it fails naming the selector.
 */
import { absent, present, type Input, type VerifyInputs } from '../calico/inputs.js';
import type { PodObject } from '../calico/types.js';
import { errorMessage } from '../errors.js';
import type { NodeNetwork, PodNetwork } from '../observe/types.js';
import { selectorKey, selectorText, type PodSample, type SampledPodNetwork } from './inputs.js';
import type { PodSelector, Sample } from './types.js';

export interface ObserveOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The exec providers (live: src/observe's podNetwork over the API, nodeRoutes over docker exec). */
export interface ObserveSources {
  pod(ref: { namespace: string; name: string }, o: ObserveOptions): Promise<PodNetwork>;
  node(name: string, o: ObserveOptions): Promise<NodeNetwork>;
}

export type SampleInputs = Pick<VerifyInputs, 'podSamples' | 'podNetworks' | 'nodeNetworks'>;

/** Pods with labels (Y's `workloadPods` input) when read, else the slim Pods list (names only). */
type LabelledPod = PodObject & { metadata: PodObject['metadata'] & { labels?: Record<string, string> } };

/** A Kubernetes equality-based label selector (`a=b`, `a==b`, `a!=b`, `a`, `!a`, comma = and). */
export function matchesSelector(labels: Record<string, string> | undefined, selector: string): boolean {
  const l = labels ?? {};
  return selector.split(',').map((t) => t.trim()).filter(Boolean).every((term) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m) return m[2] === '!=' ? l[m[1]!] !== m[3] : l[m[1]!] === m[3];
    return term.startsWith('!') ? !(term.slice(1) in l) : term in l;
  });
}

/** The pod a selector stands for, or why there is none. */
export function resolveSelector(sel: PodSelector, pods: readonly LabelledPod[], labelsRead: boolean): PodSample {
  const inNs = pods.filter((p) => (p.metadata.namespace ?? 'default') === sel.namespace);
  let candidates: LabelledPod[];
  if (sel.name !== undefined) {
    candidates = inNs.filter((p) => p.metadata.name === sel.name);
    if (candidates.length === 0) return { missing: `no pod ${sel.name} in ${sel.namespace} (kubectl -n ${sel.namespace} get pod ${sel.name})` };
  } else {
    if (!labelsRead) return { missing: `lab cannot resolve ${selectorText(sel)}: the Pods it read carry no labels` };
    candidates = inNs.filter((p) => matchesSelector(p.metadata.labels, sel.labelSelector ?? ''));
  }
  const running = candidates.filter((p) => p.status?.phase === 'Running' && p.status.podIP && p.spec?.nodeName).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const pod = running[0];
  if (!pod) {
    const phases = candidates.map((p) => `${p.metadata.name} ${p.status?.phase ?? 'with no phase'}`);
    return { missing: `no Running pod matches ${selectorText(sel)}${phases.length > 0 ? ` (${phases.join(', ')})` : ''}` };
  }
  return { namespace: sel.namespace, name: pod.metadata.name, node: pod.spec!.nodeName!, podIP: pod.status!.podIP! };
}

function podsToSample(inputs: VerifyInputs): { pods: LabelledPod[]; labelsRead: boolean } | { reason: string; failed: boolean } {
  const workload = (inputs as unknown as Record<string, Input<LabelledPod[]> | undefined>)['workloadPods'];
  if (workload?.ok) return { pods: workload.value, labelsRead: true };
  const pods = inputs.pods;
  if (pods?.ok) return { pods: pods.value, labelsRead: false };
  return { reason: `needs the Pods list: ${pods && !pods.ok ? pods.reason : 'not read'}`, failed: pods !== undefined && !pods.ok && pods.failed === true };
}

async function observeAll<T>(keys: readonly string[], run: (key: string) => Promise<T>, what: string, none: string): Promise<Input<Record<string, T>>> {
  if (keys.length === 0) return absent(none);
  const settled = await Promise.allSettled(keys.map(run));
  const errors = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${keys[i]}: ${errorMessage(s.reason)}`] : []));
  if (errors.length > 0) return absent(errors.join('; '), { failed: true });
  return present(Object.fromEntries(keys.map((k, i) => [k, (settled[i] as PromiseFulfilledResult<T>).value])), what);
}

/** Resolve the samples over the Pods list and exec into the pods and nodes they name. */
export async function gatherSamples(samples: readonly Sample[], inputs: VerifyInputs, observe: ObserveSources | { unavailable: string }, o: ObserveOptions = {}): Promise<SampleInputs> {
  const none = 'no exercise of this lesson needs it';
  if (samples.length === 0) return { podSamples: absent(none), podNetworks: absent(none), nodeNetworks: absent(none) };
  const list = podsToSample(inputs);
  if ('reason' in list) {
    const why = absent<never>(list.reason, { failed: list.failed });
    return { podSamples: why, podNetworks: why, nodeNetworks: why };
  }
  const resolved: Record<string, PodSample> = {};
  for (const s of samples) resolved[selectorKey(s.pod)] ??= resolveSelector(s.pod, list.pods, list.labelsRead);
  const found = (kind: Sample['kind']): Extract<PodSample, { node: string }>[] =>
    samples.filter((s) => s.kind === kind).map((s) => resolved[selectorKey(s.pod)]!).filter((p): p is Extract<PodSample, { node: string }> => !('missing' in p));
  const pods = new Map(found('pod').map((p) => [`${p.namespace}/${p.name}`, p]));
  const nodes = [...new Set(found('node-of-pod').map((p) => p.node))].sort();
  if ('unavailable' in observe) {
    const why = absent<never>(observe.unavailable, { failed: true });
    return { podSamples: present(resolved, 'Pods list'), podNetworks: pods.size > 0 ? why : absent(none), nodeNetworks: nodes.length > 0 ? why : absent(none) };
  }
  const [podNetworks, nodeNetworks] = await Promise.all([
    observeAll<SampledPodNetwork>([...pods.keys()], async (key) => {
      const p = pods.get(key)!;
      return { ...(await observe.pod({ namespace: p.namespace, name: p.name }, o)), node: p.node, podIP: p.podIP };
    }, 'kubectl exec (ip addr, ip route, cat /etc/resolv.conf)', 'no sampled pod to exec into'),
    observeAll<NodeNetwork>(nodes, (node) => observe.node(node, o), 'docker exec (ip -j route, ip -j addr)', 'no sampled node'),
  ]);
  return { podSamples: present(resolved, 'Pods list'), podNetworks, nodeNetworks };
}

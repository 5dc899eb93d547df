/**
 * `daemonset-pods` `{ daemonSets: [name…], namespace }` (lessons 03, 05): each DaemonSet has exactly one
 * pod on every node it may run on — the lab's nodes, the control plane only when the DaemonSet
 * tolerates `node-role.kubernetes.io/control-plane` — each Running and Ready with an IP in a block
 * affine to its own node, and its status says desiredNumberScheduled == numberReady == that node count.
 */
import type { Check, RuleContext } from '../../../calico/checks/common.js';
import type { VerifyLab } from '../../../calico/lab.js';
import type { DaemonSetObject, Toleration, WorkloadPodObject } from '../../../calico/workload-objects.js';
import type { ExerciseSpec, ParamProblem, Probe } from '../../types.js';
import { blocksHolding, isLive, isReady, NAME, namespaceOf, nameParam, nodeBlocks, podName, unknownKeys } from './common.js';

export const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

/** Whether the tolerations let a pod onto a node tainted `node-role.kubernetes.io/control-plane:NoSchedule`. */
export function toleratesControlPlane(tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => {
    const effectOk = t.effect === undefined || t.effect === '' || t.effect === 'NoSchedule';
    if (!effectOk) return false;
    if ((t.operator ?? 'Equal') === 'Exists') return t.key === undefined || t.key === '' || t.key === CONTROL_PLANE_TAINT;
    return t.key === CONTROL_PLANE_TAINT && (t.value ?? '') === '';
  });
}

/** The nodes a DaemonSet may run on, from the lab (and the Nodes' labels when it has a nodeSelector). */
/** `warn`: say what could not be evaluated (once, from the status rule). */
function expectedNodes(ctx: RuleContext, ds: DaemonSetObject, warn = false): string[] {
  const spec = ds.spec?.template?.spec;
  const tolerates = toleratesControlPlane(spec?.tolerations);
  let names = ctx.lab.nodes.filter((n) => n.role !== 'control-plane' || tolerates).map((n) => n.name);
  const selector = Object.entries(spec?.nodeSelector ?? {}).filter(([k, v]) => !(k === 'kubernetes.io/os' && v === 'linux'));
  if (selector.length > 0) {
    const nodes = ctx.opt('nodes');
    if (nodes) names = names.filter((n) => selector.every(([k, v]) => nodes.find((x) => x.metadata.name === n)?.metadata.labels?.[k] === v));
    else if (warn) ctx.warn(`DaemonSet ${ds.metadata.name} has a nodeSelector (${selector.map(([k, v]) => `${k}=${v}`).join(', ')}) and the Nodes were not read: every node of the lab is expected`);
  }
  if (spec?.affinity !== undefined && warn) ctx.warn(`DaemonSet ${ds.metadata.name} has a node affinity lab does not evaluate: every node it tolerates is expected`);
  return names;
}

interface Params {
  names: string[];
  namespace: string;
}

const paramsOf = (spec: ExerciseSpec): Params => ({ names: (spec.with['daemonSets'] as string[] | undefined) ?? [], namespace: namespaceOf(spec.with) });

function daemonSetsOf(ctx: RuleContext, p: Params): { name: string; ds: DaemonSetObject | undefined }[] {
  const all = ctx.get('daemonSets');
  return p.names.map((name) => ({ name, ds: all.find((d) => d.metadata.name === name && (d.metadata.namespace ?? 'default') === p.namespace) }));
}

function podsOf(pods: readonly WorkloadPodObject[], namespace: string, name: string): WorkloadPodObject[] {
  return pods.filter((p) => (p.metadata.namespace ?? 'default') === namespace && isLive(p) && (p.metadata.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet' && o.name === name));
}

function judgeStatus(ctx: RuleContext, p: Params): void {
  const counts: Record<string, unknown>[] = [];
  for (const { name, ds } of daemonSetsOf(ctx, p)) {
    if (!ds) {
      ctx.fail(`DaemonSet ${p.namespace}/${name} does not exist`);
      continue;
    }
    const want = expectedNodes(ctx, ds, true).length;
    const s = ds.status ?? {};
    const desired = s.desiredNumberScheduled;
    const ready = s.numberReady ?? 0;
    counts.push({ daemonSet: `${p.namespace}/${name}`, nodes: want, desired, ready });
    if (desired === undefined) ctx.fail(`DaemonSet ${p.namespace}/${name} has no status.desiredNumberScheduled (its controller has not seen it)`);
    else {
      if (desired !== want) ctx.fail(`DaemonSet ${p.namespace}/${name}: desiredNumberScheduled is ${desired}, the lab has ${want} node${want === 1 ? '' : 's'} it may run on`);
      if (ready !== desired) ctx.fail(`DaemonSet ${p.namespace}/${name}: ${ready} of ${desired} pods ready`);
    }
  }
  ctx.note('daemonSets', counts);
}

function judgePerNode(ctx: RuleContext, p: Params): void {
  const pods = ctx.get('workloadPods');
  const table: Record<string, unknown>[] = [];
  for (const { name, ds } of daemonSetsOf(ctx, p)) {
    if (!ds) continue;
    const mine = podsOf(pods, p.namespace, name);
    const nodes = expectedNodes(ctx, ds);
    for (const node of nodes) {
      const on = mine.filter((x) => x.spec?.nodeName === node);
      if (on.length === 0) ctx.fail(`DaemonSet ${p.namespace}/${name} has no pod on node ${node}`);
      else if (on.length > 1) ctx.fail(`DaemonSet ${p.namespace}/${name} has ${on.length} pods on node ${node} (${on.map((x) => x.metadata.name).join(', ')})`);
      for (const x of on) {
        if (x.status?.phase !== 'Running') ctx.fail(`pod ${podName(x)} on ${node} is ${x.status?.phase ?? 'without a phase'}, not Running`);
        else if (!isReady(x)) ctx.fail(`pod ${podName(x)} on ${node} is Running but not Ready`);
        table.push({ pod: podName(x), node, ip: x.status?.podIP, phase: x.status?.phase, ready: isReady(x) });
      }
    }
    for (const x of mine.filter((m) => !nodes.includes(m.spec?.nodeName ?? ''))) {
      ctx.fail(`pod ${podName(x)} of DaemonSet ${name} is on ${x.spec?.nodeName ? `node ${x.spec.nodeName}` : 'no node'}, not one of the nodes it should run on (${nodes.join(', ')})`);
    }
  }
  ctx.note('pods', table);
}

function judgeBlocks(ctx: RuleContext, p: Params): void {
  const blocks = nodeBlocks(ctx.get('affinityNames'), ctx.opt('ipamBlocks'));
  const pods = ctx.get('workloadPods');
  for (const { name, ds } of daemonSetsOf(ctx, p)) {
    if (!ds) continue;
    if (ds.spec?.template?.spec?.hostNetwork === true) {
      ctx.note(`${name}HostNetwork`, 'hostNetwork pods use their node\'s IP: no block to compare with');
      continue;
    }
    for (const x of podsOf(pods, p.namespace, name)) {
      const node = x.spec?.nodeName;
      const ip = x.status?.podIP;
      if (node === undefined) continue;
      if (!ip) {
        ctx.fail(`pod ${podName(x)} on ${node} has no IP`);
        continue;
      }
      const holding = blocksHolding(blocks, ip);
      if (holding.some((b) => b.node === node)) continue;
      const own = blocks.filter((b) => b.node === node).map((b) => b.cidr.text);
      const where = holding.length > 0 ? `in block ${holding[0]!.cidr.text} (affine to ${holding[0]!.node ?? 'no node'})` : 'in no block';
      ctx.fail(`pod ${podName(x)} on ${node}: ${ip} is ${where}, not in a block of ${node} (${own.length > 0 ? own.join(', ') : 'it has none'})`);
    }
  }
}

function validate(params: Record<string, unknown>): ParamProblem[] {
  const problems = [...unknownKeys(params, ['daemonSets', 'namespace']), ...nameParam(params, 'namespace', { required: false, what: 'namespace' })];
  const list = params['daemonSets'];
  if (!Array.isArray(list) || list.length === 0) problems.push({ path: 'daemonSets', message: 'daemonSets is missing or empty', fix: 'list the DaemonSets, e.g. `daemonSets: [multitool-1, multitool-2]`' });
  else {
    list.forEach((n, i) => {
      if (typeof n !== 'string' || !NAME.test(n)) problems.push({ path: `daemonSets.${i}`, message: `daemonSets[${i}] ${JSON.stringify(n)} is not a DaemonSet name`, fix: 'write lower-case letters, digits and dashes' });
    });
    if (new Set(list).size !== list.length) problems.push({ path: 'daemonSets', message: 'daemonSets names a DaemonSet twice', fix: 'list each DaemonSet once' });
  }
  return problems;
}

function check(spec: ExerciseSpec): Check {
  const p = paramsOf(spec);
  const names = p.names.map((n) => `${p.namespace}/${n}`).join(', ');
  return {
    id: spec.id,
    title: spec.title,
    explain: spec.teaches,
    commands: spec.commands,
    hint: 'a missing or unready DaemonSet pod: `kubectl get pods -o wide` and `kubectl describe pod <name>`; an IP outside its node\'s block: compare with `kubectl get blockaffinities`',
    rules: [
      { id: 'status', title: `${names}: desired = ready = the nodes it may run on`, inputs: ['daemonSets'], optional: ['nodes'], judge: (ctx) => judgeStatus(ctx, p) },
      { id: 'one-per-node', title: `${names}: one Running, Ready pod on each node it may run on`, inputs: ['daemonSets', 'workloadPods'], optional: ['nodes'], judge: (ctx) => judgePerNode(ctx, p) },
      { id: 'own-block', title: `${names}: each pod's IP is in a block affine to its node`, inputs: ['daemonSets', 'workloadPods', 'affinityNames'], optional: ['ipamBlocks'], judge: (ctx) => judgeBlocks(ctx, p) },
    ],
    passSummary(lab: VerifyLab, _inputs, ran) {
      const inBlock = ran.includes('own-block') ? ', IPs in their node\'s block' : '';
      return `${names}: one Ready pod per node of ${lab.name}${inBlock}`;
    },
  };
}

export const daemonSetPods: Probe = {
  name: 'daemonset-pods',
  description: 'each DaemonSet has one Running, Ready pod on every node it may run on, with an IP from that node\'s block',
  validate,
  check,
};

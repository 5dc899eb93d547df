/**
 * What the exec probes share: the pod parameters (`pod:` or `selector:`, `namespace:`), finding the
 * sampled pod and its observations in the inputs, and the expected values DERIVED from the lab (the
 * pod MTU from the node's uplink and the pool's encapsulation; the cluster DNS address).
 */
import type { RuleContext } from '../../calico/checks/common.js';
import { containsIp, formatV4, parseV4, parseV4Cidr } from '../../calico/cidr.js';
import type { Input, InputName } from '../../calico/inputs.js';
import type { IPPoolObject } from '../../calico/types.js';
import type { NodeNetwork } from '../../observe/types.js';
import { selectorKey, selectorText, type SampledPodNetwork } from '../inputs.js';
import type { ExerciseSpec, ParamProblem, PodSelector } from '../types.js';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const POD_KEYS = ['pod', 'selector', 'namespace'];

/** `with: { pod: multitool }` or `with: { selector: app=multitool, namespace: default }`. */
export function validatePodParams(params: Record<string, unknown>, extra: readonly string[] = []): ParamProblem[] {
  const out: ParamProblem[] = [];
  for (const key of Object.keys(params)) {
    if (!POD_KEYS.includes(key) && !extra.includes(key)) out.push({ path: key, message: `unknown parameter ${key}`, fix: `use ${[...POD_KEYS, ...extra].join(', ')}` });
  }
  const { pod, selector, namespace } = params;
  if ((pod === undefined) === (selector === undefined)) {
    out.push({ path: pod === undefined ? '' : 'selector', message: 'give exactly one of `pod` (a pod name) and `selector` (a label selector)', fix: 'e.g. `with: { pod: multitool }` or `with: { selector: app=multitool }`' });
  }
  if (pod !== undefined && (typeof pod !== 'string' || !NAME.test(pod))) out.push({ path: 'pod', message: `pod ${JSON.stringify(pod)} is not a pod name`, fix: 'name the pod as `kubectl get pods` shows it, e.g. `pod: multitool`' });
  if (selector !== undefined && (typeof selector !== 'string' || !/^!?[A-Za-z0-9./_-]+((==?|!=)[A-Za-z0-9._-]*)?(\s*,\s*!?[A-Za-z0-9./_-]+((==?|!=)[A-Za-z0-9._-]*)?)*$/.test(selector.trim()))) {
    out.push({ path: 'selector', message: `selector ${JSON.stringify(selector)} is not a label selector`, fix: 'write equality terms, e.g. `selector: app=multitool` or `app=web,tier!=db`' });
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || !NAME.test(namespace))) out.push({ path: 'namespace', message: `namespace ${JSON.stringify(namespace)} is not a namespace name`, fix: 'e.g. `namespace: default` (the default when omitted)' });
  return out;
}

export function podSelectorOf(params: Record<string, unknown>): PodSelector {
  const namespace = typeof params['namespace'] === 'string' ? params['namespace'] : 'default';
  return typeof params['pod'] === 'string' ? { namespace, name: params['pod'] } : { namespace, labelSelector: String(params['selector'] ?? '') };
}

export interface FoundPod {
  namespace: string;
  name: string;
  node: string;
  podIP: string;
}

/** The pod the selector resolved to; fails the rule naming the selector when none matched. */
export function sampledPod(ctx: RuleContext, sel: PodSelector): FoundPod | undefined {
  const s = ctx.get('podSamples')[selectorKey(sel)];
  if (s === undefined) {
    ctx.fail(`lab did not sample ${selectorText(sel)} (no pod was resolved for it)`);
    return undefined;
  }
  if ('missing' in s) {
    ctx.fail(s.missing);
    return undefined;
  }
  return s;
}

/** What lab saw inside the pod; fails the rule when it was not observed. */
export function podNetworkOf(ctx: RuleContext, pod: FoundPod): SampledPodNetwork | undefined {
  const n = ctx.get('podNetworks')[`${pod.namespace}/${pod.name}`];
  if (n === undefined) ctx.fail(`lab has no \`ip addr\`/\`ip route\`/resolv.conf of ${pod.namespace}/${pod.name} (it was not exec'd into)`);
  return n;
}

export function nodeNetworkOf(ctx: RuleContext, node: string, required: boolean): NodeNetwork | undefined {
  const n = ctx.opt('nodeNetworks')?.[node];
  if (n === undefined && required) ctx.fail(`lab has no \`ip route\`/\`ip addr\` of the node ${node}`);
  return n;
}

/** The encapsulation of the pool the pod's address is from: name and bytes of overhead. */
export function encapsulation(ctx: RuleContext, podIP: string | undefined): { name: string; overhead: number; source: string } {
  const pools = ctx.opt('ippools') ?? [];
  const ip = parseV4(podIP);
  const pool: IPPoolObject | undefined = pools.find((p) => {
    const c = parseV4Cidr(p.spec?.cidr);
    return c !== undefined && ip !== undefined && containsIp(c, ip);
  }) ?? pools.find((p) => p.metadata.name === ctx.lab.pool.name);
  if (pool?.spec) {
    const vx = pool.spec.vxlanMode;
    const ipip = pool.spec.ipipMode;
    if (vx !== undefined && vx !== 'Never') return { name: vx === 'CrossSubnet' ? 'VXLANCrossSubnet' : 'VXLAN', overhead: 50, source: `IPPool ${pool.metadata.name}` };
    if (ipip !== undefined && ipip !== 'Never') return { name: ipip === 'CrossSubnet' ? 'IPIPCrossSubnet' : 'IPIP', overhead: 20, source: `IPPool ${pool.metadata.name}` };
    return { name: 'no encapsulation', overhead: 0, source: `IPPool ${pool.metadata.name}` };
  }
  const e = ctx.lab.pool.encapsulation;
  const overhead = /^VXLAN/.test(e) ? 50 : /^IPIP/.test(e) ? 20 : 0;
  return { name: overhead === 0 ? 'no encapsulation' : e, overhead, source: 'the lab\'s Installation' };
}

export interface ExpectedMtu {
  mtu: number;
  /** `pod-network-worker's eth0 MTU 1500 − 50 for VXLAN` */
  why: string;
}

/**
 * The MTU Calico gives pods' veths: the node's uplink (eth0) MTU when observed, else the Installation's
 * calicoNetwork.mtu (that IS the veth MTU), else 1500 (assumed, and said) — minus the pool's
 * encapsulation overhead (a CrossSubnet pool gets the VXLAN MTU too).
 */
export function expectedMtu(ctx: RuleContext, node: string, podIP: string | undefined): ExpectedMtu {
  const enc = encapsulation(ctx, podIP);
  const minus = enc.overhead > 0 ? ` − ${enc.overhead} for ${enc.name}` : ` (${enc.name})`;
  const uplink = ctx.opt('nodeNetworks')?.[node]?.links.find((l) => l.name === 'eth0')?.mtu;
  if (uplink !== undefined) return { mtu: uplink - enc.overhead, why: `${node}'s eth0 MTU ${uplink}${minus}` };
  const set = (ctx.opt('installations') ?? []).map((i) => i.spec?.calicoNetwork?.mtu).find((m) => typeof m === 'number');
  if (set !== undefined) return { mtu: set, why: `the Installation's calicoNetwork.mtu ${set}` };
  return { mtu: 1500 - enc.overhead, why: `1500, assumed: ${node}'s eth0 was not observed${minus}` };
}

/** An input another helper registers (Y's `services`, `workloadPods`), read when present. */
export function optionalInput<T>(ctx: RuleContext, name: string): T | undefined {
  const i = (ctx.inputs as unknown as Record<string, Input<unknown> | undefined>)[name];
  return i?.ok ? (i.value as T) : undefined;
}

export const asInput = (name: string): InputName => name as InputName;

/** The cluster DNS address kubeadm gives kube-dns: the tenth address of the service subnet. */
export function tenthServiceAddress(serviceSubnet: string): string | undefined {
  const c = parseV4Cidr(serviceSubnet);
  return c === undefined ? undefined : formatV4(c.base + 10);
}

/** The Check fields every probe takes from its spec. */
export function fromSpec(spec: ExerciseSpec): { id: string; title: string; explain: string; commands: readonly string[] } {
  return { id: spec.id, title: spec.title, explain: spec.teaches, commands: spec.commands };
}

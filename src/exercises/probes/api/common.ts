/**
 * What the API-object probes share: parameter validation, pod readiness and label selection, the
 * nodes' blocks (BlockAffinities, IPAMBlocks), and the comparison of a Service's EndpointSlices with
 * the ready pods it selects. Pure functions over the slimmed objects (src/calico/workload-objects.ts).
 */
import { containsIp, formatV4, parseV4, parseV4Cidr, type V4Cidr } from '../../../calico/cidr.js';
import type { RuleContext } from '../../../calico/checks/common.js';
import type { AffinityNameView } from '../../../calico/types.js';
import type { EndpointSliceObject, ServiceObject, ServicePortSpec, WorkloadPodObject } from '../../../calico/workload-objects.js';
import type { ParamProblem } from '../../types.js';

/** A DNS-1123 label (namespaces, DaemonSets) or subdomain-ish name (Services are labels too). */
export const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function unknownKeys(params: Record<string, unknown>, known: readonly string[]): ParamProblem[] {
  return Object.keys(params)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: k, message: `unknown parameter ${k}`, fix: known.length === 0 ? 'this probe takes no parameters: write `with: {}`' : `use ${known.join(', ')}` }));
}

export function nameParam(params: Record<string, unknown>, key: string, o: { required: boolean; what: string }): ParamProblem[] {
  const v = params[key];
  if (v === undefined) return o.required ? [{ path: key, message: `${key} is missing`, fix: `name the ${o.what}, e.g. \`${key}: nginx-service\`` }] : [];
  if (typeof v !== 'string' || !NAME.test(v)) return [{ path: key, message: `${key} ${JSON.stringify(v)} is not a Kubernetes name`, fix: `write the ${o.what}'s name: lower-case letters, digits and dashes` }];
  return [];
}

export const namespaceOf = (params: Record<string, unknown>): string => (typeof params['namespace'] === 'string' ? params['namespace'] : 'default');

export const podName = (p: WorkloadPodObject): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;

export function isReady(p: WorkloadPodObject): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A pod that is gone or going: finished, or being deleted. */
export function isLive(p: WorkloadPodObject): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && p.metadata.deletionTimestamp === undefined;
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The n-th address of a CIDR (`10.96.0.0/16`, 10 → `10.96.0.10`). */
export function nthAddress(cidr: V4Cidr, n: number): string {
  return formatV4(cidr.base + n);
}

export interface NodeBlock {
  node: string | undefined;
  cidr: V4Cidr;
}

/** Blocks with their affine node: from the BlockAffinities (or their names), else the IPAMBlocks' `host:` affinity. */
export function nodeBlocks(affinities: readonly AffinityNameView[] | undefined, ipamBlocks: readonly { spec?: { cidr?: string; affinity?: string } }[] | undefined): NodeBlock[] {
  const out: NodeBlock[] = [];
  for (const a of affinities ?? []) {
    const c = parseV4Cidr(a.cidr);
    if (c) out.push({ node: a.node, cidr: c });
  }
  for (const b of ipamBlocks ?? []) {
    const c = parseV4Cidr(b.spec?.cidr);
    const aff = b.spec?.affinity;
    if (c && !out.some((x) => x.cidr.text === c.text)) out.push({ node: aff?.startsWith('host:') ? aff.slice(5) : undefined, cidr: c });
  }
  return out;
}

export function blocksHolding(blocks: readonly NodeBlock[], ip: string | undefined): NodeBlock[] {
  const n = parseV4(ip);
  return n === undefined ? [] : blocks.filter((b) => containsIp(b.cidr, n));
}

export function findService(ctx: RuleContext, namespace: string, name: string): ServiceObject | undefined {
  return ctx.get('services').find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === namespace);
}

export function slicesOf(slices: readonly EndpointSliceObject[], namespace: string, service: string): EndpointSliceObject[] {
  return slices.filter((s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.labels?.['kubernetes.io/service-name'] === service);
}

export interface SliceEndpoints {
  ready: Map<string, string>;
  notReady: Map<string, string>;
}

/** Every endpoint address of the slices, ready or not (`conditions.ready` unset means ready, as the API defines it). */
export function endpointsOf(slices: readonly EndpointSliceObject[]): SliceEndpoints {
  const ready = new Map<string, string>();
  const notReady = new Map<string, string>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      const who = e.targetRef?.name ? `${e.targetRef.kind ?? 'Pod'} ${e.targetRef.name}` : 'no target';
      for (const a of e.addresses ?? []) (e.conditions?.ready === false ? notReady : ready).set(a, who);
    }
  }
  return { ready, notReady };
}

/**
 * The slices against the pods they should hold: every ready pod's IP is a ready endpoint, no other
 * address is, and no endpoint is not-ready. Failures name the pod or address; returns what was compared.
 */
export function compareEndpoints(ctx: RuleContext, what: string, slices: readonly EndpointSliceObject[], pods: readonly WorkloadPodObject[]): { expected: string[]; ready: string[]; notReady: string[] } {
  const live = pods.filter(isLive);
  const expected = new Map<string, WorkloadPodObject>();
  for (const p of live) if (isReady(p) && p.status?.podIP) expected.set(p.status.podIP, p);
  const byIp = new Map(live.filter((p) => p.status?.podIP).map((p) => [p.status!.podIP!, p]));
  const got = endpointsOf(slices);
  for (const [ip, p] of expected) if (!got.ready.has(ip)) ctx.fail(`${what}: the ready pod ${podName(p)} (${ip}) is not a ready endpoint${got.notReady.has(ip) ? ' (it is listed not-ready)' : ''}`);
  for (const [ip, who] of got.ready) {
    if (expected.has(ip)) continue;
    const p = byIp.get(ip);
    ctx.fail(`${what}: endpoint ${ip} (${who}) is ${p ? `the pod ${podName(p)}, which is not Ready` : 'no ready pod the Service selects'}`);
  }
  for (const [ip, who] of got.notReady) ctx.fail(`${what}: endpoint ${ip} (${who}) is not ready${byIp.has(ip) ? '' : ' and is no pod the Service selects'}`);
  if (live.length > 0 && expected.size === 0) ctx.fail(`${what}: none of the ${live.length} pods the Service selects is Ready`);
  return { expected: [...expected.keys()].sort(), ready: [...got.ready.keys()].sort(), notReady: [...got.notReady.keys()].sort() };
}

const portKey = (p: { name?: string | undefined; protocol?: string | undefined; port?: number | undefined }): string => `${p.name ?? ''}:${p.port ?? '?'}/${p.protocol ?? 'TCP'}`;

/** A Service port's target on one pod: a number, or the number of the container port with that name. */
export function resolveTarget(p: ServicePortSpec, pod: WorkloadPodObject | undefined): number | undefined {
  const t = p.targetPort ?? p.port;
  if (typeof t === 'number') return t;
  if (t === undefined) return undefined;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod?.spec?.containers ?? []) for (const cp of c.ports ?? []) if (cp.name === t && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) return cp.containerPort;
  return undefined;
}

/**
 * Each slice that holds endpoints carries the Service's ports, targetPort resolved on its pods
 * (a named targetPort through the pods' container ports): `name:port/protocol` sets compared.
 */
export function comparePorts(ctx: RuleContext, what: string, svc: ServiceObject, slices: readonly EndpointSliceObject[], pods: readonly WorkloadPodObject[]): void {
  const byIp = new Map(pods.filter((p) => p.status?.podIP).map((p) => [p.status!.podIP!, p]));
  for (const s of slices) {
    const first = (s.endpoints ?? []).flatMap((e) => e.addresses ?? [])[0];
    if (first === undefined) continue;
    const pod = byIp.get(first);
    const want = (svc.spec?.ports ?? []).flatMap((p) => {
      const port = resolveTarget(p, pod);
      return port === undefined ? [] : [portKey({ name: p.name, protocol: p.protocol, port })];
    });
    const have = (s.ports ?? []).map(portKey);
    const missing = want.filter((w) => !have.includes(w));
    const extra = have.filter((h) => !want.includes(h));
    if (missing.length > 0 || extra.length > 0) {
      ctx.fail(`${what}: EndpointSlice ${s.metadata.name} has ports [${have.join(', ')}], the Service's ports resolve to [${want.join(', ')}]${pod ? ` on ${podName(pod)}` : ''}`);
    }
  }
}

export function servicePorts(svc: ServiceObject): string[] {
  return (svc.spec?.ports ?? []).map((p) => `${p.port ?? '?'}/${p.protocol ?? 'TCP'}`);
}

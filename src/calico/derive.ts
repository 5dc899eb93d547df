/**
 * Derived inputs: the weaker views a rule can judge from (a table shows less than the objects), filled
 * from the richer inputs when only those were read — so one rule judges `kubectl get pods -o wide`
 * and the Pod objects alike. A derivation never overwrites an input that was read; when its source
 * failed, the derived input fails with the same reason (a rule needing it fails, it is not skipped).
 * Lessons register their own with `registerDerivation`.
 */
import { cidrToName, parseV4Cidr } from './cidr.js';
import { absent, present, type Input, type InputName, type InputTypes, type VerifyInputs } from './inputs.js';
import { nodeRole } from './checks/nodes.js';
import { problemsFromReport } from './checks/ipam-check.js';
import type { AffinityNameView, IpamCheckSummary, NodeRowView, PodRowView, TigeraRow } from './types.js';

export interface Derivation<K extends InputName = InputName> {
  target: K;
  from: InputName;
  derive(value: never, inputs: VerifyInputs): InputTypes[K] | undefined;
  /** Why nothing was derived (when `derive` returns undefined). */
  whyNot?: string;
}

const DERIVATIONS: Derivation[] = [];

export function registerDerivation<K extends InputName, F extends InputName>(target: K, from: F, derive: (value: InputTypes[F], inputs: VerifyInputs) => InputTypes[K] | undefined, whyNot?: string): void {
  DERIVATIONS.push({ target, from, derive: derive as Derivation['derive'], ...(whyNot !== undefined ? { whyNot } : {}) });
}

/** `calico-ipam-worker-192-168-131-128-26` → node `calico-ipam-worker`, cidr `192.168.131.128/26`. */
export function affinityFromName(name: string): AffinityNameView {
  const m = /^(.+)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/.exec(name);
  if (!m) return { name };
  const cidr = parseV4Cidr(`${m[2]}.${m[3]}.${m[4]}.${m[5]}/${m[6]}`);
  return cidr && cidrToName(cidr.text) === name.slice(m[1]!.length + 1) ? { name, node: m[1]!, cidr: cidr.text } : { name };
}

function cond(conditions: { type: string; status: string }[] | undefined, type: string): string | undefined {
  return conditions?.find((c) => c.type === type)?.status;
}

registerDerivation('tigeraRows', 'tigeraStatuses', (list) =>
  list.map((t): TigeraRow => {
    const c = t.status?.conditions ?? [];
    const degraded = c.find((x) => x.type === 'Degraded');
    const available = c.find((x) => x.type === 'Available');
    const message = degraded?.status === 'True' ? degraded.message ?? degraded.reason : available?.status !== 'True' ? available?.message : undefined;
    return {
      name: t.metadata.name,
      ...(cond(c, 'Available') !== undefined ? { available: cond(c, 'Available')! } : {}),
      ...(cond(c, 'Progressing') !== undefined ? { progressing: cond(c, 'Progressing')! } : {}),
      ...(cond(c, 'Degraded') !== undefined ? { degraded: cond(c, 'Degraded')! } : {}),
      ...(message ? { message } : {}),
    };
  }),
);

registerDerivation('nodeRows', 'nodes', (list) =>
  list.map((n): NodeRowView => {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return {
      name: n.metadata.name,
      status: ready?.status === 'True' ? 'Ready' : 'NotReady',
      roles: nodeRole(n) === 'control-plane' ? ['control-plane'] : [],
      ...(n.status?.nodeInfo?.kubeletVersion ? { version: n.status.nodeInfo.kubeletVersion } : {}),
      ...(ip ? { internalIP: ip } : {}),
      ...(ready && ready.status !== 'True' && ready.reason ? { notReadyReason: `${ready.reason}${ready.message ? `: ${ready.message}` : ''}` } : {}),
    };
  }),
);

registerDerivation('podRows', 'pods', (list) =>
  list.map((p): PodRowView => ({
    name: p.metadata.name,
    ...(p.metadata.namespace !== undefined ? { namespace: p.metadata.namespace } : {}),
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    ...(p.status?.phase ? { phase: p.status.phase } : {}),
    hostNetwork: p.spec?.hostNetwork === true,
  })),
);

registerDerivation('affinityNames', 'blockAffinities', (list) =>
  list.map((a): AffinityNameView => ({ name: a.metadata.name, ...(a.spec?.node ? { node: a.spec.node } : {}), ...(a.spec?.cidr ? { cidr: a.spec.cidr } : {}) })),
);

registerDerivation('ipamShowBlocks', 'ipamShow', (show) => (show.showBlocks ? show : undefined), 'it was run without --show-blocks (no block rows)');

registerDerivation('ipamCheckText', 'ipamCheck', (report): IpamCheckSummary => {
  const p = problemsFromReport(report);
  return {
    problems: p.leaked.length + p.inUseUnallocated.length + p.orphanHandles.length,
    leaked: p.leaked.length,
    noAllocation: p.inUseUnallocated.length,
    handlesWithoutIps: p.orphanHandles.length,
    complete: true,
    problemIpsListed: 'yes',
    leakedIps: p.leaked.map((l) => `${l.ip}${l.handle ? ` (${l.handle})` : ''}`),
    noAllocationIps: p.inUseUnallocated.map((u) => u.ip),
    orphanHandles: p.orphanHandles,
  };
});

/** [view, the input it is derived from] for every derivation. */
export function derivationSources(): [InputName, InputName][] {
  return DERIVATIONS.map((d) => [d.target, d.from]);
}

/** The inputs with every derivation applied (a new object; the given one is not changed). */
export function completeInputs(inputs: VerifyInputs): VerifyInputs {
  const out = { ...inputs } as Record<InputName, Input<unknown>>;
  for (const d of DERIVATIONS) {
    const current = out[d.target];
    if (current?.ok) continue;
    const from = out[d.from];
    if (from === undefined) continue;
    if (!from.ok) {
      if (from.failed || from.notApplicable || current === undefined) out[d.target] = from.failed || from.notApplicable ? { ...from } : absent(from.reason);
      continue;
    }
    const value = d.derive(from.value as never, out as unknown as VerifyInputs);
    if (value === undefined) {
      if (current === undefined || (!current.ok && !current.failed && !current.notApplicable)) out[d.target] = absent(`${from.source}: ${d.whyNot ?? 'nothing to derive'}`);
      continue;
    }
    out[d.target] = present(value, from.source);
  }
  return out as unknown as VerifyInputs;
}

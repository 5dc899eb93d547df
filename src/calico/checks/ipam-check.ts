import { parseV4 } from '../cidr.js';
import type { VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import { ipamModel } from '../model.js';
import { TUNNEL_ANNOTATION } from './pod-ips.js';
import type { Check, RuleContext } from './common.js';

export interface IpamProblems {
  leaked: { ip: string; handle?: string; node?: string; pod?: string; namespace?: string }[];
  inUseUnallocated: { ip: string; owners?: string[] }[];
  orphanHandles: string[];
  allocations: number;
  borrowed: string[];
}

/** Problems from the `calicoctl ipam check -o` report (its exit code is 0 even with problems). */
export function problemsFromReport(report: NonNullable<Extract<VerifyInputs['ipamCheck'], { ok: true }>['value']>): IpamProblems {
  const out: IpamProblems = { leaked: [], inUseUnallocated: [], orphanHandles: [...report.leakedHandles], allocations: 0, borrowed: [] };
  for (const [ip, list] of Object.entries(report.allocations)) {
    for (const a of list) {
      const allocated = typeof a.handle === 'string' && a.handle.length > 0;
      if (allocated) out.allocations++;
      if (allocated && !a.inUse) out.leaked.push({ ip, handle: a.handle, ...(a.node ? { node: a.node } : {}), ...(a.pod ? { pod: a.pod } : {}), ...(a.namespace ? { namespace: a.namespace } : {}) });
      if (!allocated && a.inUse) out.inUseUnallocated.push({ ip, ...(a.owners ? { owners: a.owners } : {}) });
      if (a.borrowed === true) out.borrowed.push(ip);
    }
  }
  return out;
}

/** The same judgement from the API objects, when calicoctl's report is not available. */
export function problemsFromObjects(lab: VerifyLab, inputs: VerifyInputs): IpamProblems {
  const model = ipamModel(lab, inputs);
  const used = new Set<string>();
  for (const pod of inputs.pods.ok ? inputs.pods.value : []) {
    if (pod.spec?.hostNetwork === true || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    if (pod.status?.podIP) used.add(pod.status.podIP);
    for (const p of pod.status?.podIPs ?? []) used.add(p.ip);
  }
  for (const node of inputs.nodes.ok ? inputs.nodes.value : []) {
    const t = node.metadata.annotations?.[TUNNEL_ANNOTATION];
    if (t) used.add(t);
  }
  const out: IpamProblems = { leaked: [], inUseUnallocated: [], orphanHandles: [], allocations: 0, borrowed: [] };
  const referenced = new Set<string>();
  for (const b of model.blocks) {
    if (!b.cidr) continue;
    const spec = b.obj.spec ?? {};
    (spec.allocations ?? []).forEach((idx, ordinal) => {
      if (idx === null || idx === undefined) return;
      out.allocations++;
      const attr = spec.attributes?.[idx] ?? {};
      if (attr.handle_id) referenced.add(attr.handle_id.toLowerCase());
      const ip = formatIp(b.cidr!.base + ordinal);
      if (!used.has(ip)) out.leaked.push({ ip, ...(attr.handle_id ? { handle: attr.handle_id } : {}), ...(attr.secondary?.['node'] ? { node: attr.secondary['node'] } : {}), ...(attr.secondary?.['pod'] ? { pod: attr.secondary['pod'] } : {}), ...(attr.secondary?.['namespace'] ? { namespace: attr.secondary['namespace'] } : {}) });
    });
  }
  for (const ip of used) {
    const n = parseV4(ip);
    if (n === undefined || model.poolCidr === undefined || n < model.poolCidr.base || n >= model.poolCidr.base + model.poolCidr.size) continue;
    const blocks = model.index.find(n);
    if (!blocks.some((b) => { const spec = b.obj.spec?.allocations; return spec?.[n - b.cidr!.base] !== null && spec?.[n - b.cidr!.base] !== undefined; })) out.inUseUnallocated.push({ ip });
  }
  for (const h of inputs.ipamHandles.ok ? inputs.ipamHandles.value : []) {
    const id = (h.spec?.handleID ?? h.metadata.name).toLowerCase();
    if (!referenced.has(id) && !referenced.has(h.metadata.name)) out.orphanHandles.push(h.spec?.handleID ?? h.metadata.name);
  }
  return out;
}

function formatIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function judgeProblems(ctx: RuleContext, p: IpamProblems): void {
  if (p.leaked.length > 0) ctx.fail(`${p.leaked.length} IP${p.leaked.length === 1 ? '' : 's'} allocated in IPAM but not in use: ${p.leaked.map((l) => `${l.ip}${l.handle ? ` (${l.handle})` : ''}`).join(', ')}`);
  if (p.inUseUnallocated.length > 0) ctx.fail(`${p.inUseUnallocated.length} in-use IP${p.inUseUnallocated.length === 1 ? '' : 's'} with no IPAM allocation: ${p.inUseUnallocated.map((u) => u.ip).join(', ')}`);
  if (p.orphanHandles.length > 0) ctx.fail(`${p.orphanHandles.length} handle${p.orphanHandles.length === 1 ? '' : 's'} with no matching IPs: ${p.orphanHandles.join(', ')}`);
}

function problemsEvidence(p: IpamProblems, source: string): Record<string, unknown> {
  return { source, leakedIps: p.leaked, inUseNotAllocated: p.inUseUnallocated, orphanHandles: p.orphanHandles, allocations: p.allocations, borrowed: p.borrowed };
}

const NOT_LISTED = 'the IPs are not listed in this output: run `calicoctl ipam check --show-problem-ips` to see them';

export const ipamCheck: Check = {
  id: 'ipam-check',
  title: 'calicoctl ipam check: no leaked IPs, no unallocated in-use IPs, no orphan handles',
  rules: [
    {
      id: 'calicoctl-no-problems',
      title: 'calicoctl ipam check found no problems',
      inputs: ['ipamCheckText'],
      judge(ctx) {
        const t = ctx.get('ipamCheckText');
        if (ctx.inputs.ipamCheck.ok) {
          // The report lists every problem: judge it in full.
          const p = problemsFromReport(ctx.inputs.ipamCheck.value);
          judgeProblems(ctx, p);
          Object.entries(problemsEvidence(p, `calicoctl ipam check report (${ctx.inputs.ipamCheck.source})`)).forEach(([k, v]) => ctx.note(k, v));
          ctx.note('calicoVersion', ctx.inputs.ipamCheck.value.version);
          return;
        }
        if (!t.complete) ctx.fail('calicoctl ipam check did not complete (no "Check complete" line): the output is cut short or the run failed');
        const listed = t.problemIpsListed === 'yes';
        const ips = (list: string[]): string => (listed && list.length > 0 ? `: ${list.join(', ')}` : listed ? '' : ` — ${NOT_LISTED}`);
        if ((t.leaked ?? 0) > 0) ctx.fail(`${t.leaked} IP${t.leaked === 1 ? '' : 's'} allocated in IPAM but not in use${ips(t.leakedIps)}`);
        if ((t.noAllocation ?? 0) > 0) ctx.fail(`${t.noAllocation} in-use IP${t.noAllocation === 1 ? '' : 's'} with no IPAM allocation${ips(t.noAllocationIps)}`);
        if ((t.notInPool ?? 0) > 0) ctx.fail(`${t.notInPool} in-use IP${t.notInPool === 1 ? '' : 's'} outside every IP pool${listed ? '' : ` — ${NOT_LISTED}`}`);
        if ((t.handlesWithoutIps ?? 0) > 0) ctx.fail(`${t.handlesWithoutIps} handle${t.handlesWithoutIps === 1 ? '' : 's'} with no matching IPs${t.orphanHandles.length > 0 ? `: ${t.orphanHandles.join(', ')}` : ''}`);
        const counted = (t.leaked ?? 0) + (t.noAllocation ?? 0) + (t.notInPool ?? 0) + (t.handlesWithoutIps ?? 0);
        if (t.problems !== undefined && t.problems > counted) ctx.fail(`calicoctl ipam check found ${t.problems} problems${listed ? '' : ` — ${NOT_LISTED}`}`);
        ctx.note('source', `calicoctl ipam check (${ctx.inputs.ipamCheckText.ok ? ctx.inputs.ipamCheckText.source : ''})`);
        ctx.note('problemIpsListed', t.problemIpsListed);
      },
    },
    {
      id: 'objects-consistent',
      title: 'the IPAMBlocks, IPAMHandles, Pods and Node tunnel IPs agree (the same cross-check, from the API objects)',
      inputs: ['ipamBlocks', 'pods', 'nodes'],
      optional: ['ipamHandles'],
      judge(ctx) {
        const p = problemsFromObjects(ctx.lab, ctx.inputs);
        judgeProblems(ctx, p);
        if (!ctx.inputs.ipamCheckText.ok) Object.entries(problemsEvidence(p, 'derived from IPAMBlocks, IPAMHandles, Pods and Nodes')).forEach(([k, v]) => ctx.note(k, v));
        if (!ctx.inputs.ipamCheck.ok) ctx.note('calicoctlUnavailable', ctx.inputs.ipamCheck.reason);
      },
    },
  ],
  passSummary(_lab, inputs) {
    const source = inputs.ipamCheck.ok ? `calicoctl ipam check report (${inputs.ipamCheck.source})` : inputs.ipamCheckText.ok ? `calicoctl ipam check (${inputs.ipamCheckText.source})` : 'derived from IPAMBlocks, IPAMHandles, Pods and Nodes';
    const allocations = inputs.ipamCheck.ok ? problemsFromReport(inputs.ipamCheck.value).allocations : undefined;
    return `${allocations !== undefined ? `${allocations} allocations, ` : ''}0 problems (${source})`;
  },
  hint: 'see the IPs with `calicoctl ipam check --show-problem-ips`; kube-controllers releases leaked IPs after 15 minutes, or `calicoctl ipam release --ip=<ip>` by hand',
  explain:
    '`calicoctl ipam check` cross-checks IPAM\'s records (blocks, handles) with what actually uses IPs (pods, node tunnel addresses). ' +
    'It exits 0 even when it finds problems, so read its report: IPs allocated but unused (leaks), IPs in use but not allocated, and ' +
    'handles no block refers to. Its text output gives counts only, unless run with `--show-problem-ips`.',
  commands: ['calicoctl ipam check', 'calicoctl ipam check --show-problem-ips -o report.json'],
};

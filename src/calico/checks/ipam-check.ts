import { parseV4 } from '../cidr.js';
import type { VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import { ipamModel } from '../model.js';
import { TUNNEL_ANNOTATION } from './pod-ips.js';
import { Findings, type Check, type Verdict } from './common.js';

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

function judgeProblems(p: IpamProblems, source: string, extra: Record<string, unknown>): Verdict {
  const f = new Findings();
  if (p.leaked.length > 0) f.fail(`${p.leaked.length} IP${p.leaked.length === 1 ? '' : 's'} allocated in IPAM but not in use: ${p.leaked.map((l) => `${l.ip}${l.handle ? ` (${l.handle})` : ''}`).join(', ')}`);
  if (p.inUseUnallocated.length > 0) f.fail(`${p.inUseUnallocated.length} in-use IP${p.inUseUnallocated.length === 1 ? '' : 's'} with no IPAM allocation: ${p.inUseUnallocated.map((u) => u.ip).join(', ')}`);
  if (p.orphanHandles.length > 0) f.fail(`${p.orphanHandles.length} handle${p.orphanHandles.length === 1 ? '' : 's'} with no matching IPs: ${p.orphanHandles.join(', ')}`);
  return f.verdict(
    `${p.allocations} allocations, 0 problems (${source})`,
    { source, leakedIps: p.leaked, inUseNotAllocated: p.inUseUnallocated, orphanHandles: p.orphanHandles, allocations: p.allocations, borrowed: p.borrowed, ...extra },
    'see the IPs with `calicoctl ipam check --show-problem-ips`; kube-controllers releases leaked IPs after 15 minutes, or `calicoctl ipam release --ip=<ip>` by hand',
  );
}

export const ipamCheck: Check = {
  id: 'ipam-check',
  title: 'calicoctl ipam check: no leaked IPs, no unallocated in-use IPs, no orphan handles',
  needs: [],
  uses: ['ipamCheck', 'ipamBlocks', 'pods', 'nodes', 'ipamHandles'],
  explain:
    '`calicoctl ipam check` cross-checks IPAM\'s records (blocks, handles) with what actually uses IPs (pods, node tunnel addresses). ' +
    'It exits 0 even when it finds problems, so read its report: IPs allocated but unused (leaks), IPs in use but not allocated, and ' +
    'handles no block refers to.',
  commands: ['calicoctl ipam check', 'calicoctl ipam check --show-problem-ips -o report.json'],
  judge(lab, inputs) {
    if (inputs.ipamCheck.ok) {
      return judgeProblems(problemsFromReport(inputs.ipamCheck.value), `calicoctl ipam check report (${inputs.ipamCheck.source})`, { calicoVersion: inputs.ipamCheck.value.version });
    }
    if (inputs.ipamBlocks.ok && inputs.pods.ok && inputs.nodes.ok) {
      return judgeProblems(problemsFromObjects(lab, inputs), 'derived from IPAMBlocks, IPAMHandles, Pods and Nodes', { calicoctlUnavailable: inputs.ipamCheck.reason });
    }
    return {
      status: 'skip',
      summary: 'skipped: no calicoctl ipam check report and not enough API objects to derive one',
      reason: `calicoctl ipam check: ${inputs.ipamCheck.reason}`,
      evidence: {},
    };
  },
};

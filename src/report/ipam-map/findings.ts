/**
 * Findings of the checks, read generically so the map needs no knowledge of any one check: every
 * failing or warning result contributes its `evidence.problems` / `evidence.warnings` lines (or its
 * summary when it lists none), and every failing or warning rule (`rules[]`, when the results carry
 * them) its reason. `refsIn` pulls the CIDRs, IPs and node names out of such a line, including
 * Calico's dashed object names (`calico-ipam-worker-192-168-131-128-26` → 192.168.131.128/26).
 */
import { parseV4, parseV4Cidr, type V4Cidr } from '../../calico/cidr.js';
import type { CheckResult, RuleResult } from '../../calico/types.js';

export interface Finding {
  status: 'fail' | 'warn';
  check: string;
  rule?: string;
  message: string;
}

/** A rule as the results carry it (read structurally: older results have none). */
/** The rules of a check (absent on results written before checks had rules). */
export function rulesOf(r: CheckResult): RuleResult[] {
  return r.rules ?? [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

export function findingsOf(results: readonly CheckResult[]): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding): void => {
    const key = `${f.check}\u0000${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(f);
  };
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    const problems = strings(r.evidence['problems']);
    const warnings = strings(r.evidence['warnings']);
    for (const message of problems) add({ status: 'fail', check: r.id, message });
    for (const message of warnings) add({ status: 'warn', check: r.id, message });
    for (const rule of rulesOf(r)) {
      if ((rule.status === 'fail' || rule.status === 'warn') && rule.reason) add({ status: rule.status, check: r.id, rule: rule.id, message: rule.reason });
    }
    if (problems.length === 0 && warnings.length === 0 && !out.some((f) => f.check === r.id)) add({ status: r.status, check: r.id, message: r.summary });
  }
  return out;
}

export interface Refs {
  cidrs: V4Cidr[];
  ips: number[];
  nodes: string[];
}

const DOTTED_CIDR = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2})(?!\d)/g;
const DASHED_CIDR = /(?<!\d)(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})(?!\d)/g;
const IP = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d/]|\.\d)/g;

export function refsIn(text: string, nodeNames: readonly string[]): Refs {
  const cidrs = new Map<string, V4Cidr>();
  for (const m of text.matchAll(DOTTED_CIDR)) {
    const c = parseV4Cidr(m[1]);
    if (c) cidrs.set(c.text, c);
  }
  for (const m of text.matchAll(DASHED_CIDR)) {
    const c = parseV4Cidr(`${m[1]}.${m[2]}.${m[3]}.${m[4]}/${m[5]}`);
    if (c) cidrs.set(c.text, c);
  }
  const ips = new Set<number>();
  for (const m of text.matchAll(IP)) {
    const n = parseV4(m[1]);
    if (n !== undefined) ips.add(n);
  }
  const nodes = nodeNames.filter((name) => {
    let at = text.indexOf(name);
    while (at >= 0) {
      const before = text[at - 1];
      const after = text[at + name.length];
      if ((before === undefined || !/[A-Za-z0-9]/.test(before)) && (after === undefined || !/[A-Za-z0-9]/.test(after))) return true;
      at = text.indexOf(name, at + 1);
    }
    return false;
  });
  return { cidrs: [...cidrs.values()], ips: [...ips], nodes };
}

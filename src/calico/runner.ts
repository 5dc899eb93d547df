/**
 * Choosing and running checks. Rules are pure and synchronous over the inputs; the inputs are
 * completed with their derived views first (derive.ts). In a live run, a rule that failed while
 * comparing two reads (calicoctl vs API lists, a report vs the pods) may only see the cluster moving
 * between them: the engine reads those inputs once more and judges again before the failure stands.
 */
import { UsageError } from '../errors.js';
import { CHECKS, runCheck, type Check } from './checks/index.js';
import { checkInputs, ruleRan } from './checks/common.js';
import { completeInputs, derivationSources } from './derive.js';
import type { Input, InputName, VerifyInputs } from './inputs.js';
import type { VerifyLab } from './lab.js';
import { type CheckId, type CheckResult, type CheckStatus, type RuleResult } from './types.js';

/** The checks named by `--check` (in report order), or all `available` (default: the built-in ones). Unknown id → UsageError listing the ids. */
export function selectChecks(ids: readonly string[] | undefined, available: readonly Check[] = CHECKS): Check[] {
  if (ids === undefined || ids.length === 0) return [...available];
  const known = available.map((c) => c.id);
  const wanted = new Set<string>();
  for (const raw of ids) {
    for (const id of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!known.includes(id)) {
        throw new UsageError(`--check: unknown check '${id}'`, { hint: `use one of: ${known.join(', ')}` });
      }
      wanted.add(id);
    }
  }
  return available.filter((c) => wanted.has(c.id));
}

export function runChecks(checks: readonly Check[], lab: VerifyLab, inputs: VerifyInputs): CheckResult[] {
  const all = completeInputs(inputs);
  return checks.map((c) => runCheck(c, lab, all));
}

/** Reads the given inputs again (live only). */
export type Reread = (names: ReadonlySet<InputName>) => Promise<Partial<VerifyInputs>>;

/** Failed rules that compared reads from different sources: the ones the cluster moving could explain. */
export function crossReadFailures(checks: readonly Check[], results: readonly CheckResult[], inputs: VerifyInputs): Set<InputName> {
  const all = completeInputs(inputs);
  const names = new Set<InputName>();
  for (const r of results) {
    const check = checks.find((c) => c.id === r.id);
    for (const rr of r.rules ?? []) {
      if (rr.status !== 'fail') continue;
      const rule = check?.rules.find((x) => x.id === rr.id);
      const used = [...(rule?.inputs ?? []), ...(rule?.optional ?? [])].filter((n) => all[n]?.ok);
      const sources = new Set(used.map((n) => (all[n] as Extract<Input<unknown>, { ok: true }>).source));
      if (used.length === rule?.inputs.length && sources.size >= 2) for (const n of used) names.add(n);
    }
  }
  return names;
}

/** runChecks, then — when a cross-read rule failed and `reread` is given — once more on fresh reads of its inputs. */
export async function runChecksWithReread(checks: readonly Check[], lab: VerifyLab, inputs: VerifyInputs, reread?: Reread): Promise<{ results: CheckResult[]; inputs: VerifyInputs; reread: InputName[] }> {
  const first = runChecks(checks, lab, inputs);
  if (!reread) return { results: first, inputs, reread: [] };
  const names = crossReadFailures(checks, first, inputs);
  if (names.size === 0) return { results: first, inputs, reread: [] };
  const fresh = await reread(names);
  const next = { ...inputs, ...fresh } as VerifyInputs;
  // `inputs` holds what was read, not the derived views: those are derived again from the fresh reads.
  const results = runChecks(checks, lab, next);
  const before = new Map(first.flatMap((r) => (r.rules ?? []).map((x) => [`${r.id}/${x.id}`, x] as const)));
  for (const r of results) {
    for (const x of r.rules ?? []) if (before.get(`${r.id}/${x.id}`)?.status === 'fail') x.reread = true;
  }
  return { results, inputs: next, reread: [...names] };
}

export interface Totals {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
  total: number;
}

export function totals(results: readonly CheckResult[]): Totals {
  const t: Totals = { pass: 0, warn: 0, fail: 0, skip: 0, total: results.length };
  for (const r of results) t[r.status]++;
  return t;
}

export interface RuleTotals {
  total: number;
  evaluated: number;
  notEvaluated: number;
  notApplicable: number;
}

export function ruleTotals(results: readonly CheckResult[]): RuleTotals {
  const rules: RuleResult[] = results.flatMap((r) => r.rules ?? []);
  return {
    total: rules.length,
    evaluated: rules.filter(ruleRan).length,
    notEvaluated: rules.filter((r) => r.status === 'not-evaluated').length,
    notApplicable: rules.filter((r) => r.status === 'not-applicable').length,
  };
}

/** `7 passed, 1 warning, 0 failed, 2 skipped · 23 of 34 rules evaluated (11 not: inputs absent)` */
export function summaryLine(results: readonly CheckResult[]): string {
  const t = totals(results);
  const r = ruleTotals(results);
  const not = [r.notEvaluated > 0 ? `${r.notEvaluated} not: inputs absent` : '', r.notApplicable > 0 ? `${r.notApplicable} not applicable` : ''].filter(Boolean).join(', ');
  return `${t.pass} passed, ${t.warn} warning${t.warn === 1 ? '' : 's'}, ${t.fail} failed, ${t.skip} skipped · ${r.evaluated} of ${r.total} rules evaluated${not ? ` (${not})` : ''}`;
}

/**
 * --strict: every not-evaluated rule fails (and, live, every not-applicable one); the check's status
 * follows. For CI on saved outputs, where an absent input means the capture is incomplete.
 */
export function applyStrict(results: readonly CheckResult[], o: { notApplicable: boolean }): CheckResult[] {
  return results.map((r) => {
    const turned = (r.rules ?? []).filter((x) => x.status === 'not-evaluated' || (o.notApplicable && x.status === 'not-applicable'));
    if (turned.length === 0) return r;
    const rules = (r.rules ?? []).map((x) => (turned.includes(x) ? { ...x, status: 'fail' as const, reason: `--strict: ${x.status === 'not-evaluated' ? 'not evaluated' : 'not applicable'}: ${x.reason ?? ''}` } : x));
    const problems = [...((r.evidence['problems'] as string[] | undefined) ?? []), ...turned.map((x) => `${x.id}: --strict: ${x.status === 'not-evaluated' ? 'not evaluated' : 'not applicable'} (${x.reason ?? ''})`)];
    const summary = r.status === 'fail' ? r.summary : problems.length === 1 ? problems[0]! : `${problems[0]} (and ${problems.length - 1} more)`;
    return { ...r, status: 'fail', summary, rules, evidence: { ...r.evidence, problems } };
  });
}

/** Node names the outputs mention (Nodes, pods' nodes, affinities, blocks, containers, node routes). */
export function nodeNamesSeen(inputs: VerifyInputs): Set<string> {
  const all = completeInputs(inputs);
  const seen = new Set<string>();
  const add = (n: string | undefined): void => {
    if (n) seen.add(n);
  };
  if (all.nodeRows?.ok) all.nodeRows.value.forEach((n) => add(n.name));
  if (all.podRows?.ok) all.podRows.value.forEach((p) => add(p.node));
  if (all.affinityNames?.ok) all.affinityNames.value.forEach((a) => add(a.node));
  if (all.ipamBlocks?.ok) all.ipamBlocks.value.forEach((b) => add(b.spec?.affinity?.startsWith('host:') ? b.spec.affinity.slice(5) : undefined));
  if (all.containers?.ok) all.containers.value.forEach((c) => add(c.name));
  if (all.nodeRoutes?.ok) Object.keys(all.nodeRoutes.value).forEach(add);
  return seen;
}

/** When the outputs name nodes and none is a node of the lab: say which lab was assumed and how to pick another. */
export function labMismatch(lab: VerifyLab, inputs: VerifyInputs, fromSnapshot: boolean): string | undefined {
  const seen = nodeNamesSeen(inputs);
  if (seen.size === 0) return undefined;
  const mine = new Set(lab.nodes.map((n) => n.name));
  if ([...seen].some((n) => mine.has(n))) return undefined;
  const shown = [...seen].slice(0, 4).join(', ');
  return `the outputs name nodes (${shown}${seen.size > 4 ? ', …' : ''}) that are not nodes of the lab ${lab.name} (${lab.nodes.map((n) => n.name).join(', ')}), ` +
    `which verify assumed${fromSnapshot ? ' from the snapshot file' : ''}: pass --topology <file> of the lab the outputs come from`;
}

export function overallStatus(results: readonly CheckResult[]): CheckStatus {
  const t = totals(results);
  return t.fail > 0 ? 'fail' : t.warn > 0 ? 'warn' : t.pass > 0 ? 'pass' : 'skip';
}

export function checkById(id: CheckId): Check {
  return CHECKS.find((c) => c.id === id)!;
}

/** Every input the given checks read — with the inputs their derived views come from. */
export function inputsUsedBy(checks: readonly Check[]): Set<InputName> {
  const used = new Set<InputName>(checks.flatMap(checkInputs));
  for (const [view, from] of derivationSources()) if (used.has(view)) used.add(from);
  return used;
}


/**
 * The rule engine. A check is a set of named rules; each rule declares the input keys it reads and
 * runs whenever those inputs are there — whatever provider filled them (the live gatherers, a snapshot,
 * a file or transcript reader). Rule outcomes: pass, warn, fail, not-evaluated (an input is absent, with
 * the reason) and not-applicable (cannot apply on this host or lab, with the reason). An input whose
 * READ failed fails the rules that needed it. A check's status is the worst of the rules that ran;
 * `skip` only when none could run. Absence never counts as a pass.
 */
import { errorMessage } from '../../errors.js';
import { inputLabel, type Input, type InputName, type InputTypes, type VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import type { CheckId, CheckResult, CheckStatus, RuleResult, RuleStatus } from '../types.js';

export type Verdict = Omit<CheckResult, 'id' | 'title' | 'durationMs'>;

/** What a rule's judge gets: its inputs (present), the lab, and where to put findings and evidence. */
export interface RuleContext {
  lab: VerifyLab;
  inputs: VerifyInputs;
  /** The value of an input the rule declared (present), or of an optional one (undefined when absent). */
  get<K extends InputName>(key: K): InputTypes[K];
  opt<K extends InputName>(key: K): InputTypes[K] | undefined;
  fail(message: string): void;
  warn(message: string): void;
  /** Add to the check's evidence. */
  note(key: string, value: unknown): void;
}

export interface Rule {
  id: string;
  title: string;
  /** Inputs without which the rule cannot judge. */
  inputs: readonly InputName[];
  /** Inputs read when present (the rule judges more with them). */
  optional?: readonly InputName[];
  /** A reason when the rule cannot apply to this lab (e.g. no Kubernetes version to compare with). */
  notApplicable?(lab: VerifyLab): string | undefined;
  judge(ctx: RuleContext): void;
}

export interface Check {
  id: CheckId;
  title: string;
  rules: readonly Rule[];
  /** Summary when every rule that ran passed. */
  passSummary(lab: VerifyLab, inputs: VerifyInputs, ran: readonly string[]): string;
  /** Evidence the check shows whatever its rules found (tables, numbers). Only present inputs may be read. */
  evidence?(lab: VerifyLab, inputs: VerifyInputs): Record<string, unknown>;
  /** What to do on fail/warn. */
  hint?: string;
  /** What the exercise teaches (printed by --explain). */
  explain: string;
  /** What a learner types to see the same thing. */
  commands: readonly string[];
}

/** Every input a check's rules read (required and optional): what to gather for a `--check` subset. */
export function checkInputs(check: Check): InputName[] {
  return [...new Set(check.rules.flatMap((r) => [...r.inputs, ...(r.optional ?? [])]))];
}

const RANK: Record<RuleStatus, number> = { 'not-applicable': 0, 'not-evaluated': 0, pass: 1, warn: 2, fail: 3 };

interface RuleOutcome {
  result: RuleResult;
  problems: string[];
  warnings: string[];
}

function absentReason(name: InputName, input: Input<unknown>): string {
  return `${inputLabel(name)}: ${input.ok ? '' : input.reason}`;
}

export function runRule(rule: Rule, lab: VerifyLab, inputs: VerifyInputs, evidence: Record<string, unknown>): RuleOutcome {
  const base = { id: rule.id, title: rule.title, inputs: [...rule.inputs] };
  const problems: string[] = [];
  const warnings: string[] = [];
  const na = rule.notApplicable?.(lab);
  if (na !== undefined) return { result: { ...base, status: 'not-applicable', reason: na }, problems, warnings };
  const missing = rule.inputs.filter((n) => !inputs[n]?.ok);
  if (missing.length > 0) {
    const of = (pred: (i: Input<unknown>) => boolean): InputName[] => missing.filter((n) => inputs[n] !== undefined && pred(inputs[n] as Input<unknown>));
    const failed = of((i) => !i.ok && i.failed === true);
    const notApplicable = of((i) => !i.ok && i.notApplicable === true);
    const reasonOf = (names: InputName[]): string => names.map((n) => (inputs[n] ? absentReason(n, inputs[n] as Input<unknown>) : `${inputLabel(n)}: not read`)).join('; ');
    if (failed.length > 0) {
      const reason = `could not read ${reasonOf(failed)}`;
      problems.push(`${rule.title}: ${reason}`);
      return { result: { ...base, status: 'fail', reason }, problems, warnings };
    }
    if (notApplicable.length === missing.length) return { result: { ...base, status: 'not-applicable', reason: reasonOf(notApplicable) }, problems, warnings };
    return { result: { ...base, status: 'not-evaluated', reason: reasonOf(missing) }, problems, warnings };
  }
  const ctx: RuleContext = {
    lab,
    inputs,
    get: (key) => (inputs[key] as Extract<Input<unknown>, { ok: true }>).value as never,
    opt: (key) => (inputs[key]?.ok ? ((inputs[key] as Extract<Input<unknown>, { ok: true }>).value as never) : undefined),
    fail: (m) => problems.push(m),
    warn: (m) => warnings.push(m),
    note: (k, v) => {
      evidence[k] = v;
    },
  };
  try {
    rule.judge(ctx);
  } catch (error) {
    problems.push(`rule ${rule.id} itself failed: ${errorMessage(error)} (a bug in lab; please report it with \`lab snapshot\` attached)`);
  }
  const status: RuleStatus = problems.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass';
  return { result: { ...base, status, ...(status !== 'pass' ? { reason: (problems[0] ?? warnings[0])! } : {}) }, problems, warnings };
}

/** True when the rule ran (its outcome says something about the lab). */
export function ruleRan(r: RuleResult): boolean {
  return r.status === 'pass' || r.status === 'warn' || r.status === 'fail';
}

export function runCheck(check: Check, lab: VerifyLab, inputs: VerifyInputs): CheckResult {
  const started = performance.now();
  let evidence: Record<string, unknown> = {};
  try {
    evidence = check.evidence?.(lab, inputs) ?? {};
  } catch (error) {
    evidence = { evidenceError: errorMessage(error) };
  }
  const outcomes = check.rules.map((r) => runRule(r, lab, inputs, evidence));
  const rules = outcomes.map((o) => o.result);
  const problems = outcomes.flatMap((o) => o.problems);
  const warnings = outcomes.flatMap((o) => o.warnings);
  const ran = rules.filter(ruleRan);
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  if (ran.length === 0) {
    const notEvaluated = rules.filter((r) => r.status === 'not-evaluated' || r.status === 'not-applicable');
    const missing = [...new Set(check.rules.flatMap((r) => r.inputs.filter((n) => !inputs[n]?.ok)))];
    const na = notEvaluated.filter((r) => r.status === 'not-applicable' && !r.inputs.some((n) => (missing as string[]).includes(n))).map((r) => `${r.id}: ${r.reason ?? ''}`);
    const reason = [...missing.map((n) => absentReason(n, inputs[n] ?? { ok: false, reason: 'not read' })), ...na].join('; ');
    const allNa = rules.every((r) => r.status === 'not-applicable');
    return {
      id: check.id,
      title: check.title,
      status: 'skip',
      summary: allNa ? `skipped: not applicable here` : `skipped: no ${missing.map((n) => inputLabel(n).split(' (')[0]).join(', ')}`,
      reason,
      evidence: { ...evidence, missing },
      durationMs,
      rules,
    };
  }
  const worst = ran.reduce((w, r) => (RANK[r.status] > RANK[w] ? r.status : w), 'pass' as RuleStatus);
  const status = worst as CheckStatus;
  const list = problems.length > 0 ? problems : warnings;
  const summary = list.length === 0 ? check.passSummary(lab, inputs, ran.map((r) => r.id)) : list.length === 1 ? list[0]! : `${list[0]} (and ${list.length - 1} more)`;
  return {
    id: check.id,
    title: check.title,
    status,
    summary,
    evidence: { ...evidence, ...(problems.length > 0 ? { problems } : {}), ...(warnings.length > 0 ? { warnings } : {}) },
    ...(status !== 'pass' && check.hint !== undefined ? { hint: check.hint } : {}),
    durationMs,
    rules,
  };
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

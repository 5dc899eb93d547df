/**
 * What a check is: an id, a title, the inputs it needs (absent → skipped with the reason), the
 * explanation of the exercise and the command a learner types, and a pure `judge(lab, inputs)`.
 * `runCheck` turns that into a `CheckResult` (skip, timing, a crash in a check reported as a failure
 * of that check, not of the whole run).
 */
import { errorMessage } from '../../errors.js';
import { INPUT_LABELS, type InputName, type VerifyInputs } from '../inputs.js';
import type { VerifyLab } from '../lab.js';
import type { CheckId, CheckResult, CheckStatus } from '../types.js';

export type Verdict = Omit<CheckResult, 'id' | 'title' | 'durationMs'>;

export interface Check {
  id: CheckId;
  title: string;
  /** Inputs without which the check cannot judge anything. */
  needs: readonly InputName[];
  /** Every input the check reads (needs + optional ones): only these are gathered for a `--check` subset. */
  uses: readonly InputName[];
  /** What the exercise teaches (printed by --explain). */
  explain: string;
  /** What a learner types to see the same thing. */
  commands: readonly string[];
  judge(lab: VerifyLab, inputs: VerifyInputs): Verdict;
}

export function runCheck(check: Check, lab: VerifyLab, inputs: VerifyInputs): CheckResult {
  const started = performance.now();
  const missing = check.needs.filter((n) => !inputs[n].ok);
  let verdict: Verdict;
  if (missing.length > 0) {
    const reasons = missing.map((n) => {
      const input = inputs[n];
      return `${INPUT_LABELS[n]}: ${input.ok ? '' : input.reason}`;
    });
    verdict = { status: 'skip', summary: `skipped: no ${missing.map((n) => INPUT_LABELS[n].split(' (')[0]).join(', ')}`, reason: reasons.join('; '), evidence: { missing } };
  } else {
    try {
      verdict = check.judge(lab, inputs);
    } catch (error) {
      verdict = { status: 'fail', summary: `the check itself failed: ${errorMessage(error)}`, evidence: { error: errorMessage(error) }, hint: 'this is a bug in lab; please report it with `lab snapshot` attached' };
    }
  }
  return { id: check.id, title: check.title, ...verdict, durationMs: Math.round((performance.now() - started) * 10) / 10 };
}

/** Collects findings; the worst status wins. */
export class Findings {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  fail(message: string): void {
    this.problems.push(message);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  get status(): CheckStatus {
    return this.problems.length > 0 ? 'fail' : this.warnings.length > 0 ? 'warn' : 'pass';
  }
  /** Summary: the first problem (or warning) plus how many more, else the pass text. */
  summary(passText: string): string {
    const list = this.problems.length > 0 ? this.problems : this.warnings;
    if (list.length === 0) return passText;
    return list.length === 1 ? list[0]! : `${list[0]} (and ${list.length - 1} more)`;
  }
  verdict(passText: string, evidence: Record<string, unknown>, hint?: string): Verdict {
    const status = this.status;
    return {
      status,
      summary: this.summary(passText),
      evidence: { ...evidence, ...(this.problems.length > 0 ? { problems: this.problems } : {}), ...(this.warnings.length > 0 ? { warnings: this.warnings } : {}) },
      ...(status !== 'pass' && hint !== undefined ? { hint } : {}),
    };
  }
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

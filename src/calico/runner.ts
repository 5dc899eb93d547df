/**
 * Choosing and running checks. Checks are pure and synchronous over gathered inputs, so "concurrently"
 * means: inputs are gathered concurrently beforehand; the checks then take milliseconds each.
 */
import { UsageError } from '../errors.js';
import { CHECKS, runCheck, type Check } from './checks/index.js';
import type { InputName, VerifyInputs } from './inputs.js';
import type { VerifyLab } from './lab.js';
import { CHECK_IDS, type CheckId, type CheckResult, type CheckStatus } from './types.js';

/** The checks named by `--check` (in report order), or all. Unknown id → UsageError listing the ids. */
export function selectChecks(ids: readonly string[] | undefined): Check[] {
  if (ids === undefined || ids.length === 0) return [...CHECKS];
  const wanted = new Set<string>();
  for (const raw of ids) {
    for (const id of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!(CHECK_IDS as readonly string[]).includes(id)) {
        throw new UsageError(`--check: unknown check '${id}'`, { hint: `use one of: ${CHECK_IDS.join(', ')}` });
      }
      wanted.add(id);
    }
  }
  return CHECKS.filter((c) => wanted.has(c.id));
}

export function runChecks(checks: readonly Check[], lab: VerifyLab, inputs: VerifyInputs): CheckResult[] {
  return checks.map((c) => runCheck(c, lab, inputs));
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

export function overallStatus(results: readonly CheckResult[]): CheckStatus {
  const t = totals(results);
  return t.fail > 0 ? 'fail' : t.warn > 0 ? 'warn' : t.pass > 0 ? 'pass' : 'skip';
}

export function checkById(id: CheckId): Check {
  return CHECKS.find((c) => c.id === id)!;
}

/** Every input the given checks read: what to gather for a `--check` subset. */
export function inputsUsedBy(checks: readonly Check[]): Set<InputName> {
  return new Set(checks.flatMap((c) => [...c.needs, ...c.uses]));
}

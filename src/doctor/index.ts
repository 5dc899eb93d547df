/**
 * `runDoctor`: gather the facts the selected rules need (bounded probes, concurrently), then judge
 * them with the pure rules. `lab deploy` calls it with `fatalOnly` as its preflight.
 */
import { PrerequisiteError } from '../errors.js';
import type { Lab } from '../lab/model.js';
import type { SudoPreference } from '../tools/sudo.js';
import type { Logger } from '../ui/log.js';
import { gatherFacts, type HostFacts } from './facts.js';
import { evaluate, factsNeeded, FATAL_RULES, RULES, type DoctorResult } from './rules.js';

export type { DoctorResult, DoctorStatus, DoctorRule } from './rules.js';
export type { HostFacts } from './facts.js';
export { RULES, FATAL_RULES } from './rules.js';

export interface DoctorOptions {
  /** Only the rules `lab deploy` needs (fast). */
  fatalOnly?: boolean;
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** --sudo / --no-sudo (default: detect). */
  sudo?: SudoPreference;
  /** --offline: calicoctl must already be cached; no network probe. */
  offline?: boolean;
  /** Per-probe deadline in ms (default 15 s). */
  probeTimeout?: number;
}

export async function runDoctor(lab: Lab, o: DoctorOptions): Promise<DoctorResult[]> {
  return (await doctorReport(lab, o)).results;
}

/** The results and the facts they were judged on (deploy reuses the facts instead of probing again). */
export async function doctorReport(lab: Lab, o: DoctorOptions): Promise<{ results: DoctorResult[]; facts: HostFacts }> {
  const rules = o.fatalOnly ? FATAL_RULES : RULES;
  const facts = await gatherFacts(lab, factsNeeded(rules), {
    signal: o.signal,
    log: o.log,
    env: o.env,
    ...(o.sudo ? { sudo: o.sudo } : {}),
    ...(o.offline !== undefined ? { offline: o.offline } : {}),
    ...(o.probeTimeout !== undefined ? { timeout: o.probeTimeout } : {}),
  });
  return { results: evaluate(rules, facts, lab), facts };
}

/** Throw a PrerequisiteError (exit 3) naming every failed fatal check and its fix; no-op when none failed. */
export function assertPreflight(results: readonly DoctorResult[]): void {
  const failed = results.filter((r) => r.fatal && r.status === 'fail');
  if (failed.length === 0) return;
  const [first] = failed;
  throw new PrerequisiteError(`preflight: ${first!.summary}`, {
    details: failed.slice(1).flatMap((r) => [`${r.title}: ${r.summary}`, ...(r.fix ? [`  fix: ${r.fix}`] : [])]),
    ...(first!.fix ? { hint: `${first!.fix}${failed.length > 1 ? ' — then see the other problems above; `lab doctor` checks everything' : ''}` } : {}),
  });
}

/** The doctor report as a plain table (stdout). Status words are coloured only through `style`. */
export function renderDoctorTable(results: readonly DoctorResult[], style: (s: 'green' | 'yellow' | 'red' | 'gray', t: string) => string = (_s, t) => t): string {
  const width = Math.max(...results.map((r) => r.title.length), 5);
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.status === 'pass' ? style('green', 'pass') : r.status === 'warn' ? style('yellow', 'warn') : style('red', 'FAIL');
    lines.push(`${mark}  ${r.title.padEnd(width)}  ${r.summary}`);
    if (r.status !== 'pass') {
      for (const d of r.details ?? []) lines.push(`${' '.repeat(width + 8)}${style('gray', d)}`);
      if (r.fix) lines.push(`${' '.repeat(width + 8)}${style('gray', 'fix:')} ${r.fix}`);
    }
  }
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  lines.push('', `${count('pass')} passed, ${count('warn')} warning${count('warn') === 1 ? '' : 's'}, ${count('fail')} failed`);
  return `${lines.join('\n')}\n`;
}

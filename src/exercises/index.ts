/**
 * A lesson's exercises as checks: each parsed spec (validated at load time) becomes its probe's
 * Check, run after the ten built-in ones by the same engine; and the fixed-size samples they need.
 */
import type { Check } from '../calico/checks/common.js';
import { CHECKS } from '../calico/checks/index.js';
import type { InputName, VerifyInputs } from '../calico/inputs.js';
import type { Lesson } from '../lab/model.js';
import { gatherSamples, type ObserveSources } from './gather.js';
import { PROBES } from './probes/index.js';
import type { ExerciseSpec, Sample } from './types.js';
import { selectorKey } from './inputs.js';

export type { ExerciseSpec, ParamProblem, PodSelector, Probe, Sample } from './types.js';
export { PROBES } from './probes/index.js';
export { parseExercises } from './spec.js';
export { gatherSamples, type ObserveSources } from './gather.js';
export { selectorKey } from './inputs.js';

function probeOf(spec: ExerciseSpec): NonNullable<(typeof PROBES)[string]> {
  const probe = PROBES[spec.probe];
  if (!probe) throw new Error(`${spec.file}:${spec.line}: probe ${spec.probe} is not registered (the lesson was validated against another lab build)`);
  return probe;
}

export function exerciseChecks(lesson: Pick<Lesson, 'exercises'> | undefined): Check[] {
  return (lesson?.exercises ?? []).map((spec) => probeOf(spec).check(spec));
}

/** Built-in checks first, then the lesson's exercises. */
export function availableChecks(lesson: Pick<Lesson, 'exercises'> | undefined): Check[] {
  return [...CHECKS, ...exerciseChecks(lesson)];
}

/** The samples of the given exercises (only those whose checks are selected), each selector/kind once. */
export function exerciseSamples(lesson: Pick<Lesson, 'exercises'> | undefined, selected?: ReadonlySet<string>): Sample[] {
  const out = new Map<string, Sample>();
  for (const spec of lesson?.exercises ?? []) {
    if (selected !== undefined && !selected.has(spec.id)) continue;
    for (const s of probeOf(spec).samples?.(spec) ?? []) out.set(`${s.kind}:${selectorKey(s.pod)}`, s);
  }
  return [...out.values()];
}

/** The sample inputs, gathered live after the API lists (`inputs`), merged into them. */
export async function withSamples(
  lesson: Pick<Lesson, 'exercises'> | undefined,
  inputs: VerifyInputs,
  observe: ObserveSources | { unavailable: string },
  o: { signal?: AbortSignal; timeoutMs?: number; selected?: ReadonlySet<string> } = {},
): Promise<VerifyInputs> {
  const samples = exerciseSamples(lesson, o.selected);
  const got = await gatherSamples(samples, inputs, observe, { ...(o.signal ? { signal: o.signal } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  return { ...inputs, ...got };
}

/** Inputs only a transcript gives (a live run observes podNetworks itself): not "missing" from a live run. */
export const TRANSCRIPT_ONLY_INPUTS: readonly InputName[] = ['podObservations'];

/** Inputs a re-read of the API lists does not give again (they stay as first observed). */
export const SAMPLE_INPUTS: readonly InputName[] = ['podSamples', 'podNetworks', 'nodeNetworks'];

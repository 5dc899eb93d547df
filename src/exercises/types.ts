/**
 * The exercise contract shared by the framework (spec parsing, gathering, verify wiring) and the
 * probes. A lesson's `exercises:` entry names a probe and its parameters; the probe turns the parsed
 * spec into a Check run by the same rule engine as the built-in checks.
 */
import type { Check } from '../calico/checks/common.js';

export interface ExerciseSpec { id: string; title: string; teaches: string; commands: string[]; probe: string; with: Record<string, unknown>; file: string; line: number }
export interface ParamProblem { path: string; message: string; fix: string }   // path under `with`
export interface Probe {
  name: string;
  /** What the probe judges, one line (for `lab lessons --json` and the README). */
  description: string;
  validate(params: Record<string, unknown>): ParamProblem[];
  /** The check this exercise runs: id = spec.id, title = spec.title, explain = spec.teaches, commands = spec.commands. */
  check(spec: ExerciseSpec): Check;
  /** Live observations it needs beyond the API lists (X's exec samples), derived from its params. */
  samples?(spec: ExerciseSpec): Sample[];
}
export type Sample = { kind: 'pod'; pod: PodSelector } | { kind: 'node-of-pod'; pod: PodSelector };
export interface PodSelector { namespace: string; name?: string; labelSelector?: string }

/**
 * Parse and validate a lesson file's `exercises:`. Every problem names lesson.yaml:line and the fix
 * (through `Problems`), so a bad exercise stops `loadLab` before anything is created: ids unique in the
 * lesson and not a built-in check's, a known probe, parameters the probe accepts.
 */
import { CHECK_IDS } from '../calico/types.js';
import { isRecord, type Problems } from '../lab/rules.js';
import type { YamlDoc } from '../lab/yaml.js';
import { PROBES } from './probes/index.js';
import type { ExerciseSpec } from './types.js';

const ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEYS = ['id', 'title', 'teaches', 'commands', 'probe', 'with'];

function text(doc: YamlDoc, path: (string | number)[], value: unknown, problems: Problems, what: string, fix: string): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  const shown = path.map((x, i) => (typeof x === 'number' ? `[${x}]` : i === 0 ? x : `.${x}`)).join('');
  problems.add(doc, path, `${shown} ${value === undefined ? 'is missing' : 'is not a non-empty string'} (${what})`, fix);
  return undefined;
}

function parseOne(doc: YamlDoc, raw: unknown, i: number, seen: Map<string, number>, problems: Problems): ExerciseSpec | undefined {
  const at = ['exercises', i];
  if (!isRecord(raw)) {
    problems.add(doc, at, `exercises[${i}] is not a mapping`, 'write each exercise as `- id: …` with title, teaches, commands, probe and with');
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) problems.add(doc, [...at, key], `unknown key exercises[${i}].${key}`, `use ${KEYS.join(', ')}`);
  }
  const id = text(doc, [...at, 'id'], raw['id'], problems, 'the check id', 'give it an id like `id: pod-eth0`');
  let idOk = id !== undefined;
  if (id !== undefined && !ID.test(id)) {
    problems.add(doc, [...at, 'id'], `exercises[${i}].id ${id} is not lower-case letters, digits and dashes`, 'e.g. `id: pod-eth0`');
    idOk = false;
  } else if (id !== undefined && (CHECK_IDS as readonly string[]).includes(id)) {
    problems.add(doc, [...at, 'id'], `exercises[${i}].id ${id} is a built-in check's id`, `pick another id; the built-in ones are ${CHECK_IDS.join(', ')}`);
    idOk = false;
  } else if (id !== undefined && seen.has(id)) {
    problems.add(doc, [...at, 'id'], `exercises[${i}].id ${id} is used twice (first by exercises[${seen.get(id)!}])`, 'give every exercise of the lesson its own id');
    idOk = false;
  }
  if (id !== undefined && !seen.has(id)) seen.set(id, i);
  const title = text(doc, [...at, 'title'], raw['title'], problems, 'one line shown by verify', 'add `title: <what the exercise shows>`');
  const teaches = text(doc, [...at, 'teaches'], raw['teaches'], problems, 'printed by --explain', 'add `teaches: >-` and a few sentences');
  const commands = raw['commands'];
  const commandsOk = Array.isArray(commands) && commands.length > 0 && commands.every((c) => typeof c === 'string' && c.trim() !== '');
  if (!commandsOk) problems.add(doc, [...at, 'commands'], `exercises[${i}].commands ${commands === undefined ? 'is missing' : 'is not a non-empty list of strings'}`, 'list what the learner types, e.g. `commands: ["kubectl exec -it multitool -- ip addr"]`');
  const probeName = text(doc, [...at, 'probe'], raw['probe'], problems, 'the probe that judges it', `name one of: ${Object.keys(PROBES).join(', ')}`);
  const probe = probeName === undefined ? undefined : PROBES[probeName];
  if (probeName !== undefined && !probe) problems.add(doc, [...at, 'probe'], `exercises[${i}].probe ${probeName} is not a probe lab knows`, `use one of: ${Object.keys(PROBES).join(', ')}`);
  const params = raw['with'] ?? {};
  if (!isRecord(params)) {
    problems.add(doc, [...at, 'with'], `exercises[${i}].with is not a mapping`, 'write the probe\'s parameters as a mapping, e.g. `with: { pod: multitool }`');
    return undefined;
  }
  let paramsOk = true;
  for (const p of probe?.validate(params) ?? []) {
    problems.add(doc, [...at, 'with', ...(p.path === '' ? [] : p.path.split('.'))], `exercises[${i}].with${p.path === '' ? '' : `.${p.path}`}: ${p.message} (probe ${probe!.name})`, p.fix);
    paramsOk = false;
  }
  if (!idOk || !title || !teaches || !commandsOk || !probe || !paramsOk) return undefined;
  return { id: id!, title, teaches, commands: commands as string[], probe: probe.name, with: params, file: doc.file, line: doc.lineOf(at) };
}

/** The lesson's exercises, each checked; the bad ones are left out (and `problems` says why). */
export function parseExercises(doc: YamlDoc, value: readonly unknown[], problems: Problems): ExerciseSpec[] {
  const seen = new Map<string, number>();
  return value.flatMap((raw, i) => parseOne(doc, raw, i, seen, problems) ?? []);
}

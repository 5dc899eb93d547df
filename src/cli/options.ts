/**
 * Every command and flag of `lab`, declared once as data. `parseCli(argv)` is pure: it turns argv into
 * a command name plus typed option values, or throws a UsageError naming the bad flag and the fix.
 * Help text is generated from the same table, so the two cannot drift apart.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help for string options. */
  value?: string;
  description: string;
}

const common = {
  topology: { type: 'string', short: 't', value: 'file|dir', description: 'containerlab topology of the lab, or a lesson folder holding exactly one (default: the first lesson shipped with lab)' },
  lesson: { type: 'string', short: 'l', value: 'id', description: 'a lesson shipped with lab, by id or prefix (`--lesson 02`); see `lab lessons`; not with --topology' },
  json: { type: 'boolean', description: 'print one JSON document on stdout; logs go to stderr' },
  verbose: { type: 'boolean', short: 'v', description: 'show every external command and its output, and stacks on errors' },
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
} as const satisfies Record<string, OptionSpec>;

const calico = {
  'calico-version': { type: 'string', value: 'version', description: 'Calico version from the pins file (default: the pins file\'s default)' },
  pins: { type: 'string', value: 'file', description: 'pins file with URLs and sha256 of the Calico artifacts (also $LAB_PINS); describes a mirror too' },
  offline: { type: 'boolean', description: 'use only the download cache; fail if an artifact is missing' },
} as const satisfies Record<string, OptionSpec>;

const timeout = {
  timeout: { type: 'string', value: 'duration', description: 'overall deadline, e.g. 15m, 90s (default 15m)' },
} as const satisfies Record<string, OptionSpec>;

const sudo = {
  sudo: { type: 'boolean', description: 'run containerlab through `sudo -n` even if it looks unnecessary' },
  'no-sudo': { type: 'boolean', description: 'never use sudo for containerlab' },
} as const satisfies Record<string, OptionSpec>;

export const commands = {
  deploy: {
    summary: 'Create the lab (containerlab + kind), install Calico, wait until it is healthy',
    options: {
      ...common, ...calico, ...timeout, ...sudo,
      recreate: { type: 'boolean', description: 'destroy an existing cluster of this name first, even if healthy' },
      preload: { type: 'boolean', description: 'pull the lab\'s images on the host once and load them into every node' },
      'collect-on-failure': { type: 'boolean', description: 'write a diagnostics bundle when deploy fails (default on when $CI is set)' },
      'no-collect-on-failure': { type: 'boolean', description: 'never write a diagnostics bundle' },
    },
  },
  destroy: {
    summary: 'Remove exactly this lab: containers, kind cluster, lab directory, kubeconfig',
    options: {
      ...common, ...timeout, ...sudo,
      yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation' },
    },
  },
  status: {
    summary: 'Show what exists and how healthy it is',
    options: { ...common, ...timeout },
  },
  verify: {
    summary: 'Run the lesson\'s exercises and the Calico IPAM invariants as checks',
    options: {
      ...common, ...calico, ...timeout,
      check: { type: 'string', multiple: true, value: 'id', description: 'run only this check' },
      explain: { type: 'boolean', description: 'print what each exercise teaches and the command a learner would type' },
      junit: { type: 'string', value: 'file', description: 'write a JUnit XML report' },
      snapshot: { type: 'string', value: 'file|dir', description: 'verify offline from a snapshot file, a tool output or terminal transcript, or a directory of them' },
      strict: { type: 'boolean', description: 'fail rules that were not evaluated (and, live, not applicable); ignored snapshot files are an error' },
      html: { type: 'string', value: 'file', description: 'write a self-contained HTML report: the checklist and the IPAM map' },
      svg: { type: 'string', value: 'file', description: 'write the IPAM map as an SVG file' },
    },
    notes: [
      'Exit status:',
      '  0  every rule that ran passed or warned (live: not-applicable rules and checks left out with --check are listed, not failed)',
      '  1  a rule failed — live, also every rule whose input could not be read (API down, no kubeconfig, calicoctl failed);',
      '     with --snapshot, also when no rule reading a snapshot input ran',
      '  2  bad options or, with --strict, snapshot files verify could not read',
      '  3  live: docker or containerlab missing, or no container of the lab (nothing deployed); nothing is downloaded',
      '  4  the reads did not finish within --timeout',
    ].join('\n'),
  },
  snapshot: {
    summary: 'Capture everything verify reads into one file (no secrets)',
    options: {
      ...common, ...calico, ...timeout,
      output: { type: 'string', short: 'o', value: 'file', description: 'where to write the snapshot (default: <lab>-snapshot.json)' },
    },
  },
  doctor: {
    summary: 'Check this host for everything the lab needs, with a fix for each problem',
    options: { ...common, ...calico, ...sudo },
  },
  collect: {
    summary: 'Write a diagnostics bundle (logs, objects, events; no secrets)',
    options: {
      ...common, ...timeout,
      output: { type: 'string', short: 'o', value: 'dir', description: 'bundle directory (default: ./lab-diagnostics-<time>)' },
    },
  },
  images: {
    summary: 'List, save or load every image the lab needs',
    options: {
      ...common, ...calico,
      save: { type: 'string', value: 'file', description: 'pull the images and save them into one archive' },
      load: { type: 'string', value: 'file', description: 'load images from an archive written by --save' },
    },
  },
  lessons: {
    summary: 'List the lessons shipped with lab: id, title, nodes, Calico version, workloads, exercises',
    options: {
      json: common.json,
      verbose: common.verbose,
      help: common.help,
      pins: calico.pins,
    },
  },
  demo: {
    summary: 'Run deploy → verify → destroy against a simulated lab (no Docker needed); `demo exec -- <cmd>` runs any command in it',
    options: {
      ...common,
      'time-scale': { type: 'string', value: 'factor', description: 'multiply simulated durations (default 0.1; 1 = real time)' },
      fault: { type: 'string', multiple: true, value: 'id', description: 'inject a fault into the simulated world' },
    },
  },
} as const satisfies Record<string, { summary: string; options: Record<string, OptionSpec>; notes?: string }>;

export type CommandName = keyof typeof commands;

type ValueOf<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean | undefined
  : S extends { multiple: true }
    ? string[] | undefined
    : string | undefined;

export type OptionsOf<C extends CommandName> = {
  [K in keyof (typeof commands)[C]['options']]: (typeof commands)[C]['options'][K] extends OptionSpec
    ? ValueOf<(typeof commands)[C]['options'][K]>
    : never;
};

export type ParsedCli =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandName; options: Record<string, unknown>; positionals: string[] };

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

/** Parse argv (without `node` and the script path). Pure; throws UsageError. */
export function parseCli(argv: readonly string[]): ParsedCli {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const target = first === 'help' ? argv[1] : undefined;
    if (target !== undefined && !isCommand(target)) throw unknownCommand(target);
    return target === undefined ? { kind: 'help' } : { kind: 'help', command: target };
  }
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first.startsWith('-')) {
    throw new UsageError(`unknown option '${first}' before the command`, { hint: 'put options after the command, e.g. `lab deploy --verbose`; see `lab --help`' });
  }
  if (!isCommand(first)) throw unknownCommand(first);

  const spec = commands[first];
  const rest = argv.slice(1);
  // `lab demo exec [options] -- <command…>`: everything after `--` belongs to the command.
  const dashdash = rest.indexOf('--');
  const own = dashdash === -1 ? rest : rest.slice(0, dashdash);
  const passthrough = dashdash === -1 ? [] : rest.slice(dashdash + 1);

  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: own, options: spec.options as Record<string, OptionSpec>, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${first}: ${cleanParseArgsMessage(error)}`, { hint: unknownOptionHint(first, error) });
  }
  const values = parsed.values;
  if (values['help'] === true) return { kind: 'help', command: first };
  if (values['sudo'] === true && values['no-sudo'] === true) {
    throw new UsageError('--sudo and --no-sudo contradict each other', { hint: 'give at most one of them' });
  }
  if (values['collect-on-failure'] === true && values['no-collect-on-failure'] === true) {
    throw new UsageError('--collect-on-failure and --no-collect-on-failure contradict each other', { hint: 'give at most one of them' });
  }
  const positionals = [...parsed.positionals, ...passthrough];
  if (first !== 'demo' && parsed.positionals.length > 0) {
    throw new UsageError(`${first}: unexpected argument '${parsed.positionals[0]}'`, { hint: `see \`lab ${first} --help\`` });
  }
  if (first !== 'demo' && passthrough.length > 0) {
    throw new UsageError(`${first}: unexpected arguments after '--'`, { hint: `see \`lab ${first} --help\`` });
  }
  return { kind: 'command', command: first, options: values, positionals };
}

function unknownCommand(name: string): UsageError {
  const names = Object.keys(commands);
  const near = closest(name, names) ?? names.find((n) => n.startsWith(name.slice(0, 3)));
  return new UsageError(`unknown command '${name}'`, {
    hint: near ? `did you mean \`lab ${near}\`? Commands: ${names.join(', ')}` : `commands: ${names.join(', ')}; see \`lab --help\``,
  });
}

/** Edit distance (insert, delete, substitute, swap two neighbours) between two short words. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word` (a typo: at most 1 edit for short words, 2 from 5 letters, 3 from 9), or undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length >= 9 ? 3 : word.length >= 5 ? 2 : 1;
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `Try:` for a flag parseArgs rejected: the closest flag of this command, or the command that has it. */
function unknownOptionHint(command: CommandName, error: unknown): string {
  const fallback = `see \`lab ${command} --help\` for its options`;
  if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return fallback;
  const flag = /Unknown option '(-{1,2})([^'=]+)/.exec(error instanceof Error ? error.message : '');
  if (!flag) return fallback;
  const [, dashes, name] = flag as unknown as [string, string, string];
  const own = commands[command].options as Record<string, OptionSpec>;
  if (dashes === '--') {
    const near = closest(name, Object.keys(own));
    if (near !== undefined) return `did you mean \`--${near}\`? (${fallback})`;
    const elsewhere = (Object.keys(commands) as CommandName[]).filter((c) => Object.hasOwn(commands[c].options, name));
    if (elsewhere.length > 0) return `--${name} is an option of ${elsewhere.map((c) => `\`lab ${c}\``).join(', ')}, not of \`lab ${command}\` (${fallback})`;
  }
  return fallback;
}

function cleanParseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // node's messages end with advice about `--` for positionals starting with '-', which is noise here.
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option');
}

/** Parse a duration like `15m`, `90s`, `1h30m`, `500ms`. Returns milliseconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = Number(m[1]);
    total += n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed = re.lastIndex;
  }
  if (text.length === 0 || consumed !== text.length || total <= 0) {
    throw new UsageError(`${flag}: '${text}' is not a duration`, { hint: `write it like 15m, 90s or 1h30m, e.g. \`${flag} 20m\`` });
  }
  return total;
}

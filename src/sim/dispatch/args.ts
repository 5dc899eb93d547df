/**
 * A small cobra/pflag-like argv parser for the fake executables: long flags (`--name x`, `--name=x`),
 * shorthands (`-n x`, `-nx`, combined booleans `-cy`), `--` ends flags. Unknown flags are reported in
 * the tool's own words by the caller (each tool prints its own error format).
 */
export interface FlagSpec {
  long: string;
  short?: string;
  type: 'bool' | 'string' | 'count' | 'list';
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class FlagError extends Error {
  constructor(
    message: string,
    readonly flag: string,
  ) {
    super(message);
  }
}

export interface Parsed {
  flags: FlagValues;
  args: string[];
}

/** Parse argv against the flag specs. Throws FlagError with pflag's messages (`unknown flag: --x`). */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], options: { interspersed?: boolean } = {}): Parsed {
  const flags: FlagValues = {};
  const args: string[] = [];
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  const set = (spec: FlagSpec, value: string | undefined): void => {
    if (spec.type === 'bool') flags[spec.long] = value === undefined ? true : value !== 'false';
    else if (spec.type === 'count') flags[spec.long] = ((flags[spec.long] as number | undefined) ?? 0) + 1;
    else if (spec.type === 'list') flags[spec.long] = [...((flags[spec.long] as string[] | undefined) ?? []), ...(value ?? '').split(',').filter((v) => v !== '')];
    else flags[spec.long] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`, `--${name}`);
      if (spec.type === 'bool' || spec.type === 'count') {
        set(spec, eq === -1 ? undefined : a.slice(eq + 1));
      } else if (eq !== -1) {
        set(spec, a.slice(eq + 1));
      } else {
        const v = argv[i + 1];
        if (v === undefined) throw new FlagError(`flag needs an argument: --${name}`, `--${name}`);
        set(spec, v);
        i++;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const chars = a.slice(1);
      for (let j = 0; j < chars.length; j++) {
        const c = chars[j] as string;
        const spec = byShort.get(c);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`, `-${c}`);
        if (spec.type === 'bool' || spec.type === 'count') {
          set(spec, undefined);
          continue;
        }
        let rest = chars.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest !== '') {
          set(spec, rest);
        } else {
          const v = argv[i + 1];
          if (v === undefined) throw new FlagError(`flag needs an argument: '${c}' in -${c}`, `-${c}`);
          set(spec, v);
          i++;
        }
        break;
      }
      continue;
    }
    if (options.interspersed === false) {
      args.push(...argv.slice(i));
      break;
    }
    args.push(a);
  }
  return { flags, args };
}

export const str = (v: FlagValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);

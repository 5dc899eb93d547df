/**
 * A command line as typed after a prompt, reduced to what routing needs: the tool, its positional
 * words and its flags. Wrappers are looked through (`sudo`, `VAR=x`, `time`, `docker exec <c>`,
 * `kubectl exec <pod> --`), aliases folded (`k` → kubectl, `clab` → containerlab, `kubectl calico` →
 * calicoctl). Only the first command of a pipeline or list is kept; `piped` says its output was filtered.
 */

export interface CommandLine {
  raw: string;
  tool: string;
  /** Positional words after the tool (flags removed). */
  words: string[];
  /** Flags by name without dashes (`o`, `output`, `A`, `show-blocks`); `true` for a flag without value. */
  flags: Map<string, string | true>;
  /** The container of `docker exec <container> …`. */
  container?: string;
  /** The pod of `kubectl exec <pod> -- …`. */
  pod?: string;
  /** The output went through `| …`. */
  piped: boolean;
}

/** Shell words of one command line (quotes and backslashes resolved); stops at an unquoted `|`, `;`, `&&`, `||`, `>`. */
export function shellWords(line: string): { words: string[]; piped: boolean } {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  const push = (): void => { if (has) words.push(cur); cur = ''; has = false; };
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      has = true;
      i = end < 0 ? line.length : end + 1;
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i++];
      }
      has = true;
      i++;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      has = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      push();
      i++;
    } else if (ch === '|' && line[i + 1] !== '|') {
      push();
      return { words, piped: true };
    } else if (ch === ';' || ch === '>' || (ch === '&' && line[i + 1] === '&') || (ch === '|' && line[i + 1] === '|')) {
      push();
      return { words, piped: false };
    } else if (ch === '#' && !has) {
      break; // a shell comment
    } else {
      cur += ch;
      has = true;
      i++;
    }
  }
  push();
  return { words, piped: false };
}

/** Flags that take a value, per tool (short letters and long names). */
const VALUE_FLAGS: Record<string, { short: string; long: string[] }> = {
  kubectl: { short: 'nolfcsp', long: ['namespace', 'output', 'kubeconfig', 'context', 'selector', 'cluster', 'user', 'server', 'field-selector', 'sort-by', 'filename', 'container', 'template', 'chunk-size', 'request-timeout', 'token', 'as', 'label-columns'] },
  calicoctl: { short: 'col', long: ['config', 'output', 'log-level', 'context', 'ip', 'namespace'] },
  containerlab: { short: 'tfrn', long: ['topo', 'format', 'name', 'runtime', 'log-level', 'timeout'] },
  docker: { short: 'uewa', long: ['user', 'env', 'workdir', 'env-file', 'detach-keys', 'format', 'filter'] },
  ip: { short: 'nb', long: [] },
};

const ALIASES: Record<string, string> = { k: 'kubectl', clab: 'containerlab', 'kubectl-calico': 'calicoctl' };

function baseName(word: string): string {
  const b = word.split('/').pop() ?? word;
  return ALIASES[b] ?? b;
}

function parseFlags(tool: string, args: string[]): { words: string[]; flags: Map<string, string | true>; rest: string[] | undefined } {
  const spec = VALUE_FLAGS[tool] ?? { short: '', long: [] };
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return { words, flags, rest: args.slice(i + 1) };
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (spec.long.includes(name) && i + 1 < args.length) flags.set(name, args[++i]!);
      else flags.set(name, true);
    } else if (a.startsWith('-') && a.length > 1 && (tool === 'ip' || !/^-\d+$/.test(a))) {
      const body = a.slice(1);
      if (tool === 'ip' && body.length > 1) { flags.set(body, true); continue; } // ip's words: -json, -pretty, -4
      const first = body[0]!;
      if (spec.short.includes(first)) {
        const v = body.slice(1).replace(/^=/, '');
        flags.set(first, v !== '' ? v : i + 1 < args.length ? args[++i]! : '');
      } else for (const ch of body) flags.set(ch, true);
    } else words.push(a);
  }
  return { words, flags, rest: undefined };
}

const flagOf = (flags: Map<string, string | true>, ...names: string[]): string | true | undefined => {
  for (const n of names) if (flags.has(n)) return flags.get(n);
  return undefined;
};

export function parseCommand(raw: string): CommandLine | undefined {
  const { words: all, piped } = shellWords(raw);
  return fromWords(raw, all, piped, {});
}

function fromWords(raw: string, all: string[], piped: boolean, ctx: { container?: string; pod?: string }): CommandLine | undefined {
  let i = 0;
  // Wrappers: sudo [-E], env, VAR=value, time, watch [-n N], nice.
  for (;;) {
    const w = all[i];
    if (w === undefined) return undefined;
    if (w === 'sudo' || w === 'env' || w === 'time' || w === 'nice' || w === 'command') { i++; while (all[i]?.startsWith('-')) i++; continue; }
    if (w === 'watch') { i++; while (all[i]?.startsWith('-')) i += all[i] === '-n' ? 2 : 1; continue; }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) { i++; continue; }
    break;
  }
  let tool = baseName(all[i]!);
  let args = all.slice(i + 1);
  if (tool === 'kubectl' && args[0] === 'calico') { tool = 'calicoctl'; args = args.slice(1); }
  const { words, flags, rest } = parseFlags(tool, args);
  if (tool === 'docker' && words[0] === 'exec' && words[1] !== undefined) {
    // docker exec [opts] <container> <cmd…>: the flags were parsed up to the container; the rest is the command.
    const at = args.indexOf(words[1]);
    return fromWords(raw, args.slice(at + 1), piped, { ...ctx, container: words[1] });
  }
  if (tool === 'kubectl' && words[0] === 'exec' && rest !== undefined) {
    const pod = words[1];
    return fromWords(raw, rest, piped, { ...ctx, ...(pod !== undefined ? { pod } : {}) });
  }
  const out: CommandLine = { raw, tool, words, flags, piped };
  if (ctx.container !== undefined) out.container = ctx.container;
  if (ctx.pod !== undefined) out.pod = ctx.pod;
  return out;
}

// --- questions the routing asks ----------------------------------------------------------------------

/** kubectl's resource word without group or plural: `tigerastatuses.operator.tigera.io` → `tigerastatus`. */
const RESOURCE_ALIASES: Record<string, string> = {
  tigerastatus: 'tigerastatus', tigerastatuses: 'tigerastatus',
  node: 'nodes', nodes: 'nodes', no: 'nodes',
  pod: 'pods', pods: 'pods', po: 'pods',
  blockaffinity: 'blockaffinities', blockaffinities: 'blockaffinities',
};

export interface KubectlCall {
  verb: string;
  /** Normalised resource (`tigerastatus`, `nodes`, `pods`, `blockaffinities`) or the word as typed. */
  resource: string;
  /** `-o` value: `yaml`, `json`, `wide`, `jsonpath=…`, or undefined for the default table. */
  output: string | undefined;
}

export function kubectlCall(cmd: CommandLine): KubectlCall | undefined {
  if (cmd.tool !== 'kubectl') return undefined;
  const [verb, resWord] = cmd.words;
  if (verb === undefined || resWord === undefined) return undefined;
  const base = resWord.split(/[./]/)[0]!.toLowerCase();
  const o = flagOf(cmd.flags, 'o', 'output');
  return { verb, resource: RESOURCE_ALIASES[base] ?? base, output: typeof o === 'string' ? o : undefined };
}

export function isKubectlObjectOutput(cmd: CommandLine): boolean {
  const k = kubectlCall(cmd);
  return k !== undefined && k.verb === 'get' && (k.output === 'yaml' || k.output === 'json');
}

export function calicoctlIpam(cmd: CommandLine): 'show' | 'check' | undefined {
  if (cmd.tool !== 'calicoctl' || cmd.words[0] !== 'ipam') return undefined;
  const sub = cmd.words[1];
  if (sub === 'show' && !cmd.flags.has('ip')) return 'show';
  return sub === 'check' ? 'check' : undefined;
}

export function hasFlag(cmd: CommandLine, name: string): boolean {
  return cmd.flags.has(name);
}

export function containerlabInspect(cmd: CommandLine): 'table' | 'json' | undefined {
  if (cmd.tool !== 'containerlab' || cmd.words[0] !== 'inspect') return undefined;
  const f = flagOf(cmd.flags, 'f', 'format');
  if (f === undefined || f === 'table') return 'table';
  return f === 'json' ? 'json' : undefined;
}

/** `ip [-4] [-j] route [show|list] …` → text or json; `ip route get` is not a listing. */
export function ipRoute(cmd: CommandLine): 'text' | 'json' | undefined {
  if (cmd.tool !== 'ip') return undefined;
  const [obj, sub] = cmd.words;
  if (obj === undefined || !['r', 'ro', 'rou', 'rout', 'route'].includes(obj)) return undefined;
  if (sub !== undefined && !['show', 'list', 'ls', 'sh', 'l', 'lst'].includes(sub) && !/^(table|dev|proto|scope|type|default|\d)/.test(sub)) return undefined;
  return cmd.flags.has('j') || cmd.flags.has('json') ? 'json' : 'text';
}

/** `ip [-4] addr [show] [dev X]` (text) → 'text'; `ip -j addr` → 'json'. */
export function ipAddr(cmd: CommandLine): 'text' | 'json' | undefined {
  if (cmd.tool !== 'ip') return undefined;
  const [obj, sub] = cmd.words;
  if (obj === undefined || !['a', 'ad', 'add', 'addr', 'address'].includes(obj)) return undefined;
  if (sub !== undefined && !['show', 'list', 'ls', 'sh', 'l', 'lst', 'dev'].includes(sub) && !/^(eth|lo|cali|vxlan|tunl)/.test(sub)) return undefined;
  return cmd.flags.has('j') || cmd.flags.has('json') ? 'json' : 'text';
}

/** `cat /etc/resolv.conf`. */
export function isResolvConfCat(cmd: CommandLine): boolean {
  return cmd.tool === 'cat' && cmd.words.length === 1 && cmd.words[0] === '/etc/resolv.conf';
}

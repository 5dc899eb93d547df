/**
 * Terminal transcripts: a file of prompts, commands and their outputs. A line is a prompt only when a
 * recognised command follows it, so YAML comments (`# Source: …`) and Corefile text stay output.
 * Prompt forms: `user@host:path$ `, `user@host:/# `, `[user@host dir]$ `, `➜  dir `, `bash-5.2# `,
 * and the bare `$ `, `% `, `# `, `/ # ` (a busybox shell in a pod), `~ $ `.
 * A bare `# ` is the weakest (it is also a comment): only a reader's own tool with a known subcommand
 * counts there. `user@host` names a lab node only when host is one of `ctx.nodeNames`.
 */
import { ParseError } from '../parse.js';
import { parseCommand, type CommandLine } from './command.js';
import { READERS, type AnyReader } from './registry.js';
import { numberedLines } from './table.js';
import type { CaptureMeta, CapturePart, CaptureRead, IgnoredPart, ReadContext } from './types.js';

interface Prompt {
  command: string;
  user?: string;
  host?: string;
  strength: 'strong' | 'bare' | 'hash';
  /** The interactive shell this prompt is in, opened by an earlier `kubectl exec -it <pod> -- sh` / `docker exec -it <c> bash`. */
  session?: { pod?: string; host?: string };
}

const SHELLS = /^(\/bin\/|\/usr\/bin\/)?(sh|bash|ash|zsh)$/;

/** The shell a command opens, if it is `kubectl exec … -- sh` or `docker exec … bash`. */
function opensShell(command: string): { pod?: string; host?: string } | undefined {
  const cmd = parseCommand(command);
  if (!cmd || !SHELLS.test(cmd.tool) || cmd.words.length > 0) return undefined;
  if (cmd.pod !== undefined) return { pod: cmd.pod };
  if (cmd.container !== undefined) return { host: cmd.container };
  return undefined;
}

const SUBCOMMANDS: Record<string, RegExp> = {
  kubectl: /^(get|describe|apply|create|delete|exec|logs|edit|patch|label|annotate|rollout|scale|top|config|cluster-info|version|api-resources|explain|wait|run|expose|port-forward|cp|debug|events|auth|-\S+)$/,
  calicoctl: /^(ipam|get|node|version|apply|create|delete|replace|patch|label|datastore|cluster|-\S+)$/,
  containerlab: /^(inspect|deploy|destroy|version|graph|exec|save|generate|tools|-\S+)$/,
  ip: /^(route|r|ro|addr|a|address|link|l|neigh|n|rule|-\S+)$/,
  docker: /^(exec|ps|network|inspect|logs|info|version|images|run|container|-\S+)$/,
  kind: /^(get|create|delete|export|load|version|build)$/,
};
const TOOLS = new Set(['kubectl', 'k', 'calicoctl', 'containerlab', 'clab', 'ip', 'docker', 'kind']);
const SHELL = new Set(['cat', 'ls', 'cd', 'echo', 'export', 'grep', 'egrep', 'jq', 'yq', 'curl', 'wget', 'ping', 'head', 'tail', 'less', 'more', 'watch', 'sudo', 'env', 'bash', 'sh', 'sleep', 'chmod', 'mkdir', 'source', 'helm', 'git', 'ssh', 'traceroute', 'tracepath', 'tcpdump', 'iptables', 'nslookup', 'dig', 'vi', 'vim', 'nano', 'which', 'hostname', 'uname', 'time', 'clear', 'exit', 'pwd', 'whoami', 'nc', 'ss', 'netstat', 'route', 'arp', 'bridge', 'crictl', 'systemctl', 'journalctl', 'tee', 'wc', 'sort', 'awk', 'sed', 'brctl', 'nft', 'ipvsadm', 'conntrack']);

/** Is `command` something a person types at a prompt of this strength? */
function recognised(command: string, strength: Prompt['strength']): boolean {
  const words = command.trim().split(/\s+/);
  let i = 0;
  while (words[i] !== undefined && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!) || words[i] === 'sudo')) i++;
  const w = words[i];
  if (w === undefined || w === '') return false;
  const base = w.split('/').pop()!;
  if (strength === 'strong') return /^[\w.~/+-]+$/.test(w);
  if (TOOLS.has(base)) {
    if (strength === 'bare') return true;
    const tool = base === 'k' ? 'kubectl' : base === 'clab' ? 'containerlab' : base;
    const next = words[i + 1];
    return next !== undefined && (SUBCOMMANDS[tool]?.test(next) ?? false);
  }
  if (strength === 'bare') return SHELL.has(base) || w.startsWith('./');
  if (command.trim() === 'exit') return true;
  // After a bare `#`: a path-like argument keeps `# cat /etc/resolv.conf` apart from prose.
  return ((base === 'cat' || base === 'ls' || base === 'cd') && /^[~/.]/.test(words[i + 1] ?? '')) || w.startsWith('./');
}

const STRONG: RegExp[] = [
  /^(?:\([^)]*\)\s*)?([A-Za-z_][\w.-]*)@([A-Za-z0-9][\w.-]*):[^\s$#]*\s?[$#%]\s?(.*)$/, // user@host:path$
  /^(?:\([^)]*\)\s*)?([A-Za-z_][\w.-]*)@([A-Za-z0-9][\w.-]*)\s?[$#%]\s?(.*)$/, // user@host$
  /^\[([A-Za-z_][\w.-]*)@([A-Za-z0-9][\w.-]*)(?:\s[^\]]*)?\]\s?[$#]\s?(.*)$/, // [user@host dir]$
];
const STRONG_NO_HOST: RegExp[] = [
  /^➜\s+\S+(?:\s+git:\([^)]*\))?(?:\s+✗)?\s+(.*)$/, // oh-my-zsh
  /^(?:bash|sh|zsh)-[\d.]+[$#]\s?(.*)$/, // bash-5.2#
];
const BARE = /^(?:[~/][\w.~/-]*\s)?[$%>]\s(.*)$/;
const HASH = /^(?:[~/][\w.~/-]*\s)?#\s(.*)$/;

function matchPrompt(line: string): Prompt | { empty: true } | undefined {
  for (const re of STRONG) {
    const m = re.exec(line);
    if (m) {
      const command = m[3]!.trim();
      if (command === '') return { empty: true };
      return recognised(command, 'strong') ? { command, user: m[1]!, host: m[2]!, strength: 'strong' } : undefined;
    }
  }
  for (const re of STRONG_NO_HOST) {
    const m = re.exec(line);
    if (m) {
      const command = m[1]!.trim();
      if (command === '') return { empty: true };
      return recognised(command, 'strong') ? { command, strength: 'strong' } : undefined;
    }
  }
  if (/^(?:[~/][\w.~/-]*\s)?\$\s*$/.test(line)) return { empty: true };
  const bare = BARE.exec(line);
  if (bare && recognised(bare[1]!, 'bare')) return { command: bare[1]!.trim(), strength: 'bare' };
  const hash = HASH.exec(line);
  if (hash && recognised(hash[1]!, 'hash')) return { command: hash[1]!.trim(), strength: 'hash' };
  return undefined;
}

interface RawPart {
  /** Line of the prompt (undefined for text before the first prompt). */
  promptLine?: number;
  prompt?: Prompt;
  lines: { n: number; text: string }[];
}

function afterCommentOrSeparator(all: { text: string }[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const t = all[j]!.text.trim();
    if (t === '') continue;
    if (t === '---') return true;
    return /^#/.test(t) && matchPrompt(all[j]!.text) === undefined;
  }
  return false;
}

/** Split at prompt lines; a command continued with a trailing `\` takes the following lines. */
export function splitTranscript(text: string): RawPart[] {
  const parts: RawPart[] = [{ lines: [] }];
  const all = numberedLines(text);
  const sessions: { pod?: string; host?: string }[] = [];
  for (let i = 0; i < all.length; i++) {
    const l = all[i]!;
    let p = matchPrompt(l.text);
    // Inside a block of YAML comments (or right after `---`) a `# kubectl get …` line is prose.
    if (p && !('empty' in p) && p.strength === 'hash' && afterCommentOrSeparator(all, i)) p = undefined;
    if (p === undefined) {
      parts[parts.length - 1]!.lines.push(l);
      continue;
    }
    if ('empty' in p) {
      parts.push({ promptLine: l.n, lines: [] }); // an empty prompt ends the output above it
      continue;
    }
    let command = p.command;
    while (command.endsWith('\\') && i + 1 < all.length) command = `${command.slice(0, -1).trimEnd()} ${all[++i]!.text.trim()}`;
    const prompt: Prompt = { ...p, command };
    const session = sessions[sessions.length - 1];
    if (session && p.strength !== 'strong') prompt.session = session;
    if (/^exit(\s|$)/.test(command)) sessions.pop();
    const opened = opensShell(command);
    if (opened) sessions.push(opened);
    parts.push({ promptLine: l.n, prompt, lines: [] });
  }
  return parts;
}

function trimBlank(lines: { n: number; text: string }[]): { n: number; text: string }[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a]!.text.trim() === '') a++;
  while (b > a && lines[b - 1]!.text.trim() === '') b--;
  return lines.slice(a, b);
}

function reason(reader: AnyReader, error: unknown, output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const said = lines.find((l) => /^(error|Error|Unable|Failed|failed)\b/.test(l)) ?? lines.find((l) => /^E\d{4} /.test(l));
  const why = error instanceof ParseError ? error.message : `unexpected error: ${(error as Error).message}`;
  const shown = said !== undefined ? ` (the output says: ${said.slice(0, 200)})` : '';
  return `looks like ${reader.title} but cannot be read: ${why}${shown}`;
}

function tryRead(reader: AnyReader, output: string, meta: CaptureMeta, cmd: CommandLine | undefined): CapturePart | string {
  try {
    return { ...meta, reader: reader.id, value: reader.parse(output, cmd) } as CapturePart;
  } catch (error) {
    return reason(reader, error, output);
  }
}

function sniff(output: string): AnyReader | undefined {
  return READERS.find((r) => {
    try {
      return r.sniff(output);
    } catch {
      return false;
    }
  });
}

/** Read one output: by its command when the command routes to a reader, else by its content. */
function readOutput(file: string, lines: { n: number; text: string }[], prompt: Prompt | undefined, ctx: ReadContext, out: CaptureRead): void {
  let body = trimBlank(lines);
  // `watch …` prints `Every 2.0s: <command>   <host>: <date>` and a blank line above the output.
  if (body[0] && /^Every [\d.]+s: /.test(body[0].text)) body = trimBlank(body.slice(1));
  const source = `${file}:${body[0]?.n ?? lines[0]?.n ?? 1}`;
  const label = prompt ? `\`${prompt.command}\`` : 'text';
  const cmd = prompt ? parseCommand(prompt.command) : undefined;
  const routed = cmd ? READERS.find((r) => r.routes(cmd)) : undefined;
  if (body.length === 0) {
    // `cd`, `export`, `exit` print nothing: only a command a reader expected output from is worth a note.
    if (prompt && routed) out.ignored.push({ source, reason: `${label}: no output` });
    return;
  }
  const output = body.map((l) => l.text).join('\n') + '\n';
  const meta: CaptureMeta = { source, via: 'command' };
  if (prompt) meta.command = prompt.command;
  if (cmd?.piped) meta.filtered = true;
  const host = [prompt?.host, cmd?.container, prompt?.session?.host].find((h) => h !== undefined && ctx.nodeNames.includes(h));
  if (host !== undefined) meta.host = host;
  const pod = cmd?.pod ?? prompt?.session?.pod;
  if (pod !== undefined) meta.pod = pod;
  if (routed) {
    const got = tryRead(routed, output, meta, cmd);
    if (typeof got === 'string') out.ignored.push({ source, reason: `${label}: ${got}${cmd?.piped ? ' (its output went through a pipe)' : ''}` });
    else out.parts.push(got);
    return;
  }
  const byContent = sniff(output);
  if (!byContent) {
    out.ignored.push({ source, reason: prompt ? `${label}: no reader for this command, and the output is not a format verify reads` : 'not a format verify reads' });
    return;
  }
  const got = tryRead(byContent, output, { ...meta, via: 'content' }, undefined);
  if (typeof got === 'string') out.ignored.push({ source, reason: `${label}: ${got}` });
  else out.parts.push(got);
}

/**
 * What a terminal recorder (`script`, a copied coloured prompt) adds: ANSI colour and title escapes,
 * carriage returns, backspaces. Line numbers are kept (no line is added or removed).
 */
export function stripTerminal(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '') // OSC (window title)
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '') // CSI (colours, cursor)
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/[^\n\x08]\x08/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/^.*\r(?=[^\n])/gm, ''); // a line redrawn after \r shows its last version
}

/**
 * Read a capture: a transcript (split at prompts, each output routed by its command) or, when there is
 * no prompt, one tool output recognised by its content. One unreadable part never fails the file: it
 * is listed in `ignored` with the reason.
 */
export function readCapture(fileName: string, text: string, ctx: ReadContext): CaptureRead {
  const out: CaptureRead = { parts: [], ignored: [] as IgnoredPart[] };
  const parts = splitTranscript(stripTerminal(text));
  if (parts.length === 1) {
    readOutput(fileName, parts[0]!.lines, undefined, ctx, out);
    return out;
  }
  // Text after an empty prompt has no command: it is read by its content.
  for (const p of parts) readOutput(fileName, p.lines, p.prompt, ctx, out);
  return out;
}

/**
 * The few commands an exec into a simulated pod or kind node runs — `ip addr|link|route` (with `-4`,
 * `-j`, `show`, `dev X`), `cat /etc/resolv.conf`, `cat /etc/hostname`, `hostname` — answered from a
 * NetView (net.ts). `sh -c '<one command>'` is unwrapped. Anything else exits 127 with
 * `sh: <cmd>: not found`, as a shell does.
 */
import type { NetView } from './net.js';
import { addrText, linksJson, routesJson, routesText } from './render.js';

export interface ExecOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const ok = (stdout: string): ExecOutput => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1): ExecOutput => ({ stdout: '', stderr, exitCode });
const SHELLS = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', 'ash', '/bin/ash']);

/** The argv a command line stands for: `sh -c 'ip route'` → ['ip', 'route'] (no pipes, no quoting). */
export function unwrapShell(argv: readonly string[]): string[] {
  if (argv.length >= 3 && SHELLS.has(argv[0]!) && argv[1] === '-c') return argv[2]!.trim().split(/\s+/).filter((w) => w !== '');
  return [...argv];
}

export function runInView(view: NetView, argv: readonly string[]): ExecOutput {
  const words = unwrapShell(argv);
  const cmd = words[0];
  if (cmd === undefined) return fail('sh: : not found\n', 127);
  const base = cmd.replace(/^\/(usr\/)?s?bin\//, '');
  if (base === 'ip') return ip(view, words.slice(1));
  if (base === 'hostname' && words.length === 1) return ok(`${view.hostname}\n`);
  if (base === 'cat') return cat(view, words.slice(1));
  if (base === 'true') return ok('');
  if (base === 'false') return fail('', 1);
  return fail(`sh: ${cmd}: not found\n`, 127);
}

function cat(view: NetView, files: string[]): ExecOutput {
  let stdout = '';
  for (const f of files) {
    if (f === '/etc/resolv.conf') stdout += view.resolvConf;
    else if (f === '/etc/hostname') stdout += `${view.hostname}\n`;
    else return { stdout, stderr: view.tools === 'busybox' ? `cat: can't open '${f}': No such file or directory\n` : `cat: ${f}: No such file or directory\n`, exitCode: 1 };
  }
  return ok(stdout);
}

const OBJECTS: [RegExp, 'addr' | 'link' | 'route'][] = [
  [/^a(d(d(r(e(s(s)?)?)?)?)?)?$/, 'addr'],
  [/^l(i(n(k)?)?)?$/, 'link'],
  [/^r(o(u(t(e)?)?)?)?$/, 'route'],
];

function ip(view: NetView, args: string[]): ExecOutput {
  let json = false;
  let inet4Only = false;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i += 1) {
    const o = args[i]!.replace(/^--?/, '');
    if (o === 'j' || o === 'json') json = true;
    else if (o === '4') inet4Only = true;
    else if (o === 'p' || o === 'pretty' || o === 'd' || o === 'details') continue;
    else return fail(view.tools === 'busybox' ? `ip: invalid option -- '${o}'\n` : `Option "${args[i]}" is unknown, try "ip -help".\n`, view.tools === 'busybox' ? 1 : 255);
  }
  if (json && view.tools === 'busybox') return fail(`ip: invalid option -- 'j'\n`, 1);
  const objWord = args[i++] ?? '';
  const obj = OBJECTS.find(([re]) => re.test(objWord))?.[1];
  if (!obj) return fail(view.tools === 'busybox' ? `ip: unknown command '${objWord}'\n` : `Object "${objWord}" is unknown, try "ip help".\n`, view.tools === 'busybox' ? 1 : 255);
  const rest = args.slice(i);
  if (rest[0] === 'show' || rest[0] === 'list' || rest[0] === 'ls') rest.shift();
  if (obj === 'route') {
    if (rest.length > 0) return fail(`Error: argument "${rest[0]}" is wrong: unsupported in this world\n`, 255);
    return ok(json ? routesJson(view.routes) : routesText(view.routes));
  }
  if (rest[0] === 'dev') rest.shift();
  const dev = rest[0];
  const links = dev === undefined ? view.links : view.links.filter((l) => l.name === dev);
  if (dev !== undefined && links.length === 0) return fail(`Device "${dev}" does not exist.\n`, 1);
  const linkOnly = obj === 'link';
  if (json) return ok(linksJson(links, { linkOnly, inet4Only }));
  return ok(addrText(links, { linkOnly, inet4Only: inet4Only && !linkOnly, busybox: view.tools === 'busybox' }));
}

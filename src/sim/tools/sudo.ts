/**
 * Fake `sudo` (the simulated host runs everything as one real user). `sudo -n <cmd> args…` runs the
 * command as Ubuntu's sudoers defaults do: env_reset (only a few variables survive, PATH becomes
 * secure_path, HOME becomes root's home, the world's `root/` dir), `--preserve-env=A,B` / `-E` keep the
 * caller's values, and a bare command name is looked up on secure_path, not the caller's PATH. The
 * world's fake executables run in-process, anything else as a real process. SIGINT/SIGTERM are
 * relayed to the command; if sudo itself is killed (SIGKILL) the command keeps running, orphaned,
 * as a root process would. `sudo -n true` succeeds.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ToolHandler, ToolInvocation } from '../context.js';
import type { SimRuntime } from '../dispatch/runtime.js';

/** Ubuntu's sudoers `secure_path`. */
export const SECURE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin';
/** Kept by env_reset (sudoers defaults: TERM and the locale; the rest is set by sudo). */
const KEPT = /^(TERM|COLORTERM|LANG|LANGUAGE|LC_\w+|DISPLAY|XAUTHORITY|NO_COLOR|LAB_SIM_\w+)$/;

const withValue = new Set(['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user']);
const booleans = new Set(['-n', '--non-interactive', '-E', '-H', '--set-home', '-k', '--reset-timestamp', '-S', '--stdin', '-b', '--background', '-i', '--login', '-s', '--shell', '-P', '--preserve-groups', '-A', '--askpass', '-B', '--bell', '-N', '--no-update']);

function findOnPath(cmd: string, env: Record<string, string>, cwd: string): string | undefined {
  if (cmd.includes('/')) return isAbsolute(cmd) ? cmd : resolve(cwd, cmd);
  for (const dir of (env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** The command's environment after env_reset (+ --preserve-env / -E). */
function sudoEnv(caller: Record<string, string>, rt: SimRuntime, all: boolean, keep: ReadonlySet<string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(caller)) if (all || keep.has(k) || KEPT.test(k)) env[k] = v;
  const user = caller['SUDO_USER'] ?? caller['USER'] ?? 'root';
  return {
    ...env,
    PATH: SECURE_PATH, // secure_path replaces PATH even with -E
    HOME: rt.rootHome,
    USER: 'root',
    LOGNAME: 'root',
    SHELL: '/bin/bash',
    SUDO_USER: user,
    SUDO_UID: '1000',
    SUDO_GID: '1000',
  };
}

export function sudo(rt: SimRuntime): ToolHandler {
  return async (inv) => {
    let i = 0;
    const argv = inv.argv;
    const preserve = new Set<string>();
    let preserveAll = false;
    for (; i < argv.length; i++) {
      const a = argv[i] as string;
      if (a === '--') {
        i++;
        break;
      }
      if (!a.startsWith('-')) break;
      if (a === '-V' || a === '--version') {
        inv.out('Sudo version 1.9.15p5\n');
        return 0;
      }
      if (a === '-v' || a === '--validate' || a === '-l' || a === '--list' || a === '-K' || a === '--remove-timestamp') return 0;
      if (a === '-E' || a === '--preserve-env') preserveAll = true;
      if (a.startsWith('--preserve-env=')) for (const v of a.slice('--preserve-env='.length).split(',')) preserve.add(v);
      if (booleans.has(a) || a.startsWith('--preserve-env')) continue;
      if (withValue.has(a)) {
        i++;
        continue;
      }
      if (/^-[nEHkSbiPAB]+$/.test(a)) continue;
      inv.err(`sudo: invalid option -- '${a.replace(/^-+/, '').slice(0, 1)}'\nusage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [-C num] [-D directory] [-g group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] [VAR=value] [-i | -s] [<command>]\n`);
      return 1;
    }
    const cmd = argv[i];
    if (cmd === undefined) {
      inv.err('usage: sudo -h | -K | -k | -V\n');
      return 1;
    }
    const args = argv.slice(i + 1);
    const env = sudoEnv(inv.env, rt, preserveAll, preserve);
    const path = findOnPath(cmd, env, inv.cwd);
    if (path === undefined) {
      inv.err(`sudo: ${cmd}: command not found\n`);
      return 1;
    }
    if (dirname(path) === rt.binDir) {
      const tool = basename(path) === 'clab' ? 'containerlab' : basename(path);
      if (rt.dispatcher.has(tool)) {
        // The command is root's process: killing sudo does not stop it (only the world's end does).
        const relay: ((s: 'SIGINT' | 'SIGTERM') => void)[] = [];
        const own = new AbortController();
        let caught = false;
        inv.onSignal?.((s) => {
          if (caught) for (const h of relay) h(s);
          else own.abort(new Error(`killed by ${s}`));
        });
        const inner: ToolInvocation = {
          ...inv,
          argv: args,
          env,
          signal: AbortSignal.any([rt.ctx.signal, own.signal]),
          onSignal: (h) => {
            caught = true;
            relay.push(h);
          },
        };
        return rt.dispatcher.invoke(tool, inner);
      }
    }
    return new Promise<number>((done) => {
      const child = spawn(path, args, { cwd: inv.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], signal: rt.ctx.signal });
      inv.onSignal?.((s) => child.kill(s));
      child.stdout.on('data', (d: Buffer) => inv.out(d));
      child.stderr.on('data', (d: Buffer) => inv.err(d.toString('utf8')));
      child.stdin.on('error', () => undefined);
      child.stdin.end(inv.stdin);
      child.on('error', (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'ABORT_ERR') inv.err(`sudo: unable to execute ${path}: ${e.message}\n`);
        done(inv.signal.aborted ? 130 : 1);
      });
      child.on('close', (code, signal) => done(code ?? (signal ? 128 + 15 : 1)));
    });
  };
}

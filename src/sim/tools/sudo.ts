/**
 * Fake `sudo`: pass-through (the simulated host runs everything as root). `sudo -n <cmd> args…` runs
 * the command with the caller's env: a fake executable of the world in-process, anything else as a
 * real process found on the caller's PATH. `sudo -n true` succeeds.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { ToolHandler, ToolInvocation } from '../context.js';
import type { SimRuntime } from '../dispatch/runtime.js';

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

export function sudo(rt: SimRuntime): ToolHandler {
  return async (inv) => {
    let i = 0;
    const argv = inv.argv;
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
    const path = findOnPath(cmd, inv.env, inv.cwd);
    if (path === undefined) {
      inv.err(`sudo: ${cmd}: command not found\n`);
      return 1;
    }
    const env = { ...inv.env, SUDO_USER: inv.env['SUDO_USER'] ?? inv.env['USER'] ?? 'root', SUDO_UID: '1000', SUDO_GID: '1000', USER: 'root' };
    if (dirname(path) === rt.binDir) {
      const tool = basename(path) === 'clab' ? 'containerlab' : basename(path);
      if (rt.dispatcher.has(tool)) {
        const inner: ToolInvocation = { ...inv, argv: args, env };
        return rt.dispatcher.invoke(tool, inner);
      }
    }
    return new Promise<number>((done) => {
      const child = spawn(path, args, { cwd: inv.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], signal: inv.signal });
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

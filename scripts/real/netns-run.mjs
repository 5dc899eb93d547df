/**
 * Run one command inside a network namespace made for the real world (`lab-real-<pid>`: lo up, the
 * service CIDR, pod pool and kind node range unreachable; dist/real/netns.js), and remove it after a
 * pass, a failure or Ctrl-C — with every process left in it and the temp dir given to the command.
 * Shared by `npm run test:real` (scripts/real/test.mjs) and `npm run bench -- --real`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// calico-node -startup creates /var/lib/calico when it is missing (a fixed path); the world runs it
// with a private mount there (src/real/cni.ts), so a run should never make it. If one does, it is
// said and, when empty, removed, so a run leaves no file behind.
const HOST_CALICO_DIR = '/var/lib/calico';

/**
 * Resolves to { code, interrupted }: the command's exit code (1 when killed by a signal), 130 and
 * interrupted after SIGINT/SIGTERM. `env` gets LAB_REAL_TMP, a temp dir removed afterwards.
 */
export async function runInNetns({ root, command, args, env = process.env, step = (s) => process.stderr.write(`${s}\n`), graceMs = 20_000 }) {
  const { createNetns, deleteNetns } = await import(join(root, 'dist', 'real', 'netns.js'));
  const ns = `lab-real-${process.pid}`;
  const tmp = mkdtempSync(join(tmpdir(), 'lab-real-run-'));
  const calicoDirBefore = existsSync(HOST_CALICO_DIR);
  createNetns(ns);
  step(`network namespace ${ns} created (lo only; unreachable routes for the lab's ranges)`);

  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    deleteNetns(ns);
    rmSync(tmp, { recursive: true, force: true });
    step(`network namespace ${ns} and ${tmp} removed`);
    if (!calicoDirBefore && existsSync(HOST_CALICO_DIR)) {
      try {
        rmdirSync(HOST_CALICO_DIR); // only when empty: anything in it is reported, not deleted
        step(`${HOST_CALICO_DIR} was made during the run (a real component wrote the host's /var/lib; empty): removed`);
      } catch (error) {
        step(`${HOST_CALICO_DIR} was made during the run and is not empty (${error.code ?? error}): left in place`);
      }
    }
  };

  const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { cwd: root, stdio: 'inherit', env: { ...env, LAB_REAL_TMP: tmp } });
  let interrupted = false;
  const onSignal = (sig) => {
    interrupted = true;
    step(`${sig}: stopping the real world`);
    if (child.exitCode === null) child.kill('SIGTERM');
    // the child gets its grace to stop what it started; then the namespace goes with whatever is left
    setTimeout(() => {
      cleanup();
      process.exit(130);
    }, graceMs).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await new Promise((resolve) => {
    child.on('error', (error) => {
      step(`could not start ${command} in ${ns}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  cleanup();
  return { code: interrupted ? 130 : code, interrupted };
}

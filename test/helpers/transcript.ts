/**
 * Terminal transcripts of a learner's session against a simulated lab: each command run in the lab
 * folder (real kubectl against the simulated API server, the simulated calicoctl and containerlab),
 * pasted after a `user@host:~/lab$ ` prompt with its stderr then stdout, as a terminal shows them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestWorld } from './world.js';

/** Whether a kubectl is on PATH (the transcript tests skip, saying so, without one). */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type Session = [file: string, args: string[]][];

/** Runs the session in the world's lab folder and returns the transcript, ending on an empty prompt. */
export async function recordSession(t: TestWorld, session: Session): Promise<string> {
  // the learner's shell: the simulated containerlab refuses to run without CLAB_VERSION_CHECK=disable
  const env = { KUBECONFIG: join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig'), DATASTORE_TYPE: 'kubernetes', CLAB_VERSION_CHECK: 'disable' };
  let text = '';
  for (const [file, args] of session) {
    const r = await t.run(file, args, { env });
    expect(r.exitCode, `${file} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    const shown = args.map((a) => (a.startsWith('-o=jsonpath') ? `'${a}'` : a)).join(' ');
    text += `user@host:~/lab$ ${file} ${shown}\n${r.stderr}${r.stdout}${r.stdout.endsWith('\n') ? '' : '\n'}`;
  }
  return `${text}user@host:~/lab$ \n`;
}

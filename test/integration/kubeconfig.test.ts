/**
 * Audit F-3: kind inside containerlab (SUID: the user's HOME; sudo: root's HOME) merges its context
 * into $KUBECONFIG or $HOME/.kube/config and switches current-context; `kind delete` edits it again.
 * The simulated containerlab and kind write where the real ones do (src/sim/cluster/kubeconfig-files.ts),
 * so these tests see whether `lab deploy` / `lab destroy` leave the user's and root's files alone.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

let t: TestWorld | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

// A user's own kubeconfig (kubectl's format: clusters / users / contexts / current-context).
const USER_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://work.example.invalid:6443
  name: work
contexts:
- context:
    cluster: work
    user: alice
  name: work
current-context: work
users:
- name: alice
  user:
    token: not-a-real-token
`;

function seedUserKubeconfig(w: TestWorld): string {
  const file = join(w.world.homeDir, '.kube', 'config');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, USER_KUBECONFIG, { mode: 0o600 });
  return file;
}

describe('the user\'s kubeconfig', () => {
  it('the simulated world writes where kind does: a containerlab run without KUBECONFIG changes ~/.kube/config', async () => {
    t = await startTestWorld({ timeScale: 0.01 });
    const file = seedUserKubeconfig(t);
    const r = await t.run('containerlab', ['deploy', '-t', t.topology], { env: { CLAB_VERSION_CHECK: 'disable' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = parseYaml(readFileSync(file, 'utf8')) as { 'current-context': string; contexts: { name: string }[] };
    expect(doc['current-context']).toBe('kind-calico-ipam');
    expect(doc.contexts.map((c) => c.name)).toEqual(['work', 'kind-calico-ipam']);
  });

  for (const mode of [[], ['--sudo']]) {
    it(`lab deploy and lab destroy leave $HOME/.kube/config and root's untouched${mode.length ? ' (containerlab through sudo)' : ''}`, async () => {
      t = await startTestWorld({ timeScale: 0.02 });
      const file = seedUserKubeconfig(t);
      const mtime = statSync(file).mtimeMs;
      const deploy = await t.runLab(['deploy', '--topology', t.topology, ...mode]);
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      // lab's own 0600 file is the one it uses
      const own = join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig');
      expect(statSync(own).mode & 0o777).toBe(0o600);
      expect(deploy.stdout).toContain(`export KUBECONFIG=${own}`);
      const destroy = await t.runLab(['destroy', '--yes', '--topology', t.topology, ...mode]);
      expect(destroy.exitCode, destroy.stderr).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(USER_KUBECONFIG);
      expect(statSync(file).mtimeMs).toBe(mtime);
      expect(existsSync(join(t.world.rootHome, '.kube'))).toBe(false);
      // the throwaway file kind wrote is gone too
      expect(t.world.invocations.some((i) => i.tool === 'kind' && i.argv[0] === 'delete' && !i.argv.includes('--kubeconfig'))).toBe(false);
    });
  }

  it('with no ~/.kube at all, none is created', async () => {
    t = await startTestWorld({ timeScale: 0.02 });
    const deploy = await t.runLab(['deploy', '--topology', t.topology]);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    expect(existsSync(join(t.world.homeDir, '.kube'))).toBe(false);
    expect(existsSync(join(t.world.rootHome, '.kube'))).toBe(false);
  });
});

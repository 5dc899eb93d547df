/**
 * The ~/.kube/config ownership rule (audit F-3): kind run as root inside SUID containerlab writes the
 * user's ~/.kube/config; a file it created is root-owned and the user's kubectl / kind cannot update it.
 */
import { describe, expect, it } from 'vitest';
import { RULES, userKubeconfigRule } from '../../../src/doctor/rules.js';
import type { HostFacts } from '../../../src/doctor/facts.js';
import { testLab } from './lab-fixture.js';

const lab = testLab();

const base: HostFacts = { platform: { os: 'linux', arch: 'x64' } };
const facts = (fileUid: number | undefined, dirUid: number | undefined, uid: number): HostFacts => ({
  ...base,
  userKubeconfig: { ok: true, value: { path: '/home/alice/.kube/config', fileUid, dirUid, uid } },
});

describe('user-kubeconfig rule', () => {
  it('is one of the doctor rules, not part of the deploy preflight', () => {
    expect(RULES).toContain(userKubeconfigRule);
    expect(userKubeconfigRule.fatal).toBe(false);
  });
  it('warns when the file is root-owned and lab runs as a user, with a chown fix', () => {
    const r = userKubeconfigRule.check(facts(0, 1000, 1000), lab);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/\/home\/alice\/\.kube\/config is owned by root/);
    expect(r.fix).toBe('sudo chown -R $(id -u):$(id -g) /home/alice/.kube');
  });
  it('warns about a root-owned ~/.kube too', () => {
    const r = userKubeconfigRule.check(facts(0, 0, 1000), lab);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/\/home\/alice\/\.kube\/config and \/home\/alice\/\.kube are owned by root/);
  });
  it('passes for the user\'s own file, no file, or when lab runs as root', () => {
    expect(userKubeconfigRule.check(facts(1000, 1000, 1000), lab).status).toBe('pass');
    expect(userKubeconfigRule.check(facts(undefined, undefined, 1000), lab)).toMatchObject({ status: 'pass', summary: expect.stringMatching(/does not exist/) });
    expect(userKubeconfigRule.check(facts(0, 0, 0), lab).status).toBe('pass');
  });
  it('a probe that could not look does not pass', () => {
    expect(userKubeconfigRule.check({ ...base, userKubeconfig: { ok: false, error: 'EACCES' } }, lab).status).toBe('warn');
    expect(userKubeconfigRule.check(base, lab).status).toBe('warn');
  });
});

import { describe, expect, it } from 'vitest';
import { decideRootMode, sudoPreference, withSudo } from '../../../src/tools/sudo.js';

const facts = (uid: number, suid: boolean, sudo: boolean) => ({ uid, suid, sudo: async () => sudo });

describe('root mode for containerlab', () => {
  it('already root → no sudo', async () => {
    expect(await decideRootMode(facts(0, false, true), 'auto')).toBe('root');
  });
  it('SUID install → no sudo', async () => {
    expect(await decideRootMode(facts(1000, true, true), 'auto')).toBe('suid');
  });
  it('sudo -n works → sudo', async () => {
    expect(await decideRootMode(facts(1000, false, true), 'auto')).toBe('sudo');
  });
  it('nothing works → none', async () => {
    expect(await decideRootMode(facts(1000, false, false), 'auto')).toBe('none');
  });
  it('--sudo forces sudo; --no-sudo forbids it', async () => {
    expect(await decideRootMode(facts(0, true, true), 'always')).toBe('sudo');
    expect(await decideRootMode(facts(1000, false, true), 'never')).toBe('none');
  });
  it('flags → preference', () => {
    expect(sudoPreference({ sudo: true })).toBe('always');
    expect(sudoPreference({ 'no-sudo': true })).toBe('never');
    expect(sudoPreference({})).toBe('auto');
  });
  it('argv prefix', () => {
    expect(withSudo('sudo', 'containerlab', ['deploy'])).toEqual(['sudo', ['-n', 'containerlab', 'deploy']]);
    expect(withSudo('suid', 'containerlab', ['deploy'])).toEqual(['containerlab', ['deploy']]);
  });
});

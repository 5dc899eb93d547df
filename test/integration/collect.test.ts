/** `lab collect` after a deploy that failed (a Calico pod stuck in ImagePullBackOff): a bundle with the cause, and no secrets. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f))).filter((f) => statSync(f).isFile());
}

describe('lab collect after a failed deploy', () => {
  let t: TestWorld;
  let out: string;
  beforeAll(async () => {
    t = await startTestWorld({ faults: ['image-pull-backoff'] });
    out = mkdtempSync(path.join(tmpdir(), 'lab-bundle-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes a bundle with the TigeraStatus, the pod waiting reason and no secrets', async () => {
    const deploy = await t.runLab(['deploy', '--topology', t.topology, '--timeout', '20s', '--no-collect-on-failure']);
    expect(deploy.exitCode, deploy.stderr).toBe(4);

    const bundle = path.join(out, 'bundle');
    const r = await t.runLab(['collect', '--topology', t.topology, '-o', bundle]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(bundle);

    const files = allFiles(bundle).map((f) => path.relative(bundle, f));
    expect(files).toEqual(expect.arrayContaining(['README.txt', 'containerlab-inspect.json', 'cluster/tigerastatuses.yaml', 'cluster/nodes.txt', 'pods/calico-system.describe.txt', 'events/warnings.txt']));
    expect(files.some((f) => f.startsWith('kind-logs/'))).toBe(true);

    const statuses = readFileSync(path.join(bundle, 'cluster/tigerastatuses.yaml'), 'utf8');
    expect(statuses).toMatch(/kind: TigeraStatus/);
    expect(statuses).toMatch(/type: Degraded\n\s+status: "?True"?|status: "?True"?\n\s+type: Degraded/);
    const pods = readdirSync(path.join(bundle, 'pods')).filter((f) => f.endsWith('.describe.txt')).map((f) => readFileSync(path.join(bundle, 'pods', f), 'utf8')).join('\n');
    expect(pods).toMatch(/Waiting \((ImagePullBackOff|ErrImagePull)\)/);

    const readme = readFileSync(path.join(bundle, 'README.txt'), 'utf8');
    expect(readme).toMatch(/ok {6}kubernetes API/);
    expect(readme).toMatch(/Pods not ready \(\d+\):\n/);
    expect(readme).toMatch(/\n {2}calico-system\/\S+: (ImagePullBackOff|ErrImagePull) \(/);

    // No kubeconfig, no keys or certificates, no tokens, no managed fields, no Secret objects.
    expect(files.some((f) => /kubeconfig|\.key$|\.crt$|admin\.conf/.test(f))).toBe(false);
    for (const f of allFiles(bundle)) {
      const text = readFileSync(f, 'utf8');
      for (const bad of [/-----BEGIN [A-Z ]+-----/, /LS0tLS1CRUdJTi/, /client-(key|certificate)-data: [A-Za-z0-9+/=]{8,}/, /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, /managedFields/, /^kind: Secret$/m]) {
        expect(bad.test(text), `${path.relative(bundle, f)} matches ${bad}`).toBe(false);
      }
    }
  });
});

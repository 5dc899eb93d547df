/**
 * Deploy-time faults of issue 2, each against its own simulated world (fault ids from issue 3).
 * Expectations come from the reference contracts (error texts) and the issue, not from lab's code.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, startTestWorld, type TestWorld } from '../helpers/world.js';
import { KubeClient } from '../../src/kube/client.js';

let t: TestWorld | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

const clabDeploys = (w: TestWorld): number => w.world.invocations.filter((i) => i.tool === 'containerlab' && i.argv[0] === 'deploy').length;

describe('deploy faults', () => {
  it('checksum-mismatch: exit 3 naming the URL and both sha256, the bad file removed, Calico not applied', async () => {
    t = await startTestWorld({ faults: ['checksum-mismatch'] });
    const r = await t.runLab(['deploy', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/sha256 mismatch/);
    expect(r.stderr).toMatch(/expected\s+[0-9a-f]{64}/);
    expect(r.stderr).toMatch(/actual\s+[0-9a-f]{64}/);
    expect(r.stderr).toMatch(/url\s+https?:\/\//);
    const cache = join(t.env['XDG_CACHE_HOME']!, 'lab');
    expect(filesUnder(cache)).toEqual([]);
    const kubeconfig = join(t.labDir, 'topology', 'calico-ipam.kubeconfig');
    if (existsSync(kubeconfig)) {
      const client = await KubeClient.fromFile(kubeconfig);
      try {
        expect(await client.get('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'installations.operator.tigera.io')).toBeUndefined();
      } finally {
        client.close();
      }
    }
  });

  it('clab-image-pull: containerlab\'s own error line shown, exit 1; the next deploy converges, destroy cleans up', async () => {
    t = await startTestWorld({ faults: ['clab-image-pull'] });
    const r = await t.runLab(['deploy', '--topology', t.topology]);
    expect(r.exitCode, r.stderr).toBe(1);
    // contract: image_pull_failure_stderr
    expect(r.stderr).toContain('failed to pull image "kindest/node:v1.28.0"');
    const again = await t.runLab(['deploy', '--topology', t.topology]);
    expect(again.exitCode, again.stderr).toBe(0);
    const d = await t.runLab(['destroy', '--topology', t.topology]);
    expect(d.exitCode, d.stderr).toBe(0);
    const ps = await t.run('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=calico-ipam', '--format', '{{.Names}}']);
    expect(ps.stdout.trim()).toBe('');
  });

  it('clab-image-pull then destroy converges (exit 0)', async () => {
    t = await startTestWorld({ faults: ['clab-image-pull'] });
    expect((await t.runLab(['deploy', '--topology', t.topology])).exitCode).toBe(1);
    const d = await t.runLab(['destroy', '--topology', t.topology, '--yes']);
    expect(d.exitCode, d.stderr).toBe(0);
  });

  it('image-pull-backoff: timeout exit 4 naming the pod, its reason and the TigeraStatus message', async () => {
    t = await startTestWorld({ faults: ['image-pull-backoff'] });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', '20s']);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/timed out/);
    expect(r.stderr).toMatch(/pod [\w-]+\/[\w-]+.*ImagePullBackOff/);
    expect(r.stderr).toMatch(/TigeraStatus calico: (Degraded|Progressing) — \S/);
    // the explanation is short: the error block (from "Error:" on) is a handful of lines, not logs
    const errorBlock = r.stderr.slice(r.stderr.indexOf('Error:')).trim().split('\n');
    expect(errorBlock.length).toBeLessThan(15);
  });

  it('api-flaky: 5xx and dropped watches are retried within the deadline', async () => {
    t = await startTestWorld({ faults: ['api-flaky'] });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', '2m']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('api-down: an unreachable API is waited for within the deadline', async () => {
    t = await startTestWorld({ faults: ['api-down'] });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', '2m']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('leftover-cluster: a healthy cluster of the same name is reused (containerlab not run), Calico installed', async () => {
    t = await startTestWorld({ faults: ['leftover-cluster'] });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { reused: boolean }).reused).toBe(true);
    expect(clabDeploys(t)).toBe(0);
  });

  it('leftover-cluster: destroy removes it (containers of that cluster only, kind network kept)', async () => {
    t = await startTestWorld({ faults: ['leftover-cluster'] });
    const d = await t.runLab(['destroy', '--topology', t.topology]);
    expect(d.exitCode, d.stderr).toBe(0);
    const ps = await t.run('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=calico-ipam', '--format', '{{.Names}}']);
    expect(ps.stdout.trim()).toBe('');
    expect(t.world.invocations.filter((i) => i.tool === 'docker' && i.argv[0] === 'network' && i.argv[1] === 'rm')).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('lab dir not writable: exit 3 naming it, before containerlab runs', async () => {
    t = await startTestWorld();
    const { chmodSync } = await import('node:fs');
    const dir = join(t.labDir, 'topology');
    chmodSync(dir, 0o555);
    try {
      const r = await t.runLab(['deploy', '--topology', t.topology]);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toContain(`the lab directory ${dir} is not writable`);
      expect(clabDeploys(t)).toBe(0);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('--offline: an empty cache fails with exit 3 before anything is downloaded; a filled cache works', async () => {
    t = await startTestWorld();
    const miss = await t.runLab(['deploy', '--topology', t.topology, '--offline']);
    expect(miss.exitCode, miss.stderr).toBe(3);
    expect(miss.stderr).toMatch(/--offline: (calicoctl|operator-crds\.yaml|tigera-operator\.yaml) is not in the download cache/);
    expect((await t.runLab(['deploy', '--topology', t.topology])).exitCode).toBe(0);
    const hit = await t.runLab(['deploy', '--topology', t.topology, '--offline']);
    expect(hit.exitCode, hit.stderr).toBe(0);
  });

  it('--json: one JSON document on stdout, nothing else', async () => {
    t = await startTestWorld();
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; steps: { name: string; durationMs: number }[]; versions: { calico: string }; kubeconfig: string };
    expect(doc.ok).toBe(true);
    expect(doc.versions.calico).toBe('v3.30.0');
    expect(doc.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['preflight', 'containerlab deploy', 'kubeconfig', 'api', 'downloads', 'apply calico', 'wait ready']));
    expect(doc.kubeconfig).toBe(join(t.labDir, 'topology', 'calico-ipam.kubeconfig'));
  });

  it('Calico is installed while containerlab is still joining the workers (kind answers once its control plane is up)', async () => {
    t = await startTestWorld({ timeScale: 0.05 });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { steps: { name: string; status: string; note?: string }[] };
    const apply = doc.steps.find((s) => s.name === 'apply calico');
    expect(apply).toMatchObject({ status: 'skipped', note: expect.stringMatching(/during containerlab deploy/) });
    // The world agrees: the operator saw the Installation before kind had joined the last worker.
    const marks = t.world.conditions();
    const at = (name: string): number | undefined => marks.find((c) => c.name === name)?.at;
    expect(at('installation-seen')).toBeDefined();
    expect(at('node-created:calico-ipam-worker2')).toBeDefined();
    expect(at('installation-seen')!).toBeLessThan(at('node-created:calico-ipam-worker2')!);
  });

  it('--preload: no Calico before the images are in the nodes, so no early install', async () => {
    t = await startTestWorld();
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json', '--preload']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { steps: { name: string; status: string }[] };
    expect(doc.steps.find((s) => s.name === 'apply calico')?.status).toBe('done');
    expect(t.world.host.nodePulls).toEqual([]);
  });

  it('Ctrl-C during deploy: children stopped, exit 130, says what is left and how to continue; next deploy converges', async () => {
    t = await startTestWorld({ timeScale: 0.05 });
    const child = spawn(process.execPath, [cliPath, 'deploy', '--topology', t.topology], { cwd: t.labDir, env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && /Creating cluster|Preparing nodes/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted/i);
    expect(stderr).toMatch(/`lab deploy` picks up from here/);
    expect(stderr).toMatch(/`lab destroy` removes what was created/);
    expect(stderr).toMatch(/kind cluster "calico-ipam" (may be half-created|exists)/);
    expect(stderr).toMatch(/child processes were stopped/);
    console.log(stderr.split('\n').filter((l) => !l.startsWith('›')).slice(-12).join('\n'));
    const again = await t.runLab(['deploy', '--topology', t.topology, '--recreate']);
    expect(again.exitCode, again.stderr).toBe(0);
  });
});

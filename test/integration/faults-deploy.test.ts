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
    const kubeconfig = join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig');
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
    const dir = join(t.labDir, 'topology', '01-calico-ipam');
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
    expect(doc.kubeconfig).toBe(join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig'));
  });

  it('Calico is installed while containerlab is still joining the workers (kind answers once its control plane is up)', async () => {
    // The world holds the last workers' join until the operator has seen the Installation (at most
    // 60 s): with the early install that wait ends at once; without it, the join ends on the cap and
    // the order below is reversed. No race with the host's load either way.
    t = await startTestWorld({ holdWorkerJoinUntil: { condition: 'installation-seen', capMs: 60_000 } });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { steps: { name: string; status: string; note?: string }[] };
    // the steps the early install did are shown done (✔) with the note, not "skipped"
    for (const name of ['kubeconfig', 'api', 'apply calico']) {
      expect(doc.steps.find((s) => s.name === name), name).toMatchObject({ status: 'done', note: expect.stringMatching(/^done early, during containerlab deploy/) });
    }
    expect(r.stderr).not.toMatch(/skipped/);
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

  /** Start `lab deploy`, send SIGINT once `trigger` shows on stderr (and again on `second`, if given). */
  function interruptedDeploy(w: TestWorld, args: string[], trigger: RegExp, second?: RegExp): Promise<{ code: number | null; stderr: string; sent: number; containersAtExit: number; clabDoneAtExit: boolean }> {
    const child = spawn(process.execPath, [cliPath, 'deploy', '--topology', w.topology, ...args], { cwd: w.labDir, env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (sent === 0 && trigger.test(stderr)) {
        sent = 1;
        child.kill('SIGINT');
      } else if (sent === 1 && second && second.test(stderr.slice(stderr.search(trigger)))) {
        sent = 2;
        child.kill('SIGINT');
      }
    });
    return new Promise((resolve) =>
      child.on('close', (code) => {
        // what the world holds the moment lab has exited
        const deploys = w.world.invocations.filter((i) => i.argv.includes('deploy'));
        resolve({ code, stderr, sent, containersAtExit: w.world.host.containers.size, clabDoneAtExit: deploys.length > 0 && deploys.every((i) => i.exitCode !== undefined) });
      }),
    );
  }

  for (const mode of [[], ['--sudo']]) {
    it(`Ctrl-C during containerlab deploy${mode.length ? ' (through sudo)' : ''}: containerlab gets time to remove its cluster, lab reports what is really left, exit 130`, async () => {
      t = await startTestWorld({ timeScale: 0.05 });
      t.world.host.images.add('kindest/node:v1.28.0');
      const r = await interruptedDeploy(t, mode, /Preparing nodes/);
      expect(r.sent).toBe(1);
      expect(r.code, r.stderr).toBe(130);
      // containerlab (CleanOnCancel) deleted the cluster it was creating, and had finished before lab exited
      expect(r.clabDoneAtExit).toBe(true);
      expect(r.containersAtExit).toBe(0);
      expect(r.stderr).toMatch(/containerlab removed the kind cluster "calico-ipam" it was creating: none of its containers is left/);
      expect(r.stderr).not.toMatch(/half-created|picks up from here/);
      expect(r.stderr).toMatch(/`lab deploy` starts again from scratch/);
      expect(existsSync(join(t.labDir, 'topology', '01-calico-ipam', 'calico-ipam.kubeconfig'))).toBe(false);
      const again = await t.runLab(['deploy', '--topology', t.topology, ...mode]);
      expect(again.exitCode, again.stderr).toBe(0);
    });
  }

  it('a second Ctrl-C during containerlab\'s cleanup kills it at once and says what may be left', async () => {
    t = await startTestWorld({ timeScale: 0.5 });
    t.world.host.images.add('kindest/node:v1.28.0');
    const r = await interruptedDeploy(t, [], /Preparing nodes/, /received signal "terminated"/);
    expect(r.sent, r.stderr).toBe(2);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/Interrupted again: exiting now\.\n\s+containerlab deploy was killed while it removed what it had created: the kind cluster "calico-ipam" may be half-created or half-deleted/);
    // killed mid-cleanup: the nodes are still there, as lab warned
    expect(r.containersAtExit).toBeGreaterThan(0);
    const destroy = await t.runLab(['destroy', '--yes', '--topology', t.topology]);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(t.world.host.containers.size).toBe(0);
  });

  it('timeout during containerlab deploy: containerlab removes its cluster, exit 4 says so', async () => {
    t = await startTestWorld({ timeScale: 0.5 });
    t.world.host.images.add('kindest/node:v1.28.0');
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', '8s']);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/timed out after 8 s while containerlab deploy was still running/);
    expect(r.stderr).toMatch(/containerlab removed the kind cluster "calico-ipam" it was creating/);
    expect(r.stderr).toMatch(/raise --timeout/);
    expect(t.world.host.containers.size).toBe(0);
  });

  it('admin-rights-late: 403s right after /readyz are waited out on the early-install path', async () => {
    t = await startTestWorld({ timeScale: 0.05, faults: ['admin-rights-late'] });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    // lab did meet the missing rights (the fault was hit), and got past them
    expect(t.world.api?.refusedCount()).toBeGreaterThan(0);
    const doc = JSON.parse(r.stdout) as { steps: { name: string; status: string; note?: string }[] };
    expect(doc.steps.find((s) => s.name === 'apply calico')?.note).toMatch(/done early/);
  });
});

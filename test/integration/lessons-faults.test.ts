/**
 * The workload faults of the simulated world against shipped lessons, through the built CLI of a
 * package copy: each fault in its own world (a fault holds for the whole world), the two side by side.
 * - workload-image-pull (lesson 04: a Deployment and a DaemonSet, two images): every lesson pod waits in
 *   ErrImagePull, then ImagePullBackOff — deploy exits 4 naming the pods, the reason and each image.
 * - pod-never-ready (lesson 02: one bare Pod): the container runs, its readiness never passes — deploy
 *   exits 4 naming the pod and ContainersNotReady, the reason the kubelet gives in the Ready condition.
 * `--timeout 45s` bounds the whole deploy (a healthy one takes ~5 s here, but more than 20 s on a machine
 * starved by CI's Go builds: seen), so the wait for the workloads is what runs out; `lab status` then reports the lab degraded, and `lab destroy` still cleans up.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installPackageCopy, jsonOf } from '../helpers/package-copy.js';
import { repoRoot, startTestWorld, type TestWorld } from '../helpers/world.js';
import type { FaultId } from '../../src/sim/context.js';

interface DeployError { ok: false; exitCode: number; error: { type: string; message: string; details: string[] } }
interface StatusJson { state: string; workloads: { name: string; ready: boolean }[]; problems: string[] }

const worlds: TestWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

async function failedDeploy(fault: FaultId, lesson: string): Promise<{ t: TestWorld; lab: ReturnType<typeof installPackageCopy>['lab']; error: DeployError['error']; stderr: string; ms: number }> {
  const t = await startTestWorld({ faults: [fault] });
  worlds.push(t);
  const { lab } = installPackageCopy(t);
  const started = Date.now();
  const r = await lab(['deploy', '--lesson', lesson, '--json', '--timeout', '45s', '--no-collect-on-failure'], { timeoutMs: 150_000 });
  const ms = Date.now() - started;
  expect(r.exitCode, r.stderr.slice(-3000)).toBe(4);
  const doc = jsonOf<DeployError>(r);
  expect(doc).toMatchObject({ ok: false, exitCode: 4, error: { type: 'TimeoutError' } });
  // It is the lesson's workloads that did not come up, not Calico or the nodes.
  expect(doc.error.message).toMatch(/^lab deploy timed out after 45 s \(--timeout; the last \d+ s of it\) waiting for the lesson's workloads: \d+ of \d+ not ready$/);
  return { t, lab, error: doc.error, stderr: r.stderr, ms };
}

/** The nightly's "Report image pull failures" pattern (nightly-pull-report.test.ts runs it with grep -E on lesson 01's failures). */
function nightlyPullPattern(): RegExp {
  const wf = parse(readFileSync(`${repoRoot}.github/workflows/nightly.yml`, 'utf8')) as { jobs: { lab: { steps: { name?: string; run?: string }[] } } };
  const run = wf.jobs.lab.steps.find((s) => s.name === 'Report image pull failures')?.run ?? '';
  return new RegExp(/^\s*pattern='([^']+)'$/m.exec(run)![1]!);
}

const MULTITOOL = 'praqma/network-multitool:alpine-extra@sha256:5662f8284f0dc5f5e5c966e054d094cbb6d0774e422ad9031690826bc43753e5';

describe.concurrent('workload faults in the simulated world', () => {
  it('workload-image-pull, lesson 04: exit 4 naming the pods, ErrImagePull/ImagePullBackOff and each image; status degraded; destroy cleans up', async () => {
    const { t, lab, error, stderr, ms } = await failedDeploy('workload-image-pull', '04');
    expect(ms).toBeLessThan(120_000);
    const text = error.details.join('\n');
    expect(text).toMatch(/^Deployment default\/nginx-deployment not ready: 0\/2 available/m);
    expect(text).toMatch(/^DaemonSet default\/multitool-1 not ready: 0\/3 ready/m);
    // each pod by name, on its node, with the kubelet's waiting reason and the image it could not pull
    expect(text).toMatch(/^ {2}pod default\/nginx-deployment-[a-z0-9]+-[a-z0-9]{5} on k8s-services-worker2?: (ErrImagePull|ImagePullBackOff) \(.*"nginx:1\.28\.0"/m);
    const multitoolPod = new RegExp(`^ {2}pod default/multitool-1-[a-z0-9]{5} on k8s-services-(control-plane|worker2?): (ErrImagePull|ImagePullBackOff) \\(.*${MULTITOOL.replace(/[.:@/]/g, '\\$&')}`, 'm');
    expect(text).toMatch(multitoolPod);
    expect(text).toMatch(/event Failed Pod\/default\/[\w-]+: (Failed to pull image|Error: (ErrImagePull|ImagePullBackOff))/);
    // the human form on stderr says the same
    expect(stderr).toMatch(/Error: lab deploy timed out .* waiting for the lesson's workloads/);
    expect(stderr).toContain('ImagePullBackOff');
    // a lesson's workload image that cannot be pulled is reported by the nightly as a pull failure too
    expect(stderr).toMatch(nightlyPullPattern());

    const s = await lab(['status', '--lesson', '04', '--json']);
    expect(s.exitCode).toBe(1);
    const status = jsonOf<StatusJson>(s);
    expect(status.state).toBe('degraded');
    expect(status.workloads.filter((w) => !w.ready).map((w) => w.name).sort()).toEqual(['multitool-1', 'nginx-deployment']);
    const x = await lab(['destroy', '--lesson', '04', '--yes']);
    expect(x.exitCode, x.stderr).toBe(0);
    expect((await t.run('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=k8s-services', '--format', '{{.Names}}'])).stdout.trim()).toBe('');
  }, 240_000);

  it('pod-never-ready, lesson 02: exit 4 naming the pod and ContainersNotReady; status degraded; destroy cleans up', async () => {
    const { lab, error, stderr, ms } = await failedDeploy('pod-never-ready', '02');
    expect(ms).toBeLessThan(120_000);
    expect(error.message).toMatch(/1 of 1 not ready/);
    const text = error.details.join('\n');
    expect(text).toMatch(/^Pod default\/multitool not ready: Running, not Ready: ContainersNotReady \(containers with unready status: \[multitool\]\)$/m);
    // not an image problem: nothing says so
    expect(text).not.toMatch(/ImagePull/);
    expect(stderr).toContain('ContainersNotReady');
    expect(stderr).not.toMatch(nightlyPullPattern());

    const s = await lab(['status', '--lesson', '02', '--json']);
    expect(s.exitCode).toBe(1);
    const status = jsonOf<StatusJson>(s);
    expect(status.state).toBe('degraded');
    expect(status.problems.join('\n')).toMatch(/Pod default\/multitool is not ready: Running, not Ready: ContainersNotReady/);
    const x = await lab(['destroy', '--lesson', '02', '--yes']);
    expect(x.exitCode, x.stderr).toBe(0);
  }, 240_000);
});

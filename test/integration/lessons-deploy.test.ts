/**
 * Lessons 02–05 end to end in ONE simulated world, one after the other, through the built CLI of a
 * package copy (test/helpers/package-copy.ts), exactly as a user runs them: `lab deploy --lesson 0N`,
 * `lab status`, `lab verify`, `lab destroy`. The expected workloads come from each lesson's tools/*.yaml
 * (kinds, names, namespaces, replicas; the DaemonSets tolerate the control-plane taint, so they run on
 * all three nodes), not from lab's code. The workload faults are in lessons-faults.test.ts.
 *
 * The same world then runs a series-style folder: lesson 02's files in the series' layout with no
 * lesson file and a deploy.sh lab must not run (issue 12: "the series' own folders work unchanged").
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackageCopy, jsonOf, type PackageCopy } from '../helpers/package-copy.js';
import { repoRoot, startTestWorld, type TestWorld } from '../helpers/world.js';
import { parse } from 'yaml';

interface Workload { kind: string; namespace: string; name: string; ready: boolean; readyCount: number; desired: number; exists: boolean }
interface DeployJson { ok: boolean; lab: string; lesson: { id: string; title: string; file: string | null }; cluster: string; nodes: string[]; workloads: Workload[]; steps: { name: string; status: string; note?: string }[] }
interface StatusJson { ok: boolean; state: string; lesson: { id: string }; workloads: Workload[]; problems: string[] }
interface VerifyJson { ok: boolean; exitCode: number; lab: { name: string }; totals: { pass: number; fail: number; warn: number; total: number }; checks: { id: string; status: string }[] }

/** The exercise ids a shipped lesson file declares, read with the yaml library (not lab's loader). */
function lessonExercises(id: string): string[] {
  const doc = parse(readFileSync(join(repoRoot, 'topology', id, 'lesson.yaml'), 'utf8')) as { exercises?: { id: string }[] };
  return (doc.exercises ?? []).map((e) => e.id);
}

/** "Kind namespace/name readyCount/desired" per workload lab waits for, as the lesson's files define them. */
const LESSONS: { id: string; prefix: string; title: string; lab: string; workloads: string[] }[] = [
  { id: '02-pod-network', prefix: '02', title: 'Calico Pod Networking', lab: 'pod-network', workloads: ['Pod default/multitool 1/1'] },
  { id: '03-pod-routing', prefix: '03', title: 'Calico Pod Routing', lab: 'pod-routing', workloads: ['DaemonSet default/multitool-1 3/3', 'DaemonSet default/multitool-2 3/3'] },
  { id: '04-k8s-services', prefix: '04', title: 'Kubernetes Services - ClusterIP', lab: 'k8s-services', workloads: ['DaemonSet default/multitool-1 3/3', 'Deployment default/nginx-deployment 2/2'] },
  {
    id: '05-k8s-dns',
    prefix: '05',
    title: 'Kubernetes DNS',
    lab: 'k8s-dns',
    workloads: ['DaemonSet default/multitool-1 3/3', 'DaemonSet default/multitool-2 3/3', 'DaemonSet foo/multitool-3 3/3', 'Deployment default/nginx-deployment 2/2'],
  },
];

const line = (w: Workload): string => `${w.kind} ${w.namespace}/${w.name} ${w.readyCount}/${w.desired}`;

describe('lessons 02–05 in the simulated world: deploy, status, verify, destroy', () => {
  let t: TestWorld;
  let pkg: PackageCopy;
  beforeAll(async () => {
    t = await startTestWorld();
    pkg = installPackageCopy(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const lesson of LESSONS) {
    it(`lesson ${lesson.id}: --lesson ${lesson.prefix} deploys its workloads ready, status shows them, verify passes every check, destroy removes it`, async () => {
      const d = await pkg.lab(['deploy', '--lesson', lesson.prefix, '--json', '--timeout', '90s']);
      expect(d.exitCode, d.stderr.slice(-3000)).toBe(0);
      const deploy = jsonOf<DeployJson>(d);
      expect(deploy.lesson).toEqual({ id: lesson.id, title: lesson.title, file: `${t.labDir}/topology/${lesson.id}/lesson.yaml` });
      expect(deploy.lab).toBe(lesson.lab);
      expect(deploy.nodes).toEqual([`${lesson.lab}-control-plane`, `${lesson.lab}-worker`, `${lesson.lab}-worker2`]);
      expect(deploy.workloads.map(line).sort()).toEqual(lesson.workloads);
      expect(deploy.workloads.every((w) => w.ready && w.exists)).toBe(true);
      expect(deploy.steps.find((s) => s.name === 'wait workloads')).toMatchObject({ status: 'done' });

      const s = await pkg.lab(['status', '--lesson', lesson.prefix, '--json']);
      expect(s.exitCode, s.stderr).toBe(0);
      const status = jsonOf<StatusJson>(s);
      expect(status.state, status.problems.join('\n')).toBe('healthy');
      expect(status.lesson.id).toBe(lesson.id);
      expect(status.workloads.map(line).sort()).toEqual(lesson.workloads);
      // the text form lists each workload with its ready count
      const text = await pkg.lab(['status', '--lesson', lesson.prefix]);
      expect(text.exitCode, text.stderr).toBe(0);
      for (const w of lesson.workloads) {
        const [kind, name, count] = w.split(' ');
        expect(text.stdout).toMatch(new RegExp(`✔ ${kind} ${name!.replace('/', '\\/')}\\s+ready ${count}`));
      }

      const v = await pkg.lab(['verify', '--lesson', lesson.prefix, '--json']);
      expect(v.exitCode, v.stdout.slice(0, 3000) + v.stderr.slice(-2000)).toBe(0);
      const verify = jsonOf<VerifyJson>(v);
      expect(verify.lab.name).toBe(lesson.lab);
      // lesson 01's ten checks, then the exercises the lesson file declares — every one passes
      const exercises = lessonExercises(lesson.id);
      expect(verify.checks.map((c) => c.id).slice(10)).toEqual(exercises);
      expect(verify.totals).toMatchObject({ total: 10 + exercises.length, pass: 10 + exercises.length, fail: 0, warn: 0 });
      expect(verify.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);

      const x = await pkg.lab(['destroy', '--lesson', lesson.prefix, '--yes']);
      expect(x.exitCode, x.stderr).toBe(0);
      expect(x.stderr).toContain(`lab ${lesson.lab} removed`);
      const ps = await t.run('docker', ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${lesson.lab}`, '--format', '{{.Names}}']);
      expect(ps.stdout.trim()).toBe('');
      const after = jsonOf<StatusJson>(await pkg.lab(['status', '--lesson', lesson.prefix, '--json']));
      expect(after.state).toBe('absent');
    }, 150_000);
  }

  it('a series-style folder without a lesson file (lesson 02\'s files, a deploy.sh): derived id and title, its tools/ applied, every check passes; deploy.sh never runs', async () => {
    const dir = join(t.labDir, 'series', '02-pod-network');
    const from = join(t.labDir, 'topology', '02-pod-network');
    mkdirSync(join(dir, 'calico-cni-config'), { recursive: true });
    mkdirSync(join(dir, 'tools'));
    for (const f of ['pod-network.clab.yaml', 'pod-network-no-cni.yaml', 'calico-cni-config/custom-resources.yaml', 'tools/multitool.yaml']) cpSync(join(from, f), join(dir, f));
    // The series' deploy.sh: lab must not read or run it. If anything ran it, it would leave a mark and fail.
    const mark = join(t.labDir, 'deploy.sh-was-run');
    writeFileSync(join(dir, 'deploy.sh'), `#!/bin/sh\necho 'deploy.sh must not be run by lab' >&2\ntouch '${mark}'\nexit 97\n: [ this is not YAML either\n`);
    chmodSync(join(dir, 'deploy.sh'), 0o755);
    expect(readdirSync(dir).sort()).toEqual(['calico-cni-config', 'deploy.sh', 'pod-network-no-cni.yaml', 'pod-network.clab.yaml', 'tools']);

    const d = await t.runLab(['deploy', '--topology', dir, '--json', '--timeout', '90s']);
    expect(d.exitCode, d.stderr.slice(-3000)).toBe(0);
    const deploy = jsonOf<DeployJson>(d);
    // derived: id = the folder's name, title = the topology's name, no lesson file
    expect(deploy.lesson).toEqual({ id: '02-pod-network', title: 'pod-network', file: null });
    expect(deploy.lab).toBe('pod-network');
    expect(deploy.steps.find((s) => s.name === 'workloads')).toMatchObject({ status: 'done', note: '2 objects from 1 file' });
    expect(deploy.workloads.map(line)).toEqual(['Pod default/multitool 1/1']);
    expect(deploy.workloads[0]!.ready).toBe(true);
    const status = jsonOf<StatusJson>(await t.runLab(['status', '--topology', dir, '--json']));
    expect(status.lesson).toEqual({ id: '02-pod-network', title: 'pod-network', file: null });
    expect(status.state, status.problems.join('\n')).toBe('healthy');

    const v = await t.runLab(['verify', '--topology', dir, '--json']);
    expect(v.exitCode, v.stdout.slice(0, 3000) + v.stderr.slice(-2000)).toBe(0);
    expect(jsonOf<VerifyJson>(v).totals).toMatchObject({ total: 10, pass: 10, fail: 0 });

    const x = await t.runLab(['destroy', '--topology', dir, '--yes']);
    expect(x.exitCode, x.stderr).toBe(0);
    expect(x.stderr).toContain('lab pod-network removed');
    expect(existsSync(mark), 'deploy.sh was run').toBe(false);
    expect(`${d.stderr}${v.stderr}${x.stderr}`).not.toContain('deploy.sh must not be run');
  }, 150_000);
});

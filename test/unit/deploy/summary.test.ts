/** printSummary: per-step lines; a lesson without workloads prints what it always did. */
import { describe, expect, it } from 'vitest';
import { printSummary, type DeploySummary } from '../../../src/deploy/deploy.js';
import type { Logger } from '../../../src/ui/log.js';

function capture(): { log: Logger; lines: string[]; out: string[] } {
  const lines: string[] = [];
  const out: string[] = [];
  const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m), verbose: () => undefined, isVerbose: false, color: false, style: (_s, t) => t };
  return { log, lines, out };
}

const base = (steps: DeploySummary['steps'], workloads: DeploySummary['workloads'] = []): DeploySummary => ({
  ok: true,
  lab: 'calico-ipam',
  lesson: { id: '01-calico-ipam', title: 'Calico IP Address Management (IPAM)', file: '/lab/topology/01-calico-ipam/lesson.yaml' },
  cluster: 'calico-ipam',
  reused: false,
  kubeconfig: '/lab/topology/calico-ipam.kubeconfig',
  calicoctl: '/cache/calicoctl',
  versions: { calico: 'v3.30.0', kubernetes: 'v1.28.0', nodeImage: 'kindest/node:v1.28.0', containerlab: '0.75.0', docker: '28.1.1' },
  steps,
  durationMs: 61_234,
  tigeraStatus: [],
  nodes: [],
  workloads,
  apiRequests: 10,
  next: 'lab verify',
});

describe('printSummary', () => {
  it('lesson 01: no workloads lines, even though --json records them skipped', () => {
    const c = capture();
    const stdout = { write: (t: string) => c.out.push(t) } as unknown as NodeJS.WriteStream;
    printSummary(
      base([
        { name: 'validate', status: 'done', durationMs: 12 },
        { name: 'containerlab deploy', status: 'skipped', durationMs: 0, note: 'cluster exists and is healthy: reused, nothing to create' },
        { name: 'wait ready', status: 'done', durationMs: 4_500, note: 'calico, apiserver Available' },
        { name: 'workloads', status: 'skipped', durationMs: 0, note: 'the lesson has no workloads' },
        { name: 'wait workloads', status: 'skipped', durationMs: 0, note: 'the lesson has no workloads' },
      ]),
      { stdout, log: c.log },
    );
    const text = c.lines.join('\n');
    expect(text).toMatch(/lab calico-ipam is ready in 61\.2 s/);
    expect(text).toMatch(/^ {2}validate \s+0\.0 s$/m);
    expect(text).toMatch(/^ {2}containerlab deploy\s+skipped {2}cluster exists and is healthy/m);
    expect(text).toMatch(/^ {2}wait ready \s+4\.5 s {2}calico, apiserver Available$/m);
    expect(text).not.toMatch(/workloads/);
    expect(c.out).toEqual(['export KUBECONFIG=/lab/topology/calico-ipam.kubeconfig\n']);
  });

  it('a lesson with workloads: their steps and one line of ready x/y', () => {
    const c = capture();
    const stdout = { write: (t: string) => c.out.push(t) } as unknown as NodeJS.WriteStream;
    printSummary(
      base(
        [
          { name: 'workloads', status: 'done', durationMs: 300, note: '4 objects from 1 file' },
          { name: 'wait workloads', status: 'done', durationMs: 8_000 },
        ],
        [
          { kind: 'Deployment', namespace: 'lesson', name: 'web', ready: true, readyCount: 2, desired: 2, exists: true },
          { kind: 'Pod', namespace: 'lesson', name: 'client', ready: true, readyCount: 1, desired: 1, exists: true },
        ],
      ),
      { stdout, log: c.log },
    );
    const text = c.lines.join('\n');
    expect(text).toMatch(/^ {2}workloads \s+0\.3 s {2}4 objects from 1 file$/m);
    expect(text).toMatch(/^ {2}wait workloads \s+8\.0 s$/m);
    expect(text).toMatch(/^ {2}workloads: Deployment lesson\/web 2\/2, Pod lesson\/client 1\/1$/m);
  });
});

/**
 * `lab verify --snapshot` on terminal transcripts and the human forms of outputs: the readers' parts
 * become inputs (captures.ts) and the rules run on whatever they show. Fixtures are the readers' own
 * (test/fixtures/readers, written in the real formats; see test/fixtures/README.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/calico/checks/index.js';
import { runChecks } from '../../../src/calico/runner.js';
import { loadSnapshot } from '../../../src/calico/snapshot.js';
import type { CheckResult } from '../../../src/calico/types.js';
import { fixture, NODES } from '../readers/fixtures.js';
import { lessonLab } from './lesson-lab.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-transcript-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function verifyFiles(files: Record<string, string>): Promise<{ byId: Record<string, CheckResult>; ignored: { source: string; reason: string }[] }> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const loaded = await loadSnapshot(dir, { nodeNames: NODES });
  const results = runChecks(CHECKS, lessonLab, loaded.inputs);
  return { byId: Object.fromEntries(results.map((r) => [r.id, r])), ignored: loaded.ignored };
}

const ran = (r: CheckResult): string[] => (r.rules ?? []).filter((x) => ['pass', 'warn', 'fail'].includes(x.status)).map((x) => x.id);

describe('the lesson-01 transcript (prompts, tables, YAML, the jsonpath listing)', () => {
  it('feeds topology, tigerastatus, nodes, the ipam show pool line and the affinities; everything that ran passes', async () => {
    const { byId } = await verifyFiles({ 'session.txt': fixture('transcript-lesson01.txt') });
    expect(Object.values(byId).filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
    expect(ran(byId['topology']!)).toEqual(['nodes-running', 'node-image', 'node-address']);
    expect(ran(byId['tigerastatus']!)).toEqual(['required-available', 'required-settled', 'others-healthy']);
    expect(ran(byId['nodes']!)).toEqual(['all-present', 'ready', 'roles', 'kubelet-version']);
    expect(ran(byId['ipam-pool']!)).toEqual(['show-pool-line']);
    expect(byId['ipam-pool']!.rules!.find((x) => x.id === 'show-block-sums')!.reason).toContain('without --show-blocks');
    expect(ran(byId['affinity-details']!)).toEqual(['state-confirmed', 'not-deleted', 'affinity-cidrs']);
    expect(byId['node-blocks']!.status).toBe('skip');
  });

  it('a pending affinity in the transcript\'s YAML fails affinity-details', async () => {
    const text = fixture('transcript-lesson01.txt').replace('    node: calico-ipam-worker\n    state: confirmed', '    node: calico-ipam-worker\n    state: pending');
    const { byId } = await verifyFiles({ 'session.txt': text });
    expect(byId['affinity-details']!.status).toBe('fail');
    expect(byId['affinity-details']!.summary).toMatch(/^calico-ipam-worker-192-168-131-128-26: state pending — /);
  });
});

describe('node shells: `root@<node>` prompts and `docker exec <node>` give that node\'s routes', () => {
  it('Calico\'s own routes inside the pool pass; the pod shell\'s routes are the pod\'s, not taken for a node', async () => {
    const { byId, ignored } = await verifyFiles({ 'shells.txt': fixture('transcript-node-shells.txt') });
    expect(ran(byId['cidr-hygiene']!)).toEqual(['pool-vs-services', 'node-routes']);
    expect(byId['cidr-hygiene']!.status).toBe('pass');
    expect(ignored.map((i) => i.reason).join('\n')).not.toContain('multitool');
    const loaded = await loadSnapshot(dir, { nodeNames: NODES });
    expect(loaded.inputs.nodeRoutes.ok && Object.keys(loaded.inputs.nodeRoutes.value)).not.toContain('multitool');
    expect(loaded.inputs.podObservations.ok && loaded.inputs.podObservations.value['multitool']?.routes?.[0]).toMatchObject({ dst: 'default', via: '169.254.1.1' });
    // The grep-filtered pods table still feeds the pod rules that hold for a subset.
    expect(ran(byId['pod-ips']!)).toEqual(['unique', 'inside-pool']);
  });

  it('a node network overlapping the pool fails from that node\'s ip route alone', async () => {
    const text = fixture('transcript-node-shells.txt').replace('172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.2', '192.168.0.0/20 dev eth0 proto kernel scope link src 192.168.0.2');
    const { byId } = await verifyFiles({ 'shells.txt': text });
    expect(byId['cidr-hygiene']!.status).toBe('fail');
    expect(byId['cidr-hygiene']!.summary).toBe('calico-ipam-worker: route 192.168.0.0/20 dev eth0 overlaps the pod pool 192.168.0.0/16 — the node network collides with it');
  });
});

describe('human forms of single outputs', () => {
  it('calicoctl ipam check stdout (no --show-problem-ips): counts fail ipam-check and say how to list the IPs', async () => {
    const { byId } = await verifyFiles({ 'check.txt': fixture('calicoctl-ipam-check-problems.txt') });
    const r = byId['ipam-check']!;
    expect(r.status).toBe('fail');
    expect(ran(r)).toEqual(['calicoctl-no-problems']);
    expect(JSON.stringify(r.evidence['problems'])).toContain('--show-problem-ips');
  });

  it('ipam show and ipam show --show-blocks in one file: both tables read (no "unknown grouping")', async () => {
    const { byId, ignored } = await verifyFiles({ 'show.txt': fixture('calicoctl-ipam-show-and-blocks.txt') });
    expect(ignored).toEqual([]);
    expect(ran(byId['ipam-pool']!)).toEqual(['show-pool-line', 'show-block-sums']);
    expect(ran(byId['affinity-details']!)).toEqual(['show-blocks-in-pool']);
  });

  it('an unreadable file is listed as ignored and does not stop the others', async () => {
    const { byId, ignored } = await verifyFiles({ 'a.txt': 'the cluster broke after lunch\n', 'nodes.txt': fixture('kubectl-get-nodes-wide.txt') });
    expect(ignored.map((i) => i.source)).toEqual(['a.txt']);
    expect(byId['nodes']!.status).toBe('pass');
  });
});

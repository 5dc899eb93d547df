/**
 * `lab verify --snapshot <transcript>` on transcripts built from the simulated lab's own outputs (real
 * kubectl against the simulated API server, the simulated calicoctl and containerlab): the healthy lab
 * verifies offline with exit 0 from the human forms alone; a duplicate pod IP fails from the pods table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaultId } from '../../src/sim/context.js';
import { hasKubectl, recordSession } from '../helpers/transcript.js';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const kubectlMissing = !hasKubectl();
if (kubectlMissing) console.warn('SKIPPED: verify-transcript needs a kubectl on PATH (real kubectl against the simulated API server)');

interface Doc {
  exitCode: number;
  checks: { id: string; status: string; summary: string; rules: { id: string; status: string }[] }[];
  ignored?: { source: string; reason: string }[];
}

function transcriptOf(t: TestWorld): Promise<string> {
  return recordSession(t, [
    ['containerlab', ['inspect', '-t', 'topology/01-calico-ipam/calico-ipam.clab.yaml']],
    ['kubectl', ['get', 'tigerastatus']],
    ['kubectl', ['get', 'nodes', '-o', 'wide']],
    ['kubectl', ['get', 'pods', '-A', '-o', 'wide']],
    ['kubectl', ['get', 'blockaffinities']],
    ['calicoctl', ['ipam', 'show']],
    ['calicoctl', ['ipam', 'show', '--show-blocks']],
    ['calicoctl', ['ipam', 'check']],
  ]);
}

describe.skipIf(kubectlMissing)('lab verify --snapshot on a transcript of the simulated lab', () => {
  it.each<[string, FaultId[], number, Record<string, string>]>([
    ['healthy', [], 0, { topology: 'pass', tigerastatus: 'pass', nodes: 'pass', 'ipam-pool': 'pass', 'block-affinities': 'pass', 'affinity-details': 'pass', 'pod-ips': 'pass', 'ipam-check': 'pass' }],
    ['duplicate-pod-ip', ['duplicate-pod-ip'], 1, { 'pod-ips': 'fail' }],
  ])('%s', async (_name, faults, exitCode, statuses) => {
    const t = await startTestWorld({ faults });
    try {
      const d = await t.runLab(['deploy', '--topology', t.topology]);
      expect(d.exitCode, d.stderr).toBe(0);
      const file = join(t.labDir, 'session.txt');
      writeFileSync(file, await transcriptOf(t));
      const r = await t.runLab(['verify', '--snapshot', file, '--topology', t.topology, '--json'], { env: { PATH: '/nonexistent' } });
      const doc = JSON.parse(r.stdout) as Doc;
      const byId = Object.fromEntries(doc.checks.map((c) => [c.id, c]));
      expect(Object.fromEntries(Object.keys(statuses).map((id) => [id, byId[id]!.status])), JSON.stringify(doc.checks.map((c) => [c.id, c.summary]), null, 1)).toEqual(statuses);
      expect(r.exitCode, r.stderr).toBe(exitCode);
      if (exitCode === 1) expect(byId['pod-ips']!.summary).toMatch(/192\.168\.\d+\.\d+ is used by pod .+ and pod /);
      // The state of an affinity is not in a table: not evaluated, never passed.
      expect(byId['affinity-details']!.rules.find((x) => x.id === 'state-confirmed')!.status).toBe('not-evaluated');
      const strict = await t.runLab(['verify', '--snapshot', file, '--topology', t.topology, '--strict'], { env: { PATH: '/nonexistent' } });
      expect(strict.exitCode).toBe(1);
    } finally {
      await t.close();
    }
  });
});

/**
 * Each IPAM fault of the simulated world, deployed then verified with the built CLI: the right check
 * fails (exit 1) — or warns for a borrowed IP (exit 0) — and a snapshot of the broken lab verifies
 * the same offline.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaultId } from '../../src/sim/context.js';
import { startTestWorld } from '../helpers/world.js';

interface VerifyDoc {
  exitCode: number;
  checks: { id: string; status: string; summary: string; evidence: Record<string, unknown> }[];
}

const CASES: { fault: string; exitCode: number; status: 'fail' | 'warn'; check: string; mentions: RegExp }[] = [
  { fault: 'node-without-block', exitCode: 1, status: 'fail', check: 'node-blocks', mentions: /has no IPAM block/ },
  { fault: 'leaked-ip', exitCode: 1, status: 'fail', check: 'ipam-check', mentions: /allocated in IPAM but not in use: 192\.168\.\d+\.\d+/ },
  { fault: 'overlapping-blocks', exitCode: 1, status: 'fail', check: 'affinity-details', mentions: /overlap/ },
  { fault: 'block-outside-pool', exitCode: 1, status: 'fail', check: 'affinity-details', mentions: /outside the pool 192\.168\.0\.0\/16/ },
  { fault: 'affinity-pending', exitCode: 1, status: 'fail', check: 'affinity-details', mentions: /state pending — / },
  { fault: 'duplicate-pod-ip', exitCode: 1, status: 'fail', check: 'pod-ips', mentions: /192\.168\.\d+\.\d+ is used by pod .+ and pod / },
  { fault: 'borrowed-ip', exitCode: 0, status: 'warn', check: 'pod-ips', mentions: /is borrowed from block 192\.168\.18\.64\/26/ },
];

describe.each(CASES)('lab verify with the $fault fault', ({ fault, exitCode, status, check, mentions }) => {
  it(`${fault}: ${check} ${status}s and verify exits ${exitCode}; the snapshot verifies the same offline`, async () => {
    const t = await startTestWorld({ faults: [fault as FaultId] });
    try {
      const d = await t.runLab(['deploy', '--topology', t.topology]);
      expect(d.exitCode, d.stderr).toBe(0);
      const r = await t.runLab(['verify', '--topology', t.topology, '--json']);
      expect(r.stderr).not.toMatch(/internal error/);
      const doc = JSON.parse(r.stdout) as VerifyDoc;
      const judged = doc.checks.find((c) => c.id === check)!;
      expect(judged.status, JSON.stringify(judged, null, 2)).toBe(status);
      expect(JSON.stringify(judged.evidence)).toMatch(mentions);
      expect(r.exitCode).toBe(exitCode);
      expect(doc.exitCode).toBe(exitCode);
      if (status === 'warn') expect(doc.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.summary}`)).toEqual([]);

      const file = join(t.labDir, `${fault}.json`);
      const s = await t.runLab(['snapshot', '--topology', t.topology, '-o', file]);
      expect(s.exitCode, s.stderr).toBe(0);
      const off = await t.runLab(['verify', '--snapshot', file, '--json'], { env: { PATH: '/nonexistent' } });
      expect(off.exitCode).toBe(exitCode);
      const strip = (x: VerifyDoc) => x.checks.map((c) => ({ id: c.id, status: c.status }));
      expect(strip(JSON.parse(off.stdout) as VerifyDoc)).toEqual(strip(doc));
    } finally {
      await t.close();
    }
  });
});

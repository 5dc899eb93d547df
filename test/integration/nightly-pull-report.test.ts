/**
 * F-10: the nightly's "Report image pull failures" step classifies a failed `lab deploy` by grepping its
 * log. Its pattern is taken from .github/workflows/nightly.yml and run with `grep -E` (as the step
 * does) over what the built `lab deploy` really prints in the simulated world: a node-side
 * ImagePullBackOff (the early-install path), containerlab failing to pull kindest/node, and — to show
 * it does not call every failure a pull failure — a download whose sha256 does not match.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FaultId } from '../../src/sim/context.js';
import { repoRoot, startTestWorld, type TestWorld } from '../helpers/world.js';

interface Step { name?: string; run?: string }
const nightly = parse(readFileSync(`${repoRoot}.github/workflows/nightly.yml`, 'utf8')) as { jobs: { lab: { steps: Step[] } } };
const report = nightly.jobs.lab.steps.find((s) => s.name === 'Report image pull failures');
const pattern = /^\s*pattern='([^']+)'$/m.exec(report?.run ?? '')?.[1];

/** `grep -Ec "$pattern"` over the log: how many lines the step would quote. */
function matchingLines(log: string): number {
  try {
    return Number(execFileSync('grep', ['-Ec', pattern!], { input: log, encoding: 'utf8' }).trim());
  } catch (error) {
    if ((error as { status?: number }).status === 1) return 0; // grep: no line matched
    throw error;
  }
}

describe('the nightly classifies lab deploy failures', () => {
  let t: TestWorld | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('the step and its pattern exist', () => {
    expect(report, 'a step named "Report image pull failures"').toBeDefined();
    expect(pattern).toBeDefined();
  });

  const deployLog = async (faults: FaultId[], timeout: string): Promise<{ exitCode: number; log: string }> => {
    t = await startTestWorld({ faults });
    const r = await t.runLab(['deploy', '--topology', t.topology, '--timeout', timeout]);
    return { exitCode: r.exitCode, log: `${r.stdout}${r.stderr}` }; // the step tees 2>&1
  };

  it('nodes stuck in ImagePullBackOff (the path without --preload) → reported as a pull failure', async () => {
    const { exitCode, log } = await deployLog(['image-pull-backoff'], '15s');
    expect(exitCode, log).toBe(4);
    expect(matchingLines(log), log).toBeGreaterThan(0);
  });

  it('containerlab cannot pull the node image → reported as a pull failure', async () => {
    const { exitCode, log } = await deployLog(['clab-image-pull'], '2m');
    expect(exitCode, log).toBe(1);
    expect(matchingLines(log), log).toBeGreaterThan(0);
  });

  it('a download that does not match its sha256 is not called a pull failure', async () => {
    const { exitCode, log } = await deployLog(['checksum-mismatch'], '2m');
    expect(exitCode, log).toBe(3);
    expect(matchingLines(log), log).toBe(0);
  });
});

/** The pipeline runner: one record per step, in the order steps end, with status, note and duration. */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/deploy/pipeline.js';
import { initialState, type DeployContext, type Step } from '../../../src/deploy/steps/context.js';
import { deploySteps } from '../../../src/deploy/deploy.js';

function context(): DeployContext {
  return { lab: {} as never, o: { json: true, env: {}, stderr: process.stderr } as never, deadline: {} as never, state: initialState(), steps: [], downloads: { promise: Promise.resolve() as never, error: undefined }, tool: () => ({}) };
}

const step = (name: string, run: Step['run'], extra: Partial<Step> = {}): Step => ({ name, title: () => name, run, ...extra });
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('runPipeline', () => {
  it('records done (with the note), skipped (why) and hidden (last) steps; the skip is decided when the step starts', async () => {
    const c = context();
    const ran: string[] = [];
    await runPipeline(c, [
      step('first', async () => {
        ran.push('first');
        c.state.reused = true;
        return 'a note';
      }),
      step('second', async () => void ran.push('second'), { skip: (x) => (x.state.reused ? 'reused' : false) }),
      step('tail', async () => void ran.push('tail'), { hidden: () => 'the lesson has no workloads' }),
      step('third', async () => void ran.push('third')),
    ]);
    expect(ran).toEqual(['first', 'third']);
    expect(c.steps.map((s) => [s.name, s.status, s.note])).toEqual([
      ['first', 'done', 'a note'],
      ['second', 'skipped', 'reused'],
      ['third', 'done', undefined],
      ['tail', 'skipped', 'the lesson has no workloads'],
    ]);
  });

  it('a failing step is recorded failed with its duration, and the steps after it do not run', async () => {
    const c = context();
    let after = false;
    const boom = new Error('boom');
    await expect(
      runPipeline(c, [
        step('slow', async () => {
          await wait(30);
          throw boom;
        }),
        step('after', async () => void (after = true)),
      ]),
    ).rejects.toBe(boom);
    expect(after).toBe(false);
    expect(c.steps).toHaveLength(1);
    expect(c.steps[0]).toMatchObject({ name: 'slow', status: 'failed' });
    expect(c.steps[0]!.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('a group runs its steps side by side', async () => {
    const c = context();
    const order: string[] = [];
    await runPipeline(c, [
      {
        title: 'both',
        concurrent: true,
        steps: [
          step('a', async () => {
            order.push('a start');
            await wait(40);
            order.push('a end');
          }),
          step('b', async () => {
            order.push('b start');
            await wait(5);
            order.push('b end');
          }),
        ],
      },
    ]);
    expect(order).toEqual(['a start', 'b start', 'b end', 'a end']);
    expect(c.steps.map((s) => s.name)).toEqual(['b', 'a']);
  });
});

describe('deploySteps', () => {
  it('is the issue-12 pipeline, in order; preload only with --preload, beside the API and downloads', () => {
    const names = (preload: boolean): string[] => deploySteps({ preload }).flatMap((s) => ('steps' in s ? s.steps.map((x) => x.name) : [s.name]));
    expect(names(false)).toEqual(['preflight', 'containerlab deploy', 'kubeconfig', 'api', 'downloads', 'apply calico', 'wait ready', 'workloads', 'wait workloads']);
    expect(names(true)).toEqual(['preflight', 'containerlab deploy', 'kubeconfig', 'api', 'downloads', 'preload', 'apply calico', 'wait ready', 'workloads', 'wait workloads']);
  });
});

/**
 * The deploy pipeline runner: turns steps into listr2 tasks (one progress line each), times each
 * step and records it (`done` with its note, `skipped` with why, `failed`) in the order it ends.
 */
import { performance } from 'node:perf_hooks';
import type { ListrTask } from 'listr2';
import { createTasks } from '../ui/tasks.js';
import type { DeployContext, State, Step, StepGroup, Task } from './steps/context.js';

function record(c: DeployContext, step: Step, status: 'done' | 'skipped' | 'failed', t0: number | undefined, note?: string): void {
  c.steps.push({ name: step.name, status, durationMs: t0 === undefined ? 0 : Math.round(performance.now() - t0), ...(note ? { note } : {}) });
}

function toTask(c: DeployContext, step: Step): ListrTask<State> {
  return {
    title: step.title(c),
    // Evaluated when the task starts: earlier steps decide (a reused cluster skips containerlab).
    skip: () => {
      const why = step.skip?.(c);
      if (why) record(c, step, 'skipped', undefined, why);
      return why ?? false;
    },
    task: async (_ctx: State, task: Task) => {
      const t0 = performance.now();
      try {
        const note = await step.run(c, task);
        record(c, step, 'done', t0, note || undefined);
        if (note) task.title = `${task.title} — ${note}`;
      } catch (error) {
        record(c, step, 'failed', t0);
        throw error;
      }
    },
  };
}

function isGroup(item: Step | StepGroup): item is StepGroup {
  return (item as StepGroup).concurrent === true;
}

/** Run the steps in order (a group's steps side by side); hidden steps are only recorded (after the run: keep them last). */
export async function runPipeline(c: DeployContext, items: readonly (Step | StepGroup)[]): Promise<void> {
  const hidden: { step: Step; why: string }[] = [];
  const visible = (s: Step): boolean => {
    const why = s.hidden?.(c);
    if (why) hidden.push({ step: s, why });
    return !why;
  };
  const tasks: ListrTask<State>[] = [];
  for (const item of items) {
    if (!isGroup(item)) {
      if (visible(item)) tasks.push(toTask(c, item));
      continue;
    }
    const inner = item.steps.filter(visible);
    tasks.push({ title: item.title, task: (_ctx, task) => task.newListr(inner.map((s) => toTask(c, s)), { concurrent: true, exitOnError: true }) });
  }
  await createTasks<State>(tasks, { json: c.o.json, env: c.o.env, stream: c.o.stderr }).run(c.state);
  // Hidden steps are the lesson's optional tail (workloads): recorded where they would have run.
  for (const h of hidden) record(c, h.step, 'skipped', undefined, h.why);
}

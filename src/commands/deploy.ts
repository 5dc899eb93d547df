import { performance } from 'node:perf_hooks';
import { parseDuration } from '../cli/options.js';
import { loadLab } from '../lab/load.js';
import { DEFAULT_TIMEOUT_MS } from '../deploy/deadlines.js';
import { deployLab, printSummary } from '../deploy/deploy.js';
import { validateWorkloads } from '../deploy/steps/validate.js';
import { sudoPreference } from '../tools/sudo.js';
import { isCi } from '../ui/tasks.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext<'deploy'>): Promise<number> {
  const o = ctx.options;
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout) : DEFAULT_TIMEOUT_MS;
  const t0 = performance.now();
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
  validateWorkloads(lab);
  const validateMs = Math.round(performance.now() - t0);
  if (!o.json) ctx.log.info(`lab ${lab.name}: ${lab.nodes.length} nodes (${lab.nodeImage}), Calico ${lab.calico.version}, from ${lab.topologyFile}`);
  const summary = await deployLab(lab, {
    signal: ctx.signal,
    log: ctx.log,
    env: ctx.env,
    cwd: ctx.cwd,
    stderr: ctx.stderr,
    json: o.json === true,
    timeoutMs: Math.max(1, timeoutMs - validateMs),
    offline: o.offline === true,
    sudo: sudoPreference(o),
    recreate: o.recreate === true,
    preload: o.preload === true,
    collectOnFailure: o['collect-on-failure'] === true || (isCi(ctx.env) && o['no-collect-on-failure'] !== true),
  });
  summary.steps.unshift({ name: 'validate', status: 'done', durationMs: validateMs });
  summary.durationMs += validateMs;
  if (o.json) ctx.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary, { stdout: ctx.stdout, log: ctx.log });
  return 0;
}

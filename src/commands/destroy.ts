import { parseDuration } from '../cli/options.js';
import { loadLab } from '../lab/load.js';
import { STEP_TIMEOUT_MS } from '../deploy/deadlines.js';
import { destroyLab } from '../deploy/destroy.js';
import { sudoPreference } from '../tools/sudo.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext<'destroy'>): Promise<number> {
  const o = ctx.options;
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout) : STEP_TIMEOUT_MS.destroy;
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, cwd: ctx.cwd, env: ctx.env });
  const json = o.json === true;
  const result = await destroyLab(lab, {
    signal: ctx.signal,
    log: ctx.log,
    env: ctx.env,
    timeout: timeoutMs,
    sudo: sudoPreference(o),
    yes: o.yes === true,
    stdin: process.stdin,
    stderr: ctx.stderr,
    onLine: json ? () => undefined : (line) => ctx.log.info(`  ${line}`),
  });
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ok: true, lab: lab.name, cluster: lab.cluster, removed: result.removed, before: result.before, actions: result.actions, workloads: result.workloads }, null, 2)}\n`);
  } else if (!result.removed) {
    ctx.log.info(`nothing to remove: lab ${lab.name} is not deployed (no containers of cluster "${lab.cluster}", no ${lab.labDir}, no kubeconfig)`);
  } else {
    ctx.log.info(`${ctx.log.style('green', '✔')} lab ${lab.name} removed (${result.before.containers.length} containers${result.workloads > 0 ? ` with the lesson's ${result.workloads} workload objects` : ''}${result.before.kubeconfig ? ', kubeconfig' : ''}${result.before.labDir ? `, ${lab.labDir}` : ''}); the docker network "kind" and images are kept`);
  }
  return 0;
}

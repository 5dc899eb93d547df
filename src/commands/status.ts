import { parseDuration } from '../cli/options.js';
import { loadLab } from '../lab/load.js';
import { STEP_TIMEOUT_MS } from '../deploy/deadlines.js';
import { formatStatus, labStatus } from '../deploy/status.js';
import type { CommandContext } from './context.js';

/** Exit 0 when the lab is healthy or not deployed at all, 1 when something exists but is not healthy. */
export async function run(ctx: CommandContext<'status'>): Promise<number> {
  const o = ctx.options;
  const probeMs = o.timeout !== undefined ? parseDuration(o.timeout) : STEP_TIMEOUT_MS.probe;
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, cwd: ctx.cwd, env: ctx.env });
  const status = await labStatus(lab, { signal: ctx.signal, log: ctx.log, env: ctx.env, probeMs });
  if (o.json === true) ctx.stdout.write(`${JSON.stringify({ ok: status.state !== 'degraded', ...status }, null, 2)}\n`);
  else ctx.stdout.write(formatStatus(status));
  return status.state === 'degraded' ? 1 : 0;
}

/**
 * `lab collect [-o dir]`: write a diagnostics bundle (logs, objects, events; no secrets). A partial
 * bundle is still a bundle: what failed is listed in its README.txt and here, and the exit code is 0.
 */
import { collectBundleDetailed } from '../collect/bundle.js';
import { parseDuration } from '../cli/options.js';
import { loadLab } from '../lab/load.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext<'collect'>): Promise<number> {
  const o = ctx.options;
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, cwd: ctx.cwd, env: ctx.env });
  const result = await collectBundleDetailed(lab, {
    ...(o.output !== undefined ? { output: o.output } : {}),
    cwd: ctx.cwd,
    // --timeout bounds each part of the bundle (default: 30 s, kind logs 180 s).
    ...(o.timeout !== undefined ? { partTimeout: parseDuration(o.timeout) } : {}),
    signal: ctx.signal,
    log: ctx.log,
    env: ctx.env,
  });
  const failed = result.parts.filter((p) => !p.ok);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: true, dir: result.dir, parts: result.parts, redacted: result.redacted }, null, 2)}\n`);
  } else {
    for (const p of result.parts) {
      if (p.ok) ctx.log.info(`${ctx.log.style('green', '✔')} ${p.name}${p.note ? ` — ${p.note}` : ''}`);
      else ctx.log.info(`${ctx.log.style('yellow', '✖')} ${p.name}: ${p.error ?? ''}`);
    }
    ctx.log.info(`diagnostics bundle: ${result.dir}${failed.length ? ` (${failed.length} part${failed.length > 1 ? 's' : ''} missing: see README.txt)` : ''}`);
    ctx.stdout.write(`${result.dir}\n`);
  }
  return 0;
}

/**
 * `lab doctor`: every host check with pass / warn / fail and a one-line fix; `--json` prints the
 * results as one document. Exit 1 when any check fails (warnings do not fail).
 */
import { loadLab } from '../lab/load.js';
import { renderDoctorTable, runDoctor } from '../doctor/index.js';
import { sudoPreference } from '../tools/sudo.js';
import { useColor } from '../ui/log.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext<'doctor'>): Promise<number> {
  const o = ctx.options;
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
  const results = await runDoctor(lab, {
    signal: ctx.signal,
    log: ctx.log,
    env: ctx.env,
    sudo: sudoPreference(o),
    offline: o.offline === true,
  });
  const ok = !results.some((r) => r.status === 'fail');
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ok, lab: lab.name, cluster: lab.cluster, results }, null, 2)}\n`);
  } else {
    const color = useColor(ctx.stdout, ctx.env);
    ctx.stdout.write(renderDoctorTable(results, color ? (s, t) => ctx.log.style(s, t) : undefined));
    if (!ok) ctx.log.error('some checks failed: fix them (see "fix:" above) and run `lab doctor` again');
  }
  return ok ? 0 : 1;
}

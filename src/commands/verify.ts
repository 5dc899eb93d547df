/**
 * `lab verify`: the lesson's exercises and Calico's IPAM invariants as checks. Inputs are gathered
 * once (one list per resource type, concurrently) from the live lab — or read from `--snapshot` — then
 * the pure checks judge them. Reports: a listr2 checklist and the lesson-style tables, `--json`,
 * `--junit <file>`, and a Markdown step summary when $GITHUB_STEP_SUMMARY is set.
 * Exit 0 when nothing failed (warnings allowed), 1 when a check failed.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../cli/options.js';
import type { Check } from '../calico/checks/common.js';
import { gatherInputs } from '../calico/gather.js';
import { INPUT_LABELS, INPUT_NAMES, type InputName, type VerifyInputs } from '../calico/inputs.js';
import { verifyLabOf, type VerifyLab } from '../calico/lab.js';
import { inputsUsedBy, runChecks, selectChecks, totals } from '../calico/runner.js';
import { loadSnapshot } from '../calico/snapshot.js';
import type { CheckResult } from '../calico/types.js';
import { TimeoutError } from '../errors.js';
import { loadLab } from '../lab/load.js';
import { checkLine, detailLines, explainText, lessonTables } from '../report/human.js';
import { buildJsonReport } from '../report/json.js';
import { toJUnit } from '../report/junit.js';
import { writeIpamMaps } from '../report/ipam-map/write.js';
import { stepSummary } from '../report/summary.js';
import { useColor } from '../ui/log.js';
import { createTasks } from '../ui/tasks.js';
import type { CommandContext } from './context.js';

export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;

/** Absent inputs with their reasons (only among `among`, default all). */
export function missingInputs(inputs: VerifyInputs, among: ReadonlySet<InputName> = new Set(INPUT_NAMES)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    const i = inputs[name];
    if (!i.ok && among.has(name)) out[name] = i.reason;
  }
  return out;
}

export async function run(ctx: CommandContext<'verify'>): Promise<number> {
  const o = ctx.options;
  const started = performance.now();
  const checks = selectChecks(o.check);
  const wanted = inputsUsedBy(checks);
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout) : DEFAULT_VERIFY_TIMEOUT_MS;
  const json = o.json === true;

  let lab: VerifyLab;
  let inputs: VerifyInputs;
  let source: string;
  let apiRequests: number | undefined;
  if (o.snapshot !== undefined) {
    const path = resolve(ctx.cwd, o.snapshot);
    const loaded = await loadSnapshot(path);
    lab = loaded.lab !== undefined && o.topology === undefined
      ? loaded.lab
      : verifyLabOf(await loadLab({ topology: o.topology, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env }));
    inputs = loaded.inputs;
    source = path;
    for (const f of loaded.files) ctx.log.verbose(`  ${f.file}: ${f.recognisedAs.join(', ')}`);
  } else {
    const full = await loadLab({ topology: o.topology, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
    lab = verifyLabOf(full);
    source = 'live';
    const gathered = await gatherLive(ctx, full, timeoutMs, json, wanted);
    inputs = gathered.inputs;
    apiRequests = gathered.apiRequests;
  }

  const results = runChecks(checks, lab, inputs);
  const durationMs = performance.now() - started;
  const t = totals(results);

  if (json) {
    const doc = buildJsonReport(lab, results, { source, durationMs, missingInputs: missingInputs(inputs, wanted), ...(apiRequests !== undefined ? { apiRequests } : {}) });
    const withExplain = o.explain ? { ...doc, checks: doc.checks.map((r) => ({ ...r, explain: checks.find((c) => c.id === r.id)?.explain, commands: checks.find((c) => c.id === r.id)?.commands })) } : doc;
    ctx.stdout.write(`${JSON.stringify(withExplain, null, 2)}\n`);
  } else {
    await printChecklist(ctx, results, checks, o.explain === true);
    const tables = lessonTables(results);
    if (tables) ctx.stdout.write(`\n${tables}`);
    ctx.stdout.write(`\n${t.pass} passed, ${t.warn} warning${t.warn === 1 ? '' : 's'}, ${t.fail} failed, ${t.skip} skipped${source === 'live' ? '' : ` (from ${source})`}\n`);
  }
  if (o.junit !== undefined) {
    const file = resolve(ctx.cwd, o.junit);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, toJUnit(lab.name, results, { durationMs, hostname: hostname() }));
    ctx.log.verbose(`JUnit report: ${file}`);
  }
  const summaryFile = ctx.env['GITHUB_STEP_SUMMARY'];
  if (summaryFile) await appendFile(summaryFile, stepSummary(lab.name, results));
  await writeIpamMaps(ctx, { lab, inputs, results, source, durationMs, missingInputs: missingInputs(inputs, wanted) });
  if (t.fail > 0) {
    if (!json) ctx.log.error(`${t.fail} of ${t.total} checks failed: ${results.filter((r) => r.status === 'fail').map((r) => r.id).join(', ')}`);
    return 1;
  }
  return 0;
}

async function gatherLive(ctx: CommandContext<'verify'>, lab: Awaited<ReturnType<typeof loadLab>>, timeoutMs: number, json: boolean, wanted: ReadonlySet<InputName>): Promise<{ inputs: VerifyInputs; apiRequests: number }> {
  const { liveSources } = await import('../calico/live.js');
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError(`lab verify did not finish reading the lab within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  setMaxListeners(64, signal); // one listener per concurrent request/tool call
  const sources = await liveSources(lab, { offline: ctx.options.offline === true, signal, log: ctx.log, env: ctx.env, timeout: timeoutMs });
  try {
    let inputs: VerifyInputs | undefined;
    const tasks = createTasks<object>(
      [
        {
          title: `Read ${lab.name}: API objects, containerlab, docker, calicoctl`,
          task: async (_c, task) => {
            inputs = await gatherInputs(sources, wanted);
            const missing = Object.keys(missingInputs(inputs, wanted));
            task.title = `Read ${lab.name}: ${wanted.size - missing.length}/${wanted.size} inputs${missing.length > 0 ? ` (missing: ${missing.map((m) => INPUT_LABELS[m as keyof typeof INPUT_LABELS].split(' (')[0]).join(', ')})` : ''}`;
          },
        },
      ],
      { json, env: ctx.env, stream: ctx.stderr },
    );
    await tasks.run({});
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (!inputs) throw new Error('inputs were not gathered');
    return { inputs, apiRequests: sources.requestCount() };
  } finally {
    clearTimeout(timer);
    sources.close();
  }
}

/** The checklist: a listr2 task per check (✔ pass, ✖ fail, ↓ skip with reason; warnings keep ✔ with a ⚠ title). */
async function printChecklist(ctx: CommandContext<'verify'>, results: readonly CheckResult[], checks: readonly Check[], explain: boolean): Promise<void> {
  const color = useColor(ctx.stdout, ctx.env);
  const style = (s: 'green' | 'yellow' | 'red' | 'gray' | 'bold', text: string): string => (color ? ctx.log.style(s, text) : text);
  const fancy = ctx.stdout.isTTY === true && !(ctx.env['CI'] && ctx.env['CI'] !== 'false');
  if (fancy) {
    const tasks = createTasks<object>(
      results.map((r) => ({
        title: `${r.id}: ${r.summary}`,
        task: (_c, task) => {
          if (r.status === 'skip') task.skip(`${r.id}: ${r.summary}`);
          if (r.status === 'warn') task.title = `⚠ ${r.id}: ${r.summary}`;
          if (r.status === 'fail') throw new Error(`${r.id}: ${r.summary}`);
        },
      })),
      { json: false, env: ctx.env, stream: ctx.stdout },
      { exitOnError: false, concurrent: false },
    );
    try {
      await tasks.run({});
    } catch {
      // failures are reported below with their details
    }
    for (const r of results) {
      const lines = detailLines(r);
      if (r.status !== 'pass' && lines.length > 0) ctx.stdout.write(`${style('bold', r.id)}\n${lines.join('\n')}\n`);
    }
  } else {
    for (const r of results) {
      ctx.stdout.write(`${checkLine(r, style)}\n`);
      const lines = detailLines(r);
      if (lines.length > 0) ctx.stdout.write(`${lines.join('\n')}\n`);
    }
  }
  if (explain) ctx.stdout.write(`\n${explainText(checks)}`);
}

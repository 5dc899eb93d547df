/**
 * `lab verify`: the lesson's exercises and Calico's IPAM invariants as checks. Inputs are gathered
 * once (one list per resource type, concurrently) from the live lab — or read from `--snapshot` — then
 * the pure checks judge them. Reports: a listr2 checklist and the lesson-style tables, `--json`,
 * `--junit <file>`, and a Markdown step summary when $GITHUB_STEP_SUMMARY is set.
 * Live mode first makes sure a lab is deployed (docker, containerlab, a container of the lab) — else
 * exit 3 before anything is downloaded. Exit 0 when no rule failed (warnings allowed), 1 when a rule
 * failed — an input that could not be read fails the rules needing it — or, with --snapshot, when no
 * rule reading a snapshot input ran. --strict fails rules that were not evaluated.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../cli/options.js';
import type { Check } from '../calico/checks/common.js';
import { completeInputs } from '../calico/derive.js';
import { gatherInputs } from '../calico/gather.js';
import { INPUT_NAMES, inputLabel, PRIMARY_INPUTS, type InputName, type VerifyInputs } from '../calico/inputs.js';
import { verifyLabOf, type VerifyLab } from '../calico/lab.js';
import { applyStrict, inputsUsedBy, labMismatch, runChecks, runChecksWithReread, selectChecks, summaryLine, totals } from '../calico/runner.js';
import { loadSnapshot } from '../calico/snapshot.js';
import type { CheckResult, ClabRow } from '../calico/types.js';
import { availableChecks, SAMPLE_INPUTS, TRANSCRIPT_ONLY_INPUTS, withSamples } from '../exercises/index.js';
import { errorMessage, ExitCode, InputError, InterruptedError, LabError, TimeoutError } from '../errors.js';
import { loadLab } from '../lab/load.js';
import type { Lab } from '../lab/model.js';
import { containerlabInspect } from '../tools/containerlab.js';
import { whichBinary } from '../tools/sudo.js';
import { checkLine, detailLines, explainText, lessonTables } from '../report/human.js';
import { buildJsonReport } from '../report/json.js';
import { toJUnit } from '../report/junit.js';
import { writeIpamMaps } from '../report/ipam-map/write.js';
import { stepSummary } from '../report/summary.js';
import { useColor } from '../ui/log.js';
import { createTasks } from '../ui/tasks.js';
import type { CommandContext } from './context.js';

export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;

/** Absent inputs with their reasons (only among `among`, default the ones read directly); not-applicable ones are listed apart. */
export function missingInputs(inputs: VerifyInputs, among: ReadonlySet<InputName> = new Set(PRIMARY_INPUTS)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    const i = inputs[name];
    if (i !== undefined && !i.ok && !i.notApplicable && among.has(name)) out[name] = i.reason;
  }
  return out;
}

function notApplicableInputs(inputs: VerifyInputs, among: ReadonlySet<InputName>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INPUT_NAMES) {
    const i = inputs[name];
    if (i !== undefined && !i.ok && i.notApplicable && among.has(name)) out[name] = i.reason;
  }
  return out;
}

/**
 * Live mode, before anything is downloaded or run against the cluster: docker and containerlab on PATH
 * and at least one container of this lab. Otherwise there is nothing to verify: LabError, exit 3.
 * Returns containerlab's rows (they are the `containers` input; inspect is not run twice).
 */
export async function deployedContainers(lab: Lab, o: { env: NodeJS.ProcessEnv; signal: AbortSignal; log: CommandContext<'verify'>['log']; timeout: number }): Promise<ClabRow[]> {
  const notDeployed = (why: string, cause?: unknown): LabError =>
    new LabError(ExitCode.prerequisite, `no lab \`${lab.name}\` is deployed here — run \`lab deploy\``, {
      details: [why],
      hint: `deploy it with \`lab deploy${lab.topologyFile ? ` --topology ${lab.topologyFile}` : ''}\`, or verify saved outputs with \`lab verify --snapshot <file|dir>\``,
      ...(cause !== undefined ? { cause } : {}),
    });
  for (const tool of ['docker', 'containerlab']) {
    if ((await whichBinary(tool, o.env)) === undefined) throw notDeployed(`${tool} is not installed (not found on PATH)`);
  }
  let rows: ClabRow[];
  try {
    rows = await containerlabInspect(lab.topologyFile, { env: o.env, signal: o.signal, log: o.log, timeout: Math.min(o.timeout, 30_000), labName: lab.name });
  } catch (error) {
    if (error instanceof InterruptedError || error instanceof TimeoutError) throw error;
    throw notDeployed(`containerlab inspect failed: ${errorMessage(error)}`, error);
  }
  if (rows.length === 0) throw notDeployed(`containerlab inspect -t ${lab.topologyFile} lists no container of the lab ${lab.name}`);
  return rows;
}

export async function run(ctx: CommandContext<'verify'>): Promise<number> {
  const o = ctx.options;
  const started = performance.now();
  // The lab's files (--topology, else the lesson's) say which exercises there are (and, for
  // --snapshot, the nodes a transcript prompt may be in); bad exercises stop here, file:line.
  const full = await loadLab({ topology: o.topology, lesson: o.lesson, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
  const checks = selectChecks(o.check, availableChecks(full.lesson));
  const wanted = inputsUsedBy(checks);
  // The exercises' samples are resolved over the Pods list (with labels: Y's `workloadPods`, when registered).
  if ([...wanted].some((n) => (SAMPLE_INPUTS as readonly string[]).includes(n))) for (const n of ['pods', 'workloadPods']) wanted.add(n as InputName);
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout) : DEFAULT_VERIFY_TIMEOUT_MS;
  const json = o.json === true;
  const strict = o.strict === true;

  let lab: VerifyLab;
  let results: CheckResult[];
  let inputs: VerifyInputs;
  let source: string;
  let apiRequests: number | undefined;
  let ignored: { source: string; reason: string }[] = [];
  let reread: InputName[] = [];
  let labNote: string | undefined;
  if (o.snapshot !== undefined) {
    const path = resolve(ctx.cwd, o.snapshot);
    const assumed = verifyLabOf(full);
    const loaded = await loadSnapshot(path, { nodeNames: assumed.nodes.map((n) => n.name) });
    lab = loaded.lab !== undefined && o.topology === undefined ? loaded.lab : assumed;
    inputs = loaded.inputs;
    source = path;
    ignored = loaded.ignored;
    for (const f of loaded.files) ctx.log.verbose(`  ${f.file}: ${f.recognisedAs.join(', ')}`);
    if (strict && ignored.length > 0) {
      throw new InputError(`--strict: ${ignored.length} of the snapshot's files or parts could not be read`, { details: ignored.map((i) => `${i.source}: ${i.reason}`), hint: 'remove them, or run without --strict to verify the rest' });
    }
    labNote = labMismatch(lab, inputs, loaded.lab !== undefined && o.topology === undefined);
    results = runChecks(checks, lab, inputs);
  } else {
    lab = verifyLabOf(full);
    source = 'live';
    const gathered = await gatherLive(ctx, full, timeoutMs, json, wanted, checks);
    inputs = gathered.inputs;
    results = gathered.results;
    reread = gathered.reread;
    apiRequests = gathered.apiRequests;
  }
  if (strict) results = applyStrict(results, { notApplicable: source === 'live' });

  const durationMs = performance.now() - started;
  const t = totals(results);
  const snapshotRan = source === 'live' || results.some((r) => (r.rules ?? []).some((x) => x.inputs.length > 0 && (x.status === 'pass' || x.status === 'warn' || x.status === 'fail')));
  const exitCode = t.fail > 0 || !snapshotRan ? 1 : 0;
  const completed = completeInputs(inputs);

  if (json) {
    const doc = buildJsonReport(lab, results, {
      source,
      durationMs,
      exitCode,
      missingInputs: missingInputs(completed, new Set([...wanted].filter((n) => ((PRIMARY_INPUTS as readonly string[]).includes(n) || completed[n]?.ok === false) && !(source === 'live' && TRANSCRIPT_ONLY_INPUTS.includes(n))))),
      notApplicableInputs: notApplicableInputs(completed, wanted),
      ...(apiRequests !== undefined ? { apiRequests } : {}),
      ...(ignored.length > 0 || source !== 'live' ? { ignored } : {}),
      ...(reread.length > 0 ? { reread } : {}),
      ...(labNote !== undefined ? { labNote } : {}),
      ...(strict ? { strict } : {}),
    });
    const withExplain = o.explain ? { ...doc, checks: doc.checks.map((r) => ({ ...r, explain: checks.find((c) => c.id === r.id)?.explain, commands: checks.find((c) => c.id === r.id)?.commands })) } : doc;
    ctx.stdout.write(`${JSON.stringify(withExplain, null, 2)}\n`);
  } else {
    await printChecklist(ctx, results, checks, o.explain === true);
    const tables = lessonTables(results);
    if (tables) ctx.stdout.write(`\n${tables}`);
    for (const i of ignored) ctx.stdout.write(`ignored ${i.source}: ${i.reason}\n`);
    ctx.stdout.write(`\n${summaryLine(results)}${source === 'live' ? '' : ` (from ${source})`}\n`);
  }
  if (labNote !== undefined) ctx.log.warn(labNote);
  if (reread.length > 0) ctx.log.verbose(`re-read once after a failure comparing reads: ${reread.join(', ')}`);
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
  if (!snapshotRan) {
    ctx.log.error(`nothing in ${source} could be judged: no rule found its inputs there${ignored.length > 0 ? ` (${ignored.length} ignored)` : ''}`);
    return 1;
  }
  return exitCode;
}

async function gatherLive(ctx: CommandContext<'verify'>, lab: Lab, timeoutMs: number, json: boolean, wanted: ReadonlySet<InputName>, checks: readonly Check[]): Promise<{ inputs: VerifyInputs; results: CheckResult[]; reread: InputName[]; apiRequests: number }> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError(`lab verify did not finish reading the lab within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  try {
    // First: is there a lab at all? Nothing is downloaded and no checklist printed when there is not.
    const rows = await deployedContainers(lab, { env: ctx.env, signal, log: ctx.log, timeout: timeoutMs });
    const { liveSources } = await import('../calico/live.js');
    const live = await liveSources(lab, { offline: ctx.options.offline === true, signal, log: ctx.log, env: ctx.env, timeout: timeoutMs });
    let inspected = false;
    const sources = { ...live, containers: async () => (inspected ? live.containers() : ((inspected = true), rows)) };
    try {
      let inputs: VerifyInputs | undefined;
      const tasks = createTasks<object>(
        [
          {
            title: `Read ${lab.name}: API objects, containerlab, docker, calicoctl`,
            task: async (_c, task) => {
              inputs = await gatherInputs(sources, wanted);
              // The exercises' samples: resolved over the Pods list just read, then exec'd into (same deadline).
              const selected = new Set(checks.map((c) => c.id));
              inputs = await withSamples(lab.lesson, inputs, live.observe, { signal, timeoutMs: Math.min(timeoutMs, 30_000), selected });
              const missing = Object.keys(missingInputs(inputs, new Set([...wanted].filter((n) => (PRIMARY_INPUTS as readonly string[]).includes(n)))));
              const read = [...wanted].filter((n) => (PRIMARY_INPUTS as readonly string[]).includes(n));
              task.title = `Read ${lab.name}: ${read.length - missing.length}/${read.length} inputs${missing.length > 0 ? ` (missing: ${missing.map((m) => inputLabel(m).split(' (')[0]).join(', ')})` : ''}`;
            },
          },
        ],
        { json, env: ctx.env, stream: ctx.stderr },
      );
      await tasks.run({});
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!inputs) throw new Error('inputs were not gathered');
      const verifyLab = verifyLabOf(lab);
      const judged = await runChecksWithReread(checks, verifyLab, inputs, async (names) => {
        const again = await gatherInputs(sources, names);
        // The exec samples are not read again: they keep their first observation.
        return Object.fromEntries([...names].filter((n) => !SAMPLE_INPUTS.includes(n)).map((n) => [n, again[n]])) as Partial<VerifyInputs>;
      });
      return { inputs: judged.inputs, results: judged.results, reread: judged.reread, apiRequests: live.requestCount() };
    } finally {
      live.close();
    }
  } finally {
    clearTimeout(timer);
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

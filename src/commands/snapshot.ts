/**
 * `lab snapshot [-o file]`: capture everything `lab verify` reads (the API objects it lists and the
 * tool outputs it parses) into one versioned JSON file — without kubeconfig, tokens, certificates,
 * Secrets or managedFields — plus what the lesson's exercises see inside their pods and nodes — so `lab verify --snapshot <file>` can judge it offline, elsewhere.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDuration } from '../cli/options.js';
import { gatherInputs } from '../calico/gather.js';
import { INPUT_LABELS, INPUT_NAMES } from '../calico/inputs.js';
import { verifyLabOf } from '../calico/lab.js';
import { liveSources } from '../calico/live.js';
import { buildSnapshot } from '../calico/snapshot.js';
import { TimeoutError } from '../errors.js';
import { withSamples } from '../exercises/index.js';
import { loadLab } from '../lab/load.js';
import type { CommandContext } from './context.js';
import { DEFAULT_VERIFY_TIMEOUT_MS, missingInputs } from './verify.js';

export async function run(ctx: CommandContext<'snapshot'>): Promise<number> {
  const o = ctx.options;
  const timeoutMs = o.timeout !== undefined ? parseDuration(o.timeout) : DEFAULT_VERIFY_TIMEOUT_MS;
  const lab = await loadLab({ topology: o.topology, lesson: o.lesson, pins: o.pins, calicoVersion: o['calico-version'], cwd: ctx.cwd, env: ctx.env });
  const file = resolve(ctx.cwd, o.output ?? `${lab.name}-snapshot.json`);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError(`lab snapshot did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  const sources = await liveSources(lab, { offline: o.offline === true, signal, log: ctx.log, env: ctx.env, timeout: timeoutMs });
  let inputs;
  try {
    inputs = await gatherInputs(sources);
    // What the lesson's exercises observe inside pods and nodes, so `verify --snapshot` judges them too.
    inputs = await withSamples(lab.lesson, inputs, sources.observe, { signal, timeoutMs: Math.min(timeoutMs, 30_000) });
  } finally {
    clearTimeout(timer);
    sources.close();
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const doc = buildSnapshot(verifyLabOf(lab), inputs);
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
  const missing = missingInputs(inputs);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: true, file, lab: lab.name, captured: INPUT_NAMES.filter((n) => inputs[n].ok), missing }, null, 2)}\n`);
  } else {
    ctx.log.info(`Snapshot of ${lab.name} written to ${file} (${INPUT_NAMES.length - Object.keys(missing).length}/${INPUT_NAMES.length} inputs)`);
    for (const [name, reason] of Object.entries(missing)) ctx.log.warn(`not captured: ${INPUT_LABELS[name as keyof typeof INPUT_LABELS]}: ${reason}`);
    ctx.log.info(`Verify it anywhere: lab verify --snapshot ${file}`);
  }
  return 0;
}

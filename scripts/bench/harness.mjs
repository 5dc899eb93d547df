/**
 * The benchmark harness behind `npm run bench` (scripts/bench.mjs is its command line).
 *
 * Everything runs against the simulated world (dist/sim/world.js) started in THIS process, so the
 * world's condition marks and the bench's timings of `lab` (a child process: `node dist/cli.js …` with
 * the world's env) share one clock, performance.now().
 *
 * One run = a world where `lab deploy` (cold), `lab deploy` again (warm), `lab verify` and
 * `lab destroy` run, then a fresh world where the baseline (the old deploy.sh, scripts/bench/baseline.mjs)
 * deploys the same lab. Lesson 02 (workloads), verify scaling (30 and 100 nodes) and start-up are
 * measured once per bench, with `runs` samples each.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { baselineReady, baselineWaste, runBaseline } from './baseline.mjs';
import { addBlocks } from './blocks.mjs';
import { parseJsonOutput, runTimed, tail } from './child.mjs';
import { makeLabDir } from './labdir.mjs';
import { benchLesson } from './lesson.mjs';
import { median } from './stats.mjs';
import { measureStartup } from './startup.mjs';
import { makeRow, renderTable } from './table.mjs';
import { detectionLags, mergeMarks, recordWrites } from './writes.mjs';

export const DEFAULTS = { runs: 3, scale: 0.05, quick: false, startupCount: 10, sizes: [30, 100], blocksAt100: 1000, lesson: '02' };

const REF = {
  nodes: { group: '', resource: 'nodes' },
  crds: { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  installations: { group: 'operator.tigera.io', resource: 'installations' },
  apiservers: { group: 'operator.tigera.io', resource: 'apiservers' },
};

/** What must not change on a warm re-deploy: container IDs and the uids of Nodes, CRDs, Installation, APIServer. */
function identity(world) {
  const out = { containers: {}, objects: {} };
  for (const c of world.host.containers.values()) out.containers[c.name] = c.id;
  for (const [kind, ref] of Object.entries(REF)) {
    for (const o of world.store.list(ref).items) out.objects[`${kind}/${o.metadata.name}`] = o.metadata.uid;
  }
  return out;
}

function recreated(before, after) {
  const changed = [];
  for (const [name, id] of Object.entries(before.containers)) if (after.containers[name] !== id) changed.push(`container ${name}`);
  for (const [name, uid] of Object.entries(before.objects)) if (after.objects[name] !== uid) changed.push(name);
  return changed;
}

export function summarizeChild(r) {
  const json = parseJsonOutput(r.stdout);
  return {
    code: r.code,
    signal: r.signal,
    timedOut: r.timedOut,
    wallMs: r.wallMs,
    maxRssKb: r.maxRssKb,
    ...(json ? { json: pickJson(json) } : {}),
    ...(r.code !== 0 ? { stderrTail: tail(r.stderr, 15), stdoutTail: json ? undefined : tail(r.stdout, 5) } : {}),
  };
}

/** Keep the parts of lab's JSON that explain timings (steps and durations), not whole documents. */
function pickJson(json) {
  if (!json || typeof json !== 'object') return json;
  const { ok, exitCode, steps, durations, durationMs, error, summary, checks } = json;
  const out = { ok, exitCode, steps, durations, durationMs, error, summary };
  if (Array.isArray(checks)) out.checks = checks.map((c) => ({ id: c.id, status: c.status ?? c.ok, message: c.status === 'fail' || c.ok === false ? c.message : undefined }));
  return JSON.parse(JSON.stringify(out));
}

async function loadWorld(root) {
  const mod = await import(pathToFileURL(join(root, 'dist/sim/world.js')).href);
  return mod.startWorld;
}

/** The API's request log as [{ at, method, path }] when the world's API server keeps one. */
function requestLog(world) {
  const api = world.api;
  const fn = api && (api.requestLog ?? api.requests);
  if (typeof fn !== 'function') return undefined;
  try {
    const log = fn.call(api);
    return Array.isArray(log) ? log.filter((r) => typeof r?.at === 'number') : undefined;
  } catch {
    return undefined;
  }
}

/** Requests by "METHOD path" since the last reset, when the world's API counts them that way. */
function requestsByPath(world) {
  const counts = world.api?.requestCounts?.();
  return counts instanceof Map ? Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) : undefined;
}

export async function runBench(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const root = o.root;
  const cli = join(root, 'dist/cli.js');
  const rssWrapper = join(root, 'scripts/bench/rss.mjs');
  const log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  const startWorld = await loadWorld(root);
  const errors = [];
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const lab = (world, labDir, args, extra = {}) =>
    runTimed(process.execPath, [cli, ...args], { env: world.env, cwd: labDir.dir, timeoutMs: o.childTimeoutMs ?? 10 * 60_000, rssWrapper, ...extra });

  const runs = [];
  for (let i = 0; i < o.runs; i += 1) {
    const run = { index: i };
    runs.push(run);
    // --- lab: cold deploy, warm deploy, verify, destroy --------------------------------------
    const world = await startWorld({ timeScale: o.scale });
    const labDir = await makeLabDir(root);
    const rec = recordWrites(world);
    try {
      log(`run ${i + 1}/${o.runs}: lab deploy (scale ${o.scale})…`);
      world.api?.resetRequestCount();
      const d = await lab(world, labDir, ['deploy', '--topology', labDir.topology, '--json'], { rss: true });
      const cp = world.criticalPath();
      const conditions = mergeMarks(world.conditions(), rec.marks);
      run.deploy = { ...summarizeChild(d), criticalPath: cp, excessMs: d.wallMs - cp.realMs, conditions: conditions.map((c) => ({ name: c.name, atMs: Math.round(c.at - d.startAt) })) };
      run.lags = detectionLags({ conditions, events: rec.events, exitAt: d.exitAt, startAt: d.startAt, requestLog: requestLog(world) });
      run.deploy.writes = rec.events.filter((e) => e.at >= d.startAt && e.at <= d.exitAt).length;
      run.deploy.requests = world.api ? world.api.requestCount() : null;
      run.deploy.requestsByPath = requestsByPath(world);
      if (d.code !== 0) throw new Error(`lab deploy exited ${d.code}: ${tail(d.stderr, 8)}`);
      log(`  deploy ${(d.wallMs / 1000).toFixed(2)} s, critical path ${(cp.realMs / 1000).toFixed(2)} s`);

      log(`run ${i + 1}/${o.runs}: lab deploy again (warm)…`);
      const before = identity(world);
      const mark = rec.events.length;
      world.api?.resetRequestCount();
      const w = await lab(world, labDir, ['deploy', '--topology', labDir.topology, '--json']);
      const after = identity(world);
      const warmEvents = rec.events.slice(mark);
      run.warm = {
        ...summarizeChild(w),
        recreated: recreated(before, after),
        checked: { containers: Object.keys(before.containers).length, objects: Object.keys(before.objects).length },
        requests: world.api ? world.api.requestCount() : null,
        requestsByPath: requestsByPath(world),
        writes: { added: warmEvents.filter((e) => e.type === 'ADDED').length, modified: warmEvents.filter((e) => e.type === 'MODIFIED').length, deleted: warmEvents.filter((e) => e.type === 'DELETED').length },
      };
      if (w.code !== 0) errors.push(`run ${i + 1}: warm lab deploy exited ${w.code}: ${tail(w.stderr, 8)}`);

      log(`run ${i + 1}/${o.runs}: lab verify (3 nodes)…`);
      world.api?.resetRequestCount();
      const v = await lab(world, labDir, ['verify', '--topology', labDir.topology, '--json'], { rss: true });
      run.verify = { ...summarizeChild(v), nodes: labDir.nodeNames.length, requests: world.api ? world.api.requestCount() : null, requestsByPath: requestsByPath(world) };
      if (v.code !== 0) errors.push(`run ${i + 1}: lab verify exited ${v.code}: ${tail(v.stderr, 8)}`);

      const x = await lab(world, labDir, ['destroy', '--topology', labDir.topology, '--yes']);
      run.destroy = summarizeChild(x);
      if (x.code !== 0) errors.push(`run ${i + 1}: lab destroy exited ${x.code}: ${tail(x.stderr, 8)}`);
    } catch (error) {
      errors.push(`run ${i + 1}: ${error.message}`);
    } finally {
      rec.stop();
      await world.stop();
      await labDir.remove();
    }

    // --- baseline: the old deploy.sh in a fresh world -----------------------------------------
    log(`run ${i + 1}/${o.runs}: baseline (old deploy.sh)…`);
    const bworld = await startWorld({ timeScale: o.scale });
    const blab = await makeLabDir(root);
    const brec = recordWrites(bworld);
    try {
      const scale = bworld.clock.scale;
      const b = await runBaseline({ world: bworld, lab: blab, scale, signal: AbortSignal.timeout(o.childTimeoutMs ?? 10 * 60_000) });
      const cp = bworld.criticalPath();
      const conditions = mergeMarks(bworld.conditions(), brec.marks);
      const waste = baselineWaste(b.sleeps, baselineReady(bworld, conditions, b.customResources));
      const excessMs = b.wallMs - cp.realMs;
      run.baseline = {
        wallMs: b.wallMs,
        criticalPath: cp,
        excessMs,
        sleptMs: b.sleeps.reduce((a, x) => a + (x.endAt - x.startAt), 0),
        wasteMs: waste.ms,
        wasteByLoop: waste.byLoop,
        // The same run on a real host (scale 1): the waste in scaled sleeps grows by 1/scale, the rest does not.
        projectedExcessMs: excessMs + waste.ms * (1 / scale - 1),
        steps: b.steps,
        conditions: conditions.map((c) => ({ name: c.name, atMs: Math.round(c.at - b.startAt) })),
      };
      log(`  baseline ${(b.wallMs / 1000).toFixed(2)} s, critical path ${(cp.realMs / 1000).toFixed(2)} s`);
    } catch (error) {
      errors.push(`run ${i + 1}: baseline: ${error.message}`);
    } finally {
      brec.stop();
      await bworld.stop();
      await blab.remove();
    }
  }

  // --- lesson 02: deploy with the lesson's workloads, verify ------------------------------------------
  const lesson = await benchLesson({ startWorld, root, lesson: o.lesson, runs: o.runs, scale: o.scale, lab, summarize: summarizeChild, log, errors });

  // --- verify scaling ----------------------------------------------------------------------------
  const verifyScale = [];
  for (const nodes of o.quick ? [] : o.sizes) {
    const entry = { nodes, samples: [] };
    verifyScale.push(entry);
    const world = await startWorld({ timeScale: o.scale });
    const labDir = await makeLabDir(root, { nodes });
    try {
      log(`verify at ${nodes} nodes: lab deploy…`);
      const d = await lab(world, labDir, ['deploy', '--topology', labDir.topology, '--json']);
      entry.deploy = { ...summarizeChild(d), criticalPath: world.criticalPath() };
      if (d.code !== 0) throw new Error(`lab deploy (${nodes} nodes) exited ${d.code}: ${tail(d.stderr, 8)}`);
      if (nodes >= 100) entry.blocks = await addBlocks(world, { root, target: o.blocksAt100, nodeNames: labDir.nodeNames });
      for (let k = 0; k < o.runs; k += 1) {
        log(`verify at ${nodes} nodes: lab verify ${k + 1}/${o.runs}…`);
        world.api?.resetRequestCount();
        const v = await lab(world, labDir, ['verify', '--topology', labDir.topology, '--json'], { rss: true });
        entry.samples.push({ ...summarizeChild(v), requests: world.api ? world.api.requestCount() : null, requestsByPath: requestsByPath(world) });
        if (v.code !== 0) errors.push(`verify at ${nodes} nodes exited ${v.code}: ${tail(v.stderr, 8)}`);
      }
    } catch (error) {
      errors.push(`verify at ${nodes} nodes: ${error.message}`);
    } finally {
      await world.stop();
      await labDir.remove();
    }
  }

  // --- start-up ------------------------------------------------------------------------------------
  log(`start-up: ${o.quick ? 3 : o.startupCount} spawns each of node -e "", lab --version, lab --help…`);
  const startup = await measureStartup({ cli, count: o.quick ? 3 : o.startupCount, cwd: root });
  for (const f of startup.failures) errors.push(`start-up: ${f.name} exited ${f.code}: ${f.stderr}`);

  const rows = buildRows({ runs, lesson, verifyScale, startup, quick: o.quick });
  return {
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      scale: o.scale,
      runs: o.runs,
      quick: o.quick,
      loadavg: { start: loadStart, end: loadavg().map((x) => Math.round(x * 100) / 100) },
    },
    rows,
    table: renderTable(rows),
    errors,
    runs,
    lesson,
    verifyScale,
    startup: startup.samples,
  };
}

const ms = (v) => (typeof v === 'number' ? v : null);

export function buildRows({ runs, lesson, verifyScale, startup, quick }) {
  const rows = [];
  const deployWall = runs.map((r) => (r.deploy?.code === 0 ? r.deploy.wallMs : null));
  const deployCp = runs.map((r) => ms(r.deploy?.criticalPath?.realMs));
  const deployExcess = runs.map((r) => (r.deploy?.code === 0 ? r.deploy.excessMs : null));
  const baseWall = runs.map((r) => ms(r.baseline?.wallMs));
  const baseCp = runs.map((r) => ms(r.baseline?.criticalPath?.realMs));
  const baseExcess = runs.map((r) => ms(r.baseline?.excessMs));
  // Ratio per run (lab and baseline of the same run share the machine's state), as a percentage.
  const ratio = runs.map((r) => (r.deploy?.code === 0 && typeof r.baseline?.excessMs === 'number' && r.baseline.excessMs > 0 ? (100 * r.deploy.excessMs) / r.baseline.excessMs : null));

  rows.push(makeRow('deploy.wall', 'lab deploy: wall time', 'ms', deployWall));
  rows.push(makeRow('deploy.criticalPath', 'lab deploy: world critical path', 'ms', deployCp));
  rows.push(makeRow('deploy.excess', 'lab deploy: excess (wall − critical path)', 'ms', deployExcess, { op: '<=', value: 2000, text: '≤ 2 s', on: 'median' }));
  // Diagnostic: the part of the wall time outside lab's own step timer (process start-up, imports, exit).
  const outside = runs.map((r) => (r.deploy?.code === 0 && typeof r.deploy.json?.durationMs === 'number' ? r.deploy.wallMs - r.deploy.json.durationMs : null));
  if (outside.some((v) => v !== null)) rows.push(makeRow('deploy.outsideSteps', 'lab deploy: wall − its own durationMs (start-up, imports, exit)', 'ms', outside));
  rows.push(makeRow('deploy.requests', 'lab deploy: API requests (cold)', 'count', runs.map((r) => ms(r.deploy?.requests))));
  rows.push(makeRow('baseline.wall', 'old deploy.sh: wall time', 'ms', baseWall));
  rows.push(makeRow('baseline.criticalPath', 'old deploy.sh: world critical path', 'ms', baseCp));
  rows.push(makeRow('baseline.excess', 'old deploy.sh: excess', 'ms', baseExcess));
  rows.push(makeRow('deploy.excessRatio', 'lab excess / old excess (at this scale)', '%', ratio, { op: '<=', value: 5, text: '≤ 5 %', on: 'median' }));
  const projected = runs.map((r) => ms(r.baseline?.projectedExcessMs));
  const ratioReal = runs.map((r) => (r.deploy?.code === 0 && typeof r.baseline?.projectedExcessMs === 'number' && r.baseline.projectedExcessMs > 0 ? (100 * r.deploy.excessMs) / r.baseline.projectedExcessMs : null));
  rows.push(makeRow('baseline.projectedExcess', 'old deploy.sh: excess projected to real time', 'ms', projected));
  rows.push(makeRow('deploy.excessRatioReal', 'lab excess / old excess, projected to real time', '%', ratioReal, { op: '<=', value: 5, text: '≤ 5 %', on: 'median' }));

  const lag = (key) => runs.map((r) => ms(r.lags?.[key]?.ms));
  const lagTarget = { op: '<=', value: 1000, text: '≤ 1 s (max)', on: 'max' };
  rows.push(makeRow('lag.apiUp', 'detection lag: API up → first apply', 'ms', lag('apiUpToFirstWrite'), lagTarget));
  rows.push(makeRow('lag.crdEstablished', 'detection lag: CRDs Established → custom resources', 'ms', lag('crdEstablishedToCustomResource'), lagTarget));
  rows.push(makeRow('lag.ready', 'detection lag: Calico Available + nodes Ready → exit', 'ms', lag('readyToExit'), lagTarget));
  rows.push(makeRow('lag.all', 'detection lag: all conditions', 'ms', [...lag('apiUpToFirstWrite'), ...lag('crdEstablishedToCustomResource'), ...lag('readyToExit')], lagTarget));

  rows.push(makeRow('warm.wall', 'warm re-deploy: wall time', 'ms', runs.map((r) => (r.warm?.code === 0 ? r.warm.wallMs : null)), { op: '<=', value: 3000, text: '≤ 3 s', on: 'median' }));
  rows.push(makeRow('warm.requests', 'warm re-deploy: API requests', 'count', runs.map((r) => ms(r.warm?.requests))));
  rows.push(makeRow('warm.recreated', 'warm re-deploy: containers/objects recreated', 'count', runs.map((r) => (r.warm ? r.warm.recreated.length : null)), { op: '=', value: 0, text: '0', on: 'max' }));

  const v3wall = runs.map((r) => (r.verify?.code === 0 ? r.verify.wallMs : null));
  const v3req = runs.map((r) => ms(r.verify?.requests));
  rows.push(makeRow('verify.3.wall', 'verify, 3 nodes: wall time', 'ms', v3wall, { op: '<=', value: 1000, text: '≤ 1 s', on: 'median' }));
  rows.push(makeRow('verify.3.requests', 'verify, 3 nodes: API requests', 'count', v3req));
  const base = median(v3req);
  for (const entry of quick ? [] : verifyScale) {
    const label = entry.nodes >= 100 ? `${entry.nodes} nodes, ${entry.blocks?.total ?? '?'} blocks` : `${entry.nodes} nodes`;
    rows.push(makeRow(`verify.${entry.nodes}.wall`, `verify, ${label}: wall time`, 'ms', entry.samples.map((s) => (s.code === 0 ? s.wallMs : null)), { op: '<=', value: 2000, text: '≤ 2 s', on: 'median' }));
    rows.push(makeRow(`verify.${entry.nodes}.requests`, `verify, ${label}: API requests`, 'count', entry.samples.map((s) => ms(s.requests)), { op: '<=', value: base, text: '≤ count at 3 nodes', on: 'max' }));
  }

  if (lesson) rows.push(...lessonRows(lesson));

  const nodeMed = median(startup.samples.node);
  rows.push(makeRow('startup.node', 'start-up: node -e ""', 'ms', startup.samples.node));
  const startTarget = { op: '<=', value: nodeMed === null ? null : 2 * nodeMed, text: '≤ 2 × node', on: 'median' };
  rows.push(makeRow('startup.version', 'start-up: lab --version', 'ms', startup.samples.version, startTarget));
  rows.push(makeRow('startup.help', 'start-up: lab --help', 'ms', startup.samples.help, startTarget));
  if (startup.samples.importDeploy) rows.push(makeRow('startup.importDeploy', 'start-up: node + import of the deploy command', 'ms', startup.samples.importDeploy));
  if (startup.samples.importVerify) rows.push(makeRow('startup.importVerify', 'start-up: node + import of the verify command', 'ms', startup.samples.importVerify));

  const mb = (kb) => (typeof kb === 'number' ? kb / 1024 : null);
  rows.push(makeRow('memory.deploy', 'peak RSS: lab deploy', 'MB', runs.map((r) => mb(r.deploy?.maxRssKb))));
  rows.push(makeRow('memory.verify', 'peak RSS: lab verify (3 nodes)', 'MB', runs.map((r) => mb(r.verify?.maxRssKb))));
  const big = verifyScale.find((e) => e.nodes >= 100);
  if (!quick && big) rows.push(makeRow('memory.verify.100', `peak RSS: lab verify (${big.nodes} nodes)`, 'MB', big.samples.map((s) => mb(s.maxRssKb))));
  return rows;
}

/** Lesson 02's rows (ids `lesson.*`), comparable with lesson 01's cold deploy and 3-node verify. */
function lessonRows({ samples }) {
  const id = samples.find((s) => s.lesson)?.lesson ?? 'lesson';
  const ok = (s, part) => s[part]?.code === 0;
  return [
    makeRow('lesson.deploy.wall', `lab deploy, ${id}: wall time (with its workloads)`, 'ms', samples.map((s) => (ok(s, 'deploy') ? s.deploy.wallMs : null))),
    makeRow('lesson.deploy.criticalPath', `lab deploy, ${id}: world critical path`, 'ms', samples.map((s) => ms(s.deploy?.criticalPath?.realMs))),
    makeRow('lesson.deploy.excess', `lab deploy, ${id}: excess (wall − critical path)`, 'ms', samples.map((s) => (ok(s, 'deploy') ? s.deploy.excessMs : null)), { op: '<=', value: 2000, text: '≤ 2 s', on: 'median' }),
    makeRow('lesson.deploy.requests', `lab deploy, ${id}: API requests (cold)`, 'count', samples.map((s) => ms(s.deploy?.requests))),
    makeRow('lesson.verify.wall', `verify, ${id}: wall time`, 'ms', samples.map((s) => (ok(s, 'verify') ? s.verify.wallMs : null)), { op: '<=', value: 1000, text: '≤ 1 s', on: 'median' }),
    makeRow('lesson.verify.requests', `verify, ${id}: API requests`, 'count', samples.map((s) => ms(s.verify?.requests))),
    makeRow('memory.deploy.lesson', `peak RSS: lab deploy, ${id}`, 'MB', samples.map((s) => (typeof s.deploy?.maxRssKb === 'number' ? s.deploy.maxRssKb / 1024 : null))),
  ];
}

/** Write results.json + results.md (timestamped and `latest.*`) into `dir`. Returns the paths. */
export async function writeResults(dir, results) {
  await mkdir(dir, { recursive: true });
  const stamp = results.meta.date.replace(/[:.]/g, '-');
  const m = results.meta;
  const md = `# lab bench ${m.date}\n\n${m.world === 'real' ? 'real world' : `scale ${m.scale}`}, ${m.runs} run(s)${m.quick ? ' (quick)' : ''}, node ${m.node}, ${m.cpus} CPU(s) ${m.cpu ?? ''}, load average ${m.loadavg?.start?.[0] ?? '?'} → ${m.loadavg?.end?.[0] ?? '?'}\n\n${results.table}\n${results.errors.length ? `\nErrors:\n${results.errors.map((e) => `- ${e.replace(/\n/g, '\n  ')}`).join('\n')}\n` : ''}`;
  const files = {
    json: join(dir, `bench-${stamp}.json`),
    md: join(dir, `bench-${stamp}.md`),
    latestJson: join(dir, 'latest.json'),
    latestMd: join(dir, 'latest.md'),
  };
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(files.json, json);
  await writeFile(files.latestJson, json);
  await writeFile(files.md, md);
  await writeFile(files.latestMd, md);
  return files;
}

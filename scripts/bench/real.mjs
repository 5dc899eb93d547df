/**
 * `npm run bench -- --real`: lab deploy's rows against the REAL world (src/real/world.ts: the real
 * control plane, tigera-operator and Calico IPAM; only node boot, pod processes and the dataplane
 * fake). Runs inside the world's network namespace (scripts/bench.mjs puts it there).
 *
 * The real world has no critical path to subtract: its conditions are timed by the harness's own
 * watch (dist/real/observer.js), each event stamped with performance.now() as it arrives, on the same
 * clock as `lab`'s start and exit — TigeraStatus's lastTransitionTime is whole seconds, so it cannot
 * time a lag below one. A condition first seen in a list (it held before the watch looked) times
 * nothing, and its lag is n/a with the reason.
 *
 * One run = a fresh real world where `lab deploy` runs cold, again warm, then `lab verify` and
 * `lab destroy`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTimed, tail } from './child.mjs';
import { makeLabDir } from './labdir.mjs';
import { makeRow } from './table.mjs';
import { detectionLags } from './writes.mjs';

/** What the real world needs for a deploy to converge (the operator tier of test/real/lab.test.ts). */
export const REAL_REQUIRED = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'calicoctl', 'tigera-operator', 'calico-node', 'calico-ipam', 'kube-controllers'];
export const REAL_CALICO = 'v3.30.0';

const dist = (root, file) => import(pathToFileURL(join(root, 'dist', 'real', file)).href);

/** Why the real bench cannot run here (undefined when it can): missing components or manifests. */
export async function realPrerequisites(root) {
  const { findAll } = await dist(root, 'components.js');
  const { referenceManifestsDir } = await dist(root, 'downloads.js');
  const { existsSync } = await import('node:fs');
  const { missing } = findAll();
  const absent = REAL_REQUIRED.filter((p) => missing.includes(p));
  if (absent.length > 0) return `real components not built: ${absent.join(', ')} (npm run real:build; the tigera-operator is built by hand, see the README's "The two worlds")`;
  const manifests = referenceManifestsDir(root, REAL_CALICO);
  if (!existsSync(manifests)) return `${manifests} is absent (the real Calico ${REAL_CALICO} manifests come from ../shared/reference)`;
  return undefined;
}

const CRDS = 'customresourcedefinitions';

/**
 * The three detection lags of one real deploy (writes.mjs's detectionLags on the watch's events and
 * marks), each made n/a when one of its two ends was first seen in a list rather than as it happened.
 */
export function realLags({ marks, events, startAt, exitAt }) {
  const lags = detectionLags({ conditions: marks, events, startAt, exitAt });
  const listedMark = (name) => marks.find((m) => m.name === name)?.listed === true;
  const labWrites = events.filter((e) => e.at >= startAt && ((e.group === 'apiextensions.k8s.io' && e.resource === CRDS) || e.managers.includes('lab')));
  if (lags.apiUpToFirstWrite.ms !== null && labWrites[0]?.listed) lags.apiUpToFirstWrite = { ms: null, reason: `lab's first write (${labWrites[0].resource}/${labWrites[0].name}) was there before the harness's watch started` };
  const crWrite = events.find((e) => e.at >= startAt && e.group === 'operator.tigera.io' && e.resource === 'installations' && e.type === 'ADDED');
  const b = lags.crdEstablishedToCustomResource;
  if (b.ms !== null && (crWrite?.listed || listedMark(b.condition))) lags.crdEstablishedToCustomResource = { ms: null, reason: `${crWrite?.listed ? 'the Installation' : b.condition} was first seen in a list, not as it happened` };
  const c = lags.readyToExit;
  if (c.ms !== null && listedMark(c.condition)) lags.readyToExit = { ms: null, reason: `${c.condition} was first seen in a list, not as it happened` };
  return lags;
}

/** Available=True of a TigeraStatus as the watch saw it vs its whole-second lastTransitionTime. */
function transitionStamp(obj, wallAt) {
  const c = (obj?.status?.conditions ?? []).find((x) => x?.type === 'Available' && x?.status === 'True');
  if (!c?.lastTransitionTime) return undefined;
  return { name: obj.metadata?.name, lastTransitionTime: c.lastTransitionTime, seenAt: new Date(wallAt).toISOString(), seenAfterMs: wallAt - Date.parse(c.lastTransitionTime) };
}

/** uids that must not change on a warm re-deploy: Nodes, CRDs, Installation, APIServer. */
async function identity(kube) {
  const out = {};
  for (const path of ['/api/v1/nodes', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', '/apis/operator.tigera.io/v1/installations', '/apis/operator.tigera.io/v1/apiservers']) {
    for (const o of await kube.list(path)) out[`${path.split('/').at(-1)}/${o.metadata?.name}`] = o.metadata?.uid;
  }
  return out;
}

/**
 * @param {{ root: string, runs: number, summarize: (r: any) => object, log?: (line: string) => void, childTimeoutMs?: number }} o
 * @returns {Promise<{ samples: object[], errors: string[], components: string[] }>}
 */
export async function runRealBench(o) {
  const log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  const { startRealWorld } = await dist(o.root, 'world.js');
  const { observeCluster } = await dist(o.root, 'observer.js');
  const { referenceManifestsDir } = await dist(o.root, 'downloads.js');
  const { findAll, describe } = await dist(o.root, 'components.js');
  const { fakeBanner } = await dist(o.root, 'fake.js');
  log(fakeBanner());
  const rssWrapper = join(o.root, 'scripts/bench/rss.mjs');
  const cli = join(o.root, 'dist/cli.js');
  const errors = [];
  const samples = [];
  for (let i = 0; i < o.runs; i += 1) {
    const sample = { index: i };
    samples.push(sample);
    const logDir = join(process.env.LAB_REAL_TMP ?? '/tmp', `bench-run-${i + 1}`);
    const world = await startRealWorld({ logDir, manifestsDir: referenceManifestsDir(o.root, REAL_CALICO), log: () => undefined });
    const labDir = await makeLabDir(o.root);
    const env = { ...world.env, CI: 'true', NO_COLOR: '1' };
    const lab = (args, extra = {}) => runTimed(process.execPath, [cli, ...args], { env, cwd: labDir.dir, timeoutMs: o.childTimeoutMs ?? 15 * 60_000, rssWrapper, ...extra });
    const stamps = [];
    const observer = observeCluster(() => world.kube(), {
      onObject: (w, _type, obj) => {
        if (w.resource !== 'tigerastatuses') return;
        const s = transitionStamp(obj, Date.now());
        if (s && !stamps.some((x) => x.name === s.name)) stamps.push(s);
      },
    });
    try {
      log(`real run ${i + 1}/${o.runs}: lab deploy (cold)…`);
      const d = await lab(['deploy', '--topology', labDir.topology, '--json', '--timeout', '12m'], { rss: true });
      const marks = [...observer.marks].sort((a, b) => a.at - b.at);
      const at = (name) => marks.find((m) => m.name === name)?.at;
      const ready = marks.filter((m) => m.name === 'tigerastatus-available:calico' || m.name === 'tigerastatus-available:apiserver' || m.name.startsWith('node-ready:'));
      sample.deploy = {
        ...o.summarize(d),
        marks: marks.map((m) => ({ name: m.name, atMs: Math.round(m.at - d.startAt), ...(m.listed ? { listed: true } : {}) })),
        apiUpMs: at('api-up') === undefined ? null : at('api-up') - d.startAt,
        readyMs: ready.length === 0 ? null : Math.max(...ready.map((m) => m.at)) - d.startAt,
        tigerastatusStamps: stamps,
        watch: { ...observer.stats },
      };
      sample.lags = realLags({ marks, events: observer.events, startAt: d.startAt, exitAt: d.exitAt });
      if (d.code !== 0) throw new Error(`lab deploy exited ${d.code}: ${tail(d.stderr, 8)}`);
      log(`  deploy ${(d.wallMs / 1000).toFixed(2)} s; ready seen at ${((sample.deploy.readyMs ?? NaN) / 1000).toFixed(2)} s; exit ${sample.lags.readyToExit.ms === null ? 'n/a' : `${Math.round(sample.lags.readyToExit.ms)} ms`} after it`);

      log(`real run ${i + 1}/${o.runs}: lab deploy again (warm)…`);
      const kube = world.kube();
      const before = await identity(kube);
      const w = await lab(['deploy', '--topology', labDir.topology, '--json', '--timeout', '5m']);
      const after = await identity(kube);
      sample.warm = { ...o.summarize(w), recreated: Object.keys(before).filter((k) => after[k] !== before[k]), checked: Object.keys(before).length };
      if (w.code !== 0) errors.push(`real run ${i + 1}: warm lab deploy exited ${w.code}: ${tail(w.stderr, 8)}`);

      log(`real run ${i + 1}/${o.runs}: lab verify…`);
      const v = await lab(['verify', '--topology', labDir.topology, '--json'], { rss: true });
      sample.verify = o.summarize(v);
      if (v.code !== 0) errors.push(`real run ${i + 1}: lab verify exited ${v.code}: ${tail(v.stderr, 8)}`);

      const x = await lab(['destroy', '--topology', labDir.topology, '--yes']);
      sample.destroy = o.summarize(x);
      if (x.code !== 0) errors.push(`real run ${i + 1}: lab destroy exited ${x.code}: ${tail(x.stderr, 8)}`);
    } catch (error) {
      errors.push(`real run ${i + 1}: ${error.message}`);
    } finally {
      await observer.stop();
      await world.stop();
      await labDir.remove();
    }
  }
  return { samples, errors, components: describe(findAll().found.values()) };
}

const ms = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The real world's rows (ids `real.*`), targets as the simulated rows they correspond to. */
export function buildRealRows(samples) {
  const ok = (s, part) => s[part]?.code === 0;
  const lag = (key) => samples.map((s) => ms(s.lags?.[key]?.ms));
  const lagTarget = { op: '<=', value: 1000, text: '≤ 1 s (max)', on: 'max' };
  const mb = (kb) => (typeof kb === 'number' ? kb / 1024 : null);
  return [
    makeRow('real.deploy.wall', 'real world: lab deploy wall time (cold)', 'ms', samples.map((s) => (ok(s, 'deploy') ? s.deploy.wallMs : null))),
    makeRow('real.deploy.apiUp', 'real world: API up (harness watch), after deploy start', 'ms', samples.map((s) => ms(s.deploy?.apiUpMs))),
    makeRow('real.deploy.ready', 'real world: Calico Available + nodes Ready (harness watch)', 'ms', samples.map((s) => ms(s.deploy?.readyMs))),
    makeRow('real.lag.apiUp', 'real world: detection lag API up → first apply', 'ms', lag('apiUpToFirstWrite'), lagTarget),
    makeRow('real.lag.crdEstablished', 'real world: detection lag CRDs Established → custom resources', 'ms', lag('crdEstablishedToCustomResource'), lagTarget),
    makeRow('real.lag.ready', 'real world: detection lag Calico Available + nodes Ready → exit', 'ms', lag('readyToExit'), lagTarget),
    makeRow('real.warm.wall', 'real world: warm re-deploy wall time', 'ms', samples.map((s) => (ok(s, 'warm') ? s.warm.wallMs : null)), { op: '<=', value: 3000, text: '≤ 3 s', on: 'median' }),
    makeRow('real.warm.recreated', 'real world: warm re-deploy objects recreated', 'count', samples.map((s) => (s.warm ? s.warm.recreated.length : null)), { op: '=', value: 0, text: '0', on: 'max' }),
    makeRow('real.verify.wall', 'real world: lab verify wall time (3 nodes, real calicoctl)', 'ms', samples.map((s) => (ok(s, 'verify') ? s.verify.wallMs : null)), { op: '<=', value: 1000, text: '≤ 1 s', on: 'median' }),
    makeRow('real.memory.deploy', 'real world: peak RSS of lab deploy', 'MB', samples.map((s) => mb(s.deploy?.maxRssKb))),
  ];
}

/**
 * The baseline: the old deploy.sh of lesson 01, step by step, against a fresh simulated world, with the
 * same fake executables and the same API, every fixed duration multiplied by the world's time scale:
 *
 *   containerlab destroy -t …  --cleanup; containerlab deploy -t …
 *   sleep 30
 *   kind get kubeconfig --name <cluster> > <cluster>.kubeconfig
 *   curl calicoctl (serial, no checksum)
 *   until kubectl get nodes (non-empty); do sleep 5; done
 *   kubectl create -f operator-crds.yaml; kubectl create -f tigera-operator.yaml   (no wait)
 *   until kubectl create -f custom-resources.yaml; do sleep 5; done               (404 until the CRD is served)
 *   until tigerastatus calico and apiserver Available; do sleep 15; done
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import { runTimed, tail } from './child.mjs';
import { kubeClient } from './kube.mjs';

const ARCH = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le' };

/** GET a URL into a Buffer, following redirects (curl -L). https uses the CA the env names, if any. */
export async function download(url, env, redirects = 5) {
  const u = new URL(url);
  const caFile = env.NODE_EXTRA_CA_CERTS ?? env.SSL_CERT_FILE;
  const ca = u.protocol === 'https:' && caFile ? await readFile(caFile) : undefined;
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).get(u, ca ? { ca } : {}, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(download(new URL(res.headers.location, u).href, env, redirects - 1));
        return;
      }
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The URLs of the pinned artifacts from the world's pins file ($LAB_PINS). */
export async function pinnedUrls(env) {
  if (!env.LAB_PINS) throw new Error('the world env has no LAB_PINS');
  const pins = parse(await readFile(env.LAB_PINS, 'utf8'));
  const version = pins.versions?.[pins.default] ?? Object.values(pins.versions ?? {})[0];
  if (!version) throw new Error(`${env.LAB_PINS}: no versions`);
  const arch = `linux-${ARCH[process.arch] ?? process.arch}`;
  const calicoctl = version.calicoctl?.[arch]?.url ?? Object.values(version.calicoctl ?? {})[0]?.url;
  return {
    calicoctl,
    operatorCrds: version.manifests?.['operator-crds.yaml']?.url,
    tigeraOperator: version.manifests?.['tigera-operator.yaml']?.url,
  };
}

async function tool(env, cwd, command, args) {
  const r = await runTimed(command, args, { env, cwd });
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${tail(r.stderr, 5)}`);
  return r;
}

/**
 * Deploy `lab` (a makeLabDir result) into `world` the old way. Returns { wallMs, startAt, endAt, steps }.
 * `signal` bounds every poll loop (the old script had none; the bench must end).
 */
export async function runBaseline({ world, lab, scale, signal }) {
  const env = world.env;
  const cwd = lab.dir;
  const steps = [];
  /** Every sleep, tagged with the loop it belongs to (for the waste estimate, see baselineWaste). */
  const sleeps = [];
  const nap = async (loop, ms) => {
    const at = performance.now();
    await sleep(ms, undefined, { signal });
    sleeps.push({ loop, startAt: at, endAt: performance.now() });
  };
  const startAt = performance.now();
  let mark = startAt;
  const step = (name, extra = {}) => {
    const now = performance.now();
    steps.push({ name, ms: now - mark, ...extra });
    mark = now;
  };

  // The simulated containerlab refuses to run where the real one would ask GitHub for its latest
  // release (lab sets this for every call); the old script never did, but the world needs it.
  const clabEnv = { ...env, CLAB_VERSION_CHECK: 'disable' };
  await runTimed('containerlab', ['destroy', '-t', lab.topology, '--cleanup'], { env: clabEnv, cwd });
  await tool(clabEnv, cwd, 'containerlab', ['deploy', '-t', lab.topology]);
  step('containerlab deploy');

  await nap('fixed', 30_000 * scale);
  step('sleep 30');

  const kubeconfigText = (await tool(env, cwd, 'kind', ['get', 'kubeconfig', '--name', lab.cluster])).stdout;
  const kubeconfigFile = join(lab.dir, `${lab.cluster}.kubeconfig`);
  await writeFile(kubeconfigFile, kubeconfigText, { mode: 0o644 });
  step('kind get kubeconfig');

  const urls = await pinnedUrls(env);
  const calicoctl = await download(urls.calicoctl, env);
  await writeFile(join(lab.dir, 'calicoctl'), calicoctl);
  await chmod(join(lab.dir, 'calicoctl'), 0o755);
  step('download calicoctl', { bytes: calicoctl.length });

  const kube = kubeClient(kubeconfigText);
  try {
    let nodePolls = 0;
    for (;;) {
      signal?.throwIfAborted();
      nodePolls += 1;
      const res = await kube.request('GET', '/api/v1/nodes').catch(() => undefined);
      if (res?.status === 200 && (res.body.items ?? []).length > 0) break;
      await nap('nodes', 5_000 * scale);
    }
    step('poll nodes (5 s)', { polls: nodePolls });

    for (const [name, url] of [
      ['operator-crds.yaml', urls.operatorCrds],
      ['tigera-operator.yaml', urls.tigeraOperator],
    ]) {
      const text = (await download(url, env)).toString('utf8');
      let created = 0;
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJS();
        if (!obj?.kind) continue;
        const res = await kube.create(obj);
        if (res.status >= 300 && res.status !== 409) throw new Error(`kubectl create -f ${name}: ${obj.kind}/${obj.metadata?.name}: HTTP ${res.status} ${res.body?.message ?? ''}`);
        created += 1;
      }
      step(`kubectl create -f ${name}`, { objects: created });
    }

    const crs = parseAllDocuments(await readFile(lab.customResources, 'utf8'))
      .map((d) => d.toJS())
      .filter((o) => o?.kind);
    let attempts = 0;
    for (;;) {
      signal?.throwIfAborted();
      attempts += 1;
      let missing = 0;
      for (const obj of crs) {
        const res = await kube.create(obj);
        if (res.status === 404) missing += 1;
        else if (res.status >= 300 && res.status !== 409) throw new Error(`kubectl create custom resources: ${obj.kind}: HTTP ${res.status} ${res.body?.message ?? ''}`);
      }
      if (missing === 0) break;
      await nap('crs', 5_000 * scale);
    }
    step('create custom resources (retry 5 s)', { attempts });

    const available = async (name) => {
      const res = await kube.request('GET', `/apis/operator.tigera.io/v1/tigerastatuses/${name}`).catch(() => undefined);
      return res?.status === 200 && (res.body.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
    };
    let polls = 0;
    for (;;) {
      signal?.throwIfAborted();
      polls += 1;
      if ((await available('calico')) && (await available('apiserver'))) break;
      await nap('tigerastatus', 15_000 * scale);
    }
    step('poll tigerastatus (15 s)', { polls });
  } finally {
    kube.close();
  }
  const endAt = performance.now();
  const customResources = crsKinds(await readFile(lab.customResources, 'utf8'));
  return { wallMs: endAt - startAt, startAt, endAt, steps, sleeps, customResources };
}

function crsKinds(text) {
  return parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o?.kind)
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind }));
}

const overlap = (a0, a1, b0, b1) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * How much of the baseline's time was spent sleeping although what it waited for was already true —
 * the part of its excess that is made of scaled durations (30 s sleep, 5 s and 15 s poll intervals).
 * `ready` gives, per loop, when its condition became true in the world (performance.now()):
 *   fixed: -Infinity (the whole 30 s sleep is waste: containerlab returned after the cluster was up),
 *   nodes: the first node-created, crs: the custom resources' CRDs Established, tigerastatus: both Available.
 * A loop whose condition the world never recorded counts no waste.
 */
export function baselineWaste(sleeps, ready) {
  let ms = 0;
  const byLoop = {};
  for (const s of sleeps) {
    const from = s.loop === 'fixed' ? -Infinity : ready[s.loop];
    if (from === undefined || from === null) continue;
    const w = overlap(s.startAt, s.endAt, from, Infinity);
    ms += w;
    byLoop[s.loop] = (byLoop[s.loop] ?? 0) + w;
  }
  return { ms, byLoop };
}

/** When each baseline loop's condition became true in `world` (see baselineWaste), from its marks and CRDs. */
export function baselineReady(world, conditions, customResources) {
  const at = (name) => conditions.find((c) => c.name === name)?.at;
  const firstNode = conditions.filter((c) => c.name.startsWith('node-created:')).reduce((a, c) => Math.min(a, c.at), Infinity);
  const crds = world.store.list({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }).items;
  const needed = customResources.map((r) => {
    const group = r.apiVersion.split('/')[0];
    return crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === r.kind)?.metadata.name;
  });
  const established = needed.map((n) => (n ? at(`crd-established:${n}`) : undefined));
  const calico = at('tigerastatus-available:calico');
  const apiserver = at('tigerastatus-available:apiserver');
  return {
    nodes: Number.isFinite(firstNode) ? firstNode : undefined,
    crs: established.every((t) => t !== undefined) ? Math.max(...established) : undefined,
    tigerastatus: calico !== undefined && apiserver !== undefined ? Math.max(calico, apiserver) : undefined,
  };
}

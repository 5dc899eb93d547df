/**
 * The diagnostics bundle (`lab collect`, and `lab deploy --collect-on-failure`): everything needed to
 * see why a run failed without re-running it, and nothing secret.
 *
 *   README.txt                     what was collected, what failed and why
 *   containerlab-inspect.json      `containerlab inspect -t <topology> --format json`
 *   kind-logs/                     `kind export logs`
 *   cluster/{tigerastatuses,installations,apiservers,nodes}.yaml
 *   cluster/nodes.txt              one line per node: Ready, roles, addresses
 *   pods/<namespace>.yaml          pods of kube-system, tigera-operator, calico-system, calico-apiserver
 *   pods/<namespace>.describe.txt  describe-level: conditions, container states and reasons, events
 *   logs/<ns>/<pod>/<container>.log  last lines of failing containers
 *   events/warnings.txt            every Warning event (and events.yaml)
 *   verify.json                    the verify report, when given
 *
 * Every part has its own deadline; a part that fails is recorded in README.txt and the bundle goes on.
 * `collectBundle` never throws for a partial bundle (only for Ctrl-C or an unwritable output dir).
 * No kubeconfig is written (the API is reached with the lab's kubeconfig, or `kind get kubeconfig`
 * held in memory); every object is redacted (`redactObject`) and every file passes `redactText`.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { errorMessage, InterruptedError, PrerequisiteError } from '../errors.js';
import type { KubeObject, Lab } from '../lab/model.js';
import { collectionPath, KubeClient } from '../kube/client.js';
import { kindExportLogs, kindGetKubeconfig } from '../tools/kind.js';
import { run } from '../tools/exec.js';
import type { Logger } from '../ui/log.js';
import { isForbiddenFile, redactObject, redactText } from './redact.js';
import { describePod, type EventLike, type PodLike } from './describe.js';

export const COLLECT_NAMESPACES = ['kube-system', 'tigera-operator', 'calico-system', 'calico-apiserver'] as const;

/** The few calls the bundle makes to the API (KubeClient satisfies it; tests pass a fake). */
export interface KubeLike {
  request(method: string, path: string, o?: { query?: Record<string, string | undefined>; deadline?: number; noRetry?: boolean }): Promise<{ status: number; body: string }>;
  close(): void;
}

export interface CollectDeps {
  /** A client for the lab's API, or throws why there is none. */
  kube(lab: Lab, o: { signal: AbortSignal; log: Logger; env: NodeJS.ProcessEnv }): Promise<KubeLike>;
  exportLogs(cluster: string, dir: string, o: { signal: AbortSignal; log: Logger; env: NodeJS.ProcessEnv; timeout: number }): Promise<void>;
  containerlabInspect(topologyFile: string, o: { signal: AbortSignal; log: Logger; env: NodeJS.ProcessEnv; timeout: number }): Promise<string>;
}

export interface CollectOptions {
  /** Bundle directory (default `<cwd>/lab-diagnostics-<UTC time>`). */
  output?: string;
  cwd?: string;
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** A verify JSON report to include. */
  verifyJson?: string;
  /** Why the bundle is written (e.g. the deploy error), recorded in README.txt. */
  reason?: string;
  /** Deadline of each part in ms (default: kind logs 180 s, others 30 s). */
  partTimeout?: number;
  /** Lines of log per failing container (default 60). */
  logLines?: number;
  deps?: Partial<CollectDeps>;
}

export interface CollectPart {
  name: string;
  ok: boolean;
  files: string[];
  /** Why it failed or was skipped. */
  error?: string;
  note?: string;
  ms: number;
}

export interface CollectResult {
  dir: string;
  parts: CollectPart[];
  /** Files dropped or rewritten by the redaction pass. */
  redacted: { dropped: string[]; rewritten: string[] };
}

export async function collectBundle(lab: Lab, o: CollectOptions): Promise<string> {
  return (await collectBundleDetailed(lab, o)).dir;
}

export function defaultBundleDir(cwd: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return path.resolve(cwd, `lab-diagnostics-${stamp}`);
}

const defaultDeps: CollectDeps = {
  async kube(lab, o) {
    let exists = false;
    try {
      exists = (await stat(lab.kubeconfigPath)).isFile();
    } catch {
      exists = false;
    }
    if (exists) return KubeClient.fromFile(lab.kubeconfigPath, { signal: o.signal, log: o.log });
    // Held in memory only: the bundle never contains a kubeconfig.
    const text = await kindGetKubeconfig(lab.cluster, { signal: o.signal, log: o.log, env: o.env, timeout: 20_000 });
    return KubeClient.fromString(text, { signal: o.signal, log: o.log });
  },
  async exportLogs(cluster, dir, o) {
    await kindExportLogs(cluster, dir, { signal: o.signal, log: o.log, env: o.env, timeout: o.timeout });
  },
  async containerlabInspect(topologyFile, o) {
    const r = await run('containerlab', ['inspect', '-t', topologyFile, '--format', 'json'], { signal: o.signal, log: o.log, env: o.env, timeout: o.timeout });
    if (r.exitCode !== 0) throw new Error(`containerlab inspect failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    return r.stdout;
  },
};

export async function collectBundleDetailed(lab: Lab, o: CollectOptions): Promise<CollectResult> {
  const deps: CollectDeps = { ...defaultDeps, ...o.deps };
  const dir = o.output !== undefined ? path.resolve(o.cwd ?? process.cwd(), o.output) : defaultBundleDir(o.cwd ?? process.cwd());
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new PrerequisiteError(`cannot create the bundle directory ${dir}`, { cause: error, hint: 'choose a writable directory with -o <dir>' });
  }
  const partTimeout = o.partTimeout ?? 30_000;
  const parts: CollectPart[] = [];
  /** One line per pod that is not Ready, for the README's first screen. */
  const notReady: string[] = [];
  const base = { signal: o.signal, log: o.log, env: o.env };

  const write = async (rel: string, content: string): Promise<string> => {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, redactText(content), { mode: 0o644 });
    return rel;
  };

  /** Run one part under its deadline; record the outcome; never throw (except Ctrl-C). */
  const part = async (name: string, ms: number, body: (signal: AbortSignal) => Promise<{ files: string[]; note?: string }>): Promise<void> => {
    const started = Date.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort = (): void => undefined;
    // Settles with the part's deadline or with Ctrl-C, whichever comes first; the part's own work is aborted too.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new Error(`did not finish within ${ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`}`);
        controller.abort(e);
        reject(e);
      }, ms);
      onAbort = (): void => {
        controller.abort(o.signal.reason);
        reject(o.signal.reason);
      };
      if (o.signal.aborted) onAbort();
      else o.signal.addEventListener('abort', onAbort, { once: true });
    });
    deadline.catch(() => undefined);
    try {
      const r = await Promise.race([body(controller.signal), deadline]);
      parts.push({ name, ok: true, files: r.files, ...(r.note ? { note: r.note } : {}), ms: Date.now() - started });
    } catch (error) {
      // Ctrl-C ends collecting; any other abort of the caller's signal (its own deadline) ends only the parts.
      if (o.signal.aborted && o.signal.reason instanceof InterruptedError) throw o.signal.reason;
      parts.push({ name, ok: false, files: [], error: oneLine(error), ms: Date.now() - started });
      o.log.verbose(`collect: ${name} failed: ${oneLine(error)}`);
    } finally {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
    }
  };

  const kubePart = async (): Promise<void> => {
    let client: KubeLike | undefined;
    await part('kubernetes API', partTimeout, async (signal) => {
      client = await deps.kube(lab, { ...base, signal });
      const r = await client.request('GET', '/version', { deadline: Date.now() + Math.min(partTimeout, 10_000), noRetry: false });
      if (r.status >= 400) throw new Error(`GET /version: HTTP ${r.status}`);
      return { files: [], note: `reachable (${versionOf(r.body)})` };
    });
    if (!client || !parts.at(-1)?.ok) {
      client?.close();
      for (const name of ['Calico operator objects', 'nodes', 'pods', 'events', 'container logs']) {
        parts.push({ name, ok: false, files: [], error: 'skipped: the Kubernetes API is not reachable (see "kubernetes API")', ms: 0 });
      }
      return;
    }
    const kube = client;
    const get = async (apiVersion: string, plural: string, q: { namespace?: string; fieldSelector?: string } = {}): Promise<KubeObject[]> => {
      const r = await kube.request('GET', collectionPath(apiVersion, plural, q.namespace), { query: { fieldSelector: q.fieldSelector }, deadline: Date.now() + partTimeout });
      if (r.status === 404) throw Object.assign(new Error(`${plural}.${apiVersion}: not served by this cluster (404)`), { notFound: true });
      if (r.status >= 400) throw new Error(`GET ${collectionPath(apiVersion, plural, q.namespace)}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      return ((JSON.parse(r.body) as { items?: KubeObject[] }).items ?? []);
    };
    const yamlOf = (items: unknown[]): string => stringify(redactObject(items) ?? [], { lineWidth: 0 });
    try {
      await part('Calico operator objects', partTimeout, async () => {
        const files: string[] = [];
        const missing: string[] = [];
        for (const plural of ['tigerastatuses', 'installations', 'apiservers']) {
          try {
            files.push(await write(`cluster/${plural}.yaml`, yamlOf(await get('operator.tigera.io/v1', plural))));
          } catch (error) {
            if ((error as { notFound?: boolean }).notFound) missing.push(plural);
            else throw error;
          }
        }
        if (files.length === 0) throw new Error('operator.tigera.io/v1 is not served (the operator CRDs are not installed)');
        return { files, ...(missing.length ? { note: `not served: ${missing.join(', ')}` } : {}) };
      });
      await part('nodes', partTimeout, async () => {
        const nodes = await get('v1', 'nodes');
        return { files: [await write('cluster/nodes.yaml', yamlOf(nodes)), await write('cluster/nodes.txt', nodes.map(nodeLine).join('\n') + '\n')] };
      });
      const podsByNs = new Map<string, PodLike[]>();
      const eventsByNs = new Map<string, EventLike[]>();
      await part('pods', partTimeout * 2, async () => {
        const files: string[] = [];
        for (const ns of COLLECT_NAMESPACES) {
          const pods = (await get('v1', 'pods', { namespace: ns })) as unknown as PodLike[];
          let events: EventLike[] = [];
          try {
            events = (await get('v1', 'events', { namespace: ns })) as unknown as EventLike[];
          } catch {
            events = [];
          }
          podsByNs.set(ns, pods);
          for (const pod of pods) {
            const line = notReadyLine(pod);
            if (line) notReady.push(line);
          }
          eventsByNs.set(ns, events);
          files.push(await write(`pods/${ns}.yaml`, yamlOf(pods)));
          const text = pods.length === 0 ? `no pods in ${ns}\n` : pods.map((p) => describePod(p, events)).join('\n');
          files.push(await write(`pods/${ns}.describe.txt`, text));
        }
        return { files };
      });
      await part('events', partTimeout, async () => {
        const warnings = (await get('v1', 'events', { fieldSelector: 'type=Warning' })) as unknown as EventLike[];
        const lines = warnings
          .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
          .map((e) => `${eventTime(e)}  ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.namespace ? `${e.involvedObject.namespace}/` : ''}${e.involvedObject?.name ?? ''}  ${e.reason ?? ''}: ${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`);
        return {
          files: [await write('events/warnings.txt', lines.length ? `${lines.join('\n')}\n` : 'no Warning events\n'), await write('events/warnings.yaml', yamlOf(warnings))],
        };
      });
      await part('container logs', partTimeout * 2, async () => {
        const files: string[] = [];
        const notes: string[] = [];
        for (const [ns, pods] of podsByNs) {
          for (const pod of pods) {
            for (const c of failingContainers(pod)) {
              const query = { container: c.name, tailLines: String(o.logLines ?? 60), ...(c.previous ? { previous: 'true' } : {}) };
              const p = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.metadata.name)}/log`;
              const r = await kube.request('GET', p, { query, deadline: Date.now() + 10_000 });
              if (r.status >= 400) {
                notes.push(`${ns}/${pod.metadata.name}/${c.name}: no log (HTTP ${r.status}${c.reason ? `, ${c.reason}` : ''})`);
                continue;
              }
              files.push(await write(`logs/${ns}/${pod.metadata.name}/${c.name}${c.previous ? '.previous' : ''}.log`, r.body));
            }
          }
        }
        const note = files.length === 0 && notes.length === 0 ? 'no failing containers' : notes.join('; ');
        return { files, ...(note ? { note } : {}) };
      });
    } finally {
      kube.close();
    }
  };

  await Promise.all([
    part('containerlab inspect', partTimeout, async (signal) => {
      const text = await deps.containerlabInspect(lab.topologyFile, { ...base, signal, timeout: partTimeout });
      let pretty = text;
      try {
        pretty = `${JSON.stringify(redactObject(JSON.parse(text)), null, 2)}\n`;
      } catch {
        // keep containerlab's own text
      }
      return { files: [await write('containerlab-inspect.json', pretty)] };
    }),
    part('kind export logs', Math.max(partTimeout, o.partTimeout ?? 180_000), async (signal) => {
      const target = path.join(dir, 'kind-logs');
      await deps.exportLogs(lab.cluster, target, { ...base, signal, timeout: Math.max(partTimeout, o.partTimeout ?? 180_000) });
      return { files: ['kind-logs/'] };
    }),
    kubePart(),
    ...(o.verifyJson
      ? [
          part('verify report', partTimeout, async () => {
            const text = await readFile(path.resolve(o.cwd ?? process.cwd(), o.verifyJson!), 'utf8');
            let out = text;
            try {
              out = `${JSON.stringify(redactObject(JSON.parse(text)), null, 2)}\n`;
            } catch {
              // not JSON: keep as text (still redacted)
            }
            return { files: [await write('verify.json', out)] };
          }),
        ]
      : []),
  ]);

  const redacted = await redactTree(dir);
  const order = ['containerlab inspect', 'kind export logs', 'kubernetes API', 'Calico operator objects', 'nodes', 'pods', 'events', 'container logs', 'verify report'];
  parts.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  await writeFile(path.join(dir, 'README.txt'), readme(lab, parts, redacted, o.reason, notReady));
  return { dir, parts, redacted };
}

function versionOf(body: string): string {
  try {
    const v = (JSON.parse(body) as { gitVersion?: string }).gitVersion;
    return v ?? 'version unknown';
  } catch {
    return 'version unknown';
  }
}

function oneLine(error: unknown): string {
  const text = errorMessage(error).split('\n')[0] ?? '';
  const details = (error as { details?: unknown }).details;
  const extra = Array.isArray(details) ? details.filter((d): d is string => typeof d === 'string' && !d.startsWith('$ ')).slice(-1) : [];
  const all = [text, ...extra].join(' — ');
  return redactText(all.length > 300 ? `${all.slice(0, 297)}…` : all);
}

function eventTime(e: EventLike): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
}

function nodeLine(node: KubeObject): string {
  const status = (node['status'] ?? {}) as { conditions?: { type: string; status: string; reason?: string }[]; addresses?: { type: string; address: string }[]; nodeInfo?: { kubeletVersion?: string } };
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const labels = (node.metadata['labels'] ?? {}) as Record<string, string>;
  const roles = Object.keys(labels).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.split('/')[1]).join(',') || '<none>';
  const ip = status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
  return `${node.metadata.name}  Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}  roles=${roles}  ip=${ip}  kubelet=${status.nodeInfo?.kubeletVersion ?? ''}`;
}

/** `calico-system/calico-node-x: ImagePullBackOff (calico-node)` for a pod that is not Ready; undefined when it is. */
export function notReadyLine(pod: PodLike): string | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (pod.status?.phase === 'Succeeded' || ready?.status === 'True') return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const reasons = statuses
    .filter((c) => c.ready !== true && (c.state?.waiting || c.state?.terminated))
    .map((c) => `${c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? 'not ready'} (${c.name})`);
  const phase = pod.status?.phase ?? 'Unknown';
  const why = reasons.length ? reasons.join(', ') : pod.status?.reason ?? phase;
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name}: ${why}${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`;
}

/** Containers worth a log: waiting after a crash, terminated with an error, or restarted. */
export function failingContainers(pod: PodLike): { name: string; previous: boolean; reason: string | undefined }[] {
  const out: { name: string; previous: boolean; reason: string | undefined }[] = [];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    const terminated = s.state?.terminated;
    const crashed = waiting && /CrashLoopBackOff|Error|RunContainerError|CreateContainerError/.test(waiting.reason ?? '');
    const failedExit = terminated && terminated.exitCode !== 0;
    const notReadyRunning = s.state?.running && s.ready === false && (s.restartCount ?? 0) > 0;
    if (crashed || failedExit || notReadyRunning) {
      out.push({ name: s.name, previous: Boolean(crashed) && (s.restartCount ?? 0) > 0, reason: waiting?.reason ?? terminated?.reason });
    }
  }
  return out;
}

/** Walk the bundle: drop forbidden files, rewrite every text file through redactText. */
async function redactTree(dir: string): Promise<{ dropped: string[]; rewritten: string[] }> {
  const dropped: string[] = [];
  const rewritten: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const file = path.join(current, e.name);
      const rel = path.relative(dir, file);
      if (e.isDirectory()) {
        await walk(file);
        continue;
      }
      if (isForbiddenFile(e.name) || e.isSymbolicLink()) {
        await rm(file, { force: true });
        dropped.push(rel);
        continue;
      }
      if (!e.isFile()) continue;
      const size = (await stat(file)).size;
      if (size > 256 * 1024 * 1024) {
        await rm(file, { force: true });
        dropped.push(`${rel} (too large to check for secrets)`);
        continue;
      }
      const buffer = await readFile(file);
      if (buffer.subarray(0, 8000).includes(0)) {
        await rm(file, { force: true });
        dropped.push(`${rel} (binary)`);
        continue;
      }
      const text = buffer.toString('utf8');
      const clean = redactText(text);
      if (clean !== text) {
        await writeFile(file, clean);
        rewritten.push(rel);
      }
    }
  };
  await walk(dir);
  return { dropped, rewritten };
}

function readme(lab: Lab, parts: CollectPart[], redacted: { dropped: string[]; rewritten: string[] }, reason: string | undefined, notReady: string[]): string {
  const ok = parts.filter((p) => p.ok);
  const failed = parts.filter((p) => !p.ok);
  const lines = [
    `lab diagnostics bundle — lab ${lab.name}, cluster ${lab.cluster}, Calico ${lab.calico.version}`,
    `written ${new Date().toISOString()}`,
    `topology ${lab.topologyFile}`,
    ...(reason ? [`reason: ${redactText(reason)}`] : []),
    '',
    'Start with: cluster/tigerastatuses.yaml, pods/<namespace>.describe.txt, events/warnings.txt, logs/.',
    '',
    ...(notReady.length ? [`Pods not ready (${notReady.length}):`, ...notReady.map((l) => `  ${redactText(l)}`), ''] : []),
    `Collected (${ok.length}):`,
    ...ok.map((p) => `  ok      ${p.name}${p.files.length ? `: ${p.files.join(', ')}` : ''}${p.note ? ` — ${p.note}` : ''} (${p.ms} ms)`),
    '',
    failed.length ? `Failed or skipped (${failed.length}):` : 'Nothing failed.',
    ...failed.map((p) => `  FAILED  ${p.name}: ${p.error ?? 'unknown error'}`),
    '',
    'Not included, on purpose: kubeconfigs, Secret objects, tokens, certificates and private keys.',
    'Every object had its managed-fields bookkeeping and credential fields removed; every file was scanned for PEM',
    'blocks, JWTs, bearer and bootstrap tokens, which were replaced by [redacted …].',
    ...(redacted.dropped.length ? [`Files dropped by that pass: ${redacted.dropped.join(', ')}`] : []),
    ...(redacted.rewritten.length ? [`Files rewritten by that pass: ${redacted.rewritten.length}`] : []),
    '',
  ];
  return lines.join('\n');
}

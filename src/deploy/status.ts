/**
 * `lab status`: what exists and how healthy it is — containers, cluster, API reachable, nodes Ready,
 * TigeraStatus. Read-only; quick (short deadlines on every probe).
 */
import { existsSync } from 'node:fs';
import type { KubeObject, Lab } from '../lab/model.js';
import { KubeApiError, KubeClient, collectionPath } from '../kube/client.js';
import { nodeReady, tigeraState, type TigeraState } from '../kube/wait.js';
import { WORKLOAD_RESOURCES, readiness, waitLabel } from '../kube/workloads.js';
import { listClusterContainers } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';
import { kindGetKubeconfig } from '../tools/kind.js';
import { clusterProblems } from './cluster.js';
import { STEP_TIMEOUT_MS } from './deadlines.js';
import { lessonRef, type LessonRef, type WorkloadState } from './types.js';

export interface LabStatus {
  lab: string;
  lesson: LessonRef;
  cluster: string;
  topology: string;
  /** absent: nothing deployed · healthy: everything Ready · degraded: something exists but is not healthy. */
  state: 'absent' | 'healthy' | 'degraded';
  containers: { name: string; state: string; status: string; image: string }[];
  labDir: { path: string; exists: boolean };
  kubeconfig: { path: string; exists: boolean };
  api: { reachable: boolean; server?: string; error?: string };
  nodes: { name: string; role: string; ready: boolean | null }[];
  tigeraStatus: TigeraState[];
  /** The lesson's workloads (what deploy waits for), ready x/y; empty when the lesson has none. */
  workloads: WorkloadState[];
  problems: string[];
}

/** Each workload the lesson waits for, as the API says now (missing when the API could not be asked). */
export async function workloadStatus(client: Pick<KubeClient, 'requestJson'>, waits: Lab['workloads']['waitFor'], deadline: number): Promise<{ workloads: WorkloadState[]; problems: string[] }> {
  const problems: string[] = [];
  const workloads = await Promise.all(
    waits.map(async (w): Promise<WorkloadState> => {
      const { apiVersion, resource } = WORKLOAD_RESOURCES[w.kind];
      let obj;
      try {
        obj = await client
          .requestJson<KubeObject>('GET', `${collectionPath(apiVersion, resource, w.namespace)}/${encodeURIComponent(w.name)}`, { deadline })
          .catch((error: unknown) => {
            if (error instanceof KubeApiError && error.status === 404) return undefined;
            throw error;
          });
      } catch (error) {
        problems.push(`${waitLabel(w)}: could not look (${error instanceof Error ? error.message : String(error)})`);
        return { kind: w.kind, namespace: w.namespace, name: w.name, ready: false, readyCount: 0, desired: 0, exists: false };
      }
      const r = readiness(w.kind, obj);
      if (!obj) problems.push(`${waitLabel(w)} does not exist (\`lab deploy\` applies the lesson's workloads)`);
      else if (!r.ready) problems.push(`${waitLabel(w)} is not ready: ${r.reason ?? 'not ready'}`);
      return { kind: w.kind, namespace: w.namespace, name: w.name, ready: r.ready, readyCount: r.readyCount, desired: r.desired, exists: obj !== undefined };
    }),
  );
  return { workloads, problems };
}

const TIGERA_NAMES = ['calico', 'apiserver', 'ippools'];

export async function labStatus(lab: Lab, o: ToolOptions & { probeMs?: number }): Promise<LabStatus> {
  const probeMs = o.probeMs ?? STEP_TIMEOUT_MS.probe;
  const containers = await listClusterContainers(lab.cluster, o);
  const status: LabStatus = {
    lab: lab.name,
    lesson: lessonRef(lab),
    cluster: lab.cluster,
    topology: lab.topologyFile,
    state: 'absent',
    containers: containers.map((c) => ({ name: c.Names, state: c.State, status: c.Status, image: c.Image })).sort((a, b) => a.name.localeCompare(b.name)),
    labDir: { path: lab.labDir, exists: existsSync(lab.labDir) },
    kubeconfig: { path: lab.kubeconfigPath, exists: existsSync(lab.kubeconfigPath) },
    api: { reachable: false },
    nodes: lab.nodes.map((n) => ({ name: n.name, role: n.role, ready: null })),
    tigeraStatus: [],
    workloads: [],
    problems: [],
  };
  if (containers.length === 0) {
    if (status.labDir.exists || status.kubeconfig.exists) {
      status.state = 'degraded';
      status.problems.push('no cluster containers, but files of an earlier deploy are left (`lab destroy` removes them)');
    }
    return status;
  }
  status.problems.push(...clusterProblems(lab, containers));
  // Not known until the API answers (shown as unknown); the cluster's deletion removes them with it.
  status.workloads = lab.workloads.waitFor.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, ready: false, readyCount: 0, desired: 0, exists: false }));
  if (!status.kubeconfig.exists) status.problems.push(`the kubeconfig ${lab.kubeconfigPath} is missing (\`lab deploy\` writes it)`);
  // Prefer kind's view of the kubeconfig (the published port changes when the control-plane restarts).
  let client: KubeClient | undefined;
  try {
    const text = await kindGetKubeconfig(lab.cluster, { ...o, timeout: Math.min(o.timeout ?? 30_000, 30_000) });
    client = await KubeClient.fromString(text, o.signal ? { signal: o.signal } : {});
    status.api.server = client.server.origin;
    const r = await client.request('GET', '/readyz', { deadline: Date.now() + probeMs });
    status.api.reachable = r.status === 200;
    if (!status.api.reachable) status.api.error = `/readyz answered HTTP ${r.status}`;
  } catch (error) {
    status.api.error = error instanceof Error ? error.message : String(error);
  }
  if (client && status.api.reachable) {
    const deadline = Date.now() + probeMs;
    const [nodes, tigera] = await Promise.all([
      client.requestJson<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/nodes', { deadline }).catch(() => undefined),
      client.requestJson<{ items: { metadata: { name: string } }[] }>('GET', '/apis/operator.tigera.io/v1/tigerastatuses', { deadline }).catch(() => undefined),
    ]);
    if (nodes) {
      const byName = new Map(nodes.items.map((n) => [n.metadata.name, n]));
      for (const n of status.nodes) {
        const obj = byName.get(n.name);
        n.ready = obj ? nodeReady(obj as never) : false;
        if (!obj) status.problems.push(`node ${n.name} is not registered`);
        else if (!n.ready) status.problems.push(`node ${n.name} is NotReady`);
      }
    }
    const byName = new Map((tigera?.items ?? []).map((t) => [t.metadata.name, t]));
    status.tigeraStatus = TIGERA_NAMES.map((name) => tigeraState(name, byName.get(name) as never));
    for (const t of status.tigeraStatus) {
      if (t.name === 'ippools') continue;
      if (!t.available || t.degraded) status.problems.push(`TigeraStatus ${t.name}: ${t.degraded ? 'Degraded' : 'not Available'}${t.message ? ` (${t.message})` : ''}`);
    }
    if (lab.workloads.waitFor.length > 0) {
      const w = await workloadStatus(client, lab.workloads.waitFor, Date.now() + probeMs);
      status.workloads = w.workloads;
      status.problems.push(...w.problems);
    }
  } else {
    status.problems.push(`the Kubernetes API is not reachable${status.api.error ? `: ${status.api.error}` : ''}`);
  }
  client?.close();
  status.state = status.problems.length === 0 ? 'healthy' : 'degraded';
  return status;
}

/** Human rendering (stdout: it is the command's data). */
export function formatStatus(s: LabStatus): string {
  const lines: string[] = [];
  const mark = (ok: boolean | null): string => (ok === null ? '?' : ok ? '✔' : '✖');
  lines.push(`lab ${s.lab} (cluster ${s.cluster}): ${s.state}`);
  if (s.state === 'absent') {
    lines.push('  nothing is deployed (`lab deploy` creates it)');
    return `${lines.join('\n')}\n`;
  }
  lines.push('  containers:');
  if (s.containers.length === 0) lines.push('    none');
  for (const c of s.containers) lines.push(`    ${mark(c.state === 'running')} ${c.name.padEnd(32)} ${c.state.padEnd(8)} ${c.status}`);
  lines.push(`  kubeconfig: ${s.kubeconfig.path}${s.kubeconfig.exists ? '' : ' (missing)'}`);
  lines.push(`  API: ${s.api.reachable ? `${mark(true)} reachable at ${s.api.server}` : `${mark(false)} not reachable${s.api.error ? ` (${s.api.error})` : ''}`}`);
  lines.push('  nodes:');
  for (const n of s.nodes) lines.push(`    ${mark(n.ready)} ${n.name.padEnd(32)} ${n.role.padEnd(14)} ${n.ready === null ? 'unknown' : n.ready ? 'Ready' : 'NotReady'}`);
  if (s.tigeraStatus.length > 0) {
    lines.push('  TigeraStatus:');
    for (const t of s.tigeraStatus) {
      const word = t.degraded ? 'Degraded' : t.available ? 'Available' : t.progressing ? 'Progressing' : 'missing';
      lines.push(`    ${mark(t.available && !t.degraded)} ${t.name.padEnd(12)} ${word}${t.message && !t.available ? ` — ${t.message}` : ''}${t.name === 'ippools' ? ' (reported only)' : ''}`);
    }
  }
  if (s.workloads.length > 0) {
    lines.push('  workloads:');
    for (const w of s.workloads) {
      const known = s.api.reachable;
      lines.push(`    ${mark(known ? w.ready : null)} ${`${w.kind} ${w.namespace}/${w.name}`.padEnd(32)} ${!known ? 'unknown' : !w.exists ? 'missing' : `ready ${w.readyCount}/${w.desired}`}`);
    }
  }
  if (s.problems.length > 0) {
    lines.push('  problems:');
    for (const p of s.problems) lines.push(`    - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

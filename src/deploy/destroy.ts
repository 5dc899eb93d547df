/**
 * `lab destroy`: remove exactly this lab — `containerlab destroy -t <topology> --cleanup`, then the
 * kind cluster by name if anything is left, then leftover containers labelled
 * io.x-k8s.kind.cluster=<cluster>, then the lab's kubeconfig. Never other clusters, never the shared
 * docker network `kind`, never images.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Lab } from '../lab/model.js';
import { containerlabDestroy, containerlabRootMode } from '../tools/containerlab.js';
import { listClusterContainers, removeContainers } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';
import { kindDeleteCluster } from '../tools/kind.js';
import type { RootMode, SudoPreference } from '../tools/sudo.js';
import { isCi } from '../ui/tasks.js';
import { InterruptedError, UsageError } from '../errors.js';

export interface RemoveOptions extends ToolOptions {
  mode: RootMode;
  onLine?: (line: string) => void;
}

export interface LabPresence {
  containers: string[];
  labDir: boolean;
  kubeconfig: boolean;
}

export async function labPresence(lab: Pick<Lab, 'cluster' | 'labDir' | 'kubeconfigPath'>, o: ToolOptions): Promise<LabPresence> {
  const containers = (await listClusterContainers(lab.cluster, o)).map((c) => c.Names).sort();
  return { containers, labDir: existsSync(lab.labDir), kubeconfig: existsSync(lab.kubeconfigPath) };
}

export function nothingToRemove(p: LabPresence): boolean {
  return p.containers.length === 0 && !p.labDir && !p.kubeconfig;
}

/** containerlab destroy --cleanup, then kind delete cluster, then docker rm of leftovers. Returns what it did. */
export async function removeLabCluster(lab: Pick<Lab, 'topologyFile' | 'cluster'>, o: RemoveOptions): Promise<string[]> {
  const done: string[] = [];
  const line = (text: string): void => o.onLine?.(text);
  const base: ToolOptions = { ...o };
  delete (base as Partial<RemoveOptions>).onLine;
  line(`containerlab destroy -t ${lab.topologyFile} --cleanup`);
  await containerlabDestroy(lab.topologyFile, { ...base, mode: o.mode, cluster: lab.cluster, onStderrLine: (l) => l.trim() && line(l.trim()) });
  done.push('containerlab destroy --cleanup');
  let left = await listClusterContainers(lab.cluster, base);
  if (left.length > 0) {
    line(`kind delete cluster --name ${lab.cluster} (${left.length} containers left)`);
    await kindDeleteCluster(lab.cluster, { ...base, onStderrLine: (l) => l.trim() && line(l.trim()) });
    done.push(`kind delete cluster --name ${lab.cluster}`);
    left = await listClusterContainers(lab.cluster, base);
  }
  if (left.length > 0) {
    const names = left.map((c) => c.Names);
    line(`docker rm -f -v ${names.join(' ')}`);
    await removeContainers(names, base);
    done.push(`docker rm -f -v ${names.join(' ')}`);
  }
  return done;
}

export interface DestroyOptions extends ToolOptions {
  sudo: SudoPreference;
  yes: boolean;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  onLine?: (line: string) => void;
}

export interface DestroyResult {
  removed: boolean;
  before: LabPresence;
  actions: string[];
  /** The lesson's workload objects that went with the cluster (0 when it had none or no cluster existed). */
  workloads: number;
}

/** Ask on an interactive TTY only (never in CI, never without a TTY). */
export async function confirm(question: string, o: { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream; env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<boolean> {
  if (!o.stdin.isTTY || !o.stderr.isTTY || isCi(o.env)) return true;
  const rl = createInterface({ input: o.stdin, output: o.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, o.signal ? { signal: o.signal } : {});
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    if (o.signal?.aborted) throw o.signal.reason instanceof InterruptedError ? o.signal.reason : new InterruptedError('interrupted');
    throw error;
  } finally {
    rl.close();
  }
}

export async function destroyLab(lab: Lab, o: DestroyOptions): Promise<DestroyResult> {
  const before = await labPresence(lab, o);
  if (nothingToRemove(before)) return { removed: false, before, actions: [], workloads: 0 };
  if (!o.yes) {
    const what = [
      before.containers.length > 0 ? `kind cluster "${lab.cluster}" (${before.containers.join(', ')})` : undefined,
      before.labDir ? lab.labDir : undefined,
      before.kubeconfig ? lab.kubeconfigPath : undefined,
    ].filter(Boolean);
    const ok = await confirm(`Remove ${what.join(', ')}?`, { stdin: o.stdin, stderr: o.stderr, env: o.env ?? process.env, ...(o.signal ? { signal: o.signal } : {}) });
    if (!ok) throw new UsageError('not confirmed: nothing was removed', { hint: 'answer y, or pass --yes' });
  }
  const mode = await containerlabRootMode(o.sudo, o);
  const actions = await removeLabCluster(lab, { ...o, mode, ...(o.onLine ? { onLine: o.onLine } : {}) });
  if (existsSync(lab.kubeconfigPath)) {
    await rm(lab.kubeconfigPath, { force: true });
    actions.push(`rm ${lab.kubeconfigPath}`);
  }
  // The workloads live in the cluster: deleting its nodes removes them (removeLabCluster checks no container is left).
  return { removed: true, before, actions, workloads: before.containers.length > 0 ? lab.workloads.manifests.length : 0 };
}

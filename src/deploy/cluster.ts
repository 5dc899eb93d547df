/**
 * The lab's kind cluster as seen from outside: its containers (kind's label), whether they match the
 * lab (names, image, running), its kubeconfig (written 0600, atomically) and whether the API answers.
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import path from 'node:path';
import { PrerequisiteError, errorMessage } from '../errors.js';
import type { Logger } from '../ui/log.js';
import type { Lab } from '../lab/model.js';
import { KubeClient } from '../kube/client.js';
import { listClusterContainers, type DockerPsEntry } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';
import { kindGetKubeconfig } from '../tools/kind.js';

export interface ClusterState {
  containers: DockerPsEntry[];
  exists: boolean;
  /** Why the existing containers do not make a healthy lab (empty = they match and run). */
  problems: string[];
}

/** Pure: compare the cluster's containers with the lab's expected nodes and image. */
export function clusterProblems(lab: Pick<Lab, 'nodes' | 'nodeImage'>, containers: readonly DockerPsEntry[]): string[] {
  const problems: string[] = [];
  const byName = new Map(containers.map((c) => [c.Names, c]));
  for (const node of lab.nodes) {
    const c = byName.get(node.name);
    if (!c) problems.push(`container ${node.name} is missing`);
    else {
      if (c.State !== 'running') problems.push(`container ${node.name} is ${c.State || 'not running'} (${c.Status})`);
      if (c.Image !== lab.nodeImage) problems.push(`container ${node.name} runs ${c.Image}, the lab wants ${lab.nodeImage}`);
    }
  }
  const expected = new Set(lab.nodes.map((n) => n.name));
  for (const c of containers) if (!expected.has(c.Names)) problems.push(`container ${c.Names} is not part of this lab's kind config`);
  return problems;
}

export async function inspectCluster(lab: Pick<Lab, 'cluster' | 'nodes' | 'nodeImage'>, o: ToolOptions): Promise<ClusterState> {
  const containers = await listClusterContainers(lab.cluster, o);
  return { containers, exists: containers.length > 0, problems: containers.length > 0 ? clusterProblems(lab, containers) : [] };
}

/** Write a file atomically with mode 0600: temp file (0600) in the same dir, then rename. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `kind get kubeconfig` → `<lab.kubeconfigPath>` (0600). Returns the path. */
export async function exportKubeconfig(lab: Pick<Lab, 'cluster' | 'kubeconfigPath'>, o: ToolOptions): Promise<string> {
  const text = await kindGetKubeconfig(lab.cluster, o);
  await writePrivateFile(lab.kubeconfigPath, text);
  return lab.kubeconfigPath;
}

/** The lab dir must be writable (kubeconfig, containerlab's clab-<name>/): checked before containerlab runs. */
export async function checkWritable(dir: string): Promise<void> {
  const probe = path.join(dir, `.lab-write-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await access(dir, constants.W_OK);
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
  } catch (error) {
    throw new PrerequisiteError(`the lab directory ${dir} is not writable`, {
      cause: error,
      hint: 'lab writes the kubeconfig and containerlab writes clab-<lab>/ there: make it writable (chmod u+w) or copy the lab folder somewhere writable and pass --topology',
    });
  }
}

/** Quick probe: does the API answer with this kubeconfig within `ms`? */
export async function apiAnswers(kubeconfigText: string, ms: number, signal?: AbortSignal): Promise<boolean> {
  const client = await KubeClient.fromString(kubeconfigText, signal ? { signal } : {});
  try {
    const r = await client.request('GET', '/readyz', { deadline: Date.now() + ms });
    return r.status === 200;
  } catch {
    return false;
  } finally {
    client.close();
  }
}


/** What is really there after `containerlab deploy` was stopped (it removes what it was creating). */
export interface WhatIsLeft {
  /** The cluster's node containers still present (kind's label). */
  containers: string[];
  /** lab's kubeconfig file exists. */
  kubeconfig: boolean;
  /** It was removed because its cluster is gone. */
  kubeconfigRemoved: boolean;
  /** containerlab's clab-<lab>/ directory exists. */
  labDir: boolean;
  /** Looking failed (docker did not answer): nothing is claimed then. */
  error?: string;
}

/**
 * Look again after containerlab was stopped: the cluster's containers, lab's kubeconfig and the lab
 * dir. The command's own signal is already aborted, so this look has its own short deadline. When
 * the cluster is gone, the kubeconfig this run wrote (`removeKubeconfig`) points nowhere: it is removed.
 */
export async function lookAgain(lab: Pick<Lab, 'cluster' | 'kubeconfigPath' | 'labDir'>, o: { env?: NodeJS.ProcessEnv; log?: Logger; removeKubeconfig: boolean }): Promise<WhatIsLeft> {
  const labDir = existsSync(lab.labDir);
  let containers: string[];
  try {
    containers = (await listClusterContainers(lab.cluster, { signal: AbortSignal.timeout(15_000), timeout: 15_000, ...(o.env ? { env: o.env } : {}), ...(o.log ? { log: o.log } : {}) })).map((c) => c.Names).sort();
  } catch (error) {
    return { containers: [], kubeconfig: existsSync(lab.kubeconfigPath), kubeconfigRemoved: false, labDir, error: errorMessage(error) };
  }
  let kubeconfig = existsSync(lab.kubeconfigPath);
  let kubeconfigRemoved = false;
  if (containers.length === 0 && kubeconfig && o.removeKubeconfig) {
    await rm(lab.kubeconfigPath, { force: true });
    kubeconfig = false;
    kubeconfigRemoved = true;
  }
  return { containers, kubeconfig, kubeconfigRemoved, labDir };
}

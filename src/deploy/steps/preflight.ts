/**
 * Step "preflight": `lab doctor`'s fatal rules, the lab directory writable, an existing cluster
 * looked at (reused when healthy and this lab; removed with --recreate). Creates nothing.
 * Deadline: STEP_TIMEOUT_MS.preflight. Idempotent: it only looks (or removes on --recreate).
 */
import { StepFailedError, errorMessage } from '../../errors.js';
import { assertPreflight, doctorReport } from '../../doctor/index.js';
import { decideRootMode } from '../../tools/sudo.js';
import { kindGetKubeconfig } from '../../tools/kind.js';
import { apiAnswers, checkWritable, inspectCluster } from '../cluster.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { removeLabCluster } from '../destroy.js';
import { assertReusableCalico } from '../version.js';
import type { DeployContext, Step, Task } from './context.js';

async function look(c: DeployContext): Promise<{ rootMode: Awaited<ReturnType<typeof decideRootMode>>; exists: boolean; problems: string[] }> {
  const { lab, o, deadline, state } = c;
  const [doctor, , cluster] = await Promise.all([
    // `lab doctor`'s fatal rules: docker reachable, containerlab ≥ 0.75 and root for it, the kind CLI,
    // docker networks vs the lab's CIDRs. Its facts also give the versions and how to get root.
    doctorReport(lab, { fatalOnly: true, signal: o.signal, log: o.log, env: o.env, sudo: o.sudo, offline: o.offline, probeTimeout: deadline.remaining(STEP_TIMEOUT_MS.preflight) }),
    checkWritable(lab.dir),
    inspectCluster(lab, c.tool(STEP_TIMEOUT_MS.preflight)).catch((e: unknown) => e as Error),
  ]);
  assertPreflight(doctor.results);
  if (cluster instanceof Error) throw cluster;
  // A download that already failed (checksum mismatch, --offline cache miss) stops us before anything is created.
  if (c.downloads.error !== undefined) throw c.downloads.error;
  const { docker, containerlab, root } = doctor.facts;
  const rootMode = await decideRootMode(
    { uid: process.getuid?.(), suid: root?.ok === true && root.value.suidRoot, sudo: async () => root?.ok === true && root.value.sudoNonInteractive === true },
    o.sudo,
  );
  state.rootMode = rootMode;
  if (docker?.ok) state.dockerVersion = docker.value.serverVersion;
  if (containerlab?.ok && containerlab.value.version) state.clabVersion = containerlab.value.version;
  return { rootMode, exists: cluster.exists, problems: [...cluster.problems] };
}

/** The existing cluster is this lab, its API answers and its Calico matches: else the problems. */
async function reuseProblems(c: DeployContext, task: Task, problems: string[]): Promise<string[]> {
  const { lab, o, deadline, state } = c;
  if (problems.length > 0) return problems;
  task.output = `cluster ${lab.cluster} exists: checking its API`;
  const kubeconfig = await kindGetKubeconfig(lab.cluster, c.tool(STEP_TIMEOUT_MS.kubeconfig)).catch((e: unknown) => {
    problems.push(`kind get kubeconfig failed: ${errorMessage(e)}`);
    return undefined;
  });
  if (kubeconfig === undefined) return problems;
  state.kubeconfigText = kubeconfig;
  if (!(await apiAnswers(kubeconfig, deadline.remaining(STEP_TIMEOUT_MS.probe * 2), o.signal))) problems.push('its Kubernetes API does not answer');
  else await assertReusableCalico(lab, kubeconfig, { deadline: deadline.step(STEP_TIMEOUT_MS.probe * 2), signal: o.signal });
  return problems;
}

export const preflightStep: Step = {
  name: 'preflight',
  title: () => 'Preflight: docker, containerlab, lab directory, existing cluster',
  run: async (c, task) => {
    const { lab, o, state } = c;
    const { rootMode, exists, problems } = await look(c);
    if (!exists) return `docker ${state.dockerVersion ?? '?'}, containerlab ${state.clabVersion ?? '?'}, root: ${rootMode}`;
    state.clusterMayExist = true;
    if (o.recreate) {
      task.output = `--recreate: removing the existing cluster ${lab.cluster}`;
      await removeLabCluster(lab, { ...c.tool(STEP_TIMEOUT_MS.destroy), mode: rootMode, onLine: (l) => (task.output = l) });
      state.clusterMayExist = false;
      return `removed the existing cluster ${lab.cluster} (--recreate)`;
    }
    const found = await reuseProblems(c, task, problems);
    if (found.length > 0) {
      throw new StepFailedError(`a cluster named "${lab.cluster}" already exists but is not this lab in a healthy state`, {
        details: found,
        hint: '`lab deploy --recreate` removes and recreates it; `lab destroy` only removes it',
      });
    }
    state.reused = true;
    return `cluster ${lab.cluster} exists and is healthy: reusing it`;
  },
};

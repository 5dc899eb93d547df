/**
 * Step "containerlab deploy": `containerlab deploy -t <topology>` (kind creates the cluster).
 * Deadline: STEP_TIMEOUT_MS.containerlabDeploy. Skipped when preflight found a healthy cluster
 * (idempotency: reuse). Unless --preload, Calico is installed early, as soon as kind's control plane
 * answers, while kind still joins the workers (installWhileCreating). Stopped (Ctrl-C, timeout), it
 * looks at what containerlab left behind, for the "what is left" report.
 */
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { InterruptedError, StepFailedError, TimeoutError } from '../../errors.js';
import { KubeClient } from '../../kube/client.js';
import { RightsError, waitForAdminRights } from '../../kube/wait.js';
import { containerlabDeploy } from '../../tools/containerlab.js';
import { kindGetKubeconfig } from '../../tools/kind.js';
import { lookAgain, writePrivateFile } from '../cluster.js';
import { STEP_TIMEOUT_MS } from '../deadlines.js';
import { waitForApi } from './api.js';
import { installCalico } from './calico.js';
import { settled, type DeployContext, type Step, type Task } from './context.js';
import { useDownloads } from './downloads.js';

/**
 * While `containerlab deploy` still runs, kind answers `get kubeconfig` as soon as its control plane is
 * initialised, and the workers join for a while after that. Calico is installed then, so the operator
 * starts (and pulls its images) while kind joins the workers. Stops quietly when containerlab returns
 * first; `signal` stops it when containerlab fails or the user interrupts.
 */
async function installWhileCreating(c: DeployContext, signal: AbortSignal, created: AbortSignal, onProgress: (t: string) => void): Promise<void> {
  const { lab, o, state } = c;
  const polling = AbortSignal.any([signal, created]);
  o.log.verbose(`polling \`kind get kubeconfig --name ${lab.cluster}\` every second while containerlab deploys (output not shown: it holds the client key)`);
  let text: string | undefined;
  while (text === undefined && !polling.aborted) {
    text = await kindGetKubeconfig(lab.cluster, { signal: polling, env: o.env, timeout: 10_000 }).catch(() => undefined);
    if (text === undefined) await setTimeout(1_000, undefined, { signal: polling }).catch(() => undefined);
  }
  if (text === undefined || signal.aborted) return;
  o.log.verbose('kind answered: the control plane is up; installing Calico while the workers join');
  await writePrivateFile(lab.kubeconfigPath, text);
  state.kubeconfigWritten = true;
  const client = await KubeClient.fromFile(lab.kubeconfigPath, { signal, log: o.log });
  await waitForApi(c, client, signal, () => undefined);
  state.client = client;
  // kubeadm ≥ 1.29 makes admin.conf cluster-admin a moment after /readyz (audit F-1).
  await waitForAdminRights(client, { signal, deadline: c.deadline.step(STEP_TIMEOUT_MS.api), what: 'admin rights on the Kubernetes API' }).catch((error: unknown) => {
    if (!(error instanceof RightsError)) throw error;
    throw new StepFailedError(`the Kubernetes API refuses the kubeconfig from \`kind get kubeconfig\`: ${error.refusal.message}`, {
      cause: error,
      hint: 'the kubeconfig\'s user is still not an admin; check `kind get kubeconfig --name <cluster>` and the node image, then run `lab deploy --recreate`',
    });
  });
  await useDownloads(c);
  onProgress('control plane up: installing Calico while kind joins the workers');
  state.installNote = await installCalico(c, client, signal, onProgress);
  state.installedEarly = true;
}

async function deploy(c: DeployContext, task: Task): Promise<string> {
  const { lab, o, state } = c;
  state.clusterMayExist = true;
  // With --preload the images must be in the nodes before Calico starts: no early install then.
  const early = o.preload ? undefined : new AbortController();
  const relay = (): void => early?.abort(o.signal.reason);
  o.signal.addEventListener('abort', relay, { once: true });
  const created = new AbortController();
  let earlyNote = '';
  const earlyRun = early ? settled(installWhileCreating(c, early.signal, created.signal, (t) => (earlyNote = t))) : undefined;
  let result;
  try {
    result = await containerlabDeploy(lab.topologyFile, {
      cluster: lab.cluster,
      ...c.tool(STEP_TIMEOUT_MS.containerlabDeploy, {
        onStderrLine: (line) => {
          state.lastToolStderr += `${line}\n`;
          if (line.trim()) task.output = earlyNote ? `${line.trim()}  (${earlyNote})` : line.trim();
        },
      }),
      mode: state.rootMode ?? 'none',
    });
  } catch (error) {
    early?.abort(error);
    await earlyRun?.promise.catch(() => undefined);
    // Stopped containerlab removes what it was creating (CleanOnCancel); it has exited by now: look.
    if (error instanceof InterruptedError || error instanceof TimeoutError) {
      task.output = 'containerlab was stopped: looking at what is left';
      state.left = await lookAgain(lab, { env: o.env, log: o.log, removeKubeconfig: state.kubeconfigWritten });
      if (state.left.kubeconfigRemoved) state.kubeconfigWritten = false;
    }
    throw error;
  } finally {
    created.abort();
  }
  if (earlyRun) {
    task.output = earlyNote || 'cluster created';
    await earlyRun.promise;
  }
  if (result.alreadyExists) {
    state.reused = true;
    return `the kind cluster ${lab.cluster} already existed: reusing it`;
  }
  state.createdNow = true;
  return state.installedEarly ? `cluster ${lab.cluster} created; Calico installed while kind joined the workers` : `cluster ${lab.cluster} created`;
}

export const containerlabStep: Step = {
  name: 'containerlab deploy',
  title: (c) => `containerlab deploy -t ${path.basename(c.lab.topologyFile)}`,
  skip: (c) => (c.state.reused ? 'cluster exists and is healthy: reused, nothing to create' : false),
  run: deploy,
};

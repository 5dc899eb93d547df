/**
 * `lab deploy`: a pipeline of steps, each its own module under ./steps (deadline, progress line,
 * diagnostics on failure, idempotency, `--json` record):
 *   validate (lab deploy) → preflight → containerlab deploy (‖ early Calico install) → kubeconfig
 *   → (api ‖ downloads ‖ preload) → apply calico → wait ready → workloads → wait workloads → summary.
 * The pinned downloads (and loading the API client) start at launch and overlap everything before the apply.
 * Idempotent: a healthy, matching cluster is reused (containerlab skipped), Calico and the workloads re-converged.
 */
import { performance } from 'node:perf_hooks';
import { InterruptedError, LabError, StepFailedError, TimeoutError, errorMessage } from '../errors.js';
import type { Lab } from '../lab/model.js';
import { diagnose } from '../kube/diagnose.js';
import { DeadlineError } from '../kube/wait.js';
import { tail, type ToolOptions } from '../tools/exec.js';
import type { Logger } from '../ui/log.js';
import type { WhatIsLeft } from './cluster.js';
import { Deadline } from './deadlines.js';
import { optionalModule } from './optional.js';
import { runPipeline } from './pipeline.js';
import { apiStep } from './steps/api.js';
import { calicoStep } from './steps/calico.js';
import { containerlabStep } from './steps/containerlab.js';
import { initialState, type DeployContext, type State, type Step, type StepGroup } from './steps/context.js';
import { downloadsStep, startDownloads } from './steps/downloads.js';
import { kubeconfigStep } from './steps/kubeconfig.js';
import { preflightStep } from './steps/preflight.js';
import { preloadStep } from './steps/preload.js';
import { waitCalicoStep } from './steps/wait-calico.js';
import { waitWorkloadsStep } from './steps/wait-workloads.js';
import { NO_WORKLOADS, workloadsStep } from './steps/workloads.js';
import { lessonRef, type DeployOptions, type DeploySummary } from './types.js';

export type { DeployOptions, DeploySummary, StepRecord, WorkloadState } from './types.js';

/** The steps after validate, in order; a lesson extends the tail (its workloads). */
export function deploySteps(o: Pick<DeployOptions, 'preload'>): (Step | StepGroup)[] {
  return [
    preflightStep,
    containerlabStep,
    kubeconfigStep,
    { title: 'Cluster API, Calico downloads', concurrent: true, steps: [apiStep, downloadsStep, ...(o.preload ? [preloadStep] : [])] },
    calicoStep,
    waitCalicoStep,
    workloadsStep,
    waitWorkloadsStep,
  ];
}

export async function deployLab(lab: Lab, o: DeployOptions): Promise<DeploySummary> {
  const started = performance.now();
  const deadline = new Deadline(o.timeoutMs);
  // Work that needs no cluster starts now and overlaps preflight and containerlab: the pinned
  // downloads and parsing the manifests.
  const background = new AbortController();
  const onAbort = (): void => background.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  const c: DeployContext = {
    lab,
    o,
    deadline,
    state: initialState(),
    steps: [],
    downloads: startDownloads(lab, o, deadline, background.signal),
    tool: (stepMs: number, extra: Partial<ToolOptions> = {}): ToolOptions => ({ signal: o.signal, log: o.log, env: o.env, timeout: deadline.remaining(stepMs), ...extra }),
  };
  const { state } = c;
  try {
    await runPipeline(c, deploySteps(o));
  } catch (error) {
    throw await explainFailure(error, lab, state, o, deadline);
  } finally {
    state.client?.close();
    background.abort();
    o.signal.removeEventListener('abort', onAbort);
  }
  return {
    ok: true,
    lab: lab.name,
    lesson: lessonRef(lab),
    cluster: lab.cluster,
    reused: state.reused,
    kubeconfig: lab.kubeconfigPath,
    calicoctl: state.calicoctl ?? '',
    versions: { calico: lab.calico.version, kubernetes: lab.kubernetesVersion, nodeImage: lab.nodeImage, containerlab: state.clabVersion, docker: state.dockerVersion },
    steps: c.steps,
    durationMs: Math.round(performance.now() - started),
    tigeraStatus: state.tigera,
    nodes: state.nodes,
    workloads: state.workloads,
    apiRequests: state.client?.requestCount ?? 0,
    next: 'lab verify',
  };
}

/** What is left behind after a failure/interrupt, and how to continue. */
function stateLeft(lab: Lab, state: State): string[] {
  if (!state.clusterMayExist) return ['nothing was created'];
  if (state.left) return describeLeft(lab, state.left);
  const lines = [
    state.createdNow || state.reused
      ? `the kind cluster "${lab.cluster}" exists${state.reused ? ' (it existed before this run)' : ''}`
      : `the kind cluster "${lab.cluster}" may be half-created (containerlab deploy was stopped)`,
  ];
  if (state.kubeconfigWritten) lines.push(`kubeconfig: ${lab.kubeconfigPath}`);
  lines.push(state.calicoApplied ? 'Calico manifests were (at least partly) applied' : 'Calico is not installed yet');
  if (lab.workloads.manifests.length > 0 && state.calicoApplied) {
    lines.push(state.workloadsApplied > 0 ? `the lesson's workloads: ${state.workloadsApplied}/${lab.workloads.manifests.length} objects applied` : "the lesson's workloads are not applied yet");
  }
  return lines;
}

/** What was found after containerlab deploy was stopped. */
export function describeLeft(lab: Pick<Lab, 'cluster' | 'kubeconfigPath' | 'labDir'>, left: WhatIsLeft): string[] {
  const lines: string[] = [];
  if (left.error !== undefined) lines.push(`could not look at what is left (${left.error}): the kind cluster "${lab.cluster}" may be half-created, or removed`);
  else if (left.containers.length === 0) lines.push(`containerlab removed the kind cluster "${lab.cluster}" it was creating: none of its containers is left`);
  else lines.push(`the kind cluster "${lab.cluster}" is left half-created: ${left.containers.length} container${left.containers.length === 1 ? '' : 's'} (${left.containers.join(', ')})`);
  if (left.kubeconfigRemoved) lines.push(`removed ${lab.kubeconfigPath}: its cluster is gone`);
  else if (left.kubeconfig) lines.push(`kubeconfig: ${lab.kubeconfigPath}`);
  if (left.labDir) lines.push(`containerlab's lab directory ${lab.labDir} is left (\`lab destroy\` removes it)`);
  return lines;
}

function leftHint(left: WhatIsLeft): string {
  if (left.error !== undefined) return '`lab status` shows what is there; `lab destroy` removes what was created';
  if (left.containers.length === 0) return `\`lab deploy\` starts again from scratch${left.labDir ? '; `lab destroy` also removes the lab directory' : ''}`;
  return '`lab deploy --recreate` removes and recreates it; `lab destroy` removes it';
}

async function explainFailure(error: unknown, lab: Lab, state: State, o: DeployOptions, deadline: Deadline): Promise<unknown> {
  if (o.signal.aborted || error instanceof InterruptedError) {
    const reason: unknown = o.signal.reason;
    const message = reason instanceof InterruptedError ? reason.message : error instanceof Error ? error.message : 'interrupted';
    if (state.left) {
      return new InterruptedError(`lab deploy ${message}`, {
        details: ['containerlab deploy was stopped and had time to remove what it was creating', ...stateLeft(lab, state)],
        hint: leftHint(state.left),
      });
    }
    return new InterruptedError(`lab deploy ${message}`, {
      details: ['child processes were stopped', ...stateLeft(lab, state)],
      hint: '`lab deploy` picks up from here; `lab destroy` removes what was created',
    });
  }
  let out: unknown = error;
  if (error instanceof TimeoutError && state.left) {
    // containerlab deploy ran out of time: it was stopped and removed what it was creating.
    out = new TimeoutError(`lab deploy timed out after ${Math.round(deadline.totalMs / 1000)} s while containerlab deploy was still running`, {
      cause: error,
      details: [...error.details, 'containerlab deploy was stopped and had time to remove what it was creating', ...stateLeft(lab, state)],
      hint: `raise --timeout if the host is slow (--verbose shows where it stops); ${leftHint(state.left)}`,
    });
  } else if (error instanceof DeadlineError) {
    const details: string[] = [];
    if (error.lastState) details.push(`still waiting for: ${error.lastState}`);
    if (state.client) details.push(...(await diagnose(state.client, lab.nodes.map((n) => n.name))));
    out = new TimeoutError(`lab deploy timed out after ${Math.round(deadline.totalMs / 1000)} s: ${error.what} not reached`, {
      details,
      hint: 'fix what the lines above point at (`lab collect` writes a diagnostics bundle), or raise --timeout on a slow host; `lab deploy` picks up from here',
    });
  } else if (error instanceof LabError && error.exitCode !== 2 && state.client && state.calicoApplied && !(error instanceof TimeoutError)) {
    error.details.push(...(await diagnose(state.client, lab.nodes.map((n) => n.name))));
  } else if (error instanceof TimeoutError && state.lastToolStderr && error.details.length === 0) {
    error.details.push(...tail(state.lastToolStderr, 6));
  } else if (!(error instanceof LabError)) {
    out = new StepFailedError(`lab deploy failed: ${errorMessage(error)}`, { cause: error, details: stateLeft(lab, state) });
  }
  if (o.collectOnFailure && !(out instanceof LabError && out.exitCode === 2)) {
    const mod = await optionalModule<{ collectBundle(lab: Lab, o: unknown): Promise<string | { dir?: string; path?: string }> }>('../collect/bundle.js');
    if (!mod) o.log.info('collect-on-failure: the diagnostics bundle is not available in this build (skipped)');
    else {
      try {
        const where = await mod.collectBundle(lab, { signal: AbortSignal.timeout(60_000), log: o.log, env: o.env, cwd: o.cwd, reason: errorMessage(out) });
        const at = typeof where === 'string' ? where : (where.dir ?? where.path ?? '');
        if (out instanceof LabError) out.details.push(`diagnostics bundle: ${at}`);
      } catch (e) {
        o.log.warn(`could not write the diagnostics bundle: ${errorMessage(e)}`);
      }
    }
  }
  return out;
}

/** Human summary (stderr) + the export line (stdout, so `eval "$(lab deploy)"` works). */
export function printSummary(summary: DeploySummary, out: { stdout: NodeJS.WriteStream; log: Logger }): void {
  const { log } = out;
  log.info('');
  log.info(`${log.style('green', '✔')} lab ${summary.lab} is ready${summary.reused ? ' (existing cluster reused)' : ''} in ${(summary.durationMs / 1000).toFixed(1)} s`);
  log.info(`  Calico ${summary.versions.calico} · Kubernetes ${summary.versions.kubernetes ?? summary.versions.nodeImage} · containerlab ${summary.versions.containerlab ?? '?'} · docker ${summary.versions.docker ?? '?'}`);
  // Steps the lesson does not have (no workloads) are in --json as skipped, not listed here.
  for (const s of summary.steps.filter((x) => !(x.status === 'skipped' && x.note === NO_WORKLOADS))) {
    log.info(`  ${s.name.padEnd(20)} ${s.status === 'skipped' ? 'skipped'.padStart(8) : `${(s.durationMs / 1000).toFixed(1)} s`.padStart(8)}${s.note ? `  ${s.note}` : ''}`);
  }
  const pools = summary.tigeraStatus.find((t) => t.name === 'ippools');
  if (pools && !pools.available) log.info(`  TigeraStatus ippools: ${pools.degraded ? 'Degraded' : 'not Available'}${pools.message ? ` (${pools.message})` : ''} — reported, not required`);
  if (summary.workloads.length > 0) log.info(`  workloads: ${summary.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name} ${w.readyCount}/${w.desired}`).join(', ')}`);
  log.info(`  calicoctl: ${summary.calicoctl}`);
  log.info('');
  log.info(`Next: ${log.style('cyan', 'lab verify')}   (use the cluster: the export line below)`);
  out.stdout.write(`export KUBECONFIG=${summary.kubeconfig}\n`);
}


/**
 * `lab deploy`: validate → preflight → containerlab deploy → kubeconfig → (API ‖ preload)
 * → server-side apply of Calico → watch until Calico and every node are Ready → summary.
 * The pinned downloads (and loading the API client) start at launch and overlap everything before the apply.
 * Idempotent: a healthy, matching cluster is reused (containerlab skipped) and Calico re-converged.
 */
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { ListrTaskWrapper } from 'listr2';
import { InterruptedError, LabError, StepFailedError, TimeoutError, errorMessage } from '../errors.js';
import type { KubeObject, Lab } from '../lab/model.js';
import { ensureCalicoctl, ensureManifests } from '../artifacts/index.js';
import { KubeClient } from '../kube/client.js';
import { diagnose } from '../kube/diagnose.js';
import { DeadlineError, RightsError, nodesReady, pollUntil, tigeraReady, tigeraState, waitForAdminRights, watchUntil, type TigeraState } from '../kube/wait.js';
import { containerlabDeploy } from '../tools/containerlab.js';
import { assertPreflight, doctorReport } from '../doctor/index.js';
import { tail, type ToolOptions } from '../tools/exec.js';
import { decideRootMode, type RootMode, type SudoPreference } from '../tools/sudo.js';
import { kindGetKubeconfig } from '../tools/kind.js';
import type { Logger } from '../ui/log.js';
import { createTasks } from '../ui/tasks.js';
import { apiAnswers, checkWritable, exportKubeconfig, inspectCluster, lookAgain, writePrivateFile, type WhatIsLeft } from './cluster.js';
import { Deadline, STEP_TIMEOUT_MS } from './deadlines.js';
import { applyAll, applyCustomResources, readManifest, waitCrdsEstablished } from './manifests.js';
import { removeLabCluster } from './destroy.js';
import { assertReusableCalico } from './version.js';
import { optionalModule } from './optional.js';

export interface DeployOptions {
  signal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stderr: NodeJS.WriteStream;
  json: boolean;
  timeoutMs: number;
  offline: boolean;
  sudo: SudoPreference;
  recreate: boolean;
  preload: boolean;
  collectOnFailure: boolean;
}

export interface StepRecord {
  name: string;
  status: 'done' | 'skipped' | 'failed';
  durationMs: number;
  note?: string;
}

export interface DeploySummary {
  ok: true;
  lab: string;
  cluster: string;
  reused: boolean;
  kubeconfig: string;
  calicoctl: string;
  versions: { calico: string; kubernetes: string | undefined; nodeImage: string; containerlab: string | undefined; docker: string | undefined };
  steps: StepRecord[];
  durationMs: number;
  tigeraStatus: TigeraState[];
  nodes: string[];
  apiRequests: number;
  next: string;
}

interface State {
  rootMode?: RootMode;
  reused: boolean;
  clusterMayExist: boolean;
  calicoApplied: boolean;
  kubeconfigWritten: boolean;
  /** kind's kubeconfig read during preflight (reuse path), written without asking kind again. */
  kubeconfigText?: string;
  createdNow?: boolean;
  client?: KubeClient;
  calicoctl?: string;
  manifests?: Record<'operator-crds.yaml' | 'tigera-operator.yaml', string>;
  docs?: [KubeObject[], KubeObject[]];
  dockerVersion?: string;
  clabVersion?: string;
  tigera: TigeraState[];
  nodes: string[];
  lastToolStderr: string;
  /** Calico was installed while containerlab was still joining the workers. */
  installedEarly?: boolean;
  installNote?: string;
  /** Looked at after containerlab deploy was stopped (interrupt, timeout) and had exited. */
  left?: WhatIsLeft;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = ListrTaskWrapper<State, any, any>;

export async function deployLab(lab: Lab, o: DeployOptions): Promise<DeploySummary> {
  const started = performance.now();
  const deadline = new Deadline(o.timeoutMs);
  const steps: StepRecord[] = [];
  const state: State = { reused: false, clusterMayExist: false, calicoApplied: false, kubeconfigWritten: false, tigera: [], nodes: [], lastToolStderr: '' };
  const tool = (stepMs: number, extra: Partial<ToolOptions> = {}): ToolOptions => ({ signal: o.signal, log: o.log, env: o.env, timeout: deadline.remaining(stepMs), ...extra });

  // Work that needs no cluster starts now and overlaps preflight and containerlab: the pinned
  // downloads and parsing the manifests.
  const background = new AbortController();
  const onAbort = (): void => background.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  const downloads = settled(
    (async () => {
      const a = { offline: o.offline, signal: background.signal, log: o.log, env: o.env, timeout: deadline.remaining(STEP_TIMEOUT_MS.download) };
      const [calicoctl, manifests] = await Promise.all([ensureCalicoctl(lab, a), ensureManifests(lab, a)]);
      const docs = await Promise.all([readManifest(manifests['operator-crds.yaml']), readManifest(manifests['tigera-operator.yaml'])]);
      return { calicoctl, manifests, docs };
    })(),
  );

  const timed = (name: string, fn: (task: Task) => Promise<string | void>) => async (_ctx: State, task: Task): Promise<void> => {
    const t0 = performance.now();
    try {
      const note = await fn(task);
      steps.push({ name, status: 'done', durationMs: Math.round(performance.now() - t0), ...(note ? { note } : {}) });
      if (note) task.title = `${task.title} — ${note}`;
    } catch (error) {
      steps.push({ name, status: 'failed', durationMs: Math.round(performance.now() - t0) });
      throw error;
    }
  };
  const skip = (name: string, note: string): void => {
    steps.push({ name, status: 'skipped', durationMs: 0, note });
  };
  /** The steps the early install already did: shown done (✔) with this note, not skipped. */
  const EARLY_NOTE = 'done early, during containerlab deploy (control plane up while kind joined the workers)';

  /** Wait until the API answers (bounded). 401/403 answer too: what they mean is decided by the requests that follow. */
  const waitForApi = async (client: KubeClient, signal: AbortSignal, onProgress: (t: string) => void): Promise<void> => {
    await pollUntil(
      async () => {
        const r = await client.request('GET', '/readyz', { noRetry: true, deadline: Math.min(Date.now() + 2_000, deadline.at) });
        return r.status === 200 || r.status === 401 || r.status === 403;
      },
      { signal, deadline: deadline.step(STEP_TIMEOUT_MS.api), what: 'Kubernetes API', onProgress, intervalMs: 200 },
    );
  };

  /** Server-side apply the operator's CRDs and manifests, wait for the CRDs, apply the lab's custom resources. */
  const installCalico = async (client: KubeClient, signal: AbortSignal, onProgress: (t: string) => void): Promise<string> => {
    const [crds, operator] = state.docs!;
    const stepDeadline = deadline.step(STEP_TIMEOUT_MS.apply);
    onProgress(`applying ${crds.length} CRDs and ${operator.length} operator objects`);
    await applyAll(client, crds, { deadline: stepDeadline, source: 'operator-crds.yaml', onProgress: (t) => onProgress(`operator-crds.yaml: ${t}`) });
    await applyAll(client, operator, { deadline: stepDeadline, source: 'tigera-operator.yaml', onProgress: (t) => onProgress(`tigera-operator.yaml: ${t}`) });
    state.calicoApplied = true;
    const names = crds.filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name);
    await waitCrdsEstablished(client, names, { deadline: stepDeadline, signal, onProgress });
    onProgress(`applying ${lab.customResources.length} custom resources`);
    await applyCustomResources(client, lab.customResources, { deadline: stepDeadline });
    return `${crds.length} CRDs, ${operator.length} operator objects, ${lab.customResources.length} custom resources`;
  };

  const useDownloads = async (): Promise<void> => {
    const { calicoctl, manifests, docs } = await downloads.promise;
    state.calicoctl = calicoctl;
    state.manifests = manifests;
    state.docs = docs;
  };

  /**
   * While `containerlab deploy` still runs, kind answers `get kubeconfig` as soon as its control plane is
   * initialised, and the workers join for a while after that. Calico is installed then, so the operator
   * starts (and pulls its images) while kind joins the workers. Stops quietly when containerlab returns
   * first; `signal` stops it when containerlab fails or the user interrupts.
   */
  const installWhileCreating = async (signal: AbortSignal, created: AbortSignal, onProgress: (t: string) => void): Promise<void> => {
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
    await waitForApi(client, signal, () => undefined);
    state.client = client;
    // kubeadm ≥ 1.29 makes admin.conf cluster-admin a moment after /readyz (audit F-1).
    await waitForAdminRights(client, { signal, deadline: deadline.step(STEP_TIMEOUT_MS.api), what: 'admin rights on the Kubernetes API' }).catch((error: unknown) => {
      if (!(error instanceof RightsError)) throw error;
      throw new StepFailedError(`the Kubernetes API refuses the kubeconfig from \`kind get kubeconfig\`: ${error.refusal.message}`, {
        cause: error,
        hint: 'the kubeconfig\'s user is still not an admin; check `kind get kubeconfig --name <cluster>` and the node image, then run `lab deploy --recreate`',
      });
    });
    await useDownloads();
    onProgress('control plane up: installing Calico while kind joins the workers');
    state.installNote = await installCalico(client, signal, onProgress);
    state.installedEarly = true;
  };

  const tasks = createTasks<State>(
    [
      {
        title: 'Preflight: docker, containerlab, lab directory, existing cluster',
        task: timed('preflight', async (task) => {
          const [doctor, , cluster] = await Promise.all([
            // `lab doctor`'s fatal rules: docker reachable, containerlab ≥ 0.75 and root for it, the kind CLI,
            // docker networks vs the lab's CIDRs. Its facts also give the versions and how to get root.
            doctorReport(lab, { fatalOnly: true, signal: o.signal, log: o.log, env: o.env, sudo: o.sudo, offline: o.offline, probeTimeout: deadline.remaining(STEP_TIMEOUT_MS.preflight) }),
            checkWritable(lab.dir),
            inspectCluster(lab, tool(STEP_TIMEOUT_MS.preflight)).catch((e: unknown) => e as Error),
          ]);
          assertPreflight(doctor.results);
          if (cluster instanceof Error) throw cluster;
          // A download that already failed (checksum mismatch, --offline cache miss) stops us before anything is created.
          if (downloads.error !== undefined) throw downloads.error;
          const { docker, containerlab, root } = doctor.facts;
          const rootMode = await decideRootMode(
            { uid: process.getuid?.(), suid: root?.ok === true && root.value.suidRoot, sudo: async () => root?.ok === true && root.value.sudoNonInteractive === true },
            o.sudo,
          );
          state.rootMode = rootMode;
          if (docker?.ok) state.dockerVersion = docker.value.serverVersion;
          if (containerlab?.ok && containerlab.value.version) state.clabVersion = containerlab.value.version;
          if (!cluster.exists) return `docker ${state.dockerVersion ?? '?'}, containerlab ${state.clabVersion ?? '?'}, root: ${rootMode}`;
          state.clusterMayExist = true;
          if (o.recreate) {
            task.output = `--recreate: removing the existing cluster ${lab.cluster}`;
            await removeLabCluster(lab, { ...tool(STEP_TIMEOUT_MS.destroy), mode: rootMode, onLine: (l) => (task.output = l) });
            state.clusterMayExist = false;
            return `removed the existing cluster ${lab.cluster} (--recreate)`;
          }
          const problems = [...cluster.problems];
          if (problems.length === 0) {
            task.output = `cluster ${lab.cluster} exists: checking its API`;
            const kubeconfig = await kindGetKubeconfig(lab.cluster, tool(STEP_TIMEOUT_MS.kubeconfig)).catch((e: unknown) => {
              problems.push(`kind get kubeconfig failed: ${errorMessage(e)}`);
              return undefined;
            });
            if (kubeconfig !== undefined) state.kubeconfigText = kubeconfig;
            if (kubeconfig !== undefined && !(await apiAnswers(kubeconfig, deadline.remaining(STEP_TIMEOUT_MS.probe * 2), o.signal))) {
              problems.push('its Kubernetes API does not answer');
            } else if (kubeconfig !== undefined) {
              await assertReusableCalico(lab, kubeconfig, { deadline: deadline.step(STEP_TIMEOUT_MS.probe * 2), signal: o.signal });
            }
          }
          if (problems.length > 0) {
            throw new StepFailedError(`a cluster named "${lab.cluster}" already exists but is not this lab in a healthy state`, {
              details: problems,
              hint: '`lab deploy --recreate` removes and recreates it; `lab destroy` only removes it',
            });
          }
          state.reused = true;
          return `cluster ${lab.cluster} exists and is healthy: reusing it`;
        }),
      },
      {
        title: `containerlab deploy -t ${path.basename(lab.topologyFile)}`,
        skip: (ctx) => (ctx.reused ? 'cluster exists and is healthy: nothing to create' : false),
        task: timed('containerlab deploy', async (task) => {
          state.clusterMayExist = true;
          // With --preload the images must be in the nodes before Calico starts: no early install then.
          const early = o.preload ? undefined : new AbortController();
          const relay = (): void => early?.abort(o.signal.reason);
          o.signal.addEventListener('abort', relay, { once: true });
          const created = new AbortController();
          let earlyNote = '';
          const earlyRun = early ? settled(installWhileCreating(early.signal, created.signal, (t) => (earlyNote = t))) : undefined;
          let result;
          try {
            result = await containerlabDeploy(lab.topologyFile, {
              cluster: lab.cluster,
              ...tool(STEP_TIMEOUT_MS.containerlabDeploy, {
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
        }),
      },
      {
        title: `Kubeconfig → ${lab.kubeconfigPath}`,
        task: timed('kubeconfig', async () => {
          if (state.installedEarly) return EARLY_NOTE;
          if (state.kubeconfigText !== undefined && !state.createdNow) await writePrivateFile(lab.kubeconfigPath, state.kubeconfigText);
          else await exportKubeconfig(lab, tool(STEP_TIMEOUT_MS.kubeconfig));
          state.kubeconfigWritten = true;
        }),
      },
      {
        title: 'Cluster API, Calico downloads',
        task: (_ctx, task) =>
          task.newListr(
            [
              {
                title: 'Wait for the Kubernetes API',
                task: timed('api', async (sub) => {
                  if (state.installedEarly) return EARLY_NOTE;
                  const client = await KubeClient.fromFile(lab.kubeconfigPath, { signal: o.signal, log: o.log });
                  state.client = client;
                  await waitForApi(client, o.signal, (t) => (sub.output = t));
                }),
              },
              {
                title: `Fetch calicoctl ${lab.calico.version} and the Calico manifests (sha256-verified, cached)`,
                task: timed('downloads', async () => {
                  // Started at launch; usually done by now.
                  await useDownloads();
                  return o.offline ? 'from the cache (--offline)' : undefined;
                }),
              },
              ...(o.preload
                ? [
                    {
                      title: 'Preload images into the nodes',
                      task: timed('preload', async (sub: Task) => {
                        const mod = await optionalModule<{ preloadImages(lab: Lab, o: unknown): Promise<unknown> }>('../images/preload.js');
                        if (!mod) return 'skipped: image preloading is not available in this build';
                        await mod.preloadImages(lab, { signal: o.signal, log: o.log, env: o.env, offline: o.offline, deadline: deadline.at, onOutput: (l: string) => (sub.output = l) });
                      }),
                    },
                  ]
                : []),
            ],
            { concurrent: true, exitOnError: true },
          ),
      },
      {
        title: `Install Calico ${lab.calico.version} (server-side apply)`,
        task: timed('apply calico', async (task) => (state.installedEarly ? `${EARLY_NOTE}: ${state.installNote ?? 'applied'}` : installCalico(state.client!, o.signal, (t) => (task.output = t)))),
      },
      {
        title: `Wait for Calico (TigeraStatus calico, apiserver) and ${lab.nodes.length} nodes Ready`,
        task: timed('wait ready', async (task) => {
          const client = state.client!;
          const stepDeadline = deadline.step(STEP_TIMEOUT_MS.calicoReady);
          const progress = { tigera: 'waiting', nodes: 'waiting' };
          const show = (): void => {
            task.output = `${progress.tigera} | ${progress.nodes}`;
          };
          const [tigera, nodes] = await Promise.all([
            watchUntil(client, 'operator.tigera.io/v1', 'tigerastatuses', {}, (items) => tigeraReady(items), {
              signal: o.signal,
              deadline: stepDeadline,
              what: 'TigeraStatus calico and apiserver Available',
              onProgress: (t) => {
                progress.tigera = t;
                show();
              },
            }),
            watchUntil(client, 'v1', 'nodes', {}, (items) => nodesReady(items, lab.nodes.map((n) => n.name)), {
              signal: o.signal,
              deadline: stepDeadline,
              what: 'nodes Ready',
              onProgress: (t) => {
                progress.nodes = t;
                show();
              },
            }),
          ]);
          state.tigera = tigera;
          state.nodes = nodes;
          const ippools = await client.get('operator.tigera.io/v1', 'tigerastatuses', 'ippools').catch(() => undefined);
          const pools = tigeraState('ippools', ippools);
          state.tigera.push(pools);
          return `calico, apiserver Available; ${nodes.length}/${lab.nodes.length} nodes Ready; ippools ${pools.available ? 'Available' : pools.degraded ? 'Degraded (reported only)' : 'not Available (reported only)'}`;
        }),
      },
    ],
    { json: o.json, env: o.env, stream: o.stderr },
  );

  try {
    await tasks.run(state);
  } catch (error) {
    throw await explainFailure(error, lab, state, o, deadline);
  } finally {
    state.client?.close();
    background.abort();
    o.signal.removeEventListener('abort', onAbort);
  }
  if (state.reused) skip('containerlab deploy', 'cluster reused');
  const summary: DeploySummary = {
    ok: true,
    lab: lab.name,
    cluster: lab.cluster,
    reused: state.reused,
    kubeconfig: lab.kubeconfigPath,
    calicoctl: state.calicoctl ?? '',
    versions: { calico: lab.calico.version, kubernetes: lab.kubernetesVersion, nodeImage: lab.nodeImage, containerlab: state.clabVersion, docker: state.dockerVersion },
    steps,
    durationMs: Math.round(performance.now() - started),
    tigeraStatus: state.tigera,
    nodes: state.nodes,
    apiRequests: state.client?.requestCount ?? 0,
    next: 'lab verify',
  };
  return summary;
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
  for (const s of summary.steps) {
    log.info(`  ${s.name.padEnd(20)} ${s.status === 'skipped' ? 'skipped'.padStart(8) : `${(s.durationMs / 1000).toFixed(1)} s`.padStart(8)}${s.note ? `  ${s.note}` : ''}`);
  }
  const pools = summary.tigeraStatus.find((t) => t.name === 'ippools');
  if (pools && !pools.available) log.info(`  TigeraStatus ippools: ${pools.degraded ? 'Degraded' : 'not Available'}${pools.message ? ` (${pools.message})` : ''} — reported, not required`);
  log.info(`  calicoctl: ${summary.calicoctl}`);
  log.info('');
  log.info(`Next: ${log.style('cyan', 'lab verify')}   (use the cluster: the export line below)`);
  out.stdout.write(`export KUBECONFIG=${summary.kubeconfig}\n`);
}

/** A promise whose failure is recorded (and never unhandled) so it can be checked before it is awaited. */
function settled<T>(promise: Promise<T>): { promise: Promise<T>; error: unknown } {
  const box: { promise: Promise<T>; error: unknown } = { promise, error: undefined };
  promise.catch((error: unknown) => {
    box.error = error ?? new Error('failed');
  });
  return box;
}

/**
 * What every deploy step shares: the lab, the options, the overall deadline, the state the steps
 * build up (for the next steps, the summary and the "what is left" report), and the background
 * downloads started at launch.
 */
import type { ListrTaskWrapper } from 'listr2';
import type { KubeObject, Lab } from '../../lab/model.js';
import type { KubeClient } from '../../kube/client.js';
import type { TigeraState } from '../../kube/wait.js';
import type { ToolOptions } from '../../tools/exec.js';
import type { RootMode } from '../../tools/sudo.js';
import type { WhatIsLeft } from '../cluster.js';
import type { Deadline } from '../deadlines.js';
import type { DeployOptions, StepRecord, WorkloadState } from '../types.js';

export interface Downloads {
  calicoctl: string;
  manifests: Record<'operator-crds.yaml' | 'tigera-operator.yaml', string>;
  docs: [KubeObject[], KubeObject[]];
}

export interface State {
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
  manifests?: Downloads['manifests'];
  docs?: Downloads['docs'];
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
  /** How many of the lesson's workload documents were applied (partly applied counts). */
  workloadsApplied: number;
  workloads: WorkloadState[];
}

export function initialState(): State {
  return { reused: false, clusterMayExist: false, calicoApplied: false, kubeconfigWritten: false, tigera: [], nodes: [], lastToolStderr: '', workloadsApplied: 0, workloads: [] };
}

/** A promise whose failure is recorded (and never unhandled) so it can be checked before it is awaited. */
export interface Settled<T> {
  promise: Promise<T>;
  error: unknown;
}

export function settled<T>(promise: Promise<T>): Settled<T> {
  const box: Settled<T> = { promise, error: undefined };
  promise.catch((error: unknown) => {
    box.error = error ?? new Error('failed');
  });
  return box;
}

export interface DeployContext {
  lab: Lab;
  o: DeployOptions;
  deadline: Deadline;
  state: State;
  steps: StepRecord[];
  downloads: Settled<Downloads>;
  /** Tool options bounded by min(stepMs, what is left of --timeout). */
  tool(stepMs: number, extra?: Partial<ToolOptions>): ToolOptions;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Task = ListrTaskWrapper<State, any, any>;

/**
 * One visible unit of the pipeline: its `--json` record name, its progress line (listr2 title, output
 * while it runs, `— note` when done), and the work. `skip` returns why the step has nothing to do
 * (recorded `skipped` with that note, shown as skipped); `hidden` steps (the lesson has none of it)
 * are recorded `skipped` but not shown, so a lesson without workloads prints what it always did.
 */
export interface Step {
  name: string;
  title: (c: DeployContext) => string;
  skip?: (c: DeployContext) => string | false;
  hidden?: (c: DeployContext) => string | false;
  run: (c: DeployContext, task: Task) => Promise<string | void>;
}

/** Steps that run side by side under one title. */
export interface StepGroup {
  title: string;
  concurrent: true;
  steps: Step[];
}

/** The note of the steps the early install already did: shown done (✔), not skipped. */
export const EARLY_NOTE = 'done early, during containerlab deploy (control plane up while kind joined the workers)';

/** The deploy command's options, its `--json` step records and its summary (shared by the pipeline and its steps). */
import type { SudoPreference } from '../tools/sudo.js';
import type { Logger } from '../ui/log.js';
import type { TigeraState } from '../kube/wait.js';

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

/** One step of the pipeline as `--json` and the summary report it. */
export interface StepRecord {
  name: string;
  status: 'done' | 'skipped' | 'failed';
  durationMs: number;
  note?: string;
}

/** A lesson workload and how ready it is (deploy summary, `lab status`). */
export interface WorkloadState {
  kind: string;
  namespace: string;
  name: string;
  ready: boolean;
  /** Ready replicas / pods (1/1 for a Pod), or 0 of 0 when it does not exist. */
  readyCount: number;
  desired: number;
  exists: boolean;
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
  /** The lesson's workloads once ready (empty when the lesson has none). */
  workloads: WorkloadState[];
  apiRequests: number;
  next: string;
}

/** The deploy command's options, its `--json` step records and its summary (shared by the pipeline and its steps). */
import type { SudoPreference } from '../tools/sudo.js';
import type { Logger } from '../ui/log.js';
import type { TigeraState } from '../kube/wait.js';
import type { Lab } from '../lab/model.js';

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

/** Which lesson a command ran: from its lesson file, or derived from a folder without one (`file: null`). */
export interface LessonRef {
  id: string;
  title: string;
  file: string | null;
}

export function lessonRef(lab: Pick<Lab, 'lesson'>): LessonRef {
  return { id: lab.lesson.id, title: lab.lesson.title, file: lab.lesson.file ?? null };
}

export interface DeploySummary {
  ok: true;
  lab: string;
  lesson: LessonRef;
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

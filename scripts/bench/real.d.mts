import type { Lag, WriteEvent } from './writes.d.mts';
import type { Row } from './table.d.mts';
export const REAL_REQUIRED: string[];
export const REAL_CALICO: string;
export function realPrerequisites(root: string): Promise<string | undefined>;
export function realLags(input: {
  marks: { name: string; at: number; listed: boolean }[];
  events: (WriteEvent & { listed: boolean })[];
  startAt: number;
  exitAt: number;
}): { apiUpToFirstWrite: Lag; crdEstablishedToCustomResource: Lag; readyToExit: Lag };
export function runRealBench(o: { root: string; runs: number; summarize: (r: unknown) => object; log?: (line: string) => void; childTimeoutMs?: number }): Promise<{ samples: object[]; errors: string[]; components: string[] }>;
export function buildRealRows(samples: object[]): Row[];

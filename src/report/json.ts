/** The `--json` document: one object with every check and its evidence (stdout; logs go to stderr). */
import type { VerifyLab } from '../calico/lab.js';
import { overallStatus, totals, type Totals } from '../calico/runner.js';
import type { CheckResult, CheckStatus } from '../calico/types.js';

export interface VerifyJson {
  ok: boolean;
  exitCode: number;
  status: CheckStatus;
  lab: { name: string; cluster: string; nodes: string[]; pool: string; blockSize: number; serviceSubnet: string };
  /** `live` or the snapshot path. */
  source: string;
  totals: Totals;
  durationMs: number;
  checks: CheckResult[];
  /** Inputs that were absent, with the reason (checks needing them were skipped). */
  missingInputs: Record<string, string>;
  apiRequests?: number;
}

export function buildJsonReport(lab: VerifyLab, results: CheckResult[], meta: { source: string; durationMs: number; missingInputs: Record<string, string>; apiRequests?: number }): VerifyJson {
  const t = totals(results);
  return {
    ok: t.fail === 0,
    exitCode: t.fail === 0 ? 0 : 1,
    status: overallStatus(results),
    lab: { name: lab.name, cluster: lab.cluster, nodes: lab.nodes.map((n) => n.name), pool: lab.pool.cidr, blockSize: lab.pool.blockSize, serviceSubnet: lab.serviceSubnet },
    source: meta.source,
    totals: t,
    durationMs: Math.round(meta.durationMs),
    checks: results,
    missingInputs: meta.missingInputs,
    ...(meta.apiRequests !== undefined ? { apiRequests: meta.apiRequests } : {}),
  };
}

/**
 * The `--json` document: one object with every check, its rules and its evidence (stdout; logs go to
 * stderr). `schemaVersion` 2 added `rules[]` per check (id, status, inputs, reason), `rules` totals,
 * `notApplicableInputs`, `ignored`, `reread`, `labNote`; every field of version 1 keeps its meaning.
 */
import type { VerifyLab } from '../calico/lab.js';
import { overallStatus, ruleTotals, totals, type RuleTotals, type Totals } from '../calico/runner.js';
import type { CheckResult, CheckStatus } from '../calico/types.js';

export const JSON_SCHEMA_VERSION = 2;

export interface VerifyJson {
  schemaVersion: number;
  ok: boolean;
  exitCode: number;
  status: CheckStatus;
  lab: { name: string; cluster: string; nodes: string[]; pool: string; blockSize: number; serviceSubnet: string };
  /** `live` or the snapshot path. */
  source: string;
  totals: Totals;
  rules: RuleTotals;
  durationMs: number;
  checks: CheckResult[];
  /** Inputs that were absent, with the reason (rules needing them were not evaluated, or failed when the read failed). */
  missingInputs: Record<string, string>;
  notApplicableInputs?: Record<string, string>;
  apiRequests?: number;
  /** Snapshot files or transcript parts verify could not read. */
  ignored?: { source: string; reason: string }[];
  /** Inputs read a second time after a failure comparing two reads. */
  reread?: string[];
  /** Which lab was assumed when the outputs' node names match none of its nodes. */
  labNote?: string;
  strict?: boolean;
}

export interface JsonMeta {
  source: string;
  durationMs: number;
  missingInputs: Record<string, string>;
  exitCode?: number;
  notApplicableInputs?: Record<string, string>;
  apiRequests?: number;
  ignored?: { source: string; reason: string }[];
  reread?: string[];
  labNote?: string;
  strict?: boolean;
}

export function buildJsonReport(lab: VerifyLab, results: CheckResult[], meta: JsonMeta): VerifyJson {
  const t = totals(results);
  const { source, durationMs, missingInputs, exitCode, ...rest } = meta;
  const code = exitCode ?? (t.fail === 0 ? 0 : 1);
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    ok: code === 0,
    exitCode: code,
    status: overallStatus(results),
    lab: { name: lab.name, cluster: lab.cluster, nodes: lab.nodes.map((n) => n.name), pool: lab.pool.cidr, blockSize: lab.pool.blockSize, serviceSubnet: lab.serviceSubnet },
    source,
    totals: t,
    rules: ruleTotals(results),
    durationMs: Math.round(durationMs),
    checks: results,
    missingInputs,
    ...rest,
  };
}

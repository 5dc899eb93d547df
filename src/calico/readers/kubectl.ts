/**
 * kubectl's human forms: `get tigerastatus` (columns from the CRD's additionalPrinterColumns:
 * NAME AVAILABLE PROGRESSING DEGRADED SINCE [MESSAGE]), `describe tigerastatus`, `get nodes [-o wide]`,
 * `get pods [-A] [-o wide]`, `get blockaffinities` and the lesson's jsonpath listing of affinities.
 */
import { parseV4Cidr } from '../cidr.js';
import { ParseError } from '../parse.js';
import type { Condition, TigeraStatus } from '../types.js';
import { cell, isNoResources, KUBECTL_NOISE, numberedLines, parseColumnTable } from './table.js';
import type { BlockAffinityListing, BlockAffinityRow, NodeRow, PodRow, TigeraStatusRow } from './types.js';

/** The first line that is not blank and not kubectl's stderr noise. */
const firstLine = (text: string): string => text.split('\n').find((l) => l.trim().length > 0 && !KUBECTL_NOISE.test(l))?.trim() ?? '';

// --- get tigerastatus ------------------------------------------------------------------------------

export function isTigeraStatusTable(text: string): boolean {
  return /^NAME\s+AVAILABLE\s+PROGRESSING\s+DEGRADED\s+SINCE\b/.test(firstLine(text));
}

export function parseTigeraStatusTable(text: string): TigeraStatusRow[] {
  if (isNoResources(text)) return [];
  const t = parseColumnTable(text, ['NAME', 'AVAILABLE', 'PROGRESSING', 'DEGRADED', 'SINCE']);
  return t.rows.map(({ line, cells: c }) => {
    const name = c['NAME'];
    if (!name) throw new ParseError(`line ${line}: a row without a NAME`);
    const row: TigeraStatusRow = { name };
    const set = (key: keyof Omit<TigeraStatusRow, 'name'>, v: string | undefined): void => { if (v !== undefined) row[key] = v; };
    set('available', c['AVAILABLE']);
    set('progressing', c['PROGRESSING']);
    set('degraded', c['DEGRADED']);
    set('since', c['SINCE']);
    set('message', c['MESSAGE']);
    return row;
  });
}

// --- describe tigerastatus ------------------------------------------------------------------------

export function isTigeraStatusDescribe(text: string): boolean {
  return /^Name:\s/m.test(text) && /^Kind:\s+TigeraStatus\s*$/m.test(text);
}

const CONDITION_KEYS: Record<string, keyof Condition | 'observedGeneration'> = {
  'Last Transition Time': 'lastTransitionTime',
  Message: 'message',
  'Observed Generation': 'observedGeneration',
  Reason: 'reason',
  Status: 'status',
  Type: 'type',
};

/**
 * `kubectl describe tigerastatus [name]`: one block per object, each starting `Name:` at column 0.
 * Conditions are printed as indented `Key: value` lines in key order (Last Transition Time … Type),
 * one condition after another with no separator: a key seen twice starts the next condition.
 */
export function parseTigeraStatusDescribe(text: string): TigeraStatus[] {
  const out: TigeraStatus[] = [];
  let current: TigeraStatus | undefined;
  let inConditions = false;
  let cond: Record<string, string> | undefined;
  const flush = (): void => {
    if (cond && current) {
      if (cond['type'] === undefined || cond['status'] === undefined) throw new ParseError(`${current.metadata.name}: a condition without Type or Status`);
      const c: Condition = { type: cond['type'], status: cond['status'] };
      if (cond['reason'] !== undefined) c.reason = cond['reason'];
      if (cond['message'] !== undefined) c.message = cond['message'];
      if (cond['lastTransitionTime'] !== undefined) c.lastTransitionTime = cond['lastTransitionTime'];
      current.status!.conditions!.push(c);
    }
    cond = undefined;
  };
  for (const { n, text: line } of numberedLines(text)) {
    const top = /^Name:\s*(\S*)\s*$/.exec(line);
    if (top) {
      flush();
      if (!top[1]) throw new ParseError(`line ${n}: Name: without a name`);
      current = { apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: top[1] }, status: { conditions: [] } };
      out.push(current);
      inConditions = false;
      continue;
    }
    if (!current) continue;
    if (/^\s+Conditions:\s*$/.test(line)) { inConditions = true; continue; }
    if (/^\S/.test(line)) { flush(); inConditions = false; continue; }
    if (!inConditions) continue;
    const kv = /^\s+([A-Z][A-Za-z ]*?):\s*(.*?)\s*$/.exec(line);
    if (!kv) continue;
    const key = CONDITION_KEYS[kv[1]!];
    if (!key) continue;
    if (cond && key in cond) flush();
    cond ??= {};
    cond[key] = kv[2]!;
  }
  flush();
  if (out.length === 0) throw new ParseError('no `Name:` line: not the output of kubectl describe tigerastatus');
  return out;
}

// --- get nodes ----------------------------------------------------------------------------------

export function isNodesTable(text: string): boolean {
  return /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\b/.test(firstLine(text));
}

export function parseNodesTable(text: string): NodeRow[] {
  if (isNoResources(text)) return [];
  const t = parseColumnTable(text, ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  return t.rows.map(({ line, cells: c }) => {
    const name = c['NAME'];
    const status = c['STATUS'];
    if (!name || !status) throw new ParseError(`line ${line}: a node row needs NAME and STATUS`);
    const roles = cell(c['ROLES']);
    const row: NodeRow = { name, status, roles: roles ? roles.split(',') : [] };
    const opt = (key: keyof NodeRow, col: string): void => {
      const v = cell(c[col]);
      if (v !== undefined) (row as unknown as Record<string, string>)[key] = v;
    };
    opt('age', 'AGE');
    opt('version', 'VERSION');
    opt('internalIP', 'INTERNAL-IP');
    opt('externalIP', 'EXTERNAL-IP');
    opt('osImage', 'OS-IMAGE');
    opt('kernelVersion', 'KERNEL-VERSION');
    opt('containerRuntime', 'CONTAINER-RUNTIME');
    return row;
  });
}

// --- get pods -----------------------------------------------------------------------------------

export function isPodsTable(text: string): boolean {
  return /^(NAMESPACE\s+)?NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\b/.test(firstLine(text));
}

export function parsePodsTable(text: string): PodRow[] {
  if (isNoResources(text)) return [];
  const namespaced = /^NAMESPACE\s/.test(firstLine(text));
  const t = parseColumnTable(text, namespaced ? ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'] : ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  return t.rows.map(({ line, cells: c }) => {
    const name = c['NAME'];
    if (!name) throw new ParseError(`line ${line}: a pod row without a NAME`);
    const row: PodRow = { name };
    const opt = (key: keyof PodRow, col: string): void => {
      const v = cell(c[col]);
      if (v !== undefined) row[key] = v;
    };
    if (namespaced) {
      const ns = c['NAMESPACE'];
      if (!ns) throw new ParseError(`line ${line}: a pod row without a NAMESPACE`);
      row.namespace = ns;
    }
    opt('ready', 'READY');
    opt('status', 'STATUS');
    opt('restarts', 'RESTARTS');
    opt('age', 'AGE');
    opt('ip', 'IP');
    opt('node', 'NODE');
    opt('nominatedNode', 'NOMINATED NODE');
    opt('readinessGates', 'READINESS GATES');
    return row;
  });
}

/**
 * Rows of `kubectl get pods [-A] -o wide` whose header a `| grep …` removed. The columns follow from
 * the command (NAMESPACE only with -A); RESTARTS may read `2 (5m ago)`.
 */
export function parseHeaderlessPodRows(text: string, allNamespaces: boolean, wide: boolean): PodRow[] {
  const ns = allNamespaces ? '(\\S+)\\s+' : '()';
  const tail = wide ? '\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)' : '()()()()';
  const re = new RegExp(`^${ns}(\\S+)\\s+(\\d+/\\d+)\\s+(\\S+)\\s+(\\d+(?: \\([^)]*\\))?)\\s+(\\S+)${tail}$`);
  const out: PodRow[] = [];
  for (const { n, text: line } of numberedLines(text)) {
    if (line.trim() === '' || KUBECTL_NOISE.test(line)) continue;
    const m = re.exec(line.trim());
    if (!m) throw new ParseError(`line ${n}: not a row of kubectl get pods${allNamespaces ? ' -A' : ''}${wide ? ' -o wide' : ''}`);
    const row: PodRow = { name: m[2]!, ready: m[3]!, status: m[4]!, restarts: m[5]!, age: m[6]! };
    if (allNamespaces) row.namespace = m[1]!;
    const opt = (key: 'ip' | 'node' | 'nominatedNode' | 'readinessGates', v: string | undefined): void => { const c = cell(v); if (c !== undefined) row[key] = c; };
    opt('ip', m[7]);
    opt('node', m[8]);
    opt('nominatedNode', m[9]);
    opt('readinessGates', m[10]);
    out.push(row);
  }
  return out;
}

// --- blockaffinities ------------------------------------------------------------------------------

/**
 * Calico names an affinity `<node>-<a-b-c-d-prefix>` (libcalico-go `ipam_affinity.go`); names of 253
 * characters or more are truncated and hashed, so node and CIDR are then unknown.
 */
export function affinityFromName(name: string): { node?: string; cidr?: string } {
  const m = /^(.+)-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/.exec(name);
  if (!m) return {};
  const cidr = `${m[2]}.${m[3]}.${m[4]}.${m[5]}/${m[6]}`;
  const parsed = parseV4Cidr(cidr);
  // The name carries the block's network address; anything else is not a Calico affinity name.
  if (!parsed || parsed.text !== cidr) return {};
  return { node: m[1]!, cidr };
}

export function isBlockAffinitiesTable(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !KUBECTL_NOISE.test(l));
  if (!/^NAME\s+(AGE|CREATED AT)$/.test(lines[0] ?? '')) return false;
  // `NAME AGE` is the default table of any custom resource: the rows must look like affinity names.
  return lines.length > 1 && lines.slice(1).every((l) => affinityFromName(l.split(/\s+/)[0]!).cidr !== undefined);
}

export function parseBlockAffinitiesTable(text: string): BlockAffinityRow[] {
  if (isNoResources(text)) return [];
  const t = parseColumnTable(text, ['NAME']);
  const ageCol = t.header[1];
  return t.rows.map(({ line, cells: c }) => {
    const name = c['NAME'];
    if (!name) throw new ParseError(`line ${line}: a row without a NAME`);
    const row: BlockAffinityRow = { name, ...affinityFromName(name) };
    const age = ageCol ? c[ageCol] : undefined;
    if (age !== undefined) row.age = age;
    return row;
  });
}

/** Lines of `name<TAB>node<TAB>cidr` (tabs may have become runs of spaces). */
export function isBlockAffinityListing(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.length > 0 && lines.every((l) => {
    const f = l.split(/\s+/);
    return f.length === 3 && parseV4Cidr(f[2]) !== undefined && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(f[0]!) && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(f[1]!);
  });
}

export function parseBlockAffinityListing(text: string): BlockAffinityListing[] {
  const out: BlockAffinityListing[] = [];
  for (const { n, text: line } of numberedLines(text)) {
    const t = line.trim();
    if (t.length === 0) continue;
    const f = t.split(/\s+/);
    if (f.length !== 3) throw new ParseError(`line ${n}: expected name, node and cidr, got ${f.length} field(s)`);
    out.push({ name: f[0]!, node: f[1]!, cidr: f[2]! });
  }
  return out;
}

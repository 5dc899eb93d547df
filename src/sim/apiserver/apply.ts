/**
 * Server-side apply and managed-fields bookkeeping, simplified from the real structured-merge-diff:
 * maps merge key by key; lists and scalars are atomic (the applied value replaces the live one).
 * Ownership is tracked per leaf path in `metadata.managedFields` (FieldsV1), per manager and operation.
 */
import type { StoredObject } from '../store.js';
import { ApiError, failure } from './status.js';

type Json = unknown;
type JsonMap = Record<string, Json>;
const isObj = (v: Json): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

const SEP = '\u0001';
type Path = string[];
const enc = (p: Path): string => p.join(SEP);
const dec = (s: string): Path => (s === '' ? [] : s.split(SEP));

/** Server-owned metadata never tracked nor taken from an applied configuration. */
const SERVER_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonMap;
  subresource?: string;
}

export interface FieldScope {
  /** The resource has a status subresource (status is not set through the main resource). */
  hasStatus: boolean;
  /** The request goes to `/status`. */
  subresource?: 'status';
}

export interface ManagerContext extends FieldScope {
  manager: string;
  apiVersion: string;
  now: string;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObj(a)) {
    if (!isObj(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function getAt(v: Json, p: Path): Json {
  let cur = v;
  for (const k of p) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Whether a top-level key is in scope for the request (main resource vs status subresource). */
function inScope(top: string, scope: FieldScope): boolean {
  if (top === 'apiVersion' || top === 'kind') return false;
  if (scope.subresource === 'status') return top === 'status';
  return !(scope.hasStatus && top === 'status');
}

/** Leaf paths of an object within the scope (maps recurse; lists, scalars and empty maps are leaves). */
export function leafPaths(obj: Json, scope: FieldScope): Set<string> {
  const out = new Set<string>();
  const walk = (v: Json, p: Path): void => {
    if (isObj(v) && Object.keys(v).length > 0) {
      for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    } else out.add(enc(p));
  };
  if (!isObj(obj)) return out;
  for (const [top, v] of Object.entries(obj)) {
    if (!inScope(top, scope)) continue;
    if (top === 'metadata') {
      if (!isObj(v)) continue;
      for (const [k, c] of Object.entries(v)) if (!SERVER_META.has(k)) walk(c, ['metadata', k]);
    } else walk(v, [top]);
  }
  return out;
}

export function toFieldsV1(paths: Iterable<string>): JsonMap {
  const root: JsonMap = {};
  for (const s of paths) {
    let cur = root;
    for (const k of dec(s)) {
      const key = `f:${k}`;
      const existing = cur[key];
      const next: JsonMap = isObj(existing) ? existing : {};
      cur[key] = next;
      cur = next;
    }
  }
  return root;
}

export function fromFieldsV1(f: Json): Set<string> {
  const out = new Set<string>();
  const walk = (v: Json, p: Path): void => {
    if (!isObj(v)) return;
    const keys = Object.keys(v).filter((k) => k !== '.');
    const children = keys.filter((k) => k.startsWith('f:'));
    // k:/v:/i: entries are list members: we own lists atomically, so the list itself is the leaf.
    if (children.length === 0 || keys.some((k) => !k.startsWith('f:'))) {
      if (p.length > 0) out.add(enc(p));
      return;
    }
    for (const k of children) walk(v[k], [...p, k.slice(2)]);
  };
  walk(f, []);
  return out;
}

function readEntries(obj: StoredObject | undefined): ManagedFieldsEntry[] {
  const mf = obj?.metadata.managedFields;
  if (!Array.isArray(mf)) return [];
  return mf.filter((e): e is ManagedFieldsEntry => isObj(e) && typeof (e as JsonMap)['manager'] === 'string');
}

interface Owner {
  entry: ManagedFieldsEntry;
  fields: Set<string>;
}

function owners(obj: StoredObject | undefined): Owner[] {
  return readEntries(obj).map((entry) => ({ entry, fields: fromFieldsV1(entry.fieldsV1) }));
}

function sameSlot(e: ManagedFieldsEntry, manager: string, operation: string, subresource: string | undefined): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? undefined) === subresource;
}

function writeEntries(obj: StoredObject, list: Owner[]): void {
  const entries = list
    .filter((o) => o.fields.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1([...o.fields].sort()) }));
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** Paths of `owned` that are `p`, under `p`, or above `p`. */
function overlapping(owned: Set<string>, p: string, liveValueIsMap: boolean): string[] {
  const hits: string[] = [];
  if (owned.has(p)) hits.push(p);
  const parts = dec(p);
  for (let i = parts.length - 1; i > 0; i--) {
    const anc = enc(parts.slice(0, i));
    if (owned.has(anc)) hits.push(anc);
  }
  if (liveValueIsMap) for (const q of owned) if (q.startsWith(p + SEP)) hits.push(q);
  return hits;
}

function mergeInto(live: JsonMap, applied: JsonMap): void {
  for (const [k, v] of Object.entries(applied)) {
    const cur = live[k];
    if (isObj(v) && isObj(cur) && Object.keys(v).length > 0) mergeInto(cur, v);
    else live[k] = structuredClone(v);
  }
}

function removePath(obj: JsonMap, p: Path, keep: (path: string) => boolean): void {
  const parents: JsonMap[] = [];
  let cur: Json = obj;
  for (const k of p.slice(0, -1)) {
    if (!isObj(cur)) return;
    parents.push(cur);
    cur = cur[k];
  }
  if (!isObj(cur)) return;
  delete cur[p[p.length - 1] ?? ''];
  // Prune maps left empty (but never top-level fields), unless someone owns them.
  let child = cur;
  for (let i = p.length - 2; i >= 1; i--) {
    if (Object.keys(child).length > 0) break;
    const path = p.slice(0, i + 1);
    if (keep(enc(path))) break;
    const parent = parents[i];
    if (!parent) break;
    delete parent[p[i] ?? ''];
    child = parent;
  }
}

function humanPath(p: string): string {
  return '.' + dec(p).join('.');
}

/**
 * Server-side apply of `applied` (already parsed) by `ctx.manager` onto `live` (undefined = create).
 * Returns the new object (without server-set metadata changes, which the store makes).
 */
export function applyObject(live: StoredObject | undefined, applied: StoredObject, ctx: ManagerContext & { force: boolean }): StoredObject {
  const sub = ctx.subresource;
  const appliedFields = leafPaths(applied, ctx);
  const all = owners(live);
  const mine = all.find((o) => sameSlot(o.entry, ctx.manager, 'Apply', sub));
  const others = all.filter((o) => o !== mine);

  // Conflicts: a field owned by another manager whose value this apply changes.
  const conflicts: { manager: string; apiVersion: string; path: string }[] = [];
  const taken = new Map<Owner, string[]>();
  if (live) {
    for (const p of appliedFields) {
      const path = dec(p);
      const liveValue = getAt(live, path);
      const appliedValue = getAt(applied, path);
      const differs = !deepEqual(liveValue, appliedValue);
      for (const o of others) {
        const hits = overlapping(o.fields, p, isObj(liveValue));
        if (hits.length === 0) continue;
        if (differs) {
          if (!ctx.force) conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, path: p });
          else taken.set(o, [...(taken.get(o) ?? []), ...hits]);
        }
      }
    }
  }
  if (conflicts.length > 0) throw applyConflict(conflicts);

  const result: StoredObject = live ? structuredClone(live) : ({ apiVersion: applied.apiVersion, kind: applied.kind, metadata: { name: applied.metadata.name } } as StoredObject);
  if (live) {
    result.apiVersion = applied.apiVersion ?? live.apiVersion;
  }
  // Merge the applied configuration (only in-scope fields).
  for (const [top, v] of Object.entries(applied)) {
    if (!inScope(top, ctx) && top !== 'metadata') continue;
    if (top === 'metadata') {
      if (!isObj(v)) continue;
      const meta: JsonMap = {};
      for (const [k, c] of Object.entries(v)) if (!SERVER_META.has(k)) meta[k] = c;
      if (ctx.subresource !== 'status') mergeInto(result.metadata as JsonMap, meta);
      continue;
    }
    const cur = (result as JsonMap)[top];
    if (isObj(v) && isObj(cur) && Object.keys(v).length > 0) mergeInto(cur, v);
    else (result as JsonMap)[top] = structuredClone(v);
  }
  for (const [o, paths] of taken) for (const p of paths) o.fields.delete(p);

  // Fields this manager applied before but not now, owned by nobody else: removed.
  if (mine) {
    const prefixes = (set: Set<string>): Set<string> => {
      const out = new Set<string>();
      for (const q of set) {
        const parts = dec(q);
        for (let i = 1; i < parts.length; i++) out.add(enc(parts.slice(0, i)));
      }
      return out;
    };
    const appliedPrefixes = prefixes(appliedFields);
    const othersPrefixes = others.map((o) => prefixes(o.fields));
    const ancestorIn = (p: string, set: Set<string>): boolean => {
      const parts = dec(p);
      for (let i = 1; i < parts.length; i++) if (set.has(enc(parts.slice(0, i)))) return true;
      return false;
    };
    const othersOwn = (p: string): boolean => others.some((o, i) => o.fields.has(p) || othersPrefixes[i]!.has(p));
    for (const p of mine.fields) {
      if (appliedFields.has(p) || appliedPrefixes.has(p) || ancestorIn(p, appliedFields)) continue;
      if (othersOwn(p)) continue;
      removePath(result as JsonMap, dec(p), (q) => appliedFields.has(q) || others.some((o) => o.fields.has(q)));
    }
  }

  const entry: ManagedFieldsEntry = {
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    time: ctx.now,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(sub ? { subresource: sub } : {}),
  };
  const next: Owner[] = [];
  let placed = false;
  for (const o of all) {
    if (o === mine) {
      next.push({ entry, fields: appliedFields });
      placed = true;
    } else next.push(o);
  }
  if (!placed) next.push({ entry, fields: appliedFields });
  writeEntries(result, next);
  return result;
}

function applyConflict(conflicts: { manager: string; apiVersion: string; path: string }[]): ApiError {
  const byManager = new Map<string, { apiVersion: string; paths: string[] }>();
  for (const c of conflicts) {
    const e = byManager.get(c.manager) ?? { apiVersion: c.apiVersion, paths: [] };
    e.paths.push(humanPath(c.path));
    byManager.set(c.manager, e);
  }
  const n = conflicts.length;
  let message: string;
  if (n === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with "${c.manager}" using ${c.apiVersion}: ${humanPath(c.path)}`;
  } else {
    const parts = [...byManager].map(([m, e]) => `conflicts with "${m}" using ${e.apiVersion}:\n${e.paths.map((p) => `- ${p}`).join('\n')}`);
    message = `Apply failed with ${n} conflicts: ${parts.join('\n')}`;
  }
  return new ApiError(
    failure(409, 'Conflict', message, {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: humanPath(c.path) })),
    }),
  );
}

/**
 * Record an Update operation (create, replace, patch) by `ctx.manager`: the fields it changed become
 * its own and are taken from every other manager.
 */
export function recordUpdate(old: StoredObject | undefined, next: StoredObject, ctx: ManagerContext): void {
  const before = old ? leafPaths(old, ctx) : new Set<string>();
  const after = leafPaths(next, ctx);
  const changed = new Set<string>();
  for (const p of after) if (!before.has(p) || !deepEqual(getAt(old, dec(p)), getAt(next, dec(p)))) changed.add(p);
  const removed = [...before].filter((p) => !after.has(p));
  const all = owners(old);
  for (const o of all) {
    for (const p of changed) o.fields.delete(p);
    for (const p of removed) o.fields.delete(p);
    // Drop ownership of paths that no longer exist as leaves (a map replaced by a scalar etc.).
    for (const p of [...o.fields]) if (!after.has(p) && getAt(next, dec(p)) === undefined && inScope(dec(p)[0] ?? '', ctx)) o.fields.delete(p);
  }
  if (changed.size > 0) {
    const slot = all.find((o) => sameSlot(o.entry, ctx.manager, 'Update', ctx.subresource));
    if (slot) {
      for (const p of changed) slot.fields.add(p);
      slot.entry = { ...slot.entry, time: ctx.now, apiVersion: ctx.apiVersion };
    } else {
      all.push({
        entry: {
          manager: ctx.manager,
          operation: 'Update',
          apiVersion: ctx.apiVersion,
          time: ctx.now,
          fieldsType: 'FieldsV1',
          fieldsV1: {},
          ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
        },
        fields: changed,
      });
    }
  }
  writeEntries(next, all);
}

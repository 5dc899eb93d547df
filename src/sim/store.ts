/**
 * The simulated cluster's object store (its "etcd"): objects by resource, resourceVersions, and watch
 * events. The API server serves it over HTTP; the simulated controllers read and write it directly.
 * Objects are kept as plain JSON values exactly as received (plus server-set metadata).
 */
import { randomUUID } from 'node:crypto';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A resource is identified by group + plural (`""/nodes`, `crd.projectcalico.org/ipamblocks`). */
export interface ResourceRef {
  group: string;
  resource: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: WatchEventType;
  ref: ResourceRef;
  object: StoredObject;
  resourceVersion: number;
}

export interface ListOptions {
  namespace?: string;
  /** Equality-based label selector terms, already parsed: every entry must match (value undefined = key exists). */
  labels?: LabelRequirement[];
  /** Field selector terms on dotted paths, e.g. metadata.name=x, spec.nodeName=y, involvedObject.kind!=Pod. */
  fields?: FieldRequirement[];
}

export interface LabelRequirement {
  key: string;
  op: '=' | '!=' | 'exists' | '!exists' | 'in' | 'notin';
  values: string[];
}
export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

export class StoreError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone',
    message: string,
  ) {
    super(message);
  }
}

const key = (ref: ResourceRef): string => `${ref.group}/${ref.resource}`;
const objKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function matches(obj: StoredObject, options: ListOptions): boolean {
  if (options.namespace !== undefined && options.namespace !== '' && obj.metadata.namespace !== options.namespace) return false;
  const labels = obj.metadata.labels ?? {};
  for (const r of options.labels ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        if (!has || v !== r.values[0]) return false;
        break;
      case '!=':
        if (has && v === r.values[0]) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v as string)) return false;
        break;
    }
  }
  for (const f of options.fields ?? []) {
    const raw = getPath(obj, f.path);
    const value = raw === undefined || raw === null ? '' : String(raw);
    if (f.op === '=' ? value !== f.value : value === f.value) return false;
  }
  return true;
}

type Listener = (event: StoreEvent) => void;

export class ObjectStore {
  private revision = 1;
  private readonly data = new Map<string, Map<string, StoredObject>>();
  private readonly listeners = new Set<Listener>();
  /** Recent events, for watches that start from an older resourceVersion. */
  private readonly log: StoreEvent[] = [];
  private readonly logLimit: number;

  /** `eventLogLimit`: how many recent events a watch can replay from (default 20,000); older → Gone. */
  constructor(options: { eventLogLimit?: number } = {}) {
    this.logLimit = options.eventLogLimit ?? 20_000;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  private bucket(ref: ResourceRef): Map<string, StoredObject> {
    let b = this.data.get(key(ref));
    if (!b) {
      b = new Map();
      this.data.set(key(ref), b);
    }
    return b;
  }

  get(ref: ResourceRef, namespace: string | undefined, name: string): StoredObject | undefined {
    const obj = this.bucket(ref).get(objKey(namespace, name));
    return obj === undefined ? undefined : structuredClone(obj);
  }

  list(ref: ResourceRef, options: ListOptions = {}): { items: StoredObject[]; resourceVersion: number } {
    // Key order (namespace/name by code point), like etcd's range reads.
    const entries = [...this.bucket(ref).entries()].filter(([, o]) => matches(o, options));
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { items: entries.map(([, o]) => structuredClone(o)), resourceVersion: this.revision };
  }

  /**
   * Like list(), but the items are the stored objects themselves, not copies: read-only for the caller
   * (the API server serialises them at once; copying 1,000 objects per LIST is what makes it slow).
   */
  listShared(ref: ResourceRef, options: ListOptions = {}): { items: readonly StoredObject[]; resourceVersion: number } {
    const entries = [...this.bucket(ref).entries()].filter(([, o]) => matches(o, options));
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { items: entries.map(([, o]) => o), resourceVersion: this.revision };
  }

  create(ref: ResourceRef, input: StoredObject): StoredObject {
    const b = this.bucket(ref);
    const k = objKey(input.metadata.namespace, input.metadata.name);
    if (b.has(k)) throw new StoreError('AlreadyExists', `${ref.resource} "${input.metadata.name}" already exists`);
    const obj = structuredClone(input);
    this.revision += 1;
    obj.metadata.uid = obj.metadata.uid ?? randomUUID();
    obj.metadata.resourceVersion = String(this.revision);
    obj.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.generation = 1;
    b.set(k, obj);
    this.emit({ type: 'ADDED', ref, object: structuredClone(obj), resourceVersion: this.revision });
    return structuredClone(obj);
  }

  /**
   * Replace an existing object. If `input.metadata.resourceVersion` is set it must match (optimistic
   * concurrency, 409 Conflict otherwise). Generation moves when anything but status/metadata changed.
   */
  update(ref: ResourceRef, input: StoredObject): StoredObject {
    const b = this.bucket(ref);
    const k = objKey(input.metadata.namespace, input.metadata.name);
    const old = b.get(k);
    if (!old) throw new StoreError('NotFound', `${ref.resource} "${input.metadata.name}" not found`);
    if (input.metadata.resourceVersion !== undefined && input.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw new StoreError('Conflict', `Operation cannot be fulfilled on ${ref.resource} "${input.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const obj = structuredClone(input);
    this.revision += 1;
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    obj.metadata.resourceVersion = String(this.revision);
    const specChanged = JSON.stringify(withoutStatusAndMeta(old)) !== JSON.stringify(withoutStatusAndMeta(obj));
    obj.metadata.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    b.set(k, obj);
    this.emit({ type: 'MODIFIED', ref, object: structuredClone(obj), resourceVersion: this.revision });
    return structuredClone(obj);
  }

  /** Create or replace (no resourceVersion check). */
  put(ref: ResourceRef, input: StoredObject): StoredObject {
    const exists = this.bucket(ref).has(objKey(input.metadata.namespace, input.metadata.name));
    if (!exists) return this.create(ref, input);
    const copy = structuredClone(input);
    delete copy.metadata.resourceVersion;
    return this.update(ref, copy);
  }

  /** Read-modify-write helper for controllers. Returns undefined when the object does not exist. */
  mutate(ref: ResourceRef, namespace: string | undefined, name: string, change: (obj: StoredObject) => void): StoredObject | undefined {
    const current = this.get(ref, namespace, name);
    if (!current) return undefined;
    change(current);
    delete current.metadata.resourceVersion;
    return this.update(ref, current);
  }

  delete(ref: ResourceRef, namespace: string | undefined, name: string): StoredObject {
    const b = this.bucket(ref);
    const k = objKey(namespace, name);
    const old = b.get(k);
    if (!old) throw new StoreError('NotFound', `${ref.resource} "${name}" not found`);
    b.delete(k);
    this.revision += 1;
    const obj = structuredClone(old);
    obj.metadata.resourceVersion = String(this.revision);
    this.emit({ type: 'DELETED', ref, object: structuredClone(obj), resourceVersion: this.revision });
    return obj;
  }

  /** Remove every object of a resource (used when a CRD is deleted). */
  drop(ref: ResourceRef): void {
    for (const obj of [...this.bucket(ref).values()]) this.delete(ref, obj.metadata.namespace, obj.metadata.name);
    this.data.delete(key(ref));
  }

  /**
   * Subscribe to events of one resource (or all with ref undefined). With `sinceResourceVersion`, events
   * after that revision still in the log are replayed first; if the log no longer reaches back that far
   * a StoreError('Gone') is thrown (the API answers 410 Expired).
   */
  watch(ref: ResourceRef | undefined, listener: Listener, sinceResourceVersion?: number): () => void {
    const wanted = ref === undefined ? undefined : key(ref);
    const filtered: Listener = (e) => {
      if (wanted === undefined || key(e.ref) === wanted) listener(e);
    };
    if (sinceResourceVersion !== undefined && sinceResourceVersion < this.revision) {
      const oldest = this.log[0]?.resourceVersion ?? this.revision + 1;
      if (sinceResourceVersion + 1 < oldest && this.log.length >= this.logLimit) {
        throw new StoreError('Gone', `too old resource version: ${sinceResourceVersion} (${oldest - 1})`);
      }
      for (const e of this.log) if (e.resourceVersion > sinceResourceVersion) filtered(e);
    }
    this.listeners.add(filtered);
    return () => this.listeners.delete(filtered);
  }

  private emit(event: StoreEvent): void {
    this.log.push(event);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
    for (const l of [...this.listeners]) l(event);
  }
}

function withoutStatusAndMeta(obj: StoredObject): unknown {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

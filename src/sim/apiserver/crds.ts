/**
 * The apiextensions controller: a CustomResourceDefinition in the store registers its resources, and
 * after `establishDelayMs` becomes NamesAccepted + Established (only then are its objects served).
 * Deleting a CRD unregisters it and drops its objects.
 */
import type { ObjectStore, StoredObject } from '../store.js';
import { CRD_REF } from './builtins.js';
import { ALL_VERBS, type PrinterColumn, type Registry } from './registry.js';

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames?: string[];
  categories?: string[];
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  hasStatus: boolean;
  printerColumns?: PrinterColumn[];
}

interface CrdInfo {
  name: string;
  group: string;
  namespaced: boolean;
  names: CrdNames;
  versions: CrdVersion[];
}

function parseCrd(obj: StoredObject): CrdInfo | undefined {
  const spec = obj['spec'];
  if (!isObj(spec) || typeof spec['group'] !== 'string' || !isObj(spec['names'])) return undefined;
  const n = spec['names'];
  if (typeof n['plural'] !== 'string' || typeof n['kind'] !== 'string') return undefined;
  const names: CrdNames = {
    plural: n['plural'],
    singular: typeof n['singular'] === 'string' ? n['singular'] : n['kind'].toLowerCase(),
    kind: n['kind'],
    listKind: typeof n['listKind'] === 'string' ? n['listKind'] : `${n['kind']}List`,
    ...(Array.isArray(n['shortNames']) ? { shortNames: n['shortNames'].filter((s): s is string => typeof s === 'string') } : {}),
    ...(Array.isArray(n['categories']) ? { categories: n['categories'].filter((s): s is string => typeof s === 'string') } : {}),
  };
  const versions: CrdVersion[] = [];
  for (const v of Array.isArray(spec['versions']) ? spec['versions'] : []) {
    if (!isObj(v) || typeof v['name'] !== 'string') continue;
    const sub = isObj(v['subresources']) ? v['subresources'] : isObj(spec['subresources']) ? spec['subresources'] : {};
    const cols = Array.isArray(v['additionalPrinterColumns']) ? v['additionalPrinterColumns'] : Array.isArray(spec['additionalPrinterColumns']) ? spec['additionalPrinterColumns'] : undefined;
    versions.push({
      name: v['name'],
      served: v['served'] !== false,
      storage: v['storage'] === true,
      hasStatus: isObj(sub) && sub['status'] !== undefined,
      ...(cols
        ? {
            printerColumns: cols.filter(isObj).map((c) => ({
              name: String(c['name'] ?? ''),
              type: String(c['type'] ?? 'string'),
              jsonPath: String(c['jsonPath'] ?? c['JSONPath'] ?? ''),
              ...(typeof c['description'] === 'string' ? { description: c['description'] } : {}),
              ...(typeof c['priority'] === 'number' ? { priority: c['priority'] } : {}),
              ...(typeof c['format'] === 'string' ? { format: c['format'] } : {}),
            })),
          }
        : {}),
    });
  }
  if (versions.length === 0 && typeof spec['version'] === 'string') versions.push({ name: spec['version'], served: true, storage: true, hasStatus: false });
  return { name: obj.metadata.name, group: spec['group'], namespaced: spec['scope'] !== 'Cluster', names, versions };
}

function isEstablished(obj: StoredObject): boolean {
  const status = obj['status'];
  if (!isObj(status) || !Array.isArray(status['conditions'])) return false;
  return status['conditions'].some((c) => isObj(c) && c['type'] === 'Established' && c['status'] === 'True');
}

const nowStamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class CrdController {
  /** CRD name → what is currently registered for it */
  private readonly registered = new Map<string, CrdInfo>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unwatch: () => void;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: Registry,
    private readonly establishDelayMs: number,
  ) {
    for (const crd of store.list(CRD_REF).items) this.sync(crd);
    this.unwatch = store.watch(CRD_REF, (e) => {
      if (e.type === 'DELETED') this.removed(e.object.metadata.name);
      else this.sync(e.object);
    });
  }

  close(): void {
    this.unwatch();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private register(info: CrdInfo): void {
    this.unregister(info.name);
    const storageVersion = info.versions.find((v) => v.storage)?.name ?? info.versions[0]?.name;
    for (const v of info.versions) {
      if (!v.served) continue;
      this.registry.add(
        {
          group: info.group,
          version: v.name,
          name: info.names.plural,
          singularName: info.names.singular,
          kind: info.names.kind,
          listKind: info.names.listKind,
          namespaced: info.namespaced,
          ...(info.names.shortNames && info.names.shortNames.length > 0 ? { shortNames: info.names.shortNames } : {}),
          ...(info.names.categories && info.names.categories.length > 0 ? { categories: info.names.categories } : {}),
          verbs: ALL_VERBS,
          hasStatus: v.hasStatus,
          storage: { group: info.group, resource: info.names.plural },
          ...(v.printerColumns ? { printerColumns: v.printerColumns } : {}),
          crd: info.name,
        },
        storageVersion,
      );
    }
    this.registered.set(info.name, info);
  }

  private unregister(name: string): void {
    const old = this.registered.get(name);
    if (!old) return;
    this.registry.remove(old.group, old.names.plural);
    this.registered.delete(name);
  }

  private sync(obj: StoredObject): void {
    const info = parseCrd(obj);
    if (!info) return;
    if (isEstablished(obj)) {
      if (JSON.stringify(this.registered.get(info.name)) !== JSON.stringify(info)) this.register(info);
      return;
    }
    if (this.registered.has(info.name)) {
      // Already established by us; a replace dropped the status: re-register and re-establish.
      this.register(info);
    }
    if (this.timers.has(info.name)) return;
    const t = setTimeout(() => {
      this.timers.delete(info.name);
      this.establish(info.name);
    }, this.establishDelayMs);
    this.timers.set(info.name, t);
  }

  private establish(name: string): void {
    const current = this.store.get(CRD_REF, undefined, name);
    if (!current) return;
    const info = parseCrd(current);
    if (!info) return;
    const time = nowStamp();
    const storedVersions = info.versions.filter((v) => v.storage).map((v) => v.name);
    this.register(info);
    this.store.mutate(CRD_REF, undefined, name, (o) => {
      const status = isObj(o['status']) ? o['status'] : {};
      status['acceptedNames'] = {
        kind: info.names.kind,
        listKind: info.names.listKind,
        plural: info.names.plural,
        singular: info.names.singular,
        ...(info.names.shortNames && info.names.shortNames.length > 0 ? { shortNames: info.names.shortNames } : {}),
        ...(info.names.categories && info.names.categories.length > 0 ? { categories: info.names.categories } : {}),
      };
      status['conditions'] = [
        { lastTransitionTime: time, message: 'no conflicts found', reason: 'NoConflicts', status: 'True', type: 'NamesAccepted' },
        { lastTransitionTime: time, message: 'the initial names have been accepted', reason: 'InitialNamesAccepted', status: 'True', type: 'Established' },
      ];
      status['storedVersions'] = storedVersions.length > 0 ? storedVersions : info.versions.slice(0, 1).map((v) => v.name);
      o['status'] = status;
    });
  }

  private removed(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
    const old = this.registered.get(name);
    this.unregister(name);
    if (old) this.store.drop({ group: old.group, resource: old.names.plural });
  }
}

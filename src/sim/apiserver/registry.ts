/**
 * The resource types the simulated API server serves: built-ins, CRD-defined resources (added when a
 * CustomResourceDefinition is Established) and aggregated read-only views (the Calico API server's
 * `projectcalico.org/v3`).
 */
import type { ResourceRef, StoredObject } from '../store.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceType {
  group: string;
  version: string;
  /** plural, e.g. `nodes` */
  name: string;
  singularName: string;
  kind: string;
  /** `<Kind>List` unless a CRD says otherwise */
  listKind?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** has a `/status` subresource */
  hasStatus: boolean;
  /** Where the objects live in the store. */
  storage: ResourceRef;
  /** CRD additionalPrinterColumns (Table output). */
  printerColumns?: PrinterColumn[];
  /** Set for CRD-defined resources: the CRD's name. */
  crd?: string;
  /** Read-only aggregated view: objects come from `storage` through this function. */
  toView?: (obj: StoredObject) => StoredObject;
}

export interface AggregatedResource {
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  source: ResourceRef;
  toView(obj: StoredObject): StoredObject;
}

export interface AggregatedGroup {
  group: string;
  version: string;
  resources: AggregatedResource[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const READ_VERBS = ['get', 'list', 'watch'];

const gvKey = (group: string, version: string): string => `${group}/${version}`;

/** Version priority like Kubernetes' (v1 > v1beta2 > v1beta1 > v1alpha1 > other). */
function versionRank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stage, Number(m[1]), Number(m[3] ?? 0)];
}
function compareVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (rb[i] ?? 0) - (ra[i] ?? 0);
  return a.localeCompare(b);
}

export class Registry {
  /** group/version → plural → type */
  private readonly byGv = new Map<string, Map<string, ResourceType>>();
  /** group → versions in registration order (and CRD preferred version first) */
  private readonly groupOrder: string[] = [];
  private readonly preferred = new Map<string, string>();

  add(type: ResourceType, preferredVersion?: string): void {
    const k = gvKey(type.group, type.version);
    let m = this.byGv.get(k);
    if (!m) {
      m = new Map();
      this.byGv.set(k, m);
    }
    m.set(type.name, type);
    if (type.group !== '' && !this.groupOrder.includes(type.group)) this.groupOrder.push(type.group);
    if (preferredVersion !== undefined) this.preferred.set(type.group, preferredVersion);
  }

  /** Remove one resource (all versions when version is undefined). */
  remove(group: string, name: string, version?: string): void {
    for (const [k, m] of this.byGv) {
      const t = m.get(name);
      if (!t || t.group !== group || (version !== undefined && t.version !== version)) continue;
      m.delete(name);
      if (m.size === 0) this.byGv.delete(k);
    }
    if (this.versions(group).length === 0) {
      const i = this.groupOrder.indexOf(group);
      if (i >= 0) this.groupOrder.splice(i, 1);
      this.preferred.delete(group);
    }
  }

  /** The served type for group/version/plural, or undefined (the API answers 404). */
  lookup(group: string, version: string, name: string): ResourceType | undefined {
    return this.byGv.get(gvKey(group, version))?.get(name);
  }

  /** Whether group/version exists at all. */
  hasGroupVersion(group: string, version: string): boolean {
    return this.byGv.has(gvKey(group, version));
  }

  resources(group: string, version: string): ResourceType[] {
    return [...(this.byGv.get(gvKey(group, version))?.values() ?? [])];
  }

  /** Served versions of a group, preferred first. */
  versions(group: string): string[] {
    const vs: string[] = [];
    for (const k of this.byGv.keys()) {
      const i = k.lastIndexOf('/');
      if (k.slice(0, i) === group) vs.push(k.slice(i + 1));
    }
    vs.sort(compareVersions);
    const pref = this.preferred.get(group);
    if (pref !== undefined && vs.includes(pref)) return [pref, ...vs.filter((v) => v !== pref)];
    return vs;
  }

  /**
   * Non-core groups in discovery order: built-ins, then aggregated API groups, then CRD groups (like the
   * real server's APIService group priorities: an aggregated `projectcalico.org` (1500) outranks the
   * CRD group `crd.projectcalico.org` (1000), so `kubectl get ippools` resolves to it).
   */
  groups(): string[] {
    const rank = (g: string): number => {
      const t = this.versions(g).flatMap((v) => this.resources(g, v))[0];
      return t?.toView ? 1 : t?.crd !== undefined ? 2 : 0;
    };
    const ranked = this.groupOrder.map((g, i) => ({ g, i, r: rank(g) }));
    ranked.sort((a, b) => a.r - b.r || a.i - b.i);
    return ranked.map((x) => x.g);
  }

  /** Find the served type for an apiVersion + kind (e.g. `crd.projectcalico.org/v1`, `IPPool`). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const i = apiVersion.lastIndexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
    for (const t of this.resources(group, version)) if (t.kind === kind) return t;
    return undefined;
  }

  /** Register a read-only aggregated API group (served from `source` objects through `toView`). */
  addAggregated(group: AggregatedGroup): void {
    this.removeAggregated(group.group);
    for (const r of group.resources) {
      this.add({
        group: group.group,
        version: group.version,
        name: r.name,
        singularName: r.singularName,
        kind: r.kind,
        namespaced: r.namespaced,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        verbs: READ_VERBS,
        hasStatus: false,
        storage: r.source,
        toView: r.toView,
      });
    }
  }

  removeAggregated(group: string): void {
    for (const v of this.versions(group)) for (const t of this.resources(group, v)) this.remove(group, t.name, v);
  }

  /** Every distinct storage ref of namespaced resources (for namespace deletion). */
  namespacedStorage(): ResourceRef[] {
    const seen = new Map<string, ResourceRef>();
    for (const m of this.byGv.values())
      for (const t of m.values()) if (t.namespaced && !t.toView) seen.set(`${t.storage.group}/${t.storage.resource}`, t.storage);
    return [...seen.values()];
  }
}

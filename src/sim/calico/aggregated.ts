/**
 * The Calico API server's aggregated `projectcalico.org/v3` view (read-only here): IPPools and
 * BlockAffinities. In v3 BlockAffinity `deleted` is a bool (omitted when false) and there is no
 * `type`; IPAMBlock and IPAMHandle are not served by projectcalico.org/v3 in v3.30.
 */
import type { AggregatedGroup } from '../apiserver/index.js';
import type { StoredObject } from '../store.js';
import { R } from './refs.js';

function v3Meta(obj: StoredObject): StoredObject['metadata'] {
  const { managedFields: _mf, generation: _g, ...meta } = obj.metadata;
  return meta;
}

export function ippoolToV3(obj: StoredObject): StoredObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: v3Meta(obj), spec: structuredClone(obj.spec ?? {}) };
}

export function blockAffinityToV3(obj: StoredObject): StoredObject {
  const s = (obj.spec ?? {}) as { state?: string; node?: string; cidr?: string; deleted?: string | boolean };
  const deleted = s.deleted === true || s.deleted === 'true';
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BlockAffinity',
    metadata: v3Meta(obj),
    spec: { ...(s.state !== undefined ? { state: s.state } : {}), ...(s.node !== undefined ? { node: s.node } : {}), ...(s.cidr !== undefined ? { cidr: s.cidr } : {}), ...(deleted ? { deleted: true } : {}) },
  };
}

export function projectcalicoV3(): AggregatedGroup {
  return {
    group: 'projectcalico.org',
    version: 'v3',
    resources: [
      { name: 'ippools', singularName: 'ippool', kind: 'IPPool', namespaced: false, source: R.ippools, toView: ippoolToV3 },
      { name: 'blockaffinities', singularName: 'blockaffinity', kind: 'BlockAffinity', namespaced: false, shortNames: ['blockaffinity', 'affinity', 'affinities'], source: R.blockaffinities, toView: blockAffinityToV3 },
    ],
  };
}

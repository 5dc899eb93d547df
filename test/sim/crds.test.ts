/**
 * The world's own CRDs and operator manifest: generated from facts, never upstream's bytes. Against the
 * real manifests in ../shared/reference/calico/manifests/ (when present, else skipped visibly): the same
 * CRDs with the same names, scope, versions, subresources and printer columns, and the same type for
 * every field the world declares — and no line of upstream's text in the world's files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { INSTALLATION_CRD_BYTES, operatorCrdsYaml } from '../../src/sim/calico/crds.js';
import { tigeraOperatorYaml } from '../../src/sim/calico/manifests.js';
import { RELEASES } from '../../src/sim/calico/releases.js';
import { calicoReference, skipNote } from '../helpers/reference.js';

type Obj = Record<string, any>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }) as Obj).filter((d) => d !== null);
const MANIFESTS = calicoReference('manifests');
const parsed = new Map<string, Obj[]>();
/** The world's CRDs of a version, parsed once (1.4 MB of YAML). */
const worldCrds = (v: string): Obj[] => {
  if (!parsed.has(v)) parsed.set(v, docs(operatorCrdsYaml(v).toString()));
  return parsed.get(v)!;
};
const VERSIONS = Object.keys(RELEASES);

/** What a CRD registers: the facts the API server and kubectl use. */
function facts(crd: Obj): Obj {
  const s = crd['spec'];
  return {
    name: crd['metadata'].name,
    group: s.group,
    names: s.names,
    scope: s.scope,
    versions: s.versions.map((v: Obj) => ({
      name: v['name'],
      served: v['served'],
      storage: v['storage'],
      subresources: Object.keys(v['subresources'] ?? {}),
      columns: (v['additionalPrinterColumns'] ?? []).map((c: Obj) => ({ name: c['name'], type: c['type'], jsonPath: c['jsonPath'] })),
    })),
  };
}

/** `path: type` of every property the world declares under spec (its generated bulk excluded), looked up in another schema. */
function declaredTypes(schema: Obj, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries<Obj>(schema['properties'] ?? {})) {
    if (k === 'generated') continue;
    const p = `${prefix}.${k}`;
    out[p] = v['type'] ?? (v['x-kubernetes-int-or-string'] ? 'int-or-string' : '?');
    Object.assign(out, declaredTypes(v['type'] === 'array' ? (v['items'] ?? {}) : v, v['type'] === 'array' ? `${p}[]` : p));
  }
  return out;
}

function typeAt(schema: Obj, path: string): string | undefined {
  let s: Obj | undefined = schema;
  for (const part of path.split('.').slice(1)) {
    const array = part.endsWith('[]');
    s = s?.['properties']?.[array ? part.slice(0, -2) : part];
    if (array) s = s?.['items'];
  }
  if (!s) return undefined;
  return path.endsWith('[]') ? 'array' : (s['type'] ?? (s['x-kubernetes-int-or-string'] ? 'int-or-string' : '?'));
}

describe('the world\'s operator-crds.yaml', () => {
  it('is generated: 32 CRDs for each version, an Installation CRD of the real size with every x-kubernetes-* feature', () => {
    for (const v of VERSIONS) {
      const crds = worldCrds(v);
      expect(crds).toHaveLength(32);
      expect(crds.every((c) => c['kind'] === 'CustomResourceDefinition')).toBe(true);
      const inst = operatorCrdsYaml(v).toString().split('\n---\n').find((d) => d.includes('\n  name: installations.operator.tigera.io\n'))!;
      expect(Math.abs(inst.length - INSTALLATION_CRD_BYTES) / INSTALLATION_CRD_BYTES).toBeLessThan(0.05);
    }
  });

  it('models the CRD differences between versions: IPPool spec.namespaceSelector is new in v3.31.3', () => {
    const pool = (v: string): Obj => worldCrds(v).find((c) => c['metadata'].name === 'ippools.crd.projectcalico.org')!;
    expect(declaredTypes(pool('v3.31.3')['spec'].versions[0].schema.openAPIV3Schema)['.spec.namespaceSelector']).toBe('string');
    expect(declaredTypes(pool('v3.30.0')['spec'].versions[0].schema.openAPIV3Schema)['.spec.namespaceSelector']).toBeUndefined();
  });

  for (const v of VERSIONS) {
    const file = MANIFESTS ? join(MANIFESTS, v, 'operator-crds.yaml') : '';
    const present = MANIFESTS !== undefined && existsSync(file);
    it.skipIf(!present)(skipNote(`${v}: the same CRDs as upstream's (names, scope, versions, subresources, columns; declared field types)`, present, `../shared/reference/calico/manifests/${v}/`), () => {
      const real = new Map(docs(readFileSync(file, 'utf8')).map((c) => [c['metadata'].name as string, c]));
      const ours = worldCrds(v);
      expect(ours.map((c) => c['metadata'].name).sort()).toEqual([...real.keys()].sort());
      for (const crd of ours) {
        const up = real.get(crd['metadata'].name)!;
        expect(facts(crd), crd['metadata'].name).toEqual(facts(up));
        const ourSchema = crd['spec'].versions[0].schema.openAPIV3Schema;
        const upSchema = up['spec'].versions[0].schema.openAPIV3Schema;
        for (const [path, type] of Object.entries(declaredTypes(ourSchema))) {
          if (['.apiVersion', '.kind', '.metadata'].includes(path) || (type === 'object' && typeAt(upSchema, path) === 'object')) continue;
          expect(typeAt(upSchema, path), `${crd['metadata'].name} ${path}`).toBe(type);
        }
      }
    });

    it.skipIf(!present)(skipNote(`${v}: no line of upstream's manifests appears in the world's`, present, `../shared/reference/calico/manifests/${v}/`), () => {
      for (const [name, ours] of [
        ['operator-crds.yaml', operatorCrdsYaml(v).toString()],
        ['tigera-operator.yaml', tigeraOperatorYaml(RELEASES[v]!).toString()],
      ] as const) {
        // prose (descriptions, comments, rules): lines of six words or more; names and paths are facts and may agree
        const prose = (l: string): boolean => l.split(/\s+/).length >= 6;
        const upstream = new Set(readFileSync(join(MANIFESTS!, v, name), 'utf8').split('\n').map((l) => l.trim()).filter(prose));
        const copied = ours.split('\n').map((l) => l.trim()).filter((l) => upstream.has(l));
        expect(copied, name).toEqual([]);
      }
    });
  }
});

describe('the world\'s tigera-operator.yaml', () => {
  it('runs the release\'s operator image and tells it to manage the CRDs', () => {
    for (const r of Object.values(RELEASES)) {
      const dep = docs(tigeraOperatorYaml(r).toString()).find((d) => d['kind'] === 'Deployment')!;
      const c = dep['spec'].template.spec.containers[0];
      expect(c.image).toBe(`quay.io/tigera/operator:${r.operator}`);
      expect(c.args).toEqual(['-manage-crds=true']);
      expect(c.env.find((e: Obj) => e['name'] === 'TIGERA_OPERATOR_INIT_IMAGE_VERSION').value).toBe(r.operator);
      expect(dep['spec'].template.spec.hostNetwork).toBe(true);
    }
  });
});

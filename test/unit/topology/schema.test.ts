/**
 * F-12: the lesson's topology names a JSON schema for editors (yaml-language-server modeline) that
 * accepts `extras.k8s_kind`, which containerlab's own schema rejects. Validated with a draft-07
 * validator, python3-jsonschema, the way yaml-language-server does it; skipped, saying so, when it is
 * not installed (lab adds no npm validator for this).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url).pathname;
const topologyFile = path.join(root, 'topology', 'calico-ipam.clab.yaml');
const topologyText = readFileSync(topologyFile, 'utf8');

function hasJsonschema(): boolean {
  try {
    execFileSync('python3', ['-c', 'import jsonschema'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const validatorThere = hasJsonschema();
if (!validatorThere) console.warn('SKIPPED: topology schema validation needs python3 with jsonschema (Debian: python3-jsonschema); not installed here');

/** Validation errors (path: message) of `doc` against `schemaFile`; [] when valid. */
function validate(schemaFile: string, doc: unknown): string[] {
  const script = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(json.load(sys.stdin)), key=lambda e: list(e.path))
print(json.dumps(["/".join(map(str, e.path)) + ": " + e.message for e in errors]))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, schemaFile], { input: JSON.stringify(doc), encoding: 'utf8' })) as string[];
}

describe('topology schema for editors', () => {
  const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(topologyText.split('\n')[0] ?? '');
  const schemaFile = modeline ? path.resolve(path.dirname(topologyFile), modeline[1]!) : '';

  it('the first line is a yaml-language-server modeline naming a schema file next to the topology', () => {
    expect(modeline, topologyText.split('\n')[0]).not.toBeNull();
    expect(existsSync(schemaFile), schemaFile).toBe(true);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  });

  it.skipIf(!validatorThere)('the lesson topology validates (extras.k8s_kind.deploy.wait included)', () => {
    const doc = parse(topologyText) as { topology: { nodes: Record<string, { extras?: unknown }> } };
    expect(doc.topology.nodes['calico-ipam']?.extras).toEqual({ k8s_kind: { deploy: { wait: '0s' } } });
    expect(validate(schemaFile, doc)).toEqual([]);
  });

  it.skipIf(!validatorThere)('and it still catches what containerlab would refuse: typos in the extras, a bad duration, a missing name', () => {
    const bad = (edit: (d: Record<string, any>) => void): string[] => {
      const d = parse(topologyText) as Record<string, any>;
      edit(d);
      return validate(schemaFile, JSON.parse(JSON.stringify(d)));
    };
    expect(bad((d) => (d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy = { wiat: '0s' })).join('\n')).toMatch(/additional properties are not allowed \('wiat' was unexpected\)/i);
    expect(bad((d) => (d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy.wait = 'soon')).join('\n')).toMatch(/topology\/nodes\/calico-ipam\/extras\/k8s_kind\/deploy\/wait: 'soon' does not match/);
    expect(bad((d) => (d.topology.nodes['calico-ipam'].extras = { k8s_knid: {} })).join('\n')).toMatch(/'k8s_knid' was unexpected/);
    expect(bad((d) => delete d.name).join('\n')).toMatch(/'name' is a required property/);
    // a kubeconfig for kind (F-3's topology extra) and other containerlab keys stay allowed
    expect(bad((d) => {
      d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy.kubeconfig = 'calico-ipam.kubeconfig';
      d.topology.nodes['calico-ipam'].labels = { lesson: '01' };
      d.mgmt = { network: 'clab' };
    })).toEqual([]);
  });
});

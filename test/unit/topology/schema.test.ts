/**
 * F-12: the lesson's topology names a JSON schema for editors (yaml-language-server modeline) that
 * accepts `extras.k8s_kind`, which containerlab's own schema rejects. Validated with a draft-07
 * validator, python3-jsonschema, the way yaml-language-server does it; skipped, saying so, when it is
 * not installed (lab adds no npm validator for this).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url).pathname;
const topologyFile = path.join(root, 'topology', '01-calico-ipam', 'calico-ipam.clab.yaml');
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

/** Validation errors (path: message) of each doc against `schemaFile` ([] when valid), in one python3 run. */
function validateAll(schemaFile: string, docs: unknown[]): string[][] {
  const script = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
out = []
for doc in json.load(sys.stdin):
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    out.append(["/".join(map(str, e.path)) + ": " + e.message for e in errors])
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, schemaFile], { input: JSON.stringify(docs), encoding: 'utf8', timeout: 60_000 })) as string[][];
}

describe('topology schema for editors', () => {
  const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(topologyText.split('\n')[0] ?? '');
  const schemaFile = modeline ? path.resolve(path.dirname(topologyFile), modeline[1]!) : '';

  it('the first line is a yaml-language-server modeline naming a schema file next to the topology', () => {
    expect(modeline, topologyText.split('\n')[0]).not.toBeNull();
    expect(existsSync(schemaFile), schemaFile).toBe(true);
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  });

  it.skipIf(!validatorThere)('the lesson topology validates, and the schema still catches what containerlab would refuse', () => {
    const doc = parse(topologyText) as { topology: { nodes: Record<string, { extras?: unknown }> } };
    expect(doc.topology.nodes['calico-ipam']?.extras).toEqual({ k8s_kind: { deploy: { wait: '0s' } } });
    const edited = (edit: (d: Record<string, any>) => void): unknown => {
      const d = parse(topologyText) as Record<string, any>;
      edit(d);
      return d;
    };
    const [lesson, typo, badWait, badExtra, noName, allowed] = validateAll(schemaFile, [
      doc,
      edited((d) => (d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy = { wiat: '0s' })),
      edited((d) => (d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy.wait = 'soon')),
      edited((d) => (d.topology.nodes['calico-ipam'].extras = { k8s_knid: {} })),
      edited((d) => delete d.name),
      // a kubeconfig for kind (F-3's topology extra) and other containerlab keys stay allowed
      edited((d) => {
        d.topology.nodes['calico-ipam'].extras.k8s_kind.deploy.kubeconfig = 'calico-ipam.kubeconfig';
        d.topology.nodes['calico-ipam'].labels = { lesson: '01' };
        d.mgmt = { network: 'clab' };
      }),
    ]);
    expect(lesson).toEqual([]);
    expect(typo!.join('\n')).toMatch(/additional properties are not allowed \('wiat' was unexpected\)/i);
    expect(badWait!.join('\n')).toMatch(/topology\/nodes\/calico-ipam\/extras\/k8s_kind\/deploy\/wait: 'soon' does not match/);
    expect(badExtra!.join('\n')).toMatch(/'k8s_knid' was unexpected/);
    expect(noName!.join('\n')).toMatch(/'name' is a required property/);
    expect(allowed).toEqual([]);
  }, 60_000);
});

describe('every shipped lesson folder for editors', () => {
  const lessonsDir = path.join(root, 'topology');
  const folders = readdirSync(lessonsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(lessonsDir, e.name));
  const modelineOf = (file: string): string | undefined => /^# yaml-language-server: \$schema=(\S+)$/.exec(readFileSync(file, 'utf8').split('\n')[0] ?? '')?.[1];

  it('each topology and lesson file names its schema, and the file is there', () => {
    expect(folders.length).toBe(5);
    for (const dir of folders) {
      const topo = readdirSync(dir).filter((n) => n.endsWith('.clab.yaml'));
      expect(topo, dir).toHaveLength(1);
      expect(modelineOf(path.join(dir, topo[0]!)), dir).toBe('../k8s-kind-lab.schema.json');
      expect(modelineOf(path.join(dir, 'lesson.yaml')), dir).toBe('../lesson.schema.json');
    }
    expect(existsSync(path.join(lessonsDir, 'lesson.schema.json'))).toBe(true);
  });

  it.skipIf(!validatorThere)('the topologies and lesson files validate; the lesson schema refuses what lab refuses', () => {
    const topologies = folders.map((dir) => parse(readFileSync(path.join(dir, readdirSync(dir).find((n) => n.endsWith('.clab.yaml'))!), 'utf8')) as unknown);
    expect(validateAll(path.join(lessonsDir, 'k8s-kind-lab.schema.json'), topologies)).toEqual(folders.map(() => []));
    const lessons = folders.map((dir) => parse(readFileSync(path.join(dir, 'lesson.yaml'), 'utf8')) as Record<string, unknown>);
    const lessonSchema = path.join(lessonsDir, 'lesson.schema.json');
    expect(validateAll(lessonSchema, lessons)).toEqual(folders.map(() => []));
    const [typo, badWait, badVersion, exercises] = validateAll(lessonSchema, [
      { ...lessons[1], titel: 'x' },
      { ...lessons[1], workloads: { waitFor: [{ kind: 'Service', name: 'x' }] } },
      { ...lessons[1], calico: 'latest' },
      { ...lessons[1], exercises: [{ anything: true }] },
    ]);
    expect(typo!.join('\n')).toMatch(/'titel' was unexpected/);
    expect(badWait!.join('\n')).toMatch(/workloads\/waitFor\/0\/kind: 'Service' is not one of/);
    expect(badVersion!.join('\n')).toMatch(/calico: 'latest' does not match/);
    // lab refuses an exercise without id, title, teaches, commands and probe: so does the schema.
    expect(exercises!.join('\n')).toMatch(/exercises\/0: 'id' is a required property/);
    expect(exercises!.join('\n')).toMatch(/'anything' was unexpected/);
  });
});

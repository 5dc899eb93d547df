import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';
import { clabErrorLines } from '../../src/tools/containerlab.js';
import { fangError } from '../../src/sim/tools/containerlab.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/sim/${name}`, import.meta.url), 'utf8');
/** Mask what the references call illustrative: container IDs, ages, the topology location, the owner. */
const maskRow = (r: Record<string, string>): Record<string, string> => ({ ...r, container_id: 'ID', status: 'STATUS', absLabPath: 'ABS', labPath: 'PATH', owner: 'OWNER' });
const stripTime = (line: string): string => line.replace(/^\d\d:\d\d:\d\d /, '');

describe('fake containerlab', () => {
  let tw: TestWorld;
  beforeAll(async () => {
    tw = await startTestWorld();
    tw.env['CLAB_VERSION_CHECK'] = 'disable'; // these calls stand in for lab, which always sets it
  });
  afterAll(async () => {
    await tw?.close();
  });

  test('version -s / --json match the contract', async () => {
    expect((await tw.run('containerlab', ['version', '-s'])).stdout).toBe(fixture('containerlab-version-short.txt'));
    const json = await tw.run('containerlab', ['version', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(fixture('containerlab-version.json')));
    expect((await tw.run('clab', ['version', '-s'])).stdout).toBe(fixture('containerlab-version-short.txt'));
  });

  test('unknown flag and command fail like cobra (exit 1)', async () => {
    const r = await tw.run('containerlab', ['deploy', '-t', tw.topology, '--bogus']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: unknown flag: --bogus\n');
    const c = await tw.run('containerlab', ['deplyo']);
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toContain('unknown command "deplyo" for "containerlab"');
  });

  test('inspect before deploy: {} for json, header only for csv', async () => {
    const r = await tw.run('containerlab', ['inspect', '-t', tw.topology, '--format', 'json']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(fixture('containerlab-inspect-empty.json'));
    const csv = await tw.run('containerlab', ['inspect', '-t', tw.topology, '--format', 'csv']);
    expect(csv.stdout).toBe(`${fixture('containerlab-inspect.csv').split('\n')[0]}\n`);
  });

  test('missing topology file and missing startup-config fail with the contract texts', async () => {
    const r = await tw.run('containerlab', ['deploy', '-t', 'nope.clab.yaml']);
    expect(r.exitCode).toBe(1);
    expect(clabErrorLines(r.stderr)).toEqual(['ERROR: Stat nope.clab.yaml: no such file or directory.']);
    const { writeFileSync } = await import('node:fs');
    const bad = join(tw.labDir, 'topology', '01-calico-ipam', 'bad.clab.yaml');
    writeFileSync(bad, readFileSync(tw.topology, 'utf8').replace('calico-ipam-no-cni.yaml', 'missing.yaml'));
    const s = await tw.run('containerlab', ['deploy', '-t', bad]);
    expect(s.exitCode).toBe(1);
    expect(clabErrorLines(s.stderr).join(' ')).toContain(`ERROR: Node "clab-calico-ipam-calico-ipam" startup-config file not found by the path ${join(tw.labDir, 'topology', '01-calico-ipam', 'missing.yaml')}.`);
  });

  test('deploy streams the kind steps on stderr and prints the inspect table; second deploy fails', async () => {
    const r = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
    expect(r.stderr).toBe(r.stderr); // for the message below
    expect(r.exitCode, r.stderr).toBe(0);
    const want = fixture('containerlab-deploy.stderr.txt').trimEnd().split('\n').map(stripTime);
    const got = r.stderr.trimEnd().split('\n').map(stripTime).map((l) => l.replace(`path=${join(tw.labDir, 'topology', '01-calico-ipam')}/`, 'path=/home/user/calico-ipam/'));
    expect(got).toEqual(want);
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(/^\d\d:\d\d:\d\d (INFO|WARN|ERRO) /);
    // the table: same layout as the reference (rows in name order, same widths)
    expect(r.stdout).toBe(fixture('containerlab-inspect.txt'));

    // lab dir next to the topology, like containerlab-labdir-tree.txt
    const labDir = join(tw.labDir, 'topology', '01-calico-ipam', 'clab-calico-ipam');
    for (const f of fixture('containerlab-labdir-tree.txt').split('\n').filter((l) => l.startsWith('clab-calico-ipam/'))) {
      expect(existsSync(join(tw.labDir, 'topology', '01-calico-ipam', f)), f).toBe(true);
    }
    expect(readdirSync(labDir)).not.toContain('calico-ipam.kubeconfig');

    const again = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
    expect(again.exitCode).toBe(1);
    // fang's box wraps at 116 columns: the kind message is split between "the" and "name"
    expect(again.stderr).toContain('\n   ERROR  \n');
    expect(again.stderr).toMatch(/already exist for a cluster with the +\n  name "calico-ipam"\. +\n\n$/);
    expect(clabErrorLines(again.stderr)).toEqual(['ERROR: Deployment failed for one or more nodes: node "calico-ipam" deploy: node(s) already exist for a cluster with the name "calico-ipam".']);
  });

  test('inspect json after deploy has the reference shape, field order and sort', async () => {
    const r = await tw.run('containerlab', ['inspect', '-t', tw.topology, '--format', 'json']);
    expect(r.exitCode).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, Record<string, string>[]>;
    const want = JSON.parse(fixture('containerlab-inspect.json')) as Record<string, Record<string, string>[]>;
    expect(Object.keys(got)).toEqual(Object.keys(want));
    expect(got['calico-ipam']?.map((x) => Object.keys(x))).toEqual(want['calico-ipam']?.map((x) => Object.keys(x)));
    expect(got['calico-ipam']?.map(maskRow)).toEqual(want['calico-ipam']?.map(maskRow));
    for (const row of got['calico-ipam'] ?? []) {
      expect(row['container_id']).toMatch(/^[0-9a-f]{12}$/);
      expect(row['absLabPath']).toBe(tw.topology);
      expect(row['status']).toMatch(/^Up /);
    }
    // 2-space indentation, trailing newline
    expect(r.stdout).toMatch(/^\{\n {2}"calico-ipam": \[\n {4}\{\n {6}"lab_name"/);
    expect(r.stdout.endsWith('}\n')).toBe(true);
    const csv = await tw.run('containerlab', ['inspect', '-t', tw.topology, '--format', 'csv']);
    const mask = (t: string): string[] => t.trimEnd().split('\n').map((l) => l.split(',').map((v, i) => ([1, 2, 4, 8, 11].includes(i) ? '' : v)).join(','));
    expect(mask(csv.stdout).slice(1)).toEqual(mask(fixture('containerlab-inspect.csv')).slice(1));
  });

  test('destroy prints the contract lines, removes the cluster; destroy again exits 0 with only the parse line', async () => {
    const r = await tw.run('containerlab', ['destroy', '-t', tw.topology, '--cleanup']);
    expect(r.exitCode).toBe(0);
    const want = fixture('containerlab-destroy.stderr.txt').trimEnd().split('\n').map(stripTime);
    expect(r.stderr.trimEnd().split('\n').map(stripTime)).toEqual(want);
    expect(existsSync(join(tw.labDir, 'topology', '01-calico-ipam', 'clab-calico-ipam'))).toBe(false);
    expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe('');
    const again = await tw.run('containerlab', ['destroy', '-t', tw.topology]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr.trimEnd().split('\n').map(stripTime)).toEqual(['INFO Parsing & checking topology file=calico-ipam.clab.yaml']);
    expect((await tw.run('containerlab', ['inspect', '-t', tw.topology, '--format', 'json'])).stdout).toBe('{}\n');
  });

  test('errors are boxed as the real containerlab 0.79.0 prints them through a pipe (fang)', () => {
    // the real binary's answer to a deploy on a kernel without /proc/modules, as recorded by the contract test
    const real = ['          ', '   ERROR  ', '          ', `  ${'Open /proc/modules: no such file or directory.'.padEnd(116)}`, '', ''].join('\n');
    expect(fangError('open /proc/modules: no such file or directory')).toBe(real);
    const long = fangError(`word ${'x'.repeat(120)} end`);
    expect(long.split('\n').slice(3, 6)).toEqual([`  ${'Word'.padEnd(116)}`, `  ${'x'.repeat(120)}`, `  ${'end.'.padEnd(116)}`]);
  });
});

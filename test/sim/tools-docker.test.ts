import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/sim/${name}`, import.meta.url), 'utf8');
const label = 'label=io.x-k8s.kind.cluster=calico-ipam';

describe('fake docker', () => {
  let tw: TestWorld;
  beforeAll(async () => {
    tw = await startTestWorld();
  });
  afterAll(async () => {
    await tw?.close();
  });

  test('info formats', async () => {
    expect((await tw.run('docker', ['info', '--format', '{{.ServerVersion}}'])).stdout).toBe(fixture('docker-info-serverversion.txt'));
    expect((await tw.run('docker', ['info', '--format', '{{.CgroupDriver}}'])).stdout).toBe(fixture('docker-info-cgroupdriver.txt'));
    expect((await tw.run('docker', ['info', '--format', '{{.CgroupVersion}}'])).stdout).toBe('2\n');
    const json = await tw.run('docker', ['info', '--format', '{{json .}}']);
    expect(json.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(Object.keys(JSON.parse(fixture('docker-info.json')) as object));
    expect((await tw.run('docker', ['version', '--format', '{{.Server.Version}}'])).stdout).toBe('28.5.2\n');
  });

  test('unknown flag: exit 125 with the usage hint', async () => {
    const r = await tw.run('docker', ['ps', '--bogus']);
    expect(r.exitCode).toBe(125);
    expect(r.stderr.split('\n')[0]).toBe('unknown flag: --bogus');
    expect(r.stderr).toContain("Run 'docker ps --help' for more information");
  });

  test('images: inspect absent, pull, save, load', async () => {
    const absent = await tw.run('docker', ['image', 'inspect', 'kindest/node:v1.28.0']);
    expect(absent).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'Error response from daemon: No such image: kindest/node:v1.28.0\n' });
    const pull = await tw.run('docker', ['pull', 'kindest/node:v1.28.0']);
    expect(pull.exitCode).toBe(0);
    expect(pull.stdout.trimEnd().split('\n').at(-1)).toBe('docker.io/kindest/node:v1.28.0');
    const inspect = await tw.run('docker', ['image', 'inspect', 'kindest/node:v1.28.0', '--format', '{{.Id}}']);
    expect(inspect.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const archive = join(tw.labDir, 'images.tar');
    expect((await tw.run('docker', ['save', '-o', archive, 'kindest/node:v1.28.0'])).exitCode).toBe(0);
    tw.world.host.images.clear();
    const load = await tw.run('docker', ['load', '-i', archive]);
    expect(load).toEqual({ exitCode: 0, stdout: 'Loaded image: kindest/node:v1.28.0\n', stderr: '' });
  });

  test('ps / network / rm against a deployed kind cluster', async () => {
    expect((await tw.run('docker', ['network', 'inspect', 'kind'])).stderr).toBe('Error response from daemon: network kind not found\n');
    expect((await tw.run('docker', ['ps', '-a', '--filter', label, '--format', '{{.Names}}'])).stdout).toBe('');
    const dep = await tw.run('containerlab', ['deploy', '-t', tw.topology], { env: { CLAB_VERSION_CHECK: 'disable' } });
    expect(dep.exitCode, dep.stderr).toBe(0);

    const names = await tw.run('docker', ['ps', '-a', '--filter', label, '--format', '{{.Names}}']);
    expect(names.stdout).toBe(fixture('docker-ps-kind-names.txt'));
    const jsonl = await tw.run('docker', ['ps', '-a', '--filter', label, '--format', '{{json .}}']);
    const got = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const want = fixture('docker-ps-kind.jsonl').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got.map((o) => Object.keys(o))).toEqual(want.map((o) => Object.keys(o)));
    const stable = (o: Record<string, unknown>): unknown => ({ ...o, CreatedAt: '', ID: '', Mounts: '', RunningFor: '', Status: '', Ports: String(o['Ports']).replace(/:\d+->/, ':PORT->') });
    expect(got.map(stable)).toEqual(want.map(stable));
    const clusters = await tw.run('docker', ['ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}']);
    expect(clusters.stdout).toBe('calico-ipam\ncalico-ipam\ncalico-ipam\n');

    const net = await tw.run('docker', ['network', 'inspect', 'kind']);
    const gotNet = JSON.parse(net.stdout) as Record<string, unknown>[];
    const wantNet = JSON.parse(fixture('docker-network-inspect-kind.json')) as Record<string, unknown>[];
    expect(Object.keys(gotNet[0] ?? {})).toEqual(Object.keys(wantNet[0] ?? {}));
    expect(gotNet[0]?.['IPAM']).toEqual(wantNet[0]?.['IPAM']);
    const byName = (n: Record<string, unknown>): unknown => Object.values(n['Containers'] as Record<string, Record<string, string>>).map((c) => [c['Name'], c['IPv4Address'], c['IPv6Address'], c['MacAddress']]).sort();
    expect(byName(gotNet[0] ?? {})).toEqual(byName(wantNet[0] ?? {}));
    expect(net.stdout.startsWith('[\n    {\n        "Name": "kind",')).toBe(true);
    const ipam = await tw.run('docker', ['network', 'inspect', 'kind', '--format', '{{json .IPAM.Config}}']);
    expect(ipam.stdout).toBe('[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"},{"Subnet":"fc00:f853:ccd:e793::/64","Gateway":"fc00:f853:ccd:e793::1"}]\n');
    expect((await tw.run('docker', ['network', 'ls', '--filter', 'label=containerlab', '--format', '{{.Name}}'])).stdout).toBe('clab\n');

    const ids = (await tw.run('docker', ['ps', '-aq', '--filter', label])).stdout.trim().split('\n');
    expect(ids).toHaveLength(3);
    const rm = await tw.run('docker', ['rm', '-f', '-v', ...ids]);
    expect(rm).toEqual({ exitCode: 0, stdout: ids.map((i) => `${i}\n`).join(''), stderr: '' });
    expect((await tw.run('kind', ['get', 'clusters'])).stdout).toBe('');
    expect((await tw.run('docker', ['rm', 'nope'])).stderr).toBe('Error response from daemon: No such container: nope\n');
    // the kind network is kept
    expect((await tw.run('docker', ['network', 'inspect', 'kind', '--format', '{{.Name}}'])).stdout).toBe('kind\n');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerInfo, parseDockerPs, parseIpamConfig, parseLabels } from '../../../src/tools/docker.js';
import { parseContainerlabVersion, parseInspectJson, clabErrorLines } from '../../../src/tools/containerlab.js';
import { parseNameLines } from '../../../src/tools/kind.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'cli', name), 'utf8');

describe('containerlab parsers', () => {
  it('inspect JSON keyed by lab name', () => {
    const c = parseInspectJson(fixture('containerlab-inspect.json'), 'calico-ipam');
    expect(c.map((x) => x.name)).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    expect(c[0]).toMatchObject({ kind: 'k8s-kind', image: 'kindest/node:v1.28.0', state: 'running', container_id: '8c1b7f3e2a90', ipv4_address: '172.18.0.3/16' });
  });
  it('inspect JSON of another lab name → []', () => {
    expect(parseInspectJson(fixture('containerlab-inspect.json'), 'other')).toEqual([]);
  });
  it('inspect without a lab name: every lab', () => {
    expect(parseInspectJson(fixture('containerlab-inspect.json'))).toHaveLength(3);
  });
  it('empty inspect {} → []', () => {
    expect(parseInspectJson(fixture('containerlab-inspect-empty.json'), 'calico-ipam')).toEqual([]);
  });
  it('pre-0.68 shape {"containers": [...]}', () => {
    expect(parseInspectJson('{"containers":[{"lab_name":"calico-ipam","name":"a"}]}', 'calico-ipam').map((c) => c.name)).toEqual(['a']);
  });
  it('version --json and -s', () => {
    expect(parseContainerlabVersion(fixture('containerlab-version.json'))).toBe('0.79.0');
    expect(parseContainerlabVersion(fixture('containerlab-version-short.txt'))).toBe('0.79.0');
  });
  it('error lines: the tool\'s own failure line, not the INFO chatter', () => {
    const stderr = `${fixture('containerlab-deploy.stderr.txt').split('\n').slice(0, 6).join('\n')}\nfailed to pull image "kindest/node:v1.28.0": command "docker pull kindest/node:v1.28.0" failed with error: exit status 1\n`;
    expect(clabErrorLines(stderr)).toEqual(['failed to pull image "kindest/node:v1.28.0": command "docker pull kindest/node:v1.28.0" failed with error: exit status 1']);
  });
  it('error lines: the boxed ERROR containerlab 0.79 prints even when stderr is not a terminal', () => {
    // Layout recorded from containerlab 0.79.0 built here (scripts/real), on a kernel without
    // /proc/modules: a blank-padded line, `ERROR` alone, a blank-padded line, then the message.
    const stderr = [
      '05:31:07 INFO Containerlab started version=0.79.0',
      '05:31:07 INFO Creating docker network name=clab IPv4 subnet=172.20.20.0/24 IPv6 subnet=3fff:172:20:20::/64 MTU=0',
      '          ',
      '   ERROR  ',
      '          ',
      '  Open /proc/modules: no such file or directory.' + ' '.repeat(40),
      '',
      '',
    ].join('\n');
    expect(clabErrorLines(stderr)).toEqual(['ERROR: Open /proc/modules: no such file or directory.']);
  });
});

describe('docker parsers', () => {
  it('docker info JSON', () => {
    const info = parseDockerInfo(fixture('docker-info.json'));
    expect(info.ServerVersion).toBe('28.5.2');
    expect(info.CgroupDriver).toBe('systemd');
    expect(info.CgroupVersion).toBe('2');
  });
  it('docker ps JSON lines with labels', () => {
    const ps = parseDockerPs(fixture('docker-ps-kind.jsonl'));
    expect(ps.map((p) => p.Names).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    const cp = ps.find((p) => p.Names === 'calico-ipam-control-plane')!;
    expect(cp.Labels).toEqual({ 'io.x-k8s.kind.cluster': 'calico-ipam', 'io.x-k8s.kind.role': 'control-plane' });
    expect(cp.Ports).toBe('127.0.0.1:35677->6443/tcp');
    expect(cp.State).toBe('running');
  });
  it('empty docker ps → []', () => {
    expect(parseDockerPs('')).toEqual([]);
  });
  it('labels string', () => {
    expect(parseLabels('a=b,c=d=e')).toEqual({ a: 'b', c: 'd=e' });
  });
  it('network IPAM config: v4 and v6 subnets', () => {
    expect(parseIpamConfig(fixture('docker-network-inspect-kind-ipam-config.json'))).toEqual(['172.18.0.0/16', 'fc00:f853:ccd:e793::/64']);
  });
  it('network IPAM config agrees with the full docker network inspect document', () => {
    const full = JSON.parse(fixture('docker-network-inspect-kind.json')) as { IPAM: { Config: unknown } }[];
    expect(parseIpamConfig(JSON.stringify(full[0]!.IPAM.Config))).toEqual(['172.18.0.0/16', 'fc00:f853:ccd:e793::/64']);
  });
});

describe('kind parsers', () => {
  it('get clusters', () => {
    expect(parseNameLines(fixture('kind-get-clusters.txt'))).toEqual(['calico-ipam']);
  });
  it('get nodes (order not stable → sorted)', () => {
    expect(parseNameLines(fixture('kind-get-nodes.txt'))).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
  });
  it('no clusters → []', () => {
    expect(parseNameLines('')).toEqual([]);
  });
});

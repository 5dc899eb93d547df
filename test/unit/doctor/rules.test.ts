import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dockerFactsOf, type DockerFacts, type HostFacts, type RootFacts } from '../../../src/doctor/facts.js';
import {
  calicoctlRule, cgroupRule, containerlabRootRule, containerlabRule, diskRule, dockerRule, evaluate, factsNeeded, FATAL_RULES,
  inotifyRule, kindCliRule, kubectlRule, memoryRule, networkOverlaps, networkRule, nodeImageRule, RULES, staleLabRule,
} from '../../../src/doctor/rules.js';
import { assertPreflight, renderDoctorTable } from '../../../src/doctor/index.js';
import { parseDockerInfo } from '../../../src/tools/docker.js';
import { PrerequisiteError } from '../../../src/errors.js';
import { testLab } from './lab-fixture.js';

const lab = testLab();
// docker info of a real host (test/fixtures/sim/docker-info.json, copied from the reference contract).
const dockerInfo = dockerFactsOf(parseDockerInfo(readFileSync(new URL('../../fixtures/sim/docker-info.json', import.meta.url), 'utf8')));
const base: HostFacts = { platform: { os: 'linux', arch: 'x64' } };
const withDocker = (d: Partial<DockerFacts> = {}): HostFacts => ({ ...base, docker: { ok: true, value: { ...dockerInfo, ...d } } });
const root = (r: Partial<RootFacts>): HostFacts => ({
  ...base,
  root: { ok: true, value: { uid: 1000, username: 'user', containerlabPath: '/usr/bin/containerlab', suidRoot: false, clabAdminsExists: false, inClabAdmins: false, sudoNonInteractive: undefined, preference: 'auto', ...r } },
});

describe('docker', () => {
  it('passes with the server version and cgroup facts from docker info', () => {
    expect(dockerInfo).toMatchObject({ serverVersion: '28.5.2', cgroupDriver: 'systemd', cgroupVersion: '2', rootless: false, dockerRootDir: '/var/lib/docker' });
    const r = dockerRule.check(withDocker(), lab);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe('Docker 28.5.2 reachable (cgroup v2, systemd driver)');
  });

  it('fails when the daemon is down, with the fix for that', () => {
    const r = dockerRule.check({ ...base, docker: { ok: false, error: 'cannot reach the Docker daemon: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' } }, lab);
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/systemctl start docker/);
  });

  it('fails with the docker-group fix on permission denied, the install fix when missing', () => {
    expect(dockerRule.check({ ...base, docker: { ok: false, error: 'permission denied while trying to connect to the Docker daemon socket' } }, lab).fix).toMatch(/usermod -aG docker/);
    expect(dockerRule.check({ ...base, docker: { ok: false, error: 'docker is not installed (not found on PATH)', missing: true } }, lab).fix).toMatch(/docs\.docker\.com/);
  });

  it('cgroups: v2 passes, v1 warns, rootless on v1 fails, driver none fails', () => {
    expect(cgroupRule.check(withDocker(), lab).status).toBe('pass');
    expect(cgroupRule.check(withDocker({ cgroupVersion: '1', cgroupDriver: 'cgroupfs' }), lab).status).toBe('warn');
    expect(cgroupRule.check(withDocker({ cgroupVersion: '1', rootless: true }), lab).status).toBe('fail');
    expect(cgroupRule.check(withDocker({ cgroupDriver: 'none' }), lab).status).toBe('fail');
  });

  it('detects rootless docker from SecurityOptions', () => {
    expect(dockerFactsOf({ ServerVersion: '28.0.0', SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] }).rootless).toBe(true);
  });
});

describe('containerlab', () => {
  const clab = (version: string | undefined): HostFacts => ({ ...base, containerlab: { ok: true, value: { version, path: '/usr/bin/containerlab' } } });

  it('≥ 0.75 passes, older fails because it exits 0 on failed node deploys', () => {
    expect(containerlabRule.check(clab('0.79.0'), lab).status).toBe('pass');
    expect(containerlabRule.check(clab('0.75.0'), lab).status).toBe('pass');
    const old = containerlabRule.check(clab('0.74.3'), lab);
    expect(old.status).toBe('fail');
    expect(old.summary).toMatch(/exits 0 when a node fails/);
  });

  it('missing fails with the install link; unknown version warns', () => {
    const r = containerlabRule.check({ ...base, containerlab: { ok: false, error: 'containerlab is not installed (not found on PATH)', missing: true } }, lab);
    expect(r).toMatchObject({ status: 'fail', summary: 'containerlab is not installed (not found on PATH)' });
    expect(r.fix).toMatch(/containerlab\.dev\/install/);
    expect(containerlabRule.check(clab(undefined), lab).status).toBe('warn');
  });

  it('node image: v1.28.0 under containerlab 0.79 (kind v0.31.0) warns and lists the supported images', () => {
    const r = nodeImageRule.check(clab('0.79.0'), lab);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/kindest\/node:v1\.28\.0 was published with kind v0\.20\.0; containerlab 0\.79\.0 embeds kind v0\.31\.0/);
    expect(r.details?.join('\n')).toMatch(/kindest\/node:v1\.35\.0@sha256:/);
  });

  it('node image: an image published with the embedded kind passes', () => {
    expect(nodeImageRule.check(clab('0.79.0'), testLab({ nodeImage: 'kindest/node:v1.35.0' })).status).toBe('pass');
  });

  it('node image: a non-kindest image warns', () => {
    expect(nodeImageRule.check(clab('0.79.0'), testLab({ nodeImage: 'example/node:1' })).status).toBe('warn');
  });
});

describe('root for containerlab', () => {
  it('root passes', () => {
    expect(containerlabRootRule.check(root({ uid: 0 }), lab)).toMatchObject({ status: 'pass', summary: 'running as root' });
  });
  it('SUID passes without clab_admins, and with it when the user is a member', () => {
    expect(containerlabRootRule.check(root({ suidRoot: true }), lab).status).toBe('pass');
    expect(containerlabRootRule.check(root({ suidRoot: true, clabAdminsExists: true, inClabAdmins: true }), lab).status).toBe('pass');
  });
  it('SUID with clab_admins but not a member fails with the usermod line', () => {
    const r = containerlabRootRule.check(root({ suidRoot: true, clabAdminsExists: true, inClabAdmins: false }), lab);
    expect(r.status).toBe('fail');
    expect(r.fix).toBe('sudo usermod -aG clab_admins user  (then log in again)');
  });
  it('passwordless sudo passes; a password-only sudo fails', () => {
    expect(containerlabRootRule.check(root({ sudoNonInteractive: true }), lab).status).toBe('pass');
    expect(containerlabRootRule.check(root({ sudoNonInteractive: false }), lab).status).toBe('fail');
  });
  it('--no-sudo without root or SUID fails; --sudo needs sudo -n', () => {
    expect(containerlabRootRule.check(root({ preference: 'never' }), lab).status).toBe('fail');
    expect(containerlabRootRule.check(root({ preference: 'always', uid: 0, sudoNonInteractive: false }), lab).status).toBe('fail');
    expect(containerlabRootRule.check(root({ preference: 'always', sudoNonInteractive: true }), lab).status).toBe('pass');
  });
});

describe('kind, kubectl, calicoctl', () => {
  it('kind CLI missing fails (lab uses it for kubeconfig/logs/cleanup)', () => {
    expect(kindCliRule.check({ ...base, kind: { ok: true, value: { version: 'v0.32.0' } } }, lab).status).toBe('pass');
    expect(kindCliRule.check({ ...base, kind: { ok: false, error: 'kind is not installed', missing: true } }, lab).status).toBe('fail');
  });

  it('kubectl is optional: missing warns and says what it is for', () => {
    const r = kubectlRule.check({ ...base, kubectl: { ok: false, error: 'kubectl is not installed', missing: true } }, lab);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/lab itself never runs kubectl/);
    expect(r.fix).toMatch(/v1\.28 ± 1/);
    expect(kubectlRule.check({ ...base, kubectl: { ok: true, value: { version: 'v1.28.12' } } }, lab).status).toBe('pass');
  });

  const pinned = lab.calico.calicoctl['linux-amd64'];
  it('calicoctl: cached passes, downloadable passes, unreachable fails, not pinned fails, offline without cache fails', () => {
    const c = (v: Partial<NonNullable<Extract<HostFacts['calicoctl'], { ok: true }>>['value']>): HostFacts => ({
      ...base,
      calicoctl: { ok: true, value: { platform: 'linux-amd64', pinned, cachedPath: undefined, download: undefined, offline: false, ...v } },
    });
    expect(calicoctlRule.check(c({ cachedPath: '/c/calicoctl' }), lab).status).toBe('pass');
    expect(calicoctlRule.check(c({ download: { ok: true, value: { status: 206 } } }), lab).status).toBe('pass');
    expect(calicoctlRule.check(c({ download: { ok: false, error: 'GET x: HTTP 404' } }), lab)).toMatchObject({ status: 'fail' });
    expect(calicoctlRule.check(c({ pinned: undefined, platform: 'darwin-arm64' }), lab).summary).toMatch(/no calicoctl v3\.30\.0 is pinned for darwin-arm64/);
    expect(calicoctlRule.check(c({ offline: true }), lab).status).toBe('fail');
  });
});

describe('inotify', () => {
  const ino = (w: number, i: number): HostFacts => ({ ...base, inotify: { ok: true, value: { maxUserWatches: w, maxUserInstances: i } } });
  it('passes at the thresholds, fails below with the sysctl lines', () => {
    expect(inotifyRule.check(ino(524288, 512), lab).status).toBe('pass');
    const r = inotifyRule.check(ino(8192, 128), lab);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('max_user_watches 8192 < 524288, max_user_instances 128 < 512: pods fail with "too many open files"');
    expect(r.fix).toContain('sudo sysctl -w fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512');
    expect(inotifyRule.check(ino(524288, 128), lab).summary).toBe('max_user_instances 128 < 512: pods fail with "too many open files"');
  });
  it('does not apply outside Linux', () => {
    expect(inotifyRule.check({ platform: { os: 'darwin', arch: 'arm64' } }, lab).status).toBe('pass');
  });
});

describe('disk and memory', () => {
  const disk = (free: number): HostFacts => ({ ...base, disk: { ok: true, value: { path: '/var/lib/docker', freeBytes: free } } });
  const mem = (total: number): HostFacts => ({ ...base, memory: { ok: true, value: { totalBytes: total, availableBytes: undefined, source: 'docker' } } });
  it('disk: ≥ 10 GB passes, 5–10 GB warns, < 5 GB fails', () => {
    expect(diskRule.check(disk(50e9), lab).status).toBe('pass');
    expect(diskRule.check(disk(7e9), lab).status).toBe('warn');
    expect(diskRule.check(disk(2e9), lab)).toMatchObject({ status: 'fail', summary: expect.stringMatching(/^2\.0 GB free at \/var\/lib\/docker/) });
  });
  it('memory: the reference host (33.5 GB) passes, 4.5 GB warns, 2 GB fails', () => {
    expect(memoryRule.check(mem(33536053248), lab).status).toBe('pass');
    expect(memoryRule.check(mem(4.5e9), lab).status).toBe('warn');
    expect(memoryRule.check(mem(2e9), lab).status).toBe('fail');
  });
});

describe('docker networks vs the lab CIDRs', () => {
  it('the kind network of the reference (172.18.0.0/16 + ULA v6) does not overlap', () => {
    expect(networkOverlaps([{ name: 'kind', subnets: ['172.18.0.0/16', 'fc00:f853:ccd:e793::/64'] }], lab)).toEqual([]);
    expect(networkRule.check({ ...base, networks: { ok: true, value: [{ name: 'kind', subnets: ['172.18.0.0/16'] }] } }, lab).status).toBe('pass');
  });

  it('a 192.168.48.0/20 kind network overlaps the pod pool', () => {
    const facts: HostFacts = { ...base, networks: { ok: true, value: [{ name: 'kind', subnets: ['192.168.48.0/20'] }] } };
    const r = networkRule.check(facts, lab);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/docker network kind \(192\.168\.48\.0\/20\) overlaps the Calico pod pool 192\.168\.0\.0\/16/);
    expect(r.fix).toMatch(/docker network rm kind/);
  });

  it('a network overlapping the service CIDR fails; a wider one containing the pool does too', () => {
    expect(networkOverlaps([{ name: 'clab', subnets: ['10.96.128.0/24'] }], lab)).toEqual([{ network: 'clab', subnet: '10.96.128.0/24', cidr: '10.96.0.0/16', what: 'the service CIDR' }]);
    expect(networkOverlaps([{ name: 'kind', subnets: ['192.0.0.0/8'] }], lab).map((o) => o.what)).toEqual(['the Calico pod pool']);
  });

  it('follows the lab model, not literals: a lab with another pool', () => {
    const other = testLab({ podSubnet: '10.244.0.0/16', pool: { ...lab.pool, cidr: '10.244.0.0/16' } });
    expect(networkOverlaps([{ name: 'kind', subnets: ['192.168.48.0/20'] }], other)).toEqual([]);
    expect(networkOverlaps([{ name: 'kind', subnets: ['10.244.0.0/20'] }], other)).toEqual([{ network: 'kind', subnet: '10.244.0.0/20', cidr: '10.244.0.0/16', what: 'the Calico pod pool' }]);
  });

  it('no kind network yet passes', () => {
    expect(networkRule.check({ ...base, networks: { ok: true, value: [] } }, lab).summary).toMatch(/no docker network "kind" yet/);
  });
});

describe('stale lab', () => {
  it('existing containers warn with `lab destroy`', () => {
    const r = staleLabRule.check({ ...base, staleLab: { ok: true, value: { containers: [{ name: 'calico-ipam-control-plane', state: 'exited', status: 'Exited (137)' }], labDirExists: true, kubeconfigExists: false } } }, lab);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/cluster calico-ipam already exists: calico-ipam-control-plane \(exited\)/);
    expect(r.fix).toMatch(/lab destroy --yes/);
  });
  it('left-over files only warn; nothing passes', () => {
    expect(staleLabRule.check({ ...base, staleLab: { ok: true, value: { containers: [], labDirExists: false, kubeconfigExists: true } } }, lab).summary).toMatch(/calico-ipam\.kubeconfig/);
    expect(staleLabRule.check({ ...base, staleLab: { ok: true, value: { containers: [], labDirExists: false, kubeconfigExists: false } } }, lab).status).toBe('pass');
  });
});

describe('the rule set', () => {
  it('the fatal subset is what deploy needs, and needs no slow probes', () => {
    expect(FATAL_RULES.map((r) => r.id)).toEqual(['docker', 'containerlab', 'containerlab-root', 'kind', 'docker-network']);
    expect([...factsNeeded(FATAL_RULES)].sort()).toEqual(['containerlab', 'docker', 'kind', 'networks', 'root']);
  });

  it('every rule has a unique id and says "not checked" (warn) when its facts were not gathered', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of evaluate(RULES.filter((r) => r.id !== 'inotify'), base, lab)) expect(r.status, r.id).toBe('warn');
  });

  it('assertPreflight throws a PrerequisiteError naming the failure and its fix', () => {
    const results = evaluate(FATAL_RULES, { ...base, docker: { ok: false, error: 'Cannot connect to the Docker daemon' }, networks: { ok: true, value: [] }, kind: { ok: true, value: { version: 'v0.32.0' } }, containerlab: { ok: true, value: { version: '0.79.0', path: '/usr/bin/containerlab' } }, root: root({ uid: 0 }).root! }, lab);
    expect(() => assertPreflight(results)).toThrow(PrerequisiteError);
    try {
      assertPreflight(results);
    } catch (e) {
      expect((e as PrerequisiteError).message).toBe('preflight: Docker is not reachable: Cannot connect to the Docker daemon');
      expect((e as PrerequisiteError).hint).toMatch(/systemctl start docker/);
    }
    expect(() => assertPreflight(results.filter((r) => r.id !== 'docker'))).not.toThrow();
  });

  it('renders a table with a fix line under each problem', () => {
    const text = renderDoctorTable([
      { id: 'a', title: 'Docker daemon', status: 'pass', summary: 'ok', fatal: true },
      { id: 'b', title: 'inotify limits', status: 'fail', summary: 'too low', fix: 'sysctl', fatal: false },
    ]);
    expect(text).toBe(['pass  Docker daemon   ok', 'FAIL  inotify limits  too low', '                      fix: sysctl', '', '1 passed, 0 warnings, 1 failed', ''].join('\n'));
  });
});

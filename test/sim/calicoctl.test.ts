/** The fake calicoctl against the simulated lesson lab, byte for byte against the reference outputs. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { R } from '../../src/sim/calico/refs.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';
import { REF, REF_REPORT_ALLOCATIONS, REF_REPORT_KEYS } from './calicoctl-reference.js';

let w: TestWorld;
beforeAll(async () => {
  w = testWorld();
  w.applyManifests();
  await w.settled();
});
afterAll(() => w.stop());

const run = (args: string): ReturnType<TestWorld['run']> => w.run(args.split(' '));

describe('calicoctl ipam show on the lesson lab', () => {
  test.each([
    ['ipam show', 'calicoctl-ipam-show.txt'],
    ['ipam show --show-blocks', 'calicoctl-ipam-show-blocks.txt'],
    ['ipam show --show-borrowed', 'calicoctl-ipam-show-borrowed.txt'],
    ['ipam show --show-configuration', 'calicoctl-ipam-show-configuration.txt'],
    ['ipam show --ip=192.168.18.64', 'calicoctl-ipam-show-ip-in-use.txt'],
    ['ipam show --ip=192.168.200.10', 'calicoctl-ipam-show-ip-free.txt'],
  ])('%s', async (args, file) => {
    const r = await run(args);
    expect(r).toEqual({ code: 0, stdout: REF[file], stderr: '' });
  });

  test('a bogus flag fails like docopt', async () => {
    expect(await run('ipam show --bogus')).toEqual({ code: 1, stdout: '', stderr: "Invalid option: 'calicoctl ipam show --bogus'. Use flag '--help' to read about a specific subcommand.\n" });
    expect((await run('ipam check --bogus')).stderr).toBe("Invalid option: 'calicoctl ipam check --bogus'. Use flag '--help' to read about a specific subcommand.\n");
    expect((await run('ipam show --show-blocks --show-borrowed')).code).toBe(1);
    expect((await run('ipam bogus')).code).toBe(1);
    expect((await run('bogus')).code).toBe(1);
  });
});

describe('calicoctl ipam check', () => {
  test('text report matches the reference (healthy lab: 0 problems, exit 0)', async () => {
    expect(await run('ipam check')).toEqual({ code: 0, stdout: REF['calicoctl-ipam-check.txt'], stderr: '' });
  });

  test('-o writes the JSON report: keys, allocations per IP, 2-space indent, no trailing newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calicoctl-'));
    const r = await w.run(['ipam', 'check', '-o', 'report.json'], dir);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(text.endsWith('}')).toBe(true);
    expect(text.startsWith('{\n  "version": "v3.30.0",\n')).toBe(true);
    // written with mode 0777 (minus the umask)
    expect(statSync(join(dir, 'report.json')).mode & 0o700).toBe(0o700);
    const report = JSON.parse(text) as Record<string, unknown> & { allocations: Record<string, Record<string, unknown>[]> };
    expect(Object.keys(report)).toEqual(REF_REPORT_KEYS);
    expect(Object.keys(report.allocations)).toEqual(Object.keys(REF_REPORT_ALLOCATIONS));
    for (const [ip, [who, node, seq, keys]] of Object.entries(REF_REPORT_ALLOCATIONS)) {
      const a = report.allocations[ip]![0]!;
      const name = typeof a.pod === 'string' ? a.pod.split('-').slice(0, -2).join('-') : a.type;
      expect([name, a.node, a.sequenceNumber, Object.keys(a).sort()]).toEqual([who, node, seq, keys]);
      expect(Object.keys(a)).toEqual(['ip', 'handle', 'sequenceNumber', 'pod', 'namespace', 'node', 'type', 'creationTimestamp', 'inUse', 'borrowed', 'owners'].filter((k) => k in a));
    }
    expect(report.clusterGUID).toMatch(/^[0-9a-f]{32}$/);
    expect(report.clusterType).toBe('typha,kdd,k8s,operator,bgp,kubeadm');
  });
});

describe('calicoctl version', () => {
  test('against the lab', async () => {
    expect(await run('version')).toEqual({ code: 0, stdout: REF['calicoctl-version.txt'], stderr: '' });
    expect(await run('version --client')).toEqual({ code: 0, stdout: REF['calicoctl-version-client.txt'], stderr: '' });
  });

  test('before Calico is installed: exact streams, exit 1', async () => {
    const fresh = testWorld();
    try {
      expect(await fresh.run(['version'])).toEqual({ code: 1, stdout: REF['calicoctl-version-before-calico.stdout.txt'], stderr: REF['calicoctl-version-before-calico.stderr.txt'] });
    } finally {
      fresh.stop();
    }
  });
});

describe('states other than the healthy lab', () => {
  test('pool but no block yet', async () => {
    const fresh = testWorld();
    try {
      fresh.store.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '192.168.0.0/16', blockSize: 26 } });
      expect(await fresh.run(['ipam', 'show'])).toEqual({ code: 0, stdout: REF['calicoctl-ipam-show-no-blocks.txt'], stderr: '' });
    } finally {
      fresh.stop();
    }
  });

  test('version mismatch refused unless --allow-version-mismatch', async () => {
    const fresh = testWorld();
    try {
      fresh.store.create(R.clusterinformations, { apiVersion: 'crd.projectcalico.org/v1', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { calicoVersion: '3.30.1', clusterType: 'k8s' } });
      // From calicoctl-contract.yaml version_mismatch_check.error
      expect(await fresh.run(['ipam', 'show'])).toEqual({ code: 1, stdout: '', stderr: 'Version mismatch.\nClient Version:   v3.30.0\nCluster Version:  3.30.1\nUse --allow-version-mismatch to override.\n' });
      expect((await fresh.run(['ipam', 'show', '--allow-version-mismatch'])).code).toBe(0);
      expect((await fresh.run(['version'])).code).toBe(0);
    } finally {
      fresh.stop();
    }
  });

  test('a missing non-default --config file', async () => {
    expect(await run('version --config=/nonexistent/calicoctl.cfg')).toEqual({ code: 1, stdout: 'Error reading config file: /nonexistent/calicoctl.cfg\n', stderr: '' });
  });
});

describe('which cluster calicoctl talks to', () => {
  test('the kubeconfig server port selects among running worlds; a missing KUBECONFIG file is an error', async () => {
    const { ObjectStore } = await import('../../src/sim/store.js');
    const { calicoctl, registerTarget } = await import('../../src/sim/calico/calicoctl.js');
    const a = new ObjectStore();
    const b = new ObjectStore();
    a.create(R.clusterinformations, { apiVersion: 'crd.projectcalico.org/v1', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { calicoVersion: 'v3.30.0', clusterType: 'cluster-a' } });
    b.create(R.clusterinformations, { apiVersion: 'crd.projectcalico.org/v1', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { calicoVersion: 'v3.30.0', clusterType: 'cluster-b' } });
    const offA = registerTarget({ store: a, port: 40001 });
    const offB = registerTarget({ store: b, port: 40002 });
    const dir = mkdtempSync(join(tmpdir(), 'calicoctl-kc-'));
    const { writeFileSync } = await import('node:fs');
    const kc = (port: number): string => {
      const f = join(dir, `kc-${port}`);
      writeFileSync(f, `apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:${port}\n  name: kind-x\nkind: Config\n`);
      return f;
    };
    const call = async (env: Record<string, string>): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await calicoctl({ argv: ['version'], cwd: dir, env, stdin: Buffer.alloc(0), signal: new AbortController().signal, out: (c) => (out += c.toString()), err: (c) => (err += c) });
      return { code, out, err };
    };
    try {
      expect((await call({ KUBECONFIG: kc(40001) })).out).toContain('Cluster Type:      cluster-a\n');
      expect((await call({ KUBECONFIG: kc(40002) })).out).toContain('Cluster Type:      cluster-b\n');
      // calicoctl-contract.yaml version.datastore_config_error
      expect(await call({ KUBECONFIG: join(dir, 'nope') })).toEqual({ code: 0, out: `${REF['calicoctl-version-client.txt']}Unable to detect installed Calico version\n`, err: '' });
    } finally {
      offA();
      offB();
    }
  });
});

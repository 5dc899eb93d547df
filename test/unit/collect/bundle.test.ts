import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectBundleDetailed, defaultBundleDir, failingContainers, type CollectDeps, type KubeLike } from '../../../src/collect/bundle.js';
import { createLogger } from '../../../src/ui/log.js';
import { InterruptedError } from '../../../src/errors.js';
import { testLab } from '../doctor/lab-fixture.js';

const PRIVATE_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBsecretkeymaterial\n-----END EC PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBcertificatebody\n-----END CERTIFICATE-----';
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldCJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
const SECRET_WORDS = ['PRIVATE KEY', 'secretkeymaterial', 'certificatebody', 'BEGIN CERTIFICATE', JWT, 'LS0tLS1CRUdJTi', 'c3VwZXJzZWNyZXQ=', 'abcdef.0123456789abcdef', 'managedFields', 'kind: Secret', '"kind": "Secret"', 'hunter2hunter2'];

const log = createLogger(Object.assign(process.stderr, {}) as NodeJS.WriteStream, { NO_COLOR: '1' }, false);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lab-collect-'));
  dirs.push(d);
  return d;
}

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'calico-node-token', namespace: 'calico-system' }, data: { token: 'c3VwZXJzZWNyZXQ=', 'ca.crt': 'LS0tLS1CRUdJTiBDRVJU' } };
const managed = [{ manager: 'tigera-operator', operation: 'Apply', fieldsV1: { 'f:spec': {} } }];
const stuckPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'calico-node-x7k2p', namespace: 'calico-system', uid: 'u1', managedFields: managed, annotations: { 'hash.operator.tigera.io/cni-config': 'x', leaked: PRIVATE_KEY } },
  spec: { nodeName: 'calico-ipam-worker', containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.30.0', env: [{ name: 'KUBE_TOKEN', value: JWT }] }] },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [calico-node]' }],
    containerStatuses: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.30.0', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/calico/node:v3.30.0"' } } }],
  },
};
const crashingPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'calico-kube-controllers-5d9f', namespace: 'calico-system', uid: 'u2' },
  spec: { nodeName: 'calico-ipam-control-plane', containers: [{ name: 'calico-kube-controllers' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'calico-kube-controllers', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s' } } }] },
};
const tigerastatus = {
  apiVersion: 'operator.tigera.io/v1',
  kind: 'TigeraStatus',
  metadata: { name: 'calico', managedFields: managed },
  status: { conditions: [{ type: 'Degraded', status: 'True', reason: 'PodFailure', message: 'Pod calico-system/calico-node-x7k2p has been unable to pull its image' }] },
};
const events = [
  { metadata: { name: 'e1', namespace: 'calico-system' }, involvedObject: { kind: 'Pod', name: 'calico-node-x7k2p', namespace: 'calico-system', uid: 'u1' }, type: 'Warning', reason: 'Failed', message: 'Failed to pull image "docker.io/calico/node:v3.30.0": toomanyrequests', count: 5, lastTimestamp: '2026-11-24T01:00:00Z' },
  { metadata: { name: 'e2', namespace: 'calico-system' }, involvedObject: { kind: 'Pod', name: 'other', namespace: 'calico-system' }, type: 'Normal', reason: 'Pulled', message: 'ok', lastTimestamp: '2026-11-24T00:59:00Z' },
];

function fakeKube(): KubeLike & { paths: string[] } {
  const paths: string[] = [];
  const json = (v: unknown): { status: number; body: string } => ({ status: 200, body: JSON.stringify(v) });
  return {
    paths,
    close() {},
    async request(_method, p, o) {
      paths.push(`${p}${o?.query ? `?${new URLSearchParams(Object.entries(o.query).filter((e): e is [string, string] => e[1] !== undefined)).toString()}` : ''}`);
      if (p === '/version') return json({ gitVersion: 'v1.28.0' });
      if (p === '/apis/operator.tigera.io/v1/tigerastatuses') return json({ items: [tigerastatus, secret] });
      if (p === '/apis/operator.tigera.io/v1/installations') return json({ items: [{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { ipPools: [{ cidr: '192.168.0.0/16' }] } } }] });
      if (p === '/apis/operator.tigera.io/v1/apiservers') return { status: 404, body: '{"kind":"Status","code":404}' };
      if (p === '/api/v1/nodes') return json({ items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'calico-ipam-control-plane', labels: { 'node-role.kubernetes.io/control-plane': '' } }, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }], addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] } }] });
      if (p === '/api/v1/namespaces/calico-system/pods') return json({ items: [stuckPod, crashingPod, secret] });
      if (/\/api\/v1\/namespaces\/[^/]+\/pods$/.test(p)) return json({ items: [] });
      if (p === '/api/v1/namespaces/calico-system/events') return json({ items: events });
      if (/\/events$/.test(p)) return json({ items: o?.query?.['fieldSelector'] === 'type=Warning' ? [events[0]] : [] });
      if (p === '/api/v1/namespaces/calico-system/pods/calico-kube-controllers-5d9f/log') {
        return { status: 200, body: `2026-11-24 01:00:00 [ERROR] failed to connect, Authorization: Bearer ${JWT}\n${CERT}\npassword=hunter2hunter2\nfatal: exiting\n` };
      }
      return { status: 404, body: 'not found' };
    },
  };
}

const deps = (over: Partial<CollectDeps> = {}): Partial<CollectDeps> => ({
  kube: async () => fakeKube(),
  async exportLogs(_cluster, dir) {
    mkdirSync(path.join(dir, 'calico-ipam-control-plane'), { recursive: true });
    writeFileSync(path.join(dir, 'kind-version.txt'), 'kind v0.31.0 go1.25 linux/amd64\n');
    writeFileSync(path.join(dir, 'calico-ipam-control-plane', 'kubelet.log'), `kubeadm join 172.18.0.3:6443 --token abcdef.0123456789abcdef\nI1124 ok\n${PRIVATE_KEY}\n`);
    writeFileSync(path.join(dir, 'calico-ipam-control-plane', 'admin.conf'), 'apiVersion: v1\nkind: Config\n');
    writeFileSync(path.join(dir, 'calico-ipam-control-plane', 'apiserver.key'), PRIVATE_KEY);
  },
  containerlabInspect: async () => readFileSync(new URL('../../fixtures/sim/containerlab-inspect.json', import.meta.url), 'utf8'),
  ...over,
});

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map((f) => path.join(dir, String(f))).filter((f) => statSync(f).isFile());
}

describe('collectBundle', () => {
  it('writes every part and no secret comes out', async () => {
    const dir = path.join(tempDir(), 'bundle');
    const verify = path.join(tempDir(), 'verify.json');
    writeFileSync(verify, JSON.stringify({ ok: false, checks: [{ id: 'x', status: 'fail', evidence: { token: 'hunter2hunter2' } }] }));
    const r = await collectBundleDetailed(testLab(), { output: dir, signal: new AbortController().signal, log, env: {}, verifyJson: verify, deps: deps() });
    expect(r.dir).toBe(dir);
    expect(r.parts.filter((p) => !p.ok)).toEqual([]);

    const files = allFiles(dir).map((f) => path.relative(dir, f)).sort();
    expect(files).toEqual(expect.arrayContaining([
      'README.txt', 'containerlab-inspect.json', 'cluster/tigerastatuses.yaml', 'cluster/installations.yaml', 'cluster/nodes.yaml', 'cluster/nodes.txt',
      'pods/calico-system.yaml', 'pods/calico-system.describe.txt', 'pods/kube-system.describe.txt', 'events/warnings.txt', 'verify.json',
      'kind-logs/calico-ipam-control-plane/kubelet.log', 'logs/calico-system/calico-kube-controllers-5d9f/calico-kube-controllers.previous.log',
    ]));
    // kubeconfigs and keys never land in the bundle, even when a tool writes them.
    expect(files.some((f) => /admin\.conf|\.key$|kubeconfig/.test(f))).toBe(false);

    for (const f of allFiles(dir)) {
      const text = readFileSync(f, 'utf8');
      for (const bad of SECRET_WORDS) expect(text.includes(bad), `${path.relative(dir, f)} contains ${bad}`).toBe(false);
    }

    const describe = readFileSync(path.join(dir, 'pods/calico-system.describe.txt'), 'utf8');
    expect(describe).toContain('Waiting (ImagePullBackOff): Back-off pulling image "docker.io/calico/node:v3.30.0"');
    expect(describe).toContain('Warning Failed (×5): Failed to pull image "docker.io/calico/node:v3.30.0": toomanyrequests');
    expect(readFileSync(path.join(dir, 'cluster/tigerastatuses.yaml'), 'utf8')).toContain('has been unable to pull its image');
    expect(readFileSync(path.join(dir, 'events/warnings.txt'), 'utf8')).toContain('Pod/calico-system/calico-node-x7k2p  Failed');
    expect(readFileSync(path.join(dir, 'logs/calico-system/calico-kube-controllers-5d9f/calico-kube-controllers.previous.log'), 'utf8')).toContain('fatal: exiting');
    const readme = readFileSync(path.join(dir, 'README.txt'), 'utf8');
    expect(readme).toMatch(/ok {6}Calico operator objects: cluster\/tigerastatuses\.yaml, cluster\/installations\.yaml — not served: apiservers/);
    expect(readme).toContain('Nothing failed.');
    expect(readme).toContain('  calico-system/calico-node-x7k2p: ImagePullBackOff (calico-node) on calico-ipam-worker');
    expect(readme).toContain('  calico-system/calico-kube-controllers-5d9f: CrashLoopBackOff (calico-kube-controllers) on calico-ipam-control-plane');
    expect(readme).toMatch(/Files dropped by that pass: .*admin\.conf/);
  });

  it('a partial bundle: unreachable API and a hanging tool are recorded, not thrown', async () => {
    const dir = path.join(tempDir(), 'partial');
    const started = Date.now();
    const r = await collectBundleDetailed(testLab(), {
      output: dir,
      signal: new AbortController().signal,
      log,
      env: {},
      partTimeout: 300,
      deps: deps({
        kube: async () => {
          throw new Error('kind get kubeconfig --name=calico-ipam failed (exit 1)');
        },
        exportLogs: () => new Promise<void>(() => undefined),
      }),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const failed = Object.fromEntries(r.parts.filter((p) => !p.ok).map((p) => [p.name, p.error]));
    expect(failed['kind export logs']).toBe('did not finish within 300 ms');
    expect(failed['kubernetes API']).toBe('kind get kubeconfig --name=calico-ipam failed (exit 1)');
    expect(failed['pods']).toMatch(/skipped: the Kubernetes API is not reachable/);
    expect(r.parts.find((p) => p.name === 'containerlab inspect')?.ok).toBe(true);
    const readme = readFileSync(path.join(dir, 'README.txt'), 'utf8');
    expect(readme).toContain('FAILED  kubernetes API: kind get kubeconfig --name=calico-ipam failed (exit 1)');
    expect(readme).toContain('FAILED  kind export logs: did not finish within 300 ms');
  });

  it('Ctrl-C ends collecting with the interruption', async () => {
    const c = new AbortController();
    const p = collectBundleDetailed(testLab(), { output: path.join(tempDir(), 'x'), signal: c.signal, log, env: {}, deps: deps({ exportLogs: () => new Promise<void>(() => undefined) }) });
    setTimeout(() => c.abort(new InterruptedError('interrupted by SIGINT')), 50);
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });

  it('the caller\'s own deadline (deploy --collect-on-failure) ends the parts, not the bundle', async () => {
    const dir = path.join(tempDir(), 'deadline');
    const r = await collectBundleDetailed(testLab(), { output: dir, signal: AbortSignal.timeout(200), log, env: {}, reason: 'deploy timed out', deps: deps({ exportLogs: () => new Promise<void>(() => undefined) }) });
    expect(r.parts.find((p) => p.name === 'kind export logs')).toMatchObject({ ok: false });
    const readme = readFileSync(path.join(dir, 'README.txt'), 'utf8');
    expect(readme).toContain('reason: deploy timed out');
    expect(readme).toMatch(/FAILED  kind export logs: /);
  });
});

describe('helpers', () => {
  it('picks failing containers: crash loops (previous log), failed exits; not image pulls', () => {
    expect(failingContainers(crashingPod)).toEqual([{ name: 'calico-kube-controllers', previous: true, reason: 'CrashLoopBackOff' }]);
    expect(failingContainers(stuckPod)).toEqual([]);
    expect(failingContainers({ metadata: { name: 'p' }, status: { initContainerStatuses: [{ name: 'install-cni', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } })).toEqual([{ name: 'install-cni', previous: false, reason: 'Error' }]);
  });
  it('default directory name', () => {
    expect(defaultBundleDir('/tmp', new Date('2026-11-24T01:02:03.456Z'))).toBe('/tmp/lab-diagnostics-20261124-010203Z');
  });
});

/**
 * The real world without Calico (milestones 1–2): the fake `containerlab deploy` starts the REAL
 * control plane; kind's objects and kwok nodes are there as kind would make them; `lab status` reads
 * it; `lab destroy` stops every process. Needs the control plane, kwok and calicoctl (for the pins).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, observeCluster, type ClusterObserver } from '../../src/real/observer.js';
import { parse as parseYaml } from 'yaml';
import { realSkipReason, startRealTestWorld, type RealTestWorld } from '../helpers/real-world.js';
import type { Obj } from '../../src/real/kube.js';
import { NOT_READY_MESSAGE } from '../../src/real/kwok.js';

const skip = realSkipReason();
if (skip) {
  describe('real world: cluster', () => {
    it.skip(skip, () => undefined);
  });
  process.stderr.write(`test/real/cluster.test.ts: ${skip}\n`);
} else {
  describe('real world: the kind cluster is a real control plane with kwok nodes', () => {
    let t: RealTestWorld;
    const kube = () => {
      const cp = t.world.controlPlane();
      if (!cp) throw new Error('no control plane');
      return cp.kube;
    };
    type NodeObj = Obj & { spec?: { taints?: { key: string; effect: string }[]; podCIDR?: string }; status?: { conditions?: { type: string; status: string; message?: string }[]; addresses?: { type: string; address: string }[] } };

    let observer: ClusterObserver | undefined;
    const labelled: { name: string; type: string; listed: boolean; at: number }[] = [];

    beforeAll(async () => {
      t = await startRealTestWorld('cluster');
      // the harness's watch, started before the cluster exists (what npm run bench -- --real times with)
      observer = observeCluster(() => t.world.kube(), {
        resources: [API.nodes],
        onObject: (_w, type, obj, listed) => {
          if (obj.metadata?.labels?.['lab-test/observed'] === 'yes') labelled.push({ name: obj.metadata.name ?? '', type, listed, at: performance.now() });
        },
      });
    });
    afterAll(async () => {
      await observer?.stop();
      await t?.close();
    });

    it('containerlab deploy brings up the real API server; kind get kubeconfig hands out a working kubeconfig', async () => {
      const r = await t.run('containerlab', ['deploy', '-t', t.topology], { timeoutMs: 300_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      const k = await t.run('kind', ['get', 'kubeconfig', '--name', 'calico-ipam']);
      expect(k.exitCode, k.stderr).toBe(0);
      const cfg = parseYaml(k.stdout) as { clusters: { cluster: { server: string } }[]; 'current-context': string };
      expect(cfg['current-context']).toBe('kind-calico-ipam');
      expect(cfg.clusters[0]?.cluster.server).toBe(t.world.controlPlane()?.server);
      const version = await kube().get<{ gitVersion?: string }>('/version');
      expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    });

    it("the harness's watch saw the API come up, then each node created and changed as it happened", async () => {
      const up = observer?.marks.find((m) => m.name === 'api-up');
      expect(up, 'api-up mark').toBeDefined();
      const added = observer?.events.filter((e) => e.resource === 'nodes' && e.type === 'ADDED') ?? [];
      expect(added.map((e) => `${e.name} listed=${e.listed}`).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2'].map((n) => `${n} listed=false`));
      for (const e of added) expect(e.at).toBeGreaterThan(up!.at);
      const before = performance.now();
      await kube().mergePatch('/api/v1/nodes/calico-ipam-worker2', { metadata: { labels: { 'lab-test/observed': 'yes' } } });
      const deadline = Date.now() + 10_000;
      const changed = () => labelled.find((e) => e.name === 'calico-ipam-worker2' && e.type === 'MODIFIED' && e.at >= before && !e.listed);
      while (!changed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(changed(), 'the label change, seen by the watch').toBeDefined();
      expect(observer?.stats.errors, observer?.stats.lastError).toBe(0);
      await kube().mergePatch('/api/v1/nodes/calico-ipam-worker2', { metadata: { labels: { 'lab-test/observed': null } } });
    });

    it('has the objects kubeadm and kind create', async () => {
      const dns = await kube().get<{ spec?: { clusterIP?: string } }>('/api/v1/namespaces/kube-system/services/kube-dns');
      expect(dns.spec?.clusterIP).toBe('10.96.0.10');
      const kubernetes = await kube().get<{ spec?: { clusterIP?: string } }>('/api/v1/namespaces/default/services/kubernetes');
      expect(kubernetes.spec?.clusterIP).toBe('10.96.0.1');
      const cm = await kube().get<{ data?: { ClusterConfiguration?: string } }>('/api/v1/namespaces/kube-system/configmaps/kubeadm-config');
      expect(cm.data?.ClusterConfiguration).toContain('podSubnet: 192.168.0.0/16');
      expect(await kube().find('/apis/apps/v1/namespaces/kube-system/deployments/coredns')).toBeDefined();
      expect(await kube().find('/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy')).toBeDefined();
      expect(await kube().find('/apis/storage.k8s.io/v1/storageclasses/standard')).toBeDefined();
      expect(await kube().find('/apis/apps/v1/namespaces/local-path-storage/deployments/local-path-provisioner')).toBeDefined();
    });

    it('kwok nodes are named and labelled as kind would, NotReady with kubelet\'s CNI message', async () => {
      const deadline = Date.now() + 60_000;
      let nodes: NodeObj[] = [];
      while (Date.now() < deadline) {
        nodes = (await kube().list('/api/v1/nodes')) as NodeObj[];
        if (nodes.length === 3 && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready'))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
      for (const n of nodes) {
        expect(n.metadata?.labels?.['kubernetes.io/os']).toBe('linux');
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        expect(ready?.status).toBe('False');
        expect(ready?.message).toBe(NOT_READY_MESSAGE);
        expect(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toMatch(/^172\.18\.0\.\d+$/);
      }
      const cp = nodes.find((n) => n.metadata?.name === 'calico-ipam-control-plane');
      expect(cp?.metadata?.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
      expect(cp?.spec?.taints?.map((x) => `${x.key}:${x.effect}`)).toContain('node-role.kubernetes.io/control-plane:NoSchedule');
      // kube-controller-manager allocated a /24 per node from the pod subnet
      for (const n of nodes) expect(n.spec?.podCIDR).toMatch(/^192\.168\.\d+\.0\/24$/);
    });

    it('kube-proxy runs on every node (host network) and coredns waits for a CNI', async () => {
      const deadline = Date.now() + 60_000;
      let proxies: Obj[] = [];
      while (Date.now() < deadline) {
        proxies = (await kube().list('/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-proxy')).filter((p) => (p as { status?: { phase?: string } }).status?.phase === 'Running');
        if (proxies.length === 3) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(proxies).toHaveLength(3);
      const dns = (await kube().list('/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns')) as { status?: { phase?: string; podIP?: string } }[];
      expect(dns.length).toBe(2);
      for (const p of dns) {
        expect(p.status?.phase).toBe('Pending');
        expect(p.status?.podIP).toBeUndefined();
      }
    });

    it('lab status reads the real cluster: three nodes, none Ready, no Calico', async () => {
      const r = await t.runLab(['status', '--topology', t.topology, '--json']);
      const s = JSON.parse(r.stdout) as { state: string; nodes: { name: string; ready: boolean }[] };
      expect(s.nodes.map((n) => [n.name, n.ready])).toEqual([
        ['calico-ipam-control-plane', false],
        ['calico-ipam-worker', false],
        ['calico-ipam-worker2', false],
      ]);
      expect(s.state).not.toBe('healthy');
      expect(s.state).not.toBe('absent');
    });

    it('lab destroy stops the real control plane and kwok', async () => {
      const r = await t.runLab(['destroy', '--topology', t.topology]);
      expect(r.exitCode, r.stderr).toBe(0);
      await t.world.settled();
      expect(t.world.controlPlane()).toBeUndefined();
      expect(t.world.procs.list().filter((p) => p.running()).map((p) => p.name)).toEqual([]);
      const s = await t.runLab(['status', '--topology', t.topology, '--json']);
      expect((JSON.parse(s.stdout) as { state: string }).state).toBe('absent');
    });
  });
}

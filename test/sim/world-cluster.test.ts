import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestWorld, type TestWorld } from '../helpers/world.js';

const NOT_READY =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

describe('kind cluster boot (containerlab deploy of the lesson topology)', () => {
  let tw: TestWorld;
  let kc: KubeConfig;
  beforeAll(async () => {
    tw = await startTestWorld();
    tw.env['CLAB_VERSION_CHECK'] = 'disable'; // these calls stand in for lab, which always sets it
    const dep = await tw.run('containerlab', ['deploy', '-t', tw.topology]);
    expect(dep.exitCode, dep.stderr).toBe(0);
    const k = await tw.run('kind', ['get', 'kubeconfig', '--name', 'calico-ipam']);
    kc = new KubeConfig();
    kc.loadFromString(k.stdout);
  });
  afterAll(async () => {
    await tw?.close();
  });

  test('the node containers sit on the kind network; the control plane publishes the API port', () => {
    const containers = [...tw.world.host.containers.values()].sort((a, b) => a.name.localeCompare(b.name));
    expect(containers.map((c) => [c.name, c.networks['kind']?.ipv4, c.labels['io.x-k8s.kind.role']])).toEqual([
      ['calico-ipam-control-plane', '172.18.0.3', 'control-plane'],
      ['calico-ipam-worker', '172.18.0.2', 'worker'],
      ['calico-ipam-worker2', '172.18.0.4', 'worker'],
    ]);
    expect(containers[0]?.ports).toMatch(/^127\.0\.0\.1:\d+->6443\/tcp$/);
    expect(tw.world.host.networks.get('kind')?.subnets.map((s) => s.subnet)).toEqual(['172.18.0.0/16', 'fc00:f853:ccd:e793::/64']);
  });

  test('the API answers through the kubeconfig kind prints: 3 Nodes NotReady, no CNI', async () => {
    expect(tw.world.api).toBeDefined();
    const core = kc.makeApiClient(CoreV1Api);
    const nodes = (await core.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    for (const n of nodes) {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      expect(ready?.status).toBe('False');
      expect(ready?.reason).toBe('KubeletNotReady');
      expect(ready?.message).toBe(NOT_READY);
      expect(n.status?.nodeInfo?.kubeletVersion).toBe('v1.28.0');
      expect(n.metadata?.labels?.['kubernetes.io/hostname']).toBe(n.metadata?.name);
      expect(n.metadata?.labels?.['kubernetes.io/os']).toBe('linux');
      expect(n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready')).toBe(true);
      const ip = [...tw.world.host.containers.values()].find((c) => c.name === n.metadata?.name)?.networks['kind']?.ipv4;
      expect(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).toBe(ip);
    }
    const cp = nodes.find((n) => n.metadata?.name === 'calico-ipam-control-plane');
    expect(cp?.metadata?.labels).toHaveProperty('node-role.kubernetes.io/control-plane');
  });

  test('namespaces, kubeadm-config, kube-system pods, StorageClass standard', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const ns = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']) expect(ns).toContain(n);
    const cm = await core.readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' });
    expect(cm.data?.['ClusterConfiguration']).toContain('podSubnet: 192.168.0.0/16');
    expect(cm.data?.['ClusterConfiguration']).toContain('serviceSubnet: 10.96.0.0/16');
    const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
    const coredns = pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns');
    expect(coredns).toHaveLength(2);
    for (const p of coredns) {
      expect(p.status?.phase).toBe('Pending');
      expect(p.status?.podIP).toBeUndefined();
      expect(p.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    }
    const proxies = pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'kube-proxy');
    expect(proxies.map((p) => p.spec?.nodeName).sort()).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const p = pods.find((x) => x.metadata?.name === `${c}-calico-ipam-control-plane`);
      expect(p?.status?.phase, c).toBe('Running');
      expect(p?.spec?.hostNetwork).toBe(true);
    }
    const lpp = (await core.listNamespacedPod({ namespace: 'local-path-storage' })).items;
    expect(lpp.map((p) => p.status?.phase)).toEqual(['Pending']);
    const sc = await kc.makeApiClient(StorageV1Api).readStorageClass({ name: 'standard' });
    expect(sc.provisioner).toBe('rancher.io/local-path');
  });

  test('conditions and the critical path are recorded', () => {
    const names = tw.world.conditions().map((c) => c.name);
    for (const n of ['api-up', 'node-created:calico-ipam-control-plane', 'node-created:calico-ipam-worker', 'node-created:calico-ipam-worker2']) expect(names).toContain(n);
    const path = tw.world.criticalPath();
    expect(path.chain).toContain('kind-create');
    // pull 20 s + prepare 7 + config 1 + control plane 17 + storage class 1 + join 17 (simulated)
    expect(path.simMs).toBeGreaterThanOrEqual(63_000);
  });

  test('deleting the cluster removes its containers and API objects; the API goes down', async () => {
    const del = await tw.run('kind', ['delete', 'cluster', '--name', 'calico-ipam']);
    expect(del.exitCode).toBe(0);
    expect(tw.world.host.containers.size).toBe(0);
    expect(tw.world.store.list({ group: '', resource: 'nodes' }).items).toHaveLength(0);
    expect(tw.world.store.list({ group: '', resource: 'pods' }).items).toHaveLength(0);
    const core = kc.makeApiClient(CoreV1Api);
    await expect(core.listNode()).rejects.toThrow();
  });
});

/** The simulated tigera-operator / calico-node rollout: statuses, nodes, objects, timing, deploy faults. */
import { afterEach, describe, expect, test } from 'vitest';
import { R } from '../../src/sim/calico/refs.js';
import { type TestWorld, testWorld } from '../helpers/calico-sim.js';
import type { StoredObject } from '../../src/sim/store.js';

const worlds: TestWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.stop();
});

type Cond = { type: string; status: string; reason: string; message: string; lastTransitionTime: string; observedGeneration: number };
const conds = (o: StoredObject | undefined): Cond[] => ((o?.status as { conditions?: Cond[] } | undefined)?.conditions ?? []);
const cond = (o: StoredObject | undefined, type: string): Cond | undefined => conds(o).find((c) => c.type === type);

/** Every message each TigeraStatus showed, in order. */
function statusHistory(w: TestWorld): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  w.store.watch(R.tigerastatuses, (e) => {
    const list = seen.get(e.object.metadata.name) ?? [];
    for (const c of conds(e.object)) list.push(`${c.type}=${c.status}/${c.reason}: ${c.message}`);
    seen.set(e.object.metadata.name, list);
  });
  return seen;
}

async function lab(options: Parameters<typeof testWorld>[0] = {}): Promise<{ w: TestWorld; history: Map<string, string[]> }> {
  const w = testWorld(options);
  worlds.push(w);
  const history = statusHistory(w);
  w.applyManifests();
  await w.settled();
  return { w, history };
}

describe('healthy rollout', () => {
  test('TigeraStatus calico/apiserver/ippools go from Progressing/Degraded to AllObjectsAvailable', async () => {
    const { w, history } = await lab();
    expect(history.get('calico')).toContain('Progressing=True/ResourceNotReady: DaemonSet "calico-system/calico-node" is not available (awaiting 3 nodes)');
    expect(history.get('apiserver')).toContain('Progressing=True/ResourceNotReady: Deployment "calico-apiserver/calico-apiserver" is not available (awaiting 2 replicas)');
    expect(history.get('ippools')).toContain('Degraded=True/ResourceNotReady: Unable to modify IP pools while Calico API server is unavailable: ');
    expect(w.store.list(R.tigerastatuses).items.map((t) => t.metadata.name)).toEqual(['apiserver', 'calico', 'ippools']);
    for (const name of ['calico', 'apiserver', 'ippools']) {
      const ts = w.store.get(R.tigerastatuses, undefined, name);
      expect(ts?.apiVersion).toBe('operator.tigera.io/v1');
      expect(conds(ts).map(({ type, status, reason, message }) => ({ type, status, reason, message }))).toEqual([
        { type: 'Available', status: 'True', reason: 'AllObjectsAvailable', message: 'All objects available' },
        { type: 'Progressing', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
        { type: 'Degraded', status: 'False', reason: 'AllObjectsAvailable', message: 'All Objects Available' },
      ]);
      expect(cond(ts, 'Available')?.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(cond(ts, 'Available')?.observedGeneration).toBe(1);
    }
  });

  test('nodes Ready (KubeletReady) with the not-ready taint removed', async () => {
    const { w } = await lab();
    for (const n of w.store.list(R.nodes).items) {
      const ready = cond(n, 'Ready');
      expect([ready?.status, ready?.reason, ready?.message]).toEqual(['True', 'KubeletReady', 'kubelet is posting ready status']);
      const taints = ((n.spec as { taints?: { key: string }[] }).taints ?? []).map((t) => t.key);
      expect(taints).not.toContain('node.kubernetes.io/not-ready');
    }
    expect(w.ctx.recorder.conditions().map((c) => c.name)).toEqual(expect.arrayContaining(['installation-seen', 'node-ready:calico-ipam-worker2', 'tigerastatus-available:calico', 'tigerastatus-available:apiserver']));
  });

  test('IPPool from the Installation, ClusterInformation, Installation and APIServer status', async () => {
    const { w } = await lab();
    const pool = w.store.get(R.ippools, undefined, 'default-ipv4-ippool');
    expect(pool?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'tigera-operator' });
    expect(pool?.spec).toEqual({ allowedUses: ['Workload', 'Tunnel'], assignmentMode: 'Automatic', blockSize: 26, cidr: '192.168.0.0/16', ipipMode: 'Never', natOutgoing: true, nodeSelector: 'all()', vxlanMode: 'CrossSubnet' });
    const ci = w.store.get(R.clusterinformations, undefined, 'default');
    expect(ci?.spec).toMatchObject({ calicoVersion: 'v3.30.0', clusterType: 'typha,kdd,k8s,operator,bgp,kubeadm' });
    expect((ci?.spec as { clusterGUID: string }).clusterGUID).toMatch(/^[0-9a-f]{32}$/);
    const inst = w.store.get(R.installations, undefined, 'default');
    expect((inst?.status as { calicoVersion?: string }).calicoVersion).toBe('v3.30.0');
    expect(cond(inst, 'Ready')?.status).toBe('True');
    expect((w.store.get(R.apiservers, undefined, 'default')?.status as { state?: string }).state).toBe('Ready');
    expect(w.store.get(R.namespaces, undefined, 'calico-system')).toBeDefined();
    expect(w.store.get(R.namespaces, undefined, 'calico-apiserver')).toBeDefined();
    const ds = w.store.get(R.daemonsets, 'calico-system', 'calico-node');
    expect(ds?.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3, numberAvailable: 3 });
    expect(w.store.get(R.deployments, 'calico-apiserver', 'calico-apiserver')?.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
  });

  test('pod-network pods Running with IPs; calico-node hostNetwork on every node', async () => {
    const { w } = await lab();
    const pods = w.store.list(R.pods).items;
    const names = (prefix: string): string[] => pods.filter((p) => p.metadata.name.startsWith(prefix)).map((p) => (p.spec as { nodeName: string }).nodeName).sort();
    expect(names('calico-node-')).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    expect(names('csi-node-driver-')).toEqual(['calico-ipam-control-plane', 'calico-ipam-worker', 'calico-ipam-worker2']);
    expect(names('calico-apiserver-')).toEqual(['calico-ipam-worker', 'calico-ipam-worker2']);
    expect(names('coredns-')).toEqual(['calico-ipam-control-plane', 'calico-ipam-control-plane']);
    for (const p of pods) {
      const st = p.status as { phase: string; podIP?: string; podIPs?: { ip: string }[]; containerStatuses?: { ready: boolean }[] };
      expect(st.phase, p.metadata.name).toBe('Running');
      expect(st.podIPs?.[0]?.ip).toBe(st.podIP);
      expect(st.containerStatuses?.every((c) => c.ready)).toBe(true);
      expect(cond(p, 'Ready')?.status).toBe('True');
    }
  });

  test('aggregated projectcalico.org/v3 view: BlockAffinity without type, deleted omitted', async () => {
    const { w } = await lab();
    expect(w.aggregated.map((g) => g.group)).toEqual(['projectcalico.org']);
    const ba = w.aggregated[0]!.resources.find((r) => r.name === 'blockaffinities')!;
    const obj = w.store.list(ba.source).items[0]!;
    const view = ba.toView(obj);
    expect(view.apiVersion).toBe('projectcalico.org/v3');
    expect(Object.keys(view.spec as object).sort()).toEqual(['cidr', 'node', 'state']);
    expect(w.aggregated[0]!.resources.map((r) => r.name).sort()).toEqual(['blockaffinities', 'ippools']);
    w.calico.stop();
    expect(w.aggregated).toEqual([]);
  });

  test('timing: calico Available 60–90 simulated s after the Installation; critical path operator → calico (no kind spans in this harness)', async () => {
    const { w } = await lab({ scale: 0.002 });
    const spans = Object.fromEntries(w.ctx.recorder.allSpans().map((s) => [s.name, s]));
    expect(spans['calico-rollout']?.simMs).toBeGreaterThanOrEqual(60_000);
    expect(spans['calico-rollout']?.simMs).toBeLessThanOrEqual(90_000);
    expect(spans['apiserver-rollout']?.simMs).toBeGreaterThan(0);
    // The operator needs only the API; calico-node needs every node, i.e. kind's whole create.
    expect(spans['operator-start']?.deps).toEqual(['kind-api-up']);
    expect(spans['calico-rollout']?.deps).toEqual(['operator-start', 'kind-create']);
    const chain = w.ctx.recorder.criticalPath().chain;
    expect(chain.slice(0, 2)).toEqual(['operator-start', 'calico-rollout']);
    // Image pulls took place on every node (nothing preloaded but the operator image is not either).
    expect(new Set(w.host.nodePulls.map((p) => p.node)).size).toBe(3);
  });

  test('preloaded images: no node pulls', async () => {
    const w = testWorld();
    worlds.push(w);
    const all = ['quay.io/tigera/operator:v1.38.0', ...['node', 'cni', 'pod2daemon-flexvol', 'typha', 'kube-controllers', 'csi', 'node-driver-registrar', 'apiserver'].map((i) => `docker.io/calico/${i}:v3.30.0`)];
    for (const n of w.cluster.nodes) w.host.nodeImages.set(n.name, new Set(all));
    w.applyManifests();
    await w.settled();
    expect(w.host.nodePulls).toEqual([]);
  });
});

describe('deploy-time faults', () => {
  test('image-pull-backoff: kube-controllers stuck, calico Degraded PodFailure, Warning Event Failed', async () => {
    const { w } = await lab({ faults: ['image-pull-backoff'] });
    const kc = w.store.list(R.pods, { namespace: 'calico-system' }).items.find((p) => p.metadata.name.startsWith('calico-kube-controllers-'))!;
    const waiting = (kc.status as { containerStatuses: { state: { waiting?: { reason: string; message: string } } }[] }).containerStatuses[0]!.state.waiting;
    expect(waiting).toEqual({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/calico/kube-controllers:v3.30.0"' });
    const degraded = cond(w.store.get(R.tigerastatuses, undefined, 'calico'), 'Degraded');
    expect(degraded?.status).toBe('True');
    expect(degraded?.reason).toBe('PodFailure');
    expect(degraded?.message).toBe(`Pod calico-system/${kc.metadata.name} failed to pull container image for: calico-kube-controllers`);
    expect(degraded?.message).toMatch(/^Pod calico-system\/calico-kube-controllers-\S+ failed to pull container image for: calico-kube-controllers$/);
    expect(cond(w.store.get(R.tigerastatuses, undefined, 'calico'), 'Available')?.status).toBe('False');
    const events = w.store.list(R.events, { namespace: 'calico-system' }).items as (StoredObject & { reason: string; type: string; involvedObject: { name: string } })[];
    expect(events.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.involvedObject.name === kc.metadata.name)).toBe(true);
  });

  test('node-notready: the last worker never Ready; calico Progressing awaiting 1 nodes', async () => {
    const { w } = await lab({ faults: ['node-notready'] });
    expect(cond(w.store.get(R.nodes, undefined, 'calico-ipam-worker2'), 'Ready')?.status).toBe('False');
    expect(cond(w.store.get(R.nodes, undefined, 'calico-ipam-worker'), 'Ready')?.status).toBe('True');
    const calico = w.store.get(R.tigerastatuses, undefined, 'calico');
    expect(cond(calico, 'Progressing')).toMatchObject({ status: 'True', message: 'DaemonSet "calico-system/calico-node" is not available (awaiting 1 nodes)' });
    expect(cond(calico, 'Available')?.status).toBe('False');
    expect(w.store.get(R.nodes, undefined, 'calico-ipam-worker2')?.metadata.annotations?.['projectcalico.org/IPv4VXLANTunnelAddr']).toBeUndefined();
    expect(w.ctx.recorder.conditions().map((c) => c.name)).not.toContain('node-ready:calico-ipam-worker2');
  });
});

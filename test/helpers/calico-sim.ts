/**
 * A small harness that drives the Calico controllers without the rest of the world: a store with the
 * Nodes and Pending pods kind boot leaves, a fast clock, then the product's manifests applied as
 * objects. Used by test/sim/calico*, ipam*, calicoctl* tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { type FaultId, type HostState, Recorder, SimClock, type SimClusterSpec, type SimContext } from '../../src/sim/context.js';
import { tigeraOperatorYaml } from '../../src/sim/calico/manifests.js';
import { DEFAULT_RELEASE, RELEASES } from '../../src/sim/calico/releases.js';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';
import type { ToolInvocation } from '../../src/sim/context.js';
import { calicoctl } from '../../src/sim/calico/calicoctl.js';
import { startCalico } from '../../src/sim/calico/index.js';
import { R } from '../../src/sim/calico/refs.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function lessonCluster(name = 'calico-ipam', workers = 2): SimClusterSpec {
  return {
    name,
    nodes: [{ name: `${name}-control-plane`, role: 'control-plane' }, ...Array.from({ length: workers }, (_, i) => ({ name: `${name}-worker${i === 0 ? '' : i + 1}`, role: 'worker' as const }))],
    podSubnet: '192.168.0.0/16',
    serviceSubnet: '10.96.0.0/16',
    image: 'kindest/node:v1.28.0',
  };
}

function nodeObj(name: string, role: string, ip: string): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}) }, annotations: {} },
    spec: { taints: [...(role === 'control-plane' ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []), { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }],
    },
  };
}

function pendingPod(name: string, namespace: string, image: string, labels: Record<string, string>): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { hostNetwork: false, containers: [{ name: name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''), image }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  };
}

export interface TestWorld {
  ctx: SimContext;
  host: HostState;
  cluster: SimClusterSpec;
  store: ObjectStore;
  aggregated: { group: string; resources: { name: string; toView(o: StoredObject): StoredObject; source: { group: string; resource: string } }[] }[];
  calico: ReturnType<typeof startCalico>;
  settled(): Promise<void>;
  applyManifests(): void;
  run(argv: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): void;
}

/** Builds the state kind boot leaves (Nodes NotReady, coredns/local-path Pending) and starts Calico. */
/** `release`: the Calico release whose tigera-operator.yaml is applied (default: the world's default). */
export function testWorld(options: { cluster?: SimClusterSpec; faults?: FaultId[]; scale?: number; preload?: boolean; release?: string } = {}): TestWorld {
  const cluster = options.cluster ?? lessonCluster();
  const store = new ObjectStore();
  const clock = new SimClock(options.scale ?? 0);
  const abort = new AbortController();
  const ctx: SimContext = { store, clock, faults: new Set(options.faults ?? []), recorder: new Recorder(clock), signal: abort.signal };
  const host: HostState = { containers: new Map(), networks: new Map(), images: new Set(), nodeImages: new Map(), nodePulls: [] };
  cluster.nodes.forEach((n, i) => {
    store.create(R.nodes, nodeObj(n.name, n.role, `172.18.0.${i + 2}`));
    host.nodeImages.set(n.name, new Set(options.preload ? ['quay.io/tigera/operator:v1.38.0'] : []));
  });
  store.create(R.pods, pendingPod('coredns-5dd5756b68-8nx4d', 'kube-system', 'registry.k8s.io/coredns/coredns:v1.10.1', { 'k8s-app': 'kube-dns' }));
  store.create(R.pods, pendingPod('coredns-5dd5756b68-qz6lm', 'kube-system', 'registry.k8s.io/coredns/coredns:v1.10.1', { 'k8s-app': 'kube-dns' }));
  store.create(R.pods, pendingPod('local-path-provisioner-6f8956fb48-vrc9t', 'local-path-storage', 'docker.io/kindest/local-path-provisioner:v20230511-dc714da8', { app: 'local-path-provisioner' }));
  const aggregated: TestWorld['aggregated'] = [];
  const api = {
    port: 35677,
    registry: {
      addAggregated: (g: TestWorld['aggregated'][number]) => aggregated.push(g),
      removeAggregated: (group: string) => {
        const i = aggregated.findIndex((g) => g.group === group);
        if (i >= 0) aggregated.splice(i, 1);
      },
    },
  };
  const calico = startCalico(ctx, host, cluster, api);
  const ref = (apiVersion: string, kind: string): { group: string; resource: string } => {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    return { group, resource: `${kind.toLowerCase()}${kind.endsWith('s') ? 'es' : 's'}` };
  };
  const applyManifests = (): void => {
    const texts = [tigeraOperatorYaml(RELEASES[options.release ?? DEFAULT_RELEASE]!).toString(), readFileSync(join(root, 'topology', '01-calico-ipam', 'calico-cni-config', 'custom-resources.yaml'), 'utf8')];
    for (const text of texts) {
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as StoredObject | null;
        if (!o) continue;
        store.put(ref(o.apiVersion, o.kind), o);
      }
    }
  };
  return {
    ctx,
    host,
    cluster,
    store,
    aggregated,
    calico,
    settled: () => calico.settled(),
    applyManifests,
    run: async (argv, cwd = process.cwd()) => {
      let stdout = '';
      let stderr = '';
      const inv: ToolInvocation = { argv, cwd, env: {}, stdin: Buffer.alloc(0), signal: abort.signal, out: (c) => (stdout += c.toString()), err: (c) => (stderr += c) };
      const code = await calicoctl(inv);
      return { code, stdout, stderr };
    },
    stop: () => {
      abort.abort();
      calico.stop();
    },
  };
}

/**
 * The objects kubeadm and kind put into a fresh cluster (kindest/node v1.28, disableDefaultCNI),
 * written as real API objects for the real API server: the controllers (kube-controller-manager,
 * the scheduler, kwok) make their pods and statuses. Shapes follow src/sim/cluster/objects.ts.
 */
import type { SimClusterSpec } from '../sim/context.js';
import { kubeadmConfig, kubeletVersion, nthAddress } from '../sim/cluster/objects.js';
import { INTERNAL_IP_ANNOTATION } from './kwok.js';
import type { Kube, Obj } from './kube.js';

const cpToleration = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

export function nodeObject(spec: SimClusterSpec, name: string, role: 'control-plane' | 'worker', ipv4: string): Obj {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  const taints: { key: string; effect: string }[] = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
  if (role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    taints.unshift({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        [INTERNAL_IP_ANNOTATION]: ipv4,
      },
    },
    spec: { providerID: `kind://docker/${spec.name}/${name}`, taints },
  };
}

function container(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, imagePullPolicy: 'IfNotPresent', ...extra };
}

function deployment(name: string, ns: string, labels: Record<string, string>, replicas: number, podSpec: Record<string, unknown>): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}

/** Objects in creation order, each with its collection path. */
export function kindObjects(spec: SimClusterSpec): { path: string; obj: Obj }[] {
  const version = kubeletVersion(spec.image);
  const out: { path: string; obj: Obj }[] = [];
  const ns = (name: string): void => void out.push({ path: '/api/v1/namespaces', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
  ns('local-path-storage');
  out.push({ path: '/api/v1/namespaces/kube-system/configmaps', obj: kubeadmConfig(spec) as Obj });
  out.push({
    path: '/api/v1/namespaces/kube-system/services',
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
      spec: {
        clusterIP: nthAddress(spec.serviceSubnet, 10),
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  });
  out.push({
    path: '/apis/apps/v1/namespaces/kube-system/deployments',
    obj: deployment('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, 2, {
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, cpToleration],
      containers: [container('coredns', 'registry.k8s.io/coredns/coredns:v1.10.1', { args: ['-conf', '/etc/coredns/Corefile'] })],
    }),
  });
  out.push({
    path: '/apis/apps/v1/namespaces/kube-system/daemonsets',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-proxy' } },
          spec: {
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ operator: 'Exists' }],
            containers: [container('kube-proxy', `registry.k8s.io/kube-proxy:${version}`, { command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'] })],
          },
        },
      },
    },
  });
  out.push({
    path: '/apis/storage.k8s.io/v1/storageclasses',
    obj: {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  });
  out.push({
    path: '/apis/apps/v1/namespaces/local-path-storage/deployments',
    obj: deployment('local-path-provisioner', 'local-path-storage', { app: 'local-path-provisioner' }, 1, {
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [cpToleration],
      containers: [container('local-path-provisioner', 'docker.io/kindest/local-path-provisioner:v20230511-dc714da8')],
    }),
  });
  return out;
}

/** The control-plane static pods (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) as pods bound to the node. */
export function staticPods(spec: SimClusterSpec, cpName: string): { path: string; obj: Obj }[] {
  const version = kubeletVersion(spec.image);
  const images: [string, string][] = [
    ['etcd', 'registry.k8s.io/etcd:3.5.9-0'],
    ['kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`],
    ['kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`],
    ['kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`],
  ];
  return images.map(([component, image]) => ({
    path: '/api/v1/namespaces/kube-system/pods',
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${component}-${cpName}`, namespace: 'kube-system', labels: { component, tier: 'control-plane' }, annotations: { 'kubernetes.io/config.source': 'file' } },
      spec: { nodeName: cpName, hostNetwork: true, priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists', effect: 'NoExecute' }], containers: [container(component, image)] },
    },
  }));
}

export async function createAll(kube: Kube, items: { path: string; obj: Obj }[]): Promise<void> {
  for (const { path, obj } of items) await kube.create(path, obj);
}

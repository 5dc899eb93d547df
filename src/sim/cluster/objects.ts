/**
 * The API objects a fresh kind cluster has (kindest/node v1.28 with disableDefaultCNI): namespaces,
 * NotReady Nodes, kubeadm-config, control-plane static pods, kube-proxy, coredns and the local-path
 * provisioner Pending until a CNI makes a node Ready, the `standard` StorageClass.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ResourceRef, StoredObject } from '../store.js';
import type { SimClusterSpec } from '../context.js';

export const refs = {
  namespaces: { group: '', resource: 'namespaces' },
  nodes: { group: '', resource: 'nodes' },
  pods: { group: '', resource: 'pods' },
  configmaps: { group: '', resource: 'configmaps' },
  services: { group: '', resource: 'services' },
  serviceaccounts: { group: '', resource: 'serviceaccounts' },
  deployments: { group: 'apps', resource: 'deployments' },
  daemonsets: { group: 'apps', resource: 'daemonsets' },
  replicasets: { group: 'apps', resource: 'replicasets' },
  storageclasses: { group: 'storage.k8s.io', resource: 'storageclasses' },
} as const satisfies Record<string, ResourceRef>;

export const NOT_READY_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** kubernetes-style random suffix (no vowels, like k8s.io/apimachinery rand.String). */
export function suffix(n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function kubeletVersion(image: string): string {
  const tag = /:(v\d+\.\d+\.\d+)/.exec(image)?.[1];
  return tag ?? 'v1.28.0';
}

export function namespace(name: string): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** IPv4 helpers for the /24 per node kube-controller-manager hands out from the pod subnet. */
function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
export function nodePodCidr(podSubnet: string, index: number): string | undefined {
  const [base, bits] = podSubnet.split('/');
  if (base === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(base) || Number(bits) > 24) return undefined;
  return `${intToIpv4(ipv4ToInt(base) + index * 256)}/24`;
}
export function nthAddress(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  return intToIpv4(ipv4ToInt(base ?? '0.0.0.0') + n);
}

export function node(spec: SimClusterSpec, name: string, role: 'control-plane' | 'worker', ipv4: string, index: number): StoredObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  const taints: { key: string; effect: string; timeAdded?: string }[] = [];
  if (role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
    taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  }
  taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  const podCIDR = nodePodCidr(spec.podSubnet, index);
  const t = now();
  const version = kubeletVersion(spec.image);
  const cond = (type: string, status: string, reason: string, message: string): Record<string, string> => ({
    type,
    status,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
    reason,
    message,
  });
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
      },
    },
    spec: {
      ...(podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {}),
      providerID: `kind://docker/${spec.name}/${name}`,
      taints,
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: ipv4 },
        { type: 'Hostname', address: name },
      ],
      allocatable: { cpu: '8', 'ephemeral-storage': '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32750052Ki', pods: '110' },
      capacity: { cpu: '8', 'ephemeral-storage': '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32750052Ki', pods: '110' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'False', 'KubeletNotReady', NOT_READY_MESSAGE),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: randomUUID(),
        containerRuntimeVersion: 'containerd://1.7.1',
        kernelVersion: '6.8.0-79-generic',
        kubeProxyVersion: version,
        kubeletVersion: version,
        machineID: createHash('md5').update(name).digest('hex'),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 11 (bullseye)',
        systemUUID: randomUUID(),
      },
    },
  };
}

export function kubeadmConfig(spec: SimClusterSpec): StoredObject {
  const version = kubeletVersion(spec.image);
  const clusterConfiguration = [
    'apiServer:',
    '  certSANs:',
    '  - localhost',
    '  - 127.0.0.1',
    '  extraArgs:',
    '    authorization-mode: Node,RBAC',
    '    runtime-config: ""',
    '  timeoutForControlPlane: 4m0s',
    'apiVersion: kubeadm.k8s.io/v1beta3',
    'certificatesDir: /etc/kubernetes/pki',
    `clusterName: ${spec.name}`,
    `controlPlaneEndpoint: ${spec.name}-control-plane:6443`,
    'controllerManager:',
    '  extraArgs:',
    '    enable-hostpath-provisioner: "true"',
    'dns: {}',
    'etcd:',
    '  local:',
    '    dataDir: /var/lib/etcd',
    'imageRepository: registry.k8s.io',
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${version}`,
    'networking:',
    '  dnsDomain: cluster.local',
    `  podSubnet: ${spec.podSubnet}`,
    `  serviceSubnet: ${spec.serviceSubnet}`,
    'scheduler: {}',
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
    data: { ClusterConfiguration: clusterConfiguration },
  };
}

interface PodInput {
  name: string;
  namespace: string;
  nodeName?: string;
  hostIP?: string;
  hostNetwork: boolean;
  running: boolean;
  labels: Record<string, string>;
  owner?: { kind: string; name: string };
  image: string;
  container: string;
  priorityClassName?: string;
  tolerations?: unknown[];
}

export function pod(input: PodInput): StoredObject {
  const t = now();
  const status: Record<string, unknown> = input.running
    ? {
        phase: 'Running',
        hostIP: input.hostIP,
        podIP: input.hostIP,
        podIPs: [{ ip: input.hostIP }],
        startTime: t,
        qosClass: 'Burstable',
        conditions: [
          { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
          { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
          { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        ],
        containerStatuses: [
          { name: input.container, image: input.image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } } },
        ],
      }
    : {
        phase: 'Pending',
        qosClass: 'Burstable',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: t,
            reason: 'Unschedulable',
            message: '', // filled by unschedulableMessage()
          },
        ],
      };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: input.labels,
      ...(input.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: input.owner.kind, name: input.owner.name, uid: randomUUID(), controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: {
      ...(input.nodeName ? { nodeName: input.nodeName } : {}),
      hostNetwork: input.hostNetwork,
      containers: [{ name: input.container, image: input.image }],
      ...(input.priorityClassName ? { priorityClassName: input.priorityClassName } : {}),
      ...(input.tolerations ? { tolerations: input.tolerations } : {}),
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    },
    status,
  };
}

/** The scheduler's message for a pod that cannot be placed while every node is NotReady. */
export function unschedulableMessage(nodes: number): string {
  return `0/${nodes} nodes are available: ${nodes} node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/${nodes} nodes are available: ${nodes} Preemption is not helpful for scheduling..`;
}

export function staticPods(spec: SimClusterSpec, cpName: string, ip: string): StoredObject[] {
  const version = kubeletVersion(spec.image);
  const components: [string, string][] = [
    ['etcd', 'registry.k8s.io/etcd:3.5.9-0'],
    ['kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`],
    ['kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`],
    ['kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`],
  ];
  return components.map(([component, image]) =>
    pod({
      name: `${component}-${cpName}`,
      namespace: 'kube-system',
      nodeName: cpName,
      hostIP: ip,
      hostNetwork: true,
      running: true,
      labels: { component, tier: 'control-plane' },
      image,
      container: component,
      priorityClassName: 'system-node-critical',
    }),
  );
}

export function kubeProxyPod(spec: SimClusterSpec, nodeName: string, ip: string): StoredObject {
  return pod({
    name: `kube-proxy-${suffix(5)}`,
    namespace: 'kube-system',
    nodeName,
    hostIP: ip,
    hostNetwork: true,
    running: true,
    labels: { 'k8s-app': 'kube-proxy', 'controller-revision-hash': '7d8b4b8d6c', 'pod-template-generation': '1' },
    owner: { kind: 'DaemonSet', name: 'kube-proxy' },
    image: `registry.k8s.io/kube-proxy:${kubeletVersion(spec.image)}`,
    container: 'kube-proxy',
    priorityClassName: 'system-node-critical',
  });
}

export function pendingPods(nodes: number): StoredObject[] {
  const cdns = (): StoredObject =>
    pod({
      name: `coredns-5dd5756b68-${suffix(5)}`,
      namespace: 'kube-system',
      hostNetwork: false,
      running: false,
      labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5dd5756b68' },
      owner: { kind: 'ReplicaSet', name: 'coredns-5dd5756b68' },
      image: 'registry.k8s.io/coredns/coredns:v1.10.1',
      container: 'coredns',
      priorityClassName: 'system-cluster-critical',
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
    });
  const lpp = pod({
    name: `local-path-provisioner-6f8956fb48-${suffix(5)}`,
    namespace: 'local-path-storage',
    hostNetwork: false,
    running: false,
    labels: { app: 'local-path-provisioner', 'pod-template-hash': '6f8956fb48' },
    owner: { kind: 'ReplicaSet', name: 'local-path-provisioner-6f8956fb48' },
    image: 'docker.io/kindest/local-path-provisioner:v20230511-dc714da8',
    container: 'local-path-provisioner',
    tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  });
  const pods = [cdns(), cdns(), lpp];
  for (const p of pods) {
    const conds = (p['status'] as { conditions: { message: string }[] }).conditions;
    if (conds[0]) conds[0].message = unschedulableMessage(nodes);
  }
  return pods;
}

export function workload(kind: 'Deployment' | 'DaemonSet', name: string, ns: string, labels: Record<string, string>, replicas: number, image: string): StoredObject {
  const template = { metadata: { labels }, spec: { containers: [{ name: name.replace(/-.*$/, '') === 'local' ? 'local-path-provisioner' : name, image }] } };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns, labels },
    spec: kind === 'Deployment' ? { replicas, selector: { matchLabels: labels }, template } : { selector: { matchLabels: labels }, template },
    status:
      kind === 'Deployment'
        ? { replicas, updatedReplicas: replicas, unavailableReplicas: replicas, observedGeneration: 1 }
        : { currentNumberScheduled: replicas, desiredNumberScheduled: replicas, numberAvailable: replicas, numberReady: replicas, updatedNumberScheduled: replicas, observedGeneration: 1 },
  };
}

export function service(name: string, ns: string, clusterIP: string, ports: { name: string; port: number; protocol: string }[], selector?: Record<string, string>): StoredObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: name === 'kubernetes' ? { component: 'apiserver', provider: 'kubernetes' } : { 'k8s-app': 'kube-dns' } },
    spec: { clusterIP, clusterIPs: [clusterIP], ports, ...(selector ? { selector } : {}), type: 'ClusterIP', ipFamilies: ['IPv4'] },
    status: { loadBalancer: {} },
  };
}

export function storageClass(): StoredObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

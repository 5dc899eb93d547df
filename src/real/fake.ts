/**
 * What stays fake in the real world — the ONE list, printed at the start of every run.
 * Everything not named here is the real program (see src/real/components.ts for which build).
 */
export const FAKE: { what: string; why: string }[] = [
  { what: 'node containers and their boot (containerlab/kind/docker on PATH are the simulated tools)', why: 'no container registry: no kindest/node image; kind/containerlab deploy cannot create nodes offline' },
  { what: 'kubelets (kwok, with the world\'s own stages)', why: 'no node containers to run a kubelet in; kwok is the real kwok, its stages are ours (NotReady until calico-node runs; pods take the CNI-given IP)' },
  { what: 'pod processes, except the tigera-operator, calico-kube-controllers, calico-node -startup/-allocate-tunnel-addrs and calico-ipam', why: 'no images: the other containers (coredns, typha, felix, calico-apiserver, csi, kube-proxy…) have no process; kwok reports them Running' },
  { what: 'the dataplane (felix, BIRD, VXLAN devices, routes, kube-proxy)', why: 'no node network namespaces; the world\'s namespace holds only lo and unreachable routes for the service CIDR, the pod pool and the kind node range' },
  { what: 'the aggregated Calico API server (projectcalico.org/v3)', why: 'its pod has no process: the APIService stays unavailable (TigeraStatus apiserver still becomes Available; ippools becomes Available, and in a watched run of 2026-12-02 went Degraded afterwards, for want of discovery of projectcalico.org/v3)' },
  { what: 'the node address calico-node would autodetect (IP=<kind address>/16 is passed)', why: 'first-found autodetection finds no interface in the world\'s namespace' },
  { what: 'the in-cluster files of the processes the world runs (service account token and namespace files)', why: 'they run out of cluster: the bound token comes in a kubeconfig ($KUBECONFIG), the operator\'s namespace in $OPERATOR_NAMESPACE' },
  { what: 'CNI network namespaces and veths (the main calico plugin is not called; calico-ipam is)', why: 'pods have no sandboxes; the IPAM plugin alone decides the addresses' },
];

export function fakeBanner(): string {
  return ['The real world — what stays fake:', ...FAKE.map((f) => `  - ${f.what}: ${f.why}`)].join('\n');
}

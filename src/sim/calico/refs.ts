/** Store resource refs and fixed names of the simulated Calico v3.30.0 / tigera-operator v1.38.0. */
import type { ResourceRef } from '../store.js';
import { refs } from '../cluster/objects.js';

export const R = {
  // the built-in resources, as the kind cluster's objects name them
  ...refs,
  events: { group: '', resource: 'events' },
  installations: { group: 'operator.tigera.io', resource: 'installations' },
  apiservers: { group: 'operator.tigera.io', resource: 'apiservers' },
  tigerastatuses: { group: 'operator.tigera.io', resource: 'tigerastatuses' },
  ippools: { group: 'crd.projectcalico.org', resource: 'ippools' },
  ipamblocks: { group: 'crd.projectcalico.org', resource: 'ipamblocks' },
  blockaffinities: { group: 'crd.projectcalico.org', resource: 'blockaffinities' },
  ipamhandles: { group: 'crd.projectcalico.org', resource: 'ipamhandles' },
  ipamconfigs: { group: 'crd.projectcalico.org', resource: 'ipamconfigs' },
  clusterinformations: { group: 'crd.projectcalico.org', resource: 'clusterinformations' },
} as const satisfies Record<string, ResourceRef>;

export const CALICO_VERSION = 'v3.30.0';
export const OPERATOR_VERSION = 'v1.38.0';
export const CALICO_GIT_COMMIT = '572a32dd9b';
export const CLUSTER_TYPE = 'typha,kdd,k8s,operator,bgp,kubeadm';
export const CRD_V1 = 'crd.projectcalico.org/v1';
export const TUNNEL_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export const IMAGES = {
  operator: `quay.io/tigera/operator:${OPERATOR_VERSION}`,
  node: `docker.io/calico/node:${CALICO_VERSION}`,
  cni: `docker.io/calico/cni:${CALICO_VERSION}`,
  flexvol: `docker.io/calico/pod2daemon-flexvol:${CALICO_VERSION}`,
  typha: `docker.io/calico/typha:${CALICO_VERSION}`,
  kubeControllers: `docker.io/calico/kube-controllers:${CALICO_VERSION}`,
  csi: `docker.io/calico/csi:${CALICO_VERSION}`,
  registrar: `docker.io/calico/node-driver-registrar:${CALICO_VERSION}`,
  apiserver: `docker.io/calico/apiserver:${CALICO_VERSION}`,
} as const;

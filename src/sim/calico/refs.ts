/** Store resource refs and fixed names of the simulated Calico (default release v3.30.0 / tigera-operator v1.38.0). */
import type { ResourceRef } from '../store.js';
import { refs } from '../cluster/objects.js';
import { DEFAULT_RELEASE, releaseImages, RELEASES } from './releases.js';

export const R = {
  // the built-in resources, as the kind cluster's objects name them
  ...refs,
  events: { group: '', resource: 'events' },
  installations: { group: 'operator.tigera.io', resource: 'installations' },
  apiservers: { group: 'operator.tigera.io', resource: 'apiservers' },
  tigerastatuses: { group: 'operator.tigera.io', resource: 'tigerastatuses' },
  goldmanes: { group: 'operator.tigera.io', resource: 'goldmanes' },
  whiskers: { group: 'operator.tigera.io', resource: 'whiskers' },
  ippools: { group: 'crd.projectcalico.org', resource: 'ippools' },
  ipamblocks: { group: 'crd.projectcalico.org', resource: 'ipamblocks' },
  blockaffinities: { group: 'crd.projectcalico.org', resource: 'blockaffinities' },
  ipamhandles: { group: 'crd.projectcalico.org', resource: 'ipamhandles' },
  ipamconfigs: { group: 'crd.projectcalico.org', resource: 'ipamconfigs' },
  clusterinformations: { group: 'crd.projectcalico.org', resource: 'clusterinformations' },
} as const satisfies Record<string, ResourceRef>;

/** The default release's facts (the world models every release in releases.ts; these name the default one). */
export const CALICO_VERSION = DEFAULT_RELEASE;
export const OPERATOR_VERSION = RELEASES[DEFAULT_RELEASE]!.operator;
export const CALICO_GIT_COMMIT = RELEASES[DEFAULT_RELEASE]!.gitCommit;
export const CLUSTER_TYPE = 'typha,kdd,k8s,operator,bgp,kubeadm';
export const CRD_V1 = 'crd.projectcalico.org/v1';
export const TUNNEL_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** The default release's images. */
export const IMAGES = releaseImages(RELEASES[DEFAULT_RELEASE]!);

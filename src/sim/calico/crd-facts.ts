/**
 * The CustomResourceDefinitions of Calico's `operator-crds.yaml`, as facts: group, version, kind,
 * plural, scope, status subresource, printer columns, short names and — for the resources the world
 * and `lab verify` read — the fields of `spec` with their types. Read from the published manifests of
 * v3.30.0 and v3.31.3 (both list the same 32 CRDs with the same names, scopes, versions, subresources
 * and columns; v3.31.3's IPPool adds `spec.namespaceSelector`). The world writes its own CRDs from
 * these (`crds.ts`); no upstream bytes are kept.
 */

export interface ColumnFact {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
}

/** A small schema language for the fields the world knows: `'string'`, `'boolean'`, `'integer'`, `['string']` (array), nested objects. */
export type FieldFact = 'string' | 'boolean' | 'integer' | 'object' | 'int-or-string' | [FieldFact] | { [field: string]: FieldFact };

export interface CrdFact {
  group: string;
  kind: string;
  plural: string;
  scope: 'Cluster' | 'Namespaced';
  version: string;
  /** Has the status subresource. */
  status: boolean;
  /** The schema has no `status` property even though the subresource is on (ImageSet). */
  noStatusField?: boolean;
  columns?: ColumnFact[];
  shortNames?: string[];
  /** Known fields of `spec`; every CRD also keeps unknown fields (`x-kubernetes-preserve-unknown-fields`). */
  spec?: Record<string, FieldFact>;
  required?: string[];
  /** Only from this Calico version on (for facts that differ between versions). */
  since?: string;
}

const OP = 'operator.tigera.io';
const CRD = 'crd.projectcalico.org';
const ANP = 'policy.networking.k8s.io';

const op = (kind: string, plural: string, status = true, extra: Partial<CrdFact> = {}): CrdFact => ({ group: OP, kind, plural, scope: 'Cluster', version: 'v1', status, ...extra });
const calico = (kind: string, plural: string, extra: Partial<CrdFact> = {}): CrdFact => ({ group: CRD, kind, plural, scope: 'Cluster', version: 'v1', status: false, ...extra });

const condition = (type: string, field: string): string => `.status.conditions[?(@.type=='${type}')].${field}`;

const IPPOOL_SPEC: Record<string, FieldFact> = {
  allowedUses: ['string'],
  assignmentMode: 'string',
  blockSize: 'integer',
  cidr: 'string',
  disableBGPExport: 'boolean',
  disabled: 'boolean',
  ipipMode: 'string',
  natOutgoing: 'boolean',
  nodeSelector: 'string',
  vxlanMode: 'string',
};

export const CRD_FACTS: readonly CrdFact[] = [
  op('APIServer', 'apiservers'),
  op('GatewayAPI', 'gatewayapis', false),
  op('Goldmane', 'goldmanes'),
  op('ImageSet', 'imagesets', true, { noStatusField: true }),
  op('Installation', 'installations', true, {
    spec: {
      variant: 'string',
      registry: 'string',
      calicoNetwork: { bgp: 'string', linuxDataplane: 'string', ipPools: [{ name: 'string', cidr: 'string', blockSize: 'integer', encapsulation: 'string', natOutgoing: 'string', nodeSelector: 'string', disableBGPExport: 'boolean' }] },
      cni: { type: 'string', ipam: { type: 'string' } },
      flexVolumePath: 'string',
      kubernetesProvider: 'string',
    },
  }),
  op('ManagementClusterConnection', 'managementclusterconnections'),
  op('TigeraStatus', 'tigerastatuses', true, {
    columns: [
      { name: 'Available', type: 'string', jsonPath: condition('Available', 'status'), description: 'Available condition of the component.' },
      { name: 'Progressing', type: 'string', jsonPath: condition('Progressing', 'status'), description: 'Progressing condition of the component.' },
      { name: 'Degraded', type: 'string', jsonPath: condition('Degraded', 'status'), description: 'Degraded condition of the component.' },
      { name: 'Since', type: 'date', jsonPath: condition('Available', 'lastTransitionTime'), description: 'When the Available condition last changed.' },
    ],
  }),
  op('Whisker', 'whiskers'),
  calico('BGPConfiguration', 'bgpconfigurations'),
  calico('BGPFilter', 'bgpfilters'),
  calico('BGPPeer', 'bgppeers'),
  calico('BlockAffinity', 'blockaffinities', { spec: { cidr: 'string', deleted: 'string', node: 'string', state: 'string', type: 'string' }, required: ['cidr', 'deleted', 'node', 'state'] }),
  calico('CalicoNodeStatus', 'caliconodestatuses', {}),
  calico('ClusterInformation', 'clusterinformations', { spec: { calicoVersion: 'string', clusterGUID: 'string', clusterType: 'string', datastoreReady: 'boolean', variant: 'string' } }),
  calico('FelixConfiguration', 'felixconfigurations'),
  calico('GlobalNetworkPolicy', 'globalnetworkpolicies'),
  calico('GlobalNetworkSet', 'globalnetworksets'),
  calico('HostEndpoint', 'hostendpoints'),
  calico('IPAMBlock', 'ipamblocks', {
    spec: {
      affinity: 'string',
      allocations: ['integer'],
      attributes: [{ handle_id: 'string', secondary: 'object' }],
      cidr: 'string',
      deleted: 'boolean',
      sequenceNumber: 'integer',
      sequenceNumberForAllocation: 'object',
      strictAffinity: 'boolean',
      unallocated: ['integer'],
    },
    required: ['allocations', 'attributes', 'cidr', 'strictAffinity', 'unallocated'],
  }),
  calico('IPAMConfig', 'ipamconfigs', { spec: { autoAllocateBlocks: 'boolean', maxBlocksPerHost: 'integer', strictAffinity: 'boolean' }, required: ['autoAllocateBlocks', 'strictAffinity'] }),
  calico('IPAMHandle', 'ipamhandles', { spec: { block: 'object', deleted: 'boolean', handleID: 'string' }, required: ['block', 'handleID'] }),
  calico('IPPool', 'ippools', { spec: IPPOOL_SPEC, required: ['cidr'] }),
  calico('IPPool', 'ippools', { spec: { ...IPPOOL_SPEC, namespaceSelector: 'string' }, required: ['cidr'], since: 'v3.31.3' }),
  calico('IPReservation', 'ipreservations'),
  calico('KubeControllersConfiguration', 'kubecontrollersconfigurations'),
  calico('NetworkPolicy', 'networkpolicies', { scope: 'Namespaced' }),
  calico('NetworkSet', 'networksets', { scope: 'Namespaced' }),
  calico('StagedGlobalNetworkPolicy', 'stagedglobalnetworkpolicies'),
  calico('StagedKubernetesNetworkPolicy', 'stagedkubernetesnetworkpolicies', { scope: 'Namespaced' }),
  calico('StagedNetworkPolicy', 'stagednetworkpolicies', { scope: 'Namespaced' }),
  calico('Tier', 'tiers'),
  {
    group: ANP,
    kind: 'AdminNetworkPolicy',
    plural: 'adminnetworkpolicies',
    scope: 'Cluster',
    version: 'v1alpha1',
    status: true,
    shortNames: ['anp'],
    columns: [
      { name: 'Priority', type: 'string', jsonPath: '.spec.priority' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
  { group: ANP, kind: 'BaselineAdminNetworkPolicy', plural: 'baselineadminnetworkpolicies', scope: 'Cluster', version: 'v1alpha1', status: true, shortNames: ['banp'], columns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }] },
];

const semver = (v: string): number[] => (/(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 4) ?? ['0', '0', '0']).map(Number);
const atLeast = (v: string, since: string): boolean => {
  const [a, b] = [semver(v), semver(since)];
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

/** The CRD facts of one Calico version: for each CRD the latest entry whose `since` is not after `version`. */
export function crdFactsFor(version: string): CrdFact[] {
  const byName = new Map<string, CrdFact>();
  for (const f of CRD_FACTS) if (f.since === undefined || atLeast(version, f.since)) byName.set(`${f.plural}.${f.group}`, f);
  return [...byName.values()];
}

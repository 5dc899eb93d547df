/**
 * The shapes verify reads: Kubernetes objects (only the fields the checks judge), Calico's
 * `crd.projectcalico.org/v1` IPAM objects, containerlab's inspect rows and the check results.
 * Objects are typed loosely (every field optional) because they come from a live API, a snapshot or a
 * file a user attached; the checks treat a missing field as evidence, never as a crash.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface KubeItem {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface TigeraStatus extends KubeItem {
  status?: { conditions?: Condition[] };
}

export interface NodeObject extends KubeItem {
  spec?: { podCIDR?: string; taints?: unknown[] };
  status?: {
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string; osImage?: string };
  };
}

export interface PodObject extends KubeItem {
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; hostIP?: string };
}

export interface IPPoolObject extends KubeItem {
  spec?: {
    cidr?: string;
    blockSize?: number;
    vxlanMode?: string;
    ipipMode?: string;
    natOutgoing?: boolean;
    nodeSelector?: string;
    disabled?: boolean;
    allowedUses?: string[];
  };
}

export interface IPAMBlockAttribute {
  handle_id?: string;
  secondary?: Record<string, string>;
}

export interface IPAMBlockObject extends KubeItem {
  spec?: {
    cidr?: string;
    affinity?: string;
    allocations?: (number | null)[];
    unallocated?: number[];
    attributes?: IPAMBlockAttribute[];
    deleted?: boolean;
  };
}

/** BlockAffinity after normalisation: `deleted` is the crd v1 string form whatever shape was read. */
export interface BlockAffinityObject extends KubeItem {
  spec?: { state?: string; node?: string; cidr?: string; type?: string; deleted?: string };
}

export interface IPAMHandleObject extends KubeItem {
  spec?: { handleID?: string; block?: Record<string, number>; deleted?: boolean };
}

export interface InstallationObject extends KubeItem {
  spec?: {
    calicoNetwork?: {
      /** The pods' (veth) MTU when set; else Calico detects it from the uplink. */
      mtu?: number;
      ipPools?: { name?: string; cidr?: string; blockSize?: number; encapsulation?: string; natOutgoing?: string; nodeSelector?: string }[];
    };
  };
  status?: { calicoVersion?: string; conditions?: Condition[] };
}

/** One row of `containerlab inspect --format json` (only the fields verify reads). */
export interface ClabRow {
  lab_name?: string;
  name: string;
  container_id?: string;
  image?: string;
  kind?: string;
  state?: string;
  status?: string;
  ipv4_address?: string;
  ipv6_address?: string;
}

export interface HostRoute {
  /** `default` or a CIDR. */
  dst: string;
  dev?: string;
  /** `kernel`, `bird`, `80` (Calico's felix), `static`, … when the output showed it. */
  proto?: string;
  /** `unicast` unless printed (`blackhole`, `unreachable`, `local`, …). */
  type?: string;
  scope?: string;
}

/** One row of `kubectl get tigerastatus` (or the same read from the objects). A blank cell is undefined. */
export interface TigeraRow {
  name: string;
  available?: string;
  progressing?: string;
  degraded?: string;
  message?: string;
}

/** A node as `kubectl get nodes [-o wide]` shows it (or the same read from the objects). */
export interface NodeRowView {
  name: string;
  /** `Ready`, `NotReady`, `Ready,SchedulingDisabled` as printed; built from the Ready condition otherwise. */
  status: string;
  roles: string[];
  /** The kubelet version. */
  version?: string;
  internalIP?: string;
  /** Why the node is not Ready (objects only). */
  notReadyReason?: string;
}

/** A pod as `kubectl get pods -o wide` shows it. `hostNetwork` is known only from the objects. */
export interface PodRowView {
  namespace?: string;
  name: string;
  node?: string;
  ip?: string;
  phase?: string;
  hostNetwork?: boolean;
}

/** A BlockAffinity's name with the node and CIDR (from the object, or derived from a table's `<node>-<a-b-c-d-prefix>` name). */
export interface AffinityNameView {
  name: string;
  node?: string;
  cidr?: string;
}

/** What `calicoctl ipam check` found, from its text output or its `-o` report. */
export interface IpamCheckSummary {
  problems?: number;
  leaked?: number;
  noAllocation?: number;
  notInPool?: number;
  handlesWithoutIps?: number;
  complete: boolean;
  /** Whether the problem IPs are listed (`--show-problem-ips` or the JSON report). */
  problemIpsListed: 'yes' | 'no' | 'unknown';
  leakedIps: string[];
  noAllocationIps: string[];
  orphanHandles: string[];
}

/** Rows of `calicoctl ipam show [--show-blocks]`. */
export interface IpamShowRow {
  grouping: 'IP Pool' | 'Block';
  cidr: string;
  total: number;
  inUse: number;
  free: number;
}

export interface IpamShow {
  showBlocks: boolean;
  rows: IpamShowRow[];
}

/** One entry of `calicoctl ipam check -o` report's `allocations[ip]`. */
export interface IpamCheckAllocation {
  ip: string;
  handle?: string;
  sequenceNumber?: number;
  pod?: string;
  namespace?: string;
  node?: string;
  type?: string;
  creationTimestamp?: string;
  inUse: boolean;
  borrowed?: boolean;
  owners?: string[];
}

export interface IpamCheckReport {
  version?: string;
  clusterType?: string;
  allocations: Record<string, IpamCheckAllocation[]>;
  leakedHandles: string[];
}

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** not-evaluated: an input is absent (with the reason); not-applicable: cannot apply on this host or lab. */
export type RuleStatus = 'pass' | 'warn' | 'fail' | 'not-evaluated' | 'not-applicable';

export interface RuleResult {
  id: string;
  title: string;
  status: RuleStatus;
  /** The input keys the rule reads. */
  inputs: string[];
  /** Why it was not evaluated / not applicable, or the first finding of a failure or warning. */
  reason?: string;
  /** True when a failure made the engine read its inputs again and the second read was judged. */
  reread?: boolean;
}

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line. */
  summary: string;
  /** What was judged: objects, numbers, per-item findings. JSON-serialisable. */
  evidence: Record<string, unknown>;
  /** What to do (on fail/warn). */
  hint?: string;
  /** Why the check was skipped. */
  reason?: string;
  /** Milliseconds the check took. */
  durationMs?: number;
  /** The rules of the check and how each ended. */
  rules?: RuleResult[];
}

export const CHECK_IDS = [
  'topology',
  'tigerastatus',
  'nodes',
  'ipam-pool',
  'block-affinities',
  'affinity-details',
  'node-blocks',
  'pod-ips',
  'cidr-hygiene',
  'ipam-check',
] as const;
/** The ten built-in checks' ids (lesson 01's exercises and the IPAM invariants, every lesson runs them). */
export type BuiltinCheckId = (typeof CHECK_IDS)[number];
/** A built-in check's id, or a lesson exercise's (declared in its lesson file). */
export type CheckId = BuiltinCheckId | (string & {});

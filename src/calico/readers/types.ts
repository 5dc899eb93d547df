/**
 * What the readers return. Every reader is a pure function of the text a tool printed; the values keep
 * what the format shows and nothing it does not (a blank table cell stays absent, a `%.5g` count keeps
 * its raw text and says it may be rounded, an affinity table row has no state).
 */
import type { IpLink, ResolvConf } from '../../observe/types.js';
import type { ClabRow, HostRoute, IpamCheckReport, KubeItem, TigeraStatus } from '../types.js';

export const READER_IDS = [
  'tigerastatus-table',
  'tigerastatus-describe',
  'nodes-table',
  'pods-table',
  'blockaffinities-table',
  'blockaffinities-jsonpath',
  'ipam-show',
  'ipam-check-text',
  'ipam-check-report',
  'containerlab-inspect-table',
  'containerlab-inspect-json',
  'ip-route',
  'ip-route-json',
  'ip-addr',
  'resolv-conf',
  'proc-net-route',
  'docker-network-inspect',
  'kube-objects',
] as const;
export type ReaderId = (typeof READER_IDS)[number];

/** One row of `kubectl get tigerastatus`. A cell left blank by kubectl (condition absent) is undefined. */
export interface TigeraStatusRow {
  name: string;
  /** `True` | `False` | `Unknown` as printed; undefined when the cell is blank (no Available condition: not available). */
  available?: string;
  progressing?: string;
  degraded?: string;
  /** The SINCE cell as printed (an age such as `2m30s`), when present. */
  since?: string;
  /** The MESSAGE column (operator ≥ 1.41 prints one), when present. */
  message?: string;
}

/** One row of `kubectl get nodes [-o wide]`. Columns the command did not print are undefined; `<none>` is undefined. */
export interface NodeRow {
  name: string;
  /** As printed, e.g. `Ready`, `NotReady`, `Ready,SchedulingDisabled`. */
  status: string;
  /** `control-plane`; empty when kubectl printed `<none>`. */
  roles: string[];
  age?: string;
  version?: string;
  internalIP?: string;
  externalIP?: string;
  osImage?: string;
  kernelVersion?: string;
  containerRuntime?: string;
}

/** One row of `kubectl get pods [-A|-n ns] [-o wide]`. */
export interface PodRow {
  /** Present only when the table had a NAMESPACE column (`-A`). */
  namespace?: string;
  name: string;
  ready?: string;
  status?: string;
  /** As printed, e.g. `0` or `2 (5m ago)`. */
  restarts?: string;
  age?: string;
  /** Only with `-o wide`; undefined when `<none>` (no IP yet). */
  ip?: string;
  node?: string;
  nominatedNode?: string;
  readinessGates?: string;
}

/**
 * One row of `kubectl get blockaffinities` (a table shows names only). Node and CIDR are derived from
 * Calico's name `<node>-<a-b-c-d-prefix>`; undefined when the name does not have that shape (a
 * truncated long name, IPv6). The state is never visible in this format.
 */
export interface BlockAffinityRow {
  name: string;
  node?: string;
  cidr?: string;
  /** The AGE / CREATED AT cell as printed. */
  age?: string;
}

/** One line of the lesson's `-o=jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.spec.node}{"\t"}{.spec.cidr}{"\n"}{end}'`. */
export interface BlockAffinityListing {
  name: string;
  node: string;
  cidr: string;
}

/** A count printed by calicoctl with `%.5g` (optionally followed by ` (N%)`). */
export interface PrintedCount {
  /** The cell as printed, e.g. `12 (0%)`, `1.0486e+06`. */
  raw: string;
  /** The number parsed from it (not rounded further). */
  value: number;
  /** The percentage printed after it, when there is one. */
  percent?: number;
  /** True when `%.5g` switched to exponent form: the value is only known to 5 significant digits. */
  rounded: boolean;
}

export interface IpamShowRowRead {
  grouping: 'IP Pool' | 'Block';
  cidr: string;
  total: PrintedCount;
  inUse: PrintedCount;
  free: PrintedCount;
  /**
   * For a Block row: the CIDR of the table's IP Pool row that contains it, decided by containment (not
   * by position — calicoctl prints blocks that belong to no pool after the last pool's rows). Undefined
   * for a block in no listed pool (and for IPv6, which this reader does not place).
   */
  pool?: string;
}

export interface IpamShowTable {
  /** The `file:line` of the table's header line. */
  line: number;
  showBlocks: boolean;
  rows: IpamShowRowRead[];
}

/** `calicoctl ipam show [--show-blocks]`, possibly several tables in one output. */
export interface IpamShowRead {
  tables: IpamShowTable[];
  /** Tables of other `ipam show` forms found and not read (`--show-borrowed`, `--show-configuration`). */
  otherTables: string[];
}

/** `calicoctl ipam check` stdout. Counts are undefined when their line is missing (output cut short). */
export interface IpamCheckText {
  blocks?: number;
  blockAffinities: { cidr: string; affinity: string }[];
  allocations?: number;
  pools: string[];
  activePools?: number;
  nodeTunnelIps?: number;
  loadBalancers?: number;
  workloadIps?: number;
  inUseIps?: number;
  topNodes: { node: string; allocations: number }[];
  leaked?: number;
  notInPool?: number;
  noAllocation?: number;
  handlesWithoutIps?: number;
  handlesWithIps?: number;
  missingHandles?: number;
  /** From `Check complete; found N problems.`; undefined when the run did not complete. */
  problems?: number;
  complete: boolean;
  /**
   * Whether the problem IPs are listed: `yes` when run with `--show-problem-ips` (or such lines are
   * present), `no` when problems were counted but not listed, `unknown` when nothing says.
   */
  problemIpsListed: 'yes' | 'no' | 'unknown';
  problemIps: {
    leaked: { ip: string; attrs: string }[];
    notInPool: { ip: string; owner: string }[];
    noAllocation: { ip: string; owner: string }[];
    multipleOwners: string[];
    missingHandles: string[];
    /** Listed only with `--show-all-ips`. */
    handlesWithoutIps: string[];
  };
}

/** One route of `ip route` / `ip -j route`. */
export interface IpRoute {
  /** `unicast` unless printed (`blackhole`, `unreachable`, `local`, …). */
  type: string;
  /** `default` or a CIDR / address as printed. */
  dst: string;
  via?: string;
  dev?: string;
  /** `kernel`, `bird`, `80` (Calico's felix), `static`, … */
  proto?: string;
  /** Only when printed (the kernel omits `global`). */
  scope?: string;
  src?: string;
  metric?: number;
  table?: string;
  /** `onlink`, `linkdown`, `dead`, … */
  flags: string[];
}

/** One network of `docker network inspect <name…>`: its IPAM subnets. */
export interface DockerNetwork {
  name: string;
  subnets: string[];
}

/** Objects from `kubectl get … -o yaml|json` (a List, one object or several YAML documents), as printed. */
export interface KubeObjectsRead {
  items: KubeItem[];
  /** `Kind apiVersion` of each kind seen, e.g. `BlockAffinity projectcalico.org/v3`. */
  kinds: string[];
  /** True for an empty List (`kubectl get x -o yaml` with nothing): the kind cannot be known. */
  emptyList: boolean;
}

export interface ReadValues {
  'tigerastatus-table': TigeraStatusRow[];
  'tigerastatus-describe': TigeraStatus[];
  'nodes-table': NodeRow[];
  'pods-table': PodRow[];
  'blockaffinities-table': BlockAffinityRow[];
  'blockaffinities-jsonpath': BlockAffinityListing[];
  'ipam-show': IpamShowRead;
  'ipam-check-text': IpamCheckText;
  'ipam-check-report': IpamCheckReport;
  'containerlab-inspect-table': ClabRow[];
  'containerlab-inspect-json': ClabRow[];
  'ip-route': IpRoute[];
  'ip-route-json': IpRoute[];
  /** `ip addr` text (a pod's interfaces, when run through `kubectl exec`). */
  'ip-addr': IpLink[];
  'resolv-conf': ResolvConf;
  'proc-net-route': HostRoute[];
  'docker-network-inspect': DockerNetwork[];
  'kube-objects': KubeObjectsRead;
}

/** `{reader: 'tigerastatus-table', value: TigeraStatusRow[]} | …` */
export type ReadValue = { [K in ReaderId]: { reader: K; value: ReadValues[K] } }[ReaderId];

export interface CaptureMeta {
  /** `file:line` of the output's first line. */
  source: string;
  /** The command as typed after the prompt (continuation lines joined). */
  command?: string;
  /**
   * A lab node name: only when the prompt was `user@<node>` (or the command was `docker exec <node> …`)
   * and that name is one of `ctx.nodeNames`.
   */
  host?: string;
  /** The pod the command ran in, for `kubectl exec <pod> -- …`. */
  pod?: string;
  /** How the reader was chosen. */
  via: 'command' | 'content';
  /** The output went through a pipe (`| grep …`): it may hold only some of the rows. */
  filtered?: true;
}

export type CapturePart = CaptureMeta & ReadValue;

export interface IgnoredPart {
  /** `file:line`. */
  source: string;
  reason: string;
}

export interface CaptureRead {
  parts: CapturePart[];
  ignored: IgnoredPart[];
}

export interface ReadContext {
  nodeNames: readonly string[];
}

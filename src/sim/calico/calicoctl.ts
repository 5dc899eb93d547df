/**
 * The fake `calicoctl` v3.30.0 (KDD mode): `version`, `ipam show`, `ipam check`, computed from the
 * simulated cluster's store in the real output formats (../shared/reference/cli/calicoctl-*).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ToolHandler, ToolInvocation } from '../context.js';
import type { ObjectStore, StoredObject } from '../store.js';
import { type Cidr, cidrContains, cidrSize, cidrsOverlap, ipToNum, parseCidr } from './cidr.js';
import { type BlockSpec, allocatedIps, blockInUse } from './ipam.js';
import { CALICO_VERSION, R, TUNNEL_ANNOTATION } from './refs.js';
import { RELEASES } from './releases.js';
import { renderTable, usageCell, goG } from './table.js';

/** A running simulated cluster calicoctl can reach. */
export interface CalicoTarget {
  store: ObjectStore;
  /** Port of the cluster's API server (to match the kubeconfig's server URL). */
  port?: number;
}

const targets: CalicoTarget[] = [];

/** Make a cluster reachable by the `calicoctl` tool; returns the function that removes it. */
export function registerTarget(t: CalicoTarget): () => void {
  targets.push(t);
  return () => {
    const i = targets.indexOf(t);
    if (i >= 0) targets.splice(i, 1);
  };
}

const DEFAULT_CONFIG = '/etc/calico/calicoctl.cfg';

class Exit {
  constructor(
    readonly code: number,
    readonly stdout = '',
    readonly stderr = '',
  ) {}
}

const invalid = (argv: string[]): Exit => new Exit(1, '', `Invalid option: 'calicoctl ${argv.join(' ')}'. Use flag '--help' to read about a specific subcommand.\n`);

interface Parsed {
  words: string[];
  flags: Map<string, string | true>;
}

/** Flags each command accepts: name → takes a value. Short forms are mapped to the long name. */
const GLOBAL: Record<string, boolean> = { '--allow-version-mismatch': false, '--log-level': true, '--context': true, '--config': true, '--help': false };
const SHORT: Record<string, string> = { '-l': '--log-level', '-c': '--config', '-h': '--help', '-o': '--output' };

function parse(argv: string[], allowed: Record<string, boolean>): Parsed | undefined {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  const all = { ...GLOBAL, ...allowed };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') {
      words.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = eq > 0 ? a.slice(0, eq) : a;
    name = SHORT[name] ?? name;
    if (!(name in all)) return undefined;
    if (all[name]) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) return undefined;
      flags.set(name, v);
    } else {
      if (eq > 0) return undefined;
      flags.set(name, true);
    }
  }
  return { words, flags };
}

/** spec.kubeconfig of a CalicoAPIConfig file (kubernetes datastore), or the error calicoctl gives for it. */
function configFileKubeconfig(file: string): { kubeconfig: string | undefined } | Exit {
  const fail = (why: string): Exit => new Exit(1, '', `Failed to create Calico API client: syntax error in ${file}: ${why}\n`);
  let doc: { apiVersion?: unknown; kind?: unknown; spec?: { datastoreType?: unknown; kubeconfig?: unknown } };
  try {
    doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (e) {
    return fail(`failed to parse config as YAML/JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc.apiVersion !== 'projectcalico.org/v3') return fail(`invalid config file: unknown APIVersion '${String(doc.apiVersion ?? '')}'`);
  if (doc.kind !== 'CalicoAPIConfig') return fail(`invalid config file: expected kind 'CalicoAPIConfig', got '${String(doc.kind ?? '')}'`);
  const type = doc.spec?.datastoreType;
  // An etcd datastore is another cluster: none is simulated, so it never answers.
  if (type !== undefined && type !== '' && type !== 'kubernetes') return new Exit(1, '', 'Failed to create Calico API client: context deadline exceeded\n');
  return { kubeconfig: typeof doc.spec?.kubeconfig === 'string' && doc.spec.kubeconfig !== '' ? doc.spec.kubeconfig : undefined };
}

function pickTarget(inv: ToolInvocation, flags: Map<string, string | true>): CalicoTarget | Exit | undefined {
  const config = flags.get('--config');
  if (typeof config === 'string' && config !== DEFAULT_CONFIG && !existsSync(resolve(inv.cwd, config))) {
    return new Exit(1, `Error reading config file: ${config}\n`);
  }
  // With a config file no environment variable is read (libcalico-go apiconfig.LoadClientConfigFromFile).
  const fromFile = typeof config === 'string' && config !== DEFAULT_CONFIG ? configFileKubeconfig(resolve(inv.cwd, config)) : undefined;
  if (fromFile instanceof Exit) return fromFile;
  const kubeconfig = fromFile !== undefined ? fromFile.kubeconfig : (inv.env['CALICO_KUBECONFIG'] ?? inv.env['KUBECONFIG']);
  let port: number | undefined;
  if (kubeconfig) {
    const first = kubeconfig.split(':').find((p) => p !== '') ?? '';
    const path = resolve(inv.cwd, first);
    if (!existsSync(path)) return new Exit(1, '', `Failed to create Calico API client: invalid configuration: stat ${path}: no such file or directory\n`);
    try {
      const doc = parseYaml(readFileSync(path, 'utf8')) as { clusters?: { cluster?: { server?: string } }[] };
      const server = doc.clusters?.[0]?.cluster?.server;
      if (server) port = Number(new URL(server).port);
    } catch {
      // an unreadable kubeconfig simply does not select a cluster
    }
  }
  if (port !== undefined) {
    const hit = [...targets].reverse().find((t) => t.port === port);
    if (hit) return hit;
    if (targets.length > 0 && targets.every((t) => t.port === undefined)) return targets[targets.length - 1];
    return undefined;
  }
  return targets[targets.length - 1];
}

const unreachable = (inv: ToolInvocation): string => {
  const kc = inv.env['KUBECONFIG'];
  return kc ? 'dial tcp 127.0.0.1:6443: connect: connection refused' : 'invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable';
};

/** The version this calicoctl "binary" is (its script sets LAB_SIM_CALICOCTL_VERSION, see downloads.ts). */
const clientVersion = (inv: ToolInvocation): string => {
  const v = inv.env['LAB_SIM_CALICOCTL_VERSION'];
  return v !== undefined && Object.hasOwn(RELEASES, v) ? v : CALICO_VERSION;
};
const clientLinesOf = (inv: ToolInvocation): string => `Client Version:    ${clientVersion(inv)}\nGit commit:        ${RELEASES[clientVersion(inv)]!.gitCommit}\n`;

function version(inv: ToolInvocation, argv: string[]): Exit {
  const p = parse(argv.slice(1), { '--client': false, '--poll': true });
  if (!p || p.words.length > 0) return invalid(argv);
  const clientLines = clientLinesOf(inv);
  if (p.flags.has('--help')) return new Exit(0, VERSION_HELP);
  if (p.flags.has('--client')) return new Exit(0, clientLines);
  const t = pickTarget(inv, p.flags);
  // No client can be built from the datastore config: version still prints the client, exit 0.
  if (t instanceof Exit) return t.stderr.startsWith('Failed to create Calico API client') ? new Exit(0, `${clientLines}Unable to detect installed Calico version\n`) : t;
  if (!t) return new Exit(1, clientLines, `Unable to retrieve Cluster Version or Type: ${unreachable(inv)}\n`);
  const ci = t.store.get(R.clusterinformations, undefined, 'default');
  if (!ci) {
    return new Exit(1, clientLines, 'Unable to retrieve Cluster Version or Type: resource does not exist: ClusterInformation(default) with error: the server could not find the requested resource (get clusterinformations.crd.projectcalico.org default)\n');
  }
  const s = (ci.spec ?? {}) as { calicoVersion?: string; clusterType?: string };
  return new Exit(0, `${clientLines}Cluster Version:   ${s.calicoVersion ?? ''}\nCluster Type:      ${s.clusterType ?? ''}\n`);
}

/** version_mismatch.go: compare major.minor.patch of client and ClusterInformation. */
function versionMismatch(client: string, store: ObjectStore, flags: Map<string, string | true>): Exit | undefined {
  if (flags.has('--allow-version-mismatch')) return undefined;
  const ci = store.get(R.clusterinformations, undefined, 'default');
  const cluster = (ci?.spec as { calicoVersion?: string } | undefined)?.calicoVersion;
  if (!cluster) return undefined;
  const mmp = (v: string): string => (/(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1, 4) ?? [v]).join('.');
  if (mmp(cluster) === mmp(client)) return undefined;
  return new Exit(1, '', `Version mismatch.\nClient Version:   ${client}\nCluster Version:  ${cluster}\nUse --allow-version-mismatch to override.\n`);
}

interface Pool {
  name: string;
  cidr: Cidr;
  cidrText: string;
  disabled: boolean;
}

function pools(store: ObjectStore): Pool[] {
  return store.list(R.ippools).items.map((p) => {
    const s = (p.spec ?? {}) as { cidr?: string; disabled?: boolean };
    return { name: p.metadata.name, cidr: parseCidr(s.cidr ?? '0.0.0.0/32'), cidrText: s.cidr ?? '', disabled: s.disabled === true };
  });
}

const byName = (a: StoredObject, b: StoredObject): number => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
const blocksOf = (store: ObjectStore): StoredObject[] => store.list(R.ipamblocks).items.sort(byName);
const bspec = (b: StoredObject): BlockSpec => b.spec as BlockSpec;

function ipamShow(store: ObjectStore, flags: Map<string, string | true>): Exit {
  const ip = flags.get('--ip');
  if (typeof ip === 'string') {
    let n: number;
    try {
      n = ipToNum(ip);
    } catch {
      return new Exit(1, '', `invalid IP address: ${ip}\n`);
    }
    const hit = allocatedIps(store).find((a) => a.ipNum === n);
    if (!hit) return new Exit(0, `${ip} is not assigned\n`);
    const attrs = Object.entries(hit.attr.secondary ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    return new Exit(0, `IP ${ip} is in use\nAttributes:\n${attrs.map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
  }
  if (flags.has('--show-configuration')) {
    const cfg = (store.get(R.ipamconfigs, undefined, 'default')?.spec ?? {}) as { strictAffinity?: boolean; autoAllocateBlocks?: boolean; maxBlocksPerHost?: number };
    return new Exit(
      0,
      renderTable(
        ['Property', 'Value'],
        [
          ['StrictAffinity', String(cfg.strictAffinity ?? false)],
          ['AutoAllocateBlocks', String(cfg.autoAllocateBlocks ?? true)],
          ['MaxBlocksPerHost', String(cfg.maxBlocksPerHost ?? 0)],
        ],
      ),
    );
  }
  const blocks = blocksOf(store);
  if (flags.has('--show-borrowed')) {
    const rows: string[][] = [];
    for (const b of blocks) {
      const s = bspec(b);
      const owner = s.affinity?.startsWith('host:') ? s.affinity.slice(5) : '';
      const base = parseCidr(s.cidr).base;
      s.allocations.forEach((a, ord) => {
        if (a === null || a === undefined) return;
        const sec = s.attributes[a]?.secondary ?? {};
        const node = sec['node'];
        if (!node || node === owner) return;
        const ipText = allocatedIpText(base + ord);
        const allocatedTo = sec['pod'] ? `${sec['namespace'] ?? ''}/${sec['pod']}` : node;
        rows.push([ipText, node, s.cidr, owner, sec['type'] ?? 'pod', allocatedTo]);
      });
    }
    return new Exit(0, renderTable(['IP', 'Borrowing-Node', 'Block', 'Block Owner', 'Type', 'Allocated-To'], rows));
  }
  const showBlocks = flags.has('--show-blocks');
  const rows: string[][] = [];
  const shown = new Set<string>();
  for (const p of pools(store)) {
    const total = cidrSize(p.cidr);
    const inPool = blocks.filter((b) => cidrsOverlap(p.cidr, parseCidr(bspec(b).cidr)));
    const used = inPool.reduce((n, b) => n + blockInUse(bspec(b)), 0);
    rows.push(['IP Pool', p.cidrText, goG(total), usageCell(used, total), usageCell(total - used, total)]);
    if (showBlocks) {
      for (const b of inPool) {
        shown.add(b.metadata.name);
        rows.push(blockRow(bspec(b)));
      }
    }
  }
  if (showBlocks) for (const b of blocks) if (!shown.has(b.metadata.name)) rows.push(blockRow(bspec(b)));
  return new Exit(0, renderTable(['Grouping', 'CIDR', 'IPs total', 'IPs in use', 'IPs free'], rows));
}

function blockRow(s: BlockSpec): string[] {
  const total = s.allocations.length;
  const used = blockInUse(s);
  return ['Block', s.cidr, goG(total), usageCell(used, total), usageCell(total - used, total)];
}

const allocatedIpText = (n: number): string => [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');

interface Owner {
  text: string;
}

/** `ipam check` (check.go): the text report and the `-o` JSON report. */
function ipamCheck(inv: ToolInvocation, store: ObjectStore, flags: Map<string, string | true>): Exit {
  const showProblems = flags.has('--show-problem-ips');
  const showAll = flags.has('--show-all-ips');
  let out = 'Checking IPAM for inconsistencies...\n\nLoading all IPAM blocks...\n';
  const blocks = blocksOf(store);
  out += `Found ${blocks.length} IPAM blocks.\n`;
  for (const b of blocks) out += ` IPAM block ${bspec(b).cidr} affinity=${bspec(b).affinity ?? '<none>'}:\n`;
  const allocs = allocatedIps(store);
  out += `IPAM blocks record ${allocs.length} allocations.\n\nLoading all IPAM pools...\n`;
  const active = pools(store).filter((p) => !p.disabled);
  for (const p of active) out += `  ${p.cidrText}\n`;
  out += `Found ${active.length} active IP pools.\n\nLoading all nodes.\n`;

  const inUse = new Map<string, Owner[]>();
  const addUse = (ip: string, owner: string): void => {
    const list = inUse.get(ip) ?? [];
    list.push({ text: owner });
    inUse.set(ip, list);
  };
  let tunnels = 0;
  for (const n of store.list(R.nodes).items) {
    const ann = n.metadata.annotations ?? {};
    for (const key of [TUNNEL_ANNOTATION, 'projectcalico.org/IPv4IPIPTunnelAddr', 'projectcalico.org/IPv4WireguardInterfaceAddr']) {
      const v = ann[key];
      if (v) {
        tunnels += 1;
        addUse(v, `Node(${n.metadata.name})`);
      }
    }
  }
  out += `Found ${tunnels} node tunnel IPs.\n\nLoading all service load balancer IPs.\nFound 0 service load balancer.\n\nLoading all workload endpoints.\n`;
  let workloadIps = 0;
  for (const p of store.list(R.pods).items) {
    const spec = (p.spec ?? {}) as { hostNetwork?: boolean; nodeName?: string };
    if (spec.hostNetwork === true || !spec.nodeName) continue;
    const st = (p.status ?? {}) as { podIPs?: { ip: string }[]; podIP?: string; phase?: string };
    if (st.phase === 'Succeeded' || st.phase === 'Failed') continue;
    const ips = st.podIPs?.map((x) => x.ip) ?? (st.podIP ? [st.podIP] : []);
    const wep = `${spec.nodeName.replace(/-/g, '--')}-k8s-${p.metadata.name.replace(/-/g, '--')}-eth0`;
    for (const ip of ips) {
      workloadIps += 1;
      addUse(ip, `Workload(${p.metadata.namespace ?? 'default'}/${wep})`);
      if (showAll) out += `  ${ip} belongs to Workload(${p.metadata.namespace ?? 'default'}/${wep})\n`;
    }
  }
  out += `Found ${workloadIps} workload IPs.\nWorkloads and nodes are using ${inUse.size} IPs.\n\nLoading all handles\n`;

  const perNode = new Map<string, number>();
  for (const a of allocs) {
    const node = a.attr.secondary?.['node'];
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  out += 'Looking for top (up to 20) nodes by allocations...\n';
  const top = [...perNode.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  for (const [node, n] of top.slice(0, 20)) out += `  ${node} has ${n} allocations\n`;
  if (top.length > 0) {
    const counts = top.map(([, n]) => n).sort((x, y) => x - y);
    out += `Node with most allocations has ${top[0]![1]}; median is ${counts[Math.floor(counts.length / 2)]}\n`;
  }

  out += '\nScanning for IPs that are allocated but not actually in use...\n';
  const leaked = allocs.filter((a) => !inUse.has(a.ip));
  out += `Found ${leaked.length} IPs that are allocated in IPAM but not actually in use.\n`;
  if (showProblems) for (const a of leaked) out += `  ${a.ip} leaked; attrs Main:${a.attr.handle_id ?? ''} Extra:${extra(a.attr.secondary)}\n`;
  out += 'Scanning for IPs that are in use by a workload or node but not allocated in IPAM...\n';
  const allocatedSet = new Set(allocs.map((a) => a.ip));
  const notInPool: string[] = [];
  const notAllocated: string[] = [];
  for (const ip of inUse.keys()) {
    let n: number;
    try {
      n = ipToNum(ip);
    } catch {
      continue;
    }
    if (!active.some((p) => cidrContains(p.cidr, n))) notInPool.push(ip);
    else if (!allocatedSet.has(ip)) notAllocated.push(ip);
  }
  if (showProblems) for (const ip of notInPool) out += `  ${ip} in use by ${(inUse.get(ip) ?? []).map((o) => o.text).join(', ')} is not in any active IP pool.\n`;
  out += `Found ${notInPool.length} in-use IPs that are not in active IP pools.\n`;
  if (showProblems) for (const ip of notAllocated) out += `  ${ip} in use by ${(inUse.get(ip) ?? []).map((o) => o.text).join(', ')} and in active IP pool but has no IPAM allocation.\n`;
  out += `Found ${notAllocated.length} in-use IPs that are in active IP pools but have no corresponding IPAM allocation.\n`;

  out += '\nScanning for IPAM handles with no matching IPs...\n';
  const referenced = new Set(allocs.map((a) => (a.attr.handle_id ?? '').toLowerCase()).filter((h) => h !== ''));
  const handles = store.list(R.ipamhandles).items;
  const handleIds = handles.map((h) => String((h.spec as { handleID?: string } | undefined)?.handleID ?? h.metadata.name));
  const orphanHandles = handleIds.filter((h) => !referenced.has(h.toLowerCase()));
  if (showProblems) for (const h of orphanHandles) out += `  ${h} doesn't have any IPs\n`;
  out += `Found ${orphanHandles.length} handles with no matching IPs (and ${handleIds.length - orphanHandles.length} handles with matches).\n`;
  out += 'Scanning for IPs with missing handle...\n';
  const handleSet = new Set(handleIds.map((h) => h.toLowerCase()));
  const missing = [...referenced].filter((h) => !handleSet.has(h));
  out += `Found ${missing.length} handles mentioned in blocks with no matching handle resource.\n`;
  const problems = leaked.length + notInPool.length + notAllocated.length + orphanHandles.length;
  out += `Check complete; found ${problems} problems.\n`;

  const output = flags.get('--output');
  if (typeof output === 'string') {
    const ci = store.get(R.clusterinformations, undefined, 'default');
    const cis = (ci?.spec ?? {}) as { calicoVersion?: string; clusterGUID?: string; clusterType?: string; datastoreReady?: boolean };
    const allocations: Record<string, unknown[]> = {};
    for (const a of [...allocs].sort((x, y) => (x.ip < y.ip ? -1 : x.ip > y.ip ? 1 : 0))) {
      const sec = a.attr.secondary ?? {};
      const owner = bspec(a.block).affinity?.startsWith('host:') ? bspec(a.block).affinity!.slice(5) : undefined;
      const owners = inUse.get(a.ip)?.map((o) => o.text);
      const seq = bspec(a.block).sequenceNumberForAllocation?.[String(a.ordinal)] ?? 0;
      const entry: Record<string, unknown> = { ip: a.ip, handle: a.attr.handle_id ?? '', sequenceNumber: seq };
      if (sec['pod']) entry.pod = sec['pod'];
      if (sec['namespace']) entry.namespace = sec['namespace'];
      if (sec['node']) entry.node = sec['node'];
      if (sec['type']) entry.type = sec['type'];
      if (sec['timestamp']) entry.creationTimestamp = sec['timestamp'];
      entry.inUse = owners !== undefined;
      if (owner !== undefined && sec['node'] !== undefined && sec['node'] !== owner) entry.borrowed = true;
      if (owners) entry.owners = owners;
      (allocations[a.ip] ??= []).push(entry);
    }
    const report: Record<string, unknown> = {
      version: cis.calicoVersion ?? clientVersion(inv),
      clusterGUID: cis.clusterGUID ?? '',
      datastoreLocked: cis.datastoreReady === false,
      clusterInformationRevision: ci?.metadata.resourceVersion ?? '',
      clusterType: cis.clusterType ?? '',
      allocations,
    };
    if (orphanHandles.length > 0) report.leakedHandles = orphanHandles;
    writeFileSync(resolve(inv.cwd, output), JSON.stringify(report, null, 2), { mode: 0o777 });
  }
  return new Exit(0, out);
}

const extra = (sec: Record<string, string> | undefined): string =>
  Object.entries(sec ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function ipam(inv: ToolInvocation, argv: string[]): Exit {
  const sub = argv[1];
  if (sub === undefined || sub === '--help' || sub === '-h') return new Exit(0, IPAM_HELP);
  let allowed: Record<string, boolean>;
  if (sub === 'show') allowed = { '--ip': true, '--show-blocks': false, '--show-borrowed': false, '--show-configuration': false };
  else if (sub === 'check') allowed = { '--show-all-ips': false, '--show-problem-ips': false, '--output': true, '--kubeconfig': true };
  else return invalid(argv);
  const p = parse(argv.slice(2), allowed);
  if (!p || p.words.length > 0) return invalid(argv);
  if (p.flags.has('--help')) return new Exit(0, sub === 'show' ? IPAM_SHOW_HELP : IPAM_CHECK_HELP);
  if (sub === 'show' && ['--ip', '--show-blocks', '--show-borrowed', '--show-configuration'].filter((f) => p.flags.has(f)).length > 1) return invalid(argv);
  const t = pickTarget(inv, p.flags);
  if (t instanceof Exit) return t;
  if (!t) return new Exit(1, '', `Failed to create Calico API client: ${unreachable(inv)}\n`);
  const mismatch = versionMismatch(clientVersion(inv), t.store, p.flags);
  if (mismatch) return mismatch;
  return sub === 'show' ? ipamShow(t.store, p.flags) : ipamCheck(inv, t.store, p.flags);
}

function dispatch(inv: ToolInvocation): Exit {
  const argv = inv.argv;
  // Global options may precede the command.
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    const name = SHORT[a.split('=')[0]!] ?? a.split('=')[0]!;
    if (name === '--help') return new Exit(0, TOP_HELP);
    if (!(name in GLOBAL)) return invalid(argv);
    i += GLOBAL[name] && !a.includes('=') ? 2 : 1;
  }
  const rest = argv.slice(i);
  const globals = argv.slice(0, i);
  const cmd = rest[0];
  if (cmd === undefined) return new Exit(1, '', TOP_HELP);
  const withGlobals = [cmd, ...rest.slice(1), ...globals];
  switch (cmd) {
    case 'version':
      return version(inv, withGlobals);
    case 'ipam':
      return ipam(inv, withGlobals);
    default:
      return new Exit(1, '', `Invalid option: 'calicoctl ${argv.join(' ')}'. Use flag '--help' to read about a specific subcommand.\n`);
  }
}

export const calicoctl: ToolHandler = async (inv) => {
  const r = dispatch(inv);
  if (r.stdout) inv.out(r.stdout);
  if (r.stderr) inv.err(r.stderr);
  return r.code;
};

const TOP_HELP = `Usage:
  calicoctl [options] <command> [<args>...]

    create       Create a resource by file, directory or stdin.
    replace      Replace a resource by file, directory or stdin.
    apply        Apply a resource by file, directory or stdin.  This creates a resource
                 if it does not exist, and replaces a resource if it does exists.
    patch        Patch a pre-exisiting resource in place.
    delete       Delete a resource identified by file, directory, stdin or resource type and
                 name.
    get          Get a resource identified by file, directory, stdin or resource type and
                 name.
    label        Add or update labels of resources.
    convert      Convert config files between different API versions.
    ipam         IP address management.
    node         Calico node management.
    version      Display the version of this binary.
    datastore    Calico datastore management.

Options:
  -h --help                    Show this screen.
  -l --log-level=<level>       Set the log level (one of panic, fatal, error,
                               warn, info, debug) [default: panic]
     --context=<context>       The name of the kubeconfig context to use.
     --allow-version-mismatch  Allow client and cluster versions mismatch.

Description:
  The calicoctl command line tool is used to manage Calico network and security
  policy, to view and manage endpoint configuration, and to manage a Calico
  node instance.

  See 'calicoctl <command> --help' to read about a specific subcommand.
`;

const VERSION_HELP = `Usage:
  calicoctl version [--config=<CONFIG>] [--client] [--poll=<POLL>] [--context=<context>] [--allow-version-mismatch]

Options:
  -h --help                    Show this screen.
  -c --config=<CONFIG>         Path to the file containing connection configuration in
                               YAML or JSON format.
                               [default: ${DEFAULT_CONFIG}]
     --client                  Display only the client version.
     --poll=<POLL>             Poll for changes to the cluster version at the specified interval.
     --context=<context>       The name of the kubeconfig context to use.
     --allow-version-mismatch  Allow client and cluster versions mismatch.

Description:
  Display the version of calicoctl.
`;

const IPAM_HELP = `Usage:
  calicoctl ipam <command> [<args>...]

    release          Release a Calico assigned IP address.
    show             Show details of a Calico configuration,
                     assigned IP address, or of overall IP usage.
    configure        Configure IPAM
    check            Check the integrity of the IPAM datastructures.
    split            Split an IP pool into the specified number of smaller IP pools.

Options:
  -h --help      Show this screen.

Description:
  IP address management commands for Calico.

  See 'calicoctl ipam <command> --help' to read about a specific subcommand.
`;

const IPAM_SHOW_HELP = `Usage:
  calicoctl ipam show [--ip=<IP> | --show-blocks | --show-borrowed | --show-configuration] [--config=<CONFIG>] [--context=<context>] [--allow-version-mismatch]

Options:
  -h --help                    Show this screen.
     --ip=<IP>                 Report whether this specific IP address is in use.
     --show-blocks             Show detailed information for IP blocks as well as pools.
     --show-borrowed           Show detailed information for "borrowed" IP addresses.
     --show-configuration      Show current Calico IPAM configuration.
  -c --config=<CONFIG>         Path to the file containing connection configuration in
                               YAML or JSON format.
                               [default: ${DEFAULT_CONFIG}]
     --context=<context>       The name of the kubeconfig context to use.
     --allow-version-mismatch  Allow client and cluster versions mismatch.
`;

const IPAM_CHECK_HELP = `Usage:
  calicoctl ipam check [--config=<CONFIG>] [--show-all-ips] [--show-problem-ips] [-o <FILE>] [--kubeconfig=<KUBECONFIG>] [--context=<context>] [--allow-version-mismatch]

Options:
  -h --help                    Show this screen.
  -o --output=<FILE>           Path to output report file.
     --show-all-ips            Print all IPs that are checked.
     --show-problem-ips        Print all IPs that are leaked or not allocated properly.
  -c --config=<CONFIG>         Path to the file containing connection configuration in
                               YAML or JSON format.
                               [default: ${DEFAULT_CONFIG}]
     --kubeconfig=<KUBECONFIG> Path to Kubeconfig file (only used in etcd mode).
     --context=<context>       The name of the kubeconfig context to use.
     --allow-version-mismatch  Allow client and cluster versions mismatch.
`;

/**
 * Fake `containerlab` (v0.79.0) for topologies of `k8s-kind` nodes: deploy / destroy / inspect / version
 * with the real streams (logs on stderr as `HH:MM:SS LEVEL msg key=value`, tables/JSON on stdout),
 * messages and exit codes of ../../../../shared/reference/cli/containerlab-contract.yaml.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SimContainer, ToolHandler, ToolInvocation } from '../context.js';
import { FlagError, parseFlags, str, type FlagSpec } from '../dispatch/args.js';
import { clock, humanDuration, type SimRuntime } from '../dispatch/runtime.js';
import { clusterSpec, KindError, parseKindConfig } from '../cluster/kind.js';
import { kindKubeconfigPaths, kindMergePath, mergeKindKubeconfig, removeKindKubeconfig } from '../cluster/kubeconfig-files.js';

/**
 * A cancelled deploy destroys the lab it was creating (cmd/context.go: CleanOnCancel, always true
 * for a k8s-kind lab) within maxCancelledDestroyTimeout, then exits 1. Simulated: the kind delete
 * of the nodes takes this long (scaled), under the 20 s bound.
 */
export const CANCEL_DESTROY_MS = 8_000;
export const MAX_CANCELLED_DESTROY_MS = 20_000;

export const CLAB_VERSION = { version: '0.79.0', commit: '5ae50094a', date: '2026-08-21T11:58:40Z', repository: 'https://github.com/srl-labs/containerlab', releaseNotes: 'https://containerlab.dev/rn/0.79/' };

const globalFlags: FlagSpec[] = [
  { long: 'topo', short: 't', type: 'string' },
  { long: 'name', type: 'string' },
  { long: 'debug', short: 'd', type: 'count' },
  { long: 'log-level', type: 'string' },
  { long: 'timeout', type: 'string' },
  { long: 'runtime', short: 'r', type: 'string' },
  { long: 'help', short: 'h', type: 'bool' },
  { long: 'vars', type: 'string' },
];
const deployFlags: FlagSpec[] = [
  ...globalFlags,
  { long: 'reconfigure', short: 'c', type: 'bool' },
  { long: 'dry-run', type: 'bool' },
  { long: 'format', short: 'f', type: 'string' },
  { long: 'max-workers', type: 'string' },
  { long: 'skip-post-deploy', type: 'bool' },
  { long: 'node-filter', type: 'list' },
  { long: 'owner', type: 'string' },
  { long: 'network', type: 'string' },
  { long: 'ipv4-subnet', short: '4', type: 'string' },
  { long: 'ipv6-subnet', short: '6', type: 'string' },
  { long: 'skip-labdir-acl', type: 'bool' },
  { long: 'graph', short: 'g', type: 'bool' },
  { long: 'export-template', type: 'string' },
];
const destroyFlags: FlagSpec[] = [
  ...globalFlags,
  { long: 'cleanup', short: 'c', type: 'bool' },
  { long: 'all', short: 'a', type: 'bool' },
  { long: 'yes', short: 'y', type: 'bool' },
  { long: 'graceful', type: 'bool' },
  { long: 'keep-mgmt-net', type: 'bool' },
  { long: 'max-workers', type: 'string' },
  { long: 'node-filter', type: 'list' },
];
const inspectFlags: FlagSpec[] = [
  ...globalFlags,
  { long: 'format', short: 'f', type: 'string' },
  { long: 'details', type: 'bool' },
  { long: 'all', short: 'a', type: 'bool' },
  { long: 'wide', short: 'w', type: 'bool' },
];
const versionFlags: FlagSpec[] = [...globalFlags, { long: 'short', short: 's', type: 'bool' }, { long: 'json', short: 'j', type: 'bool' }];

const commandNames: Record<string, 'deploy' | 'destroy' | 'inspect' | 'version'> = {
  deploy: 'deploy', dep: 'deploy', apply: 'deploy',
  destroy: 'destroy', des: 'destroy',
  inspect: 'inspect', ins: 'inspect', i: 'inspect',
  version: 'version',
};

class ClabError extends Error {}

interface Topology {
  name: string;
  file: string; // absolute
  given: string; // as given (labPath)
  dir: string;
  kindNodes: { node: string; image: string; startupConfig?: string; waitMs: number; kubeconfig?: string }[];
}

function parseGoDuration(text: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as Record<string, number>)[m[2] as string]!;
  return total;
}

function findTopology(inv: ToolInvocation, topo: string | undefined): { file: string; given: string } {
  const pick = (dir: string): string => {
    const files = readdirSync(dir).filter((f) => /\.clab\.ya?ml$/.test(f));
    if (files.length !== 1) throw new ClabError(files.length === 0 ? 'no topology files matching the pattern *.clab.yml or *.clab.yaml found' : `more than one topology file found in ${dir}`);
    return join(dir, files[0] as string);
  };
  if (topo === undefined || topo === '') {
    const file = pick(inv.cwd);
    return { file, given: basename(file) };
  }
  const abs = isAbsolute(topo) ? topo : resolve(inv.cwd, topo);
  if (!existsSync(abs)) throw new ClabError(`stat ${topo}: no such file or directory`);
  if (statSync(abs).isDirectory()) {
    const file = pick(abs);
    return { file, given: relative(inv.cwd, file) };
  }
  return { file: abs, given: topo };
}

function loadTopology(inv: ToolInvocation, topo: string | undefined, log: (line: string) => void): Topology {
  const { file, given } = findTopology(inv, topo);
  log(`${clock()} INFO Parsing & checking topology file=${basename(file)}`);
  let doc: { name?: string; topology?: { nodes?: Record<string, { kind?: string; image?: string; 'startup-config'?: string; extras?: { k8s_kind?: { deploy?: { wait?: string; kubeconfig?: string } } } }> } };
  try {
    doc = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (error) {
    throw new ClabError(`failed to parse topology file ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const name = doc.name;
  if (typeof name !== 'string' || name === '') throw new ClabError(`topology name is not set in ${file}`);
  const dir = dirname(file);
  const kindNodes: Topology['kindNodes'] = [];
  for (const [node, def] of Object.entries(doc.topology?.nodes ?? {})) {
    if (def?.kind !== 'k8s-kind') throw new ClabError(`simulated containerlab supports only nodes of kind k8s-kind (node "${node}" is of kind "${def?.kind ?? ''}")`);
    const sc = def['startup-config'];
    let startupConfig: string | undefined;
    if (sc !== undefined) {
      startupConfig = isAbsolute(sc) ? sc : join(dir, sc);
      if (!existsSync(startupConfig)) throw new ClabError(`node "clab-${name}-${node}" startup-config file not found by the path ${startupConfig}`);
    }
    const wait = def.extras?.k8s_kind?.deploy?.wait;
    // a relative kubeconfig is joined to the NODE lab dir (nodes/k8s_kind/k8s_kind.go: ResolvePath(…, n.Cfg.LabDir))
    const kc = def.extras?.k8s_kind?.deploy?.kubeconfig;
    const nodeLabDir = join(dir, `clab-${name}`, node);
    kindNodes.push({
      node,
      image: def.image ?? 'kindest/node:v1.35.0',
      startupConfig,
      waitMs: wait === undefined ? 15 * 60_000 : parseGoDuration(wait),
      ...(kc !== undefined && kc !== '' ? { kubeconfig: isAbsolute(kc) ? kc : join(nodeLabDir, kc) } : {}),
    });
  }
  return { name, file, given, dir, kindNodes };
}

function ipNoMask(ip: string): string {
  return ip.split('/')[0] ?? ip;
}

interface Row {
  lab_name: string;
  labPath: string;
  absLabPath: string;
  name: string;
  container_id: string;
  image: string;
  kind: string;
  state: string;
  status: string;
  ipv4_address: string;
  ipv6_address: string;
  owner: string;
}

function rows(rt: SimRuntime, topo: Topology, inv: ToolInvocation): Row[] {
  const owner = inv.env['SUDO_USER'] ?? inv.env['USER'] ?? 'root';
  const out: Row[] = [];
  for (const kn of topo.kindNodes) {
    for (const c of rt.clusters.nodes(kn.node)) out.push(row(rt, topo, c, owner));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function row(rt: SimRuntime, topo: Topology, c: SimContainer, owner: string): Row {
  const net = c.networks['kind'];
  const up = (Date.now() - c.createdAt.getTime()) / rt.ctx.clock.scale;
  return {
    lab_name: topo.name,
    labPath: topo.given,
    absLabPath: topo.file,
    name: c.name,
    container_id: c.id.slice(0, 12),
    image: c.image,
    kind: 'k8s-kind',
    state: c.state,
    status: c.state === 'running' ? `Up ${humanDuration(up)}` : 'Exited (0)',
    ipv4_address: net?.ipv4 ? `${net.ipv4}/16` : 'N/A',
    ipv6_address: net?.ipv6 ? `${net.ipv6}/64` : 'N/A',
    owner,
  };
}

/** containerlab's rounded-box table (header centred, extra space on the left; two-line cells). */
export function inspectTable(list: Row[]): string {
  const cells = list.map((r) => [[r.name], [r.kind, r.image], [r.state], [ipNoMask(r.ipv4_address), ipNoMask(r.ipv6_address)]]);
  const header = ['Name', 'Kind/Image', 'State', 'IPv4/6 Address'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => Math.max(...(c[i] as string[]).map((l) => [...l].length)))));
  const centre = (text: string, w: number): string => {
    const pad = w - text.length;
    return ' '.repeat(Math.ceil(pad / 2)) + text + ' '.repeat(Math.floor(pad / 2));
  };
  const line = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const out = [line('╭', '┬', '╮'), `│${header.map((h, i) => ` ${centre(h, widths[i] as number)} `).join('│')}│`];
  for (const c of cells) {
    out.push(line('├', '┼', '┤'));
    const height = Math.max(...c.map((x) => x.length));
    for (let k = 0; k < height; k++) out.push(`│${c.map((x, i) => ` ${(x[k] ?? '').padEnd(widths[i] as number)} `).join('│')}│`);
  }
  out.push(line('╰', '┴', '╯'));
  return `${out.join('\n')}\n`;
}

const csvHeader = 'lab_name,labPath,absLabPath,name,container_id,image,kind,state,status,ipv4_address,ipv6_address,owner';

function inspectOutput(list: Row[], format: string, labName: string): { stdout: string; stderr?: string } {
  if (format === 'json') {
    if (list.length === 0) return { stdout: '{}\n' };
    return { stdout: `${JSON.stringify({ [labName]: list }, null, 2)}\n` };
  }
  if (format === 'csv') return { stdout: [csvHeader, ...list.map((r) => Object.values(r).join(','))].join('\n') + '\n' };
  if (list.length === 0) return { stdout: '', stderr: `${clock()} INFO no containers found\n` };
  return { stdout: inspectTable(list) };
}

/**
 * How containerlab ≥ 0.7x (charm fang) prints a command's error, on a pipe too (seen with the real
 * 0.79.0: test/contract/real-tools.test.ts): a blank-margined `ERROR` header, then the message with its
 * first word title-cased and a full stop added, word-wrapped to 116 columns (fang's width is 120 when
 * stdout is not a terminal, minus its margins) and padded to that width after a 2-space margin.
 */
export function fangError(message: string): string {
  const first = /^(\s*)(\S+)/.exec(message);
  const titled = first ? `${first[1]}${first[2]!.charAt(0).toUpperCase()}${first[2]!.slice(1).toLowerCase()}${message.slice(first[0].length)}` : message;
  const lines: string[] = [];
  let line = '';
  for (const word of `${titled}.`.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > 116) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return ['          ', '   ERROR  ', '          ', ...lines.map((l) => `  ${l.padEnd(116)}`), '', ''].join('\n');
}

export function containerlab(rt: SimRuntime): ToolHandler {
  return async (inv) => {
    const err = (line: string): void => inv.err(line.endsWith('\n') ? line : `${line}\n`);
    const fail = (message: string): number => {
      err(`Error: ${message}`);
      return 1;
    };
    if (!(inv.env['CLAB_VERSION_CHECK'] ?? '').includes('disable')) {
      // The real containerlab (≥ 0.7x) now starts an HTTP request to GitHub for its latest release
      // (deploy waits up to 3 s for it). A simulated world sends nothing anywhere: refuse loudly.
      return fail('simulated containerlab: CLAB_VERSION_CHECK does not contain "disable": the real containerlab would ask GitHub for its latest release now (set CLAB_VERSION_CHECK=disable for every containerlab call, through sudo too)');
    }
    const sub = inv.argv.find((a) => !a.startsWith('-'));
    const firstIsFlag = inv.argv[0]?.startsWith('-') ?? false;
    if (sub === undefined || firstIsFlag) {
      try {
        const { flags } = parseFlags(inv.argv, [...globalFlags, { long: 'version', short: 'v', type: 'bool' }]);
        if (flags['version']) return version(inv, {});
      } catch (e) {
        if (e instanceof FlagError) return fail(e.message);
        throw e;
      }
      inv.out('containerlab deploys container-based networking labs\n\nUsage:\n  containerlab [command]\n\nRun \'containerlab [command] --help\' for more information about a command.\n');
      return 0;
    }
    const cmd = commandNames[sub];
    const rest = inv.argv.slice(inv.argv.indexOf(sub) + 1);
    if (!cmd) return fail(`unknown command "${sub}" for "containerlab"\nRun 'containerlab --help' for usage.`);
    const specs = { deploy: deployFlags, destroy: destroyFlags, inspect: inspectFlags, version: versionFlags }[cmd];
    let parsed;
    try {
      parsed = parseFlags(rest, specs);
    } catch (e) {
      if (e instanceof FlagError) return fail(e.message);
      throw e;
    }
    if (parsed.flags['help']) {
      inv.out(`Usage:\n  containerlab ${cmd} [flags]\n`);
      return 0;
    }
    if (cmd === 'version') {
      if (parsed.args.length > 0) return fail(`unknown command "${parsed.args[0]}" for "containerlab version"`);
      return version(inv, parsed.flags);
    }
    if (parsed.args.length > 0) return fail(`unknown command "${parsed.args[0]}" for "containerlab ${cmd}"`);
    try {
      if (cmd === 'inspect') return inspect(rt, inv, parsed.flags, err);
      if (cmd === 'destroy') return await destroy(rt, inv, parsed.flags, err);
      return await deploy(rt, inv, parsed.flags, err);
    } catch (e) {
      if (e instanceof ClabError) {
        err(fangError(e.message));
        return 1;
      }
      throw e;
    }
  };
}

function version(inv: ToolInvocation, flags: Record<string, unknown>): number {
  if (flags['short']) inv.out(`${CLAB_VERSION.version}\n`);
  else if (flags['json']) inv.out(`${JSON.stringify(CLAB_VERSION)}\n`);
  else
    inv.out(
      [
        '',
        `    version: ${CLAB_VERSION.version}`,
        `     commit: ${CLAB_VERSION.commit}`,
        `       date: ${CLAB_VERSION.date}`,
        `     source: ${CLAB_VERSION.repository}`,
        ` rel. notes: ${CLAB_VERSION.releaseNotes}`,
        '',
      ].join('\n'),
    );
  return 0;
}

function inspect(rt: SimRuntime, inv: ToolInvocation, flags: Record<string, unknown>, err: (l: string) => void): number {
  const format = str(flags['format'] as string) ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new ClabError(`output format ${format} is not supported, use 'table', 'json' or 'csv'`);
  const topoFlag = str(flags['topo'] as string);
  if (topoFlag === undefined) {
    if (flags['name'] === undefined && !flags['all']) {
      throw new ClabError('provide either a lab name (--name) or a topology file path (--topo) or the --all flag');
    } else {
      // --name / --all do not see k8s-kind clusters (kind containers carry no containerlab labels)
      const out = inspectOutput([], format, '');
      if (out.stderr) err(out.stderr);
      inv.out(out.stdout);
      return 0;
    }
  }
  const topo = loadTopology(inv, topoFlag, err);
  const out = inspectOutput(rows(rt, topo, inv), format, topo.name);
  if (out.stderr) err(out.stderr);
  inv.out(out.stdout);
  return 0;
}

function labDirOf(topo: Topology, env: Record<string, string>): string {
  const base = env['CLAB_LABDIR_BASE'];
  return join(base !== undefined && base !== '' ? base : topo.dir, `clab-${topo.name}`);
}

function writeLabDir(labDir: string, topo: Topology): void {
  mkdirSync(join(labDir, '.tls', 'ca'), { recursive: true });
  writeFileSync(join(labDir, '.state.clab.yaml'), `# simulated containerlab state\nname: ${topo.name}\n`);
  writeFileSync(join(labDir, '.tls', 'ca', 'ca.pem'), '-----BEGIN CERTIFICATE-----\nU0lNVUxBVEVELUxBQi1DQQ==\n-----END CERTIFICATE-----\n');
  writeFileSync(join(labDir, '.tls', 'ca', 'ca.key'), '# simulated lab: no key material\n');
  writeFileSync(join(labDir, 'ansible-inventory.yml'), `all:\n  vars:\n    ansible_httpapi_use_proxy: false\n  children: {}\n`);
  writeFileSync(join(labDir, 'authorized_keys'), '');
  writeFileSync(join(labDir, 'nornir-simple-inventory.yml'), '{}\n');
  writeFileSync(join(labDir, 'topology-data.json'), `${JSON.stringify({ name: topo.name, type: 'clab', clab: { config: { prefix: 'clab', mgmt: { network: 'clab', 'ipv4-subnet': '172.20.20.0/24', 'ipv6-subnet': '3fff:172:20:20::/64' } } }, nodes: {}, links: [] }, null, 2)}\n`);
}

/** Go's os.Signal String() for the two signals containerlab handles. */
const goSignalName = (s: 'SIGINT' | 'SIGTERM'): string => (s === 'SIGINT' ? 'interrupt' : 'terminated');

/** Remove the lab's kind clusters as destroy does (kubeconfig entries, then the nodes). */
async function destroyKindNodes(rt: SimRuntime, inv: ToolInvocation, topo: Topology, err: (l: string) => void, simMs: number): Promise<void> {
  for (const kn of topo.kindNodes.filter((k) => rt.clusters.exists(k.node))) {
    err(`${clock()} INFO Deleting kind cluster "${kn.node}"`);
    const kerr = removeKindKubeconfig(kindKubeconfigPaths(kn.kubeconfig, inv.env), kn.node);
    if (kerr !== undefined) err(`${clock()} ERRO failed to update kubeconfig: ${kerr} kind-cluster=${kn.node}`);
    await rt.ctx.clock.sleep(simMs, inv.signal);
    const gone = rt.clusters.delete(kn.node);
    err(`${clock()} INFO Deleted nodes: [${gone.map((n) => `"${n}"`).join(' ')}] kind-cluster=${kn.node}`);
  }
}

async function deploy(rt: SimRuntime, inv: ToolInvocation, flags: Record<string, unknown>, err: (l: string) => void): Promise<number> {
  err(`${clock()} INFO Containerlab started version=${CLAB_VERSION.version}`);
  const topo = loadTopology(inv, str(flags['topo'] as string), err);
  const labDir = labDirOf(topo, inv.env);
  // SIGINT/SIGTERM: cancel the deploy, destroy the lab (CleanOnCancel), exit 1; later signals are ignored.
  const cancel = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  inv.onSignal?.((s) => {
    if (received !== undefined) return;
    received = s;
    err(`${clock()} ERRO received signal "${goSignalName(s)}", canceling context`);
    cancel.abort(new Error(`received ${s}`));
  });
  const cancelled = async (): Promise<number> => {
    err(`${clock()} INFO Destroying lab name=${topo.name}`);
    await destroyKindNodes(rt, inv, topo, err, Math.min(CANCEL_DESTROY_MS, MAX_CANCELLED_DESTROY_MS));
    err(`${clock()} INFO Removing host entries path=/etc/hosts`);
    return 1;
  };
  const signal = AbortSignal.any([inv.signal, cancel.signal]);
  if (flags['reconfigure']) {
    for (const kn of topo.kindNodes) {
      if (rt.clusters.exists(kn.node)) {
        err(`${clock()} INFO Destroying lab name=${topo.name}`);
        rt.clusters.delete(kn.node);
      }
    }
    if (existsSync(labDir)) {
      err(`${clock()} INFO Removing directory path=${labDir}`);
      rmSync(labDir, { recursive: true, force: true });
    }
  }
  if (!rt.host.networks.has('clab')) {
    err(`${clock()} INFO Creating docker network name=clab IPv4 subnet=172.20.20.0/24 IPv6 subnet=3fff:172:20:20::/64 MTU=1500`);
    rt.host.networks.set('clab', {
      name: 'clab',
      id: 'c1ab'.padEnd(64, '0'),
      subnets: [{ subnet: '172.20.20.0/24', gateway: '172.20.20.1' }, { subnet: '3fff:172:20:20::/64', gateway: '3fff:172:20:20::1' }],
      labels: { containerlab: '' },
    });
  }
  err(`${clock()} INFO Creating lab directory path=${labDir}`);
  writeLabDir(labDir, topo);
  const failures: string[] = [];
  for (const kn of topo.kindNodes) {
    const config = parseKindConfig(kn.startupConfig === undefined ? undefined : readFileSync(kn.startupConfig, 'utf8'));
    const spec = clusterSpec(kn.node, config, kn.image);
    const failPull = rt.ctx.faults.has('clab-image-pull') && !rt.spentFaults.has('clab-image-pull');
    if (failPull) rt.spentFaults.add('clab-image-pull');
    try {
      await rt.clusters.create(spec, {
        log: (line) => err(`${clock()} INFO ${line} kind-cluster=${kn.node}`),
        signal,
        failPull,
        waitMs: kn.waitMs,
        disableDefaultCNI: config.disableDefaultCNI,
      });
      // kind's last create step: export the kubeconfig (merged, current-context switched).
      if (rt.api) mergeKindKubeconfig(kindMergePath(kn.kubeconfig, inv.env), rt.api.kubeconfig(kn.node));
    } catch (e) {
      if (cancel.signal.aborted && !inv.signal.aborted) return cancelled();
      if (e instanceof KindError) failures.push(`node "${kn.node}" deploy: ${e.message}`);
      else throw e;
    }
    if (cancel.signal.aborted) return cancelled();
  }
  if (failures.length > 0) throw new ClabError(`deployment failed for one or more nodes: ${failures.join('; ')}`);
  err(`${clock()} INFO Adding host entries path=/etc/hosts`);
  err(`${clock()} INFO Adding SSH config for nodes path=/etc/ssh/ssh_config.d/clab-${topo.name}.conf`);
  const format = str(flags['format'] as string) ?? 'table';
  const out = inspectOutput(rows(rt, topo, inv), format === 'json' ? 'json' : 'table', topo.name);
  inv.out(out.stdout);
  return 0;
}

async function destroy(rt: SimRuntime, inv: ToolInvocation, flags: Record<string, unknown>, err: (l: string) => void): Promise<number> {
  if (flags['all']) {
    // --all lists by the containerlab label: kind nodes have none, so nothing is found.
    err(`${clock()} INFO no containerlab labs found`);
    return 0;
  }
  const topo = loadTopology(inv, str(flags['topo'] as string), err);
  const deployed = topo.kindNodes.filter((kn) => rt.clusters.exists(kn.node));
  const labDir = labDirOf(topo, inv.env);
  if (deployed.length === 0) {
    if (flags['cleanup']) {
      err(`${clock()} INFO no containerlab containers found`);
      rmSync(labDir, { recursive: true, force: true });
    }
    return 0;
  }
  err(`${clock()} INFO Parsing & checking topology file=${basename(topo.file)}`);
  err(`${clock()} INFO Destroying lab name=${topo.name}`);
  await destroyKindNodes(rt, inv, topo, err, 2_000);
  err(`${clock()} INFO Removing host entries path=/etc/hosts`);
  err(`${clock()} INFO Removing SSH config path=/etc/ssh/ssh_config.d/clab-${topo.name}.conf`);
  if (flags['cleanup']) rmSync(labDir, { recursive: true, force: true });
  if (!flags['keep-mgmt-net']) rt.host.networks.delete('clab');
  return 0;
}

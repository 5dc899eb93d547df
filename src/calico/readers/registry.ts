/**
 * READERS: every reader with the commands routed to it and a content sniffer (the fallback for files
 * without prompts and for parts whose command is unknown). Sniffers are tried in this order; the
 * specific human formats come before the JSON and YAML catch-alls.
 */
import { isClabInspect, isIpamCheckReport, ParseError, parseClabInspect, parseIpamCheckReport, parseProcNetRoute } from '../parse.js';
import { isIpamCheckText, isIpamShow, parseIpamCheckText, parseIpamShowText } from './calicoctl.js';
import { isClabInspectTable, parseClabInspectTable } from './clab.js';
import { parseIpAddrText } from '../../observe/parse/ip-addr.js';
import { parseResolvConf } from '../../observe/parse/resolv.js';
import { calicoctlIpam, containerlabInspect, hasFlag, ipAddr, ipRoute, isResolvConfCat, isKubectlObjectOutput, kubectlCall, type CommandLine } from './command.js';
import { isIpRouteJson, isIpRouteText, parseIpRouteJson, parseIpRouteText } from './iproute.js';
import { isKubeObjectsText, parseKubeObjects } from './kube.js';
import {
  isBlockAffinitiesTable,
  isBlockAffinityListing,
  isNodesTable,
  isPodsTable,
  isTigeraStatusDescribe,
  isTigeraStatusTable,
  parseBlockAffinitiesTable,
  parseBlockAffinityListing,
  parseNodesTable,
  parseHeaderlessPodRows,
  parsePodsTable,
  parseTigeraStatusDescribe,
  parseTigeraStatusTable,
} from './kubectl.js';
import type { DockerNetwork, ReaderId, ReadValues } from './types.js';

export interface Reader<K extends ReaderId = ReaderId> {
  id: K;
  /** What it reads, for messages. */
  title: string;
  /** The command lines routed to it, for documentation (`kubectl get tigerastatus`). */
  commands: readonly string[];
  /** Whether a typed command's output belongs to this reader. */
  routes(cmd: CommandLine): boolean;
  /** Whether an output with no known command looks like this format. Pure and cheap. */
  sniff(text: string): boolean;
  /** Parse; throws ParseError saying what did not match. `cmd` is the command when known. */
  parse(text: string, cmd?: CommandLine): ReadValues[K];
}

export type AnyReader = { [K in ReaderId]: Reader<K> }[ReaderId];

/** The JSON value of `text`, or undefined when it is not a JSON object or array. */
export function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

function json<T>(text: string, what: string, parse: (v: unknown) => T): T {
  const t = text.trim();
  try {
    return parse(JSON.parse(t) as unknown);
  } catch (error) {
    if (error instanceof SyntaxError) throw new ParseError(`${what}: not valid JSON: ${error.message}`);
    throw error;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isDockerNetworks = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((n) => isRecord(n) && typeof n['Name'] === 'string' && isRecord(n['IPAM']));

function parseDockerNetworks(v: unknown): DockerNetwork[] {
  if (!isDockerNetworks(v)) throw new ParseError('not the output of `docker network inspect`: expected a list of networks with Name and IPAM');
  return (v as { Name: string; IPAM: { Config?: unknown } }[]).map((n) => ({
    name: n.Name,
    subnets: Array.isArray(n.IPAM.Config) ? n.IPAM.Config.filter(isRecord).map((c) => c['Subnet']).filter((s): s is string => typeof s === 'string') : [],
  }));
}

const isProcNetRoute = (t: string): boolean => /^Iface\s+Destination\s+Gateway\s/.test(t.trimStart());

const kube = (cmd: CommandLine, verb: string, resource: string, table: boolean): boolean => {
  const k = kubectlCall(cmd);
  return k !== undefined && k.verb === verb && k.resource === resource && (!table || k.output === undefined || k.output === 'wide');
};

export const READERS: readonly AnyReader[] = [
  {
    id: 'ipam-show', title: 'calicoctl ipam show', commands: ['calicoctl ipam show', 'calicoctl ipam show --show-blocks'],
    routes: (c) => calicoctlIpam(c) === 'show', sniff: isIpamShow, parse: (t) => parseIpamShowText(t),
  },
  {
    id: 'ipam-check-text', title: 'calicoctl ipam check (stdout)', commands: ['calicoctl ipam check [--show-problem-ips]'],
    routes: (c) => calicoctlIpam(c) === 'check', sniff: isIpamCheckText,
    parse: (t, c) => parseIpamCheckText(t, c ? hasFlag(c, 'show-problem-ips') || hasFlag(c, 'show-all-ips') : undefined),
  },
  {
    id: 'tigerastatus-table', title: 'kubectl get tigerastatus', commands: ['kubectl get tigerastatus'],
    routes: (c) => kube(c, 'get', 'tigerastatus', true), sniff: isTigeraStatusTable, parse: (t) => parseTigeraStatusTable(t),
  },
  {
    id: 'tigerastatus-describe', title: 'kubectl describe tigerastatus', commands: ['kubectl describe tigerastatus [name]'],
    routes: (c) => kube(c, 'describe', 'tigerastatus', false), sniff: isTigeraStatusDescribe, parse: (t) => parseTigeraStatusDescribe(t),
  },
  {
    id: 'nodes-table', title: 'kubectl get nodes', commands: ['kubectl get nodes [-o wide]'],
    routes: (c) => kube(c, 'get', 'nodes', true), sniff: isNodesTable, parse: (t) => parseNodesTable(t),
  },
  {
    id: 'pods-table', title: 'kubectl get pods', commands: ['kubectl get pods [-A | -n <ns>] [-o wide]'],
    routes: (c) => kube(c, 'get', 'pods', true), sniff: isPodsTable,
    parse: (t, c) => {
      // `kubectl get pods … | grep x` lost the header: the command says which columns there are.
      if (c?.piped && !isPodsTable(t)) return parseHeaderlessPodRows(t, c.flags.has('A') || c.flags.has('all-namespaces'), kubectlCall(c)?.output === 'wide');
      return parsePodsTable(t);
    },
  },
  {
    id: 'blockaffinities-table', title: 'kubectl get blockaffinities', commands: ['kubectl get blockaffinities'],
    routes: (c) => kube(c, 'get', 'blockaffinities', true), sniff: isBlockAffinitiesTable, parse: (t) => parseBlockAffinitiesTable(t),
  },
  {
    id: 'containerlab-inspect-table', title: 'containerlab inspect (table)', commands: ['containerlab inspect [-t <topology>]'],
    routes: (c) => containerlabInspect(c) === 'table', sniff: isClabInspectTable, parse: (t) => parseClabInspectTable(t),
  },
  {
    id: 'blockaffinities-jsonpath', title: 'kubectl get blockaffinities -o jsonpath (name, node, cidr)',
    commands: ["kubectl get blockaffinities -o=jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.node}{\"\\t\"}{.spec.cidr}{\"\\n\"}{end}'"],
    routes: (c) => { const k = kubectlCall(c); return k !== undefined && k.verb === 'get' && k.resource === 'blockaffinities' && (k.output ?? '').startsWith('jsonpath'); },
    sniff: isBlockAffinityListing, parse: (t) => parseBlockAffinityListing(t),
  },
  {
    id: 'ip-route', title: 'ip route', commands: ['ip route', 'ip -4 route show'],
    routes: (c) => ipRoute(c) === 'text', sniff: isIpRouteText, parse: (t) => parseIpRouteText(t),
  },
  {
    id: 'ipam-check-report', title: 'calicoctl ipam check -o <file> (the report)', commands: [],
    routes: () => false, sniff: (t) => isIpamCheckReport(tryJson(t)), parse: (t) => json(t, 'ipam check report', parseIpamCheckReport),
  },
  {
    id: 'containerlab-inspect-json', title: 'containerlab inspect --format json', commands: ['containerlab inspect --format json'],
    routes: (c) => containerlabInspect(c) === 'json', sniff: (t) => isClabInspect(tryJson(t)),
    parse: (t) => json(t, 'containerlab inspect', (v) => parseClabInspect(v)),
  },
  {
    id: 'ip-route-json', title: 'ip -j route', commands: ['ip -j route'],
    routes: (c) => ipRoute(c) === 'json', sniff: (t) => { const v = tryJson(t); return Array.isArray(v) && v.length > 0 && isIpRouteJson(v); },
    parse: (t) => json(t, 'ip -j route', parseIpRouteJson),
  },
  {
    id: 'ip-addr', title: 'ip addr', commands: ['ip addr', 'ip addr show dev eth0', 'ip -4 addr'],
    routes: (c) => ipAddr(c) === 'text', sniff: isIpAddrText, parse: (t) => parseIpAddrText(t),
  },
  {
    id: 'resolv-conf', title: '/etc/resolv.conf', commands: ['cat /etc/resolv.conf'],
    routes: isResolvConfCat, sniff: isResolvConfText, parse: (t) => parseResolvConf(t),
  },
  {
    id: 'proc-net-route', title: '/proc/net/route', commands: ['cat /proc/net/route'],
    routes: (c) => c.tool === 'cat' && c.words.length === 1 && /\/proc\/(self\/|\d+\/)?net\/route$/.test(c.words[0]!), sniff: isProcNetRoute,
    parse: (t) => { if (!isProcNetRoute(t)) throw new ParseError('no `Iface Destination Gateway …` header'); return parseProcNetRoute(t); },
  },
  {
    id: 'docker-network-inspect', title: 'docker network inspect', commands: ['docker network inspect kind'],
    routes: (c) => c.tool === 'docker' && c.words[0] === 'network' && c.words[1] === 'inspect' && !c.flags.has('f') && !c.flags.has('format'),
    sniff: (t) => isDockerNetworks(tryJson(t)), parse: (t) => json(t, 'docker network inspect', parseDockerNetworks),
  },
  {
    id: 'kube-objects', title: 'kubectl get … -o yaml|json', commands: ['kubectl get <kind> -o yaml', 'kubectl get <kind> -o json', 'calicoctl get <kind> -o yaml'],
    routes: (c) => isKubectlObjectOutput(c) || (c.tool === 'calicoctl' && c.words[0] === 'get' && ['yaml', 'json'].includes(String(c.flags.get('o') ?? c.flags.get('output')))),
    sniff: isKubeObjectsText, parse: (t) => parseKubeObjects(t),
  },
];

/** `N: name[@peer]: <FLAGS> mtu …` on the first line, as `ip addr` prints each interface. */
export function isIpAddrText(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && /^\d+:\s+\S+:\s+<[A-Z0-9_,-]*>/.test(first);
}

/** Only `nameserver`/`search`/`domain`/`options` lines (and comments), with a nameserver. */
export function isResolvConfText(text: string): boolean {
  const lines = text.split('\n').map((l) => l.replace(/[#;].*$/, '').trim()).filter(Boolean);
  return lines.some((l) => /^nameserver\s+\S+$/.test(l)) && lines.every((l) => /^(nameserver|search|domain|options|sortlist)\s+\S/.test(l));
}

export function readerById<K extends ReaderId>(id: K): Reader<K> {
  const r = READERS.find((x) => x.id === id);
  if (!r) throw new Error(`no reader ${id}`);
  return r as unknown as Reader<K>;
}

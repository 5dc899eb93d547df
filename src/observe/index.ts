/**
 * Observation providers: what lab sees inside a pod (through the API's exec subresource) and inside a
 * kind node (`docker exec`), parsed into typed facts. Rules about them come with the lessons'
 * exercises; these only look, and fail loudly (typed errors naming the command) when they cannot.
 */
import { StepFailedError } from '../errors.js';
import { execInPod, type ExecResult } from '../kube/exec.js';
import type { KubeClient } from '../kube/client.js';
import { dockerExec, type DockerExecResult } from '../tools/docker.js';
import type { ToolOptions } from '../tools/exec.js';
import { parseIpAddrText, parseIpLinksJsonText } from './parse/ip-addr.js';
import { parseResolvConf } from './parse/resolv.js';
import { parseIpRouteJsonText, parseIpRouteText } from './parse/routes.js';
import type { NodeNetwork, PodNetwork } from './types.js';

export type { IpAddress, IpLink, IpRoute, NodeNetwork, PodNetwork, ResolvConf } from './types.js';
export { parseIpAddrText, parseIpLinksJson, parseIpLinksJsonText } from './parse/ip-addr.js';
export { parseResolvConf } from './parse/resolv.js';
export { parseIpRouteJson, parseIpRouteJsonText, parseIpRouteText } from './parse/routes.js';

/** The commands lab runs inside a pod (busybox and iproute2 both print these forms; no `-j`). */
export const POD_COMMANDS = {
  addr: ['ip', 'addr', 'show', 'dev', 'eth0'],
  routes: ['ip', 'route'],
  resolv: ['cat', '/etc/resolv.conf'],
} as const;

/** The commands lab runs inside a kind node (iproute2 JSON). */
export const NODE_COMMANDS = {
  routes: ['ip', '-j', 'route'],
  links: ['ip', '-j', 'addr'],
} as const;

export interface PodRef {
  namespace: string;
  name: string;
  container?: string;
}

export interface ObserveOptions {
  /** Deadline of each exec (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Ran = ExecResult | DockerExecResult;

/** A command that ran but failed, or printed what its parser refuses: a StepFailedError naming both. */
function parsed<T>(where: string, command: readonly string[], r: Ran, parse: (text: string) => T): T {
  const shown = `${where}: \`${command.join(' ')}\``;
  if (r.exitCode !== 0) throw new StepFailedError(`${shown} exited ${r.exitCode}`, { details: r.stderr.trim().split('\n').slice(-4), hint: r.exitCode === 127 ? 'the image has no such program; use an image with iproute2 or busybox (e.g. praqma/network-multitool)' : 'run the same command by hand to see why' });
  try {
    return parse(r.stdout);
  } catch (error) {
    throw new StepFailedError(`${shown}: lab cannot read its output: ${(error as Error).message}`, { cause: error, details: r.stdout.trim().split('\n').slice(0, 6), hint: 'please report this output (lab collect) so the parser learns it' });
  }
}

/** The pod's eth0, its IPv4 addresses and MTU, its routes and resolv.conf: three execs. */
export async function podNetwork(kube: KubeClient, pod: PodRef, o: ObserveOptions = {}): Promise<PodNetwork> {
  const where = `pod ${pod.namespace}/${pod.name}`;
  const exec = (command: readonly string[]): Promise<ExecResult> =>
    execInPod(kube, { namespace: pod.namespace, pod: pod.name, ...(pod.container !== undefined ? { container: pod.container } : {}), command, timeoutMs: o.timeoutMs ?? 15_000, ...(o.signal ? { signal: o.signal } : {}) });
  const [addr, routes, resolv] = await Promise.all([exec(POD_COMMANDS.addr), exec(POD_COMMANDS.routes), exec(POD_COMMANDS.resolv)]);
  const links = parsed(where, POD_COMMANDS.addr, addr, parseIpAddrText);
  const eth0 = links.find((l) => l.name === 'eth0');
  if (!eth0) throw new StepFailedError(`${where}: \`${POD_COMMANDS.addr.join(' ')}\` printed no eth0`, { details: addr.stdout.trim().split('\n').slice(0, 6) });
  return {
    interface: eth0,
    addresses: eth0.addresses.filter((a) => a.family === 'inet'),
    mtu: eth0.mtu,
    routes: parsed(where, POD_COMMANDS.routes, routes, parseIpRouteText),
    resolv: parsed(where, POD_COMMANDS.resolv, resolv, parseResolvConf),
  };
}

export type DockerExecFn = (container: string, command: readonly string[], o?: ToolOptions) => Promise<DockerExecResult>;

/** A kind node's routes and links (`ip -j route`, `ip -j addr`): two `docker exec`s. */
export async function nodeRoutes(docker: DockerExecFn, node: string, o: ObserveOptions = {}): Promise<NodeNetwork> {
  const where = `node ${node}`;
  const opts: ToolOptions = { timeout: o.timeoutMs ?? 15_000, ...(o.signal ? { signal: o.signal } : {}) };
  const [routes, links] = await Promise.all([docker(node, NODE_COMMANDS.routes, opts), docker(node, NODE_COMMANDS.links, opts)]);
  return { routes: parsed(where, NODE_COMMANDS.routes, routes, parseIpRouteJsonText), links: parsed(where, NODE_COMMANDS.links, links, parseIpLinksJsonText) };
}

/** The product's docker module, for callers that do not inject their own. */
export const productDockerExec: DockerExecFn = dockerExec;

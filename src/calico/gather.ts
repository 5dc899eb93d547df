/**
 * Gather `VerifyInputs` from a live lab: ONE list call per resource type (API calls do not grow with
 * the node count), all concurrently with the tool calls (containerlab inspect, docker network inspect,
 * calicoctl ipam show/check, host routes). A failing source makes that input absent with the reason;
 * it never stops the others. The sources are injected (`GatherSources`) so the logic is testable
 * without a cluster; `liveSources` wires the real clients and tools.
 */
import { errorMessage } from '../errors.js';
import {
  absent,
  cleanObject,
  emptyInputs,
  isPodNetwork,
  normaliseAffinity,
  present,
  slimInstallation,
  slimNode,
  slimPod,
  slimTigeraStatus,
  type Input,
  type InputName,
  type VerifyInputs,
} from './inputs.js';
import { slimDaemonSet, slimEndpointSlice, slimService, slimWorkloadPod, type DaemonSetObject, type EndpointSliceObject, type ServiceObject, type WorkloadPodObject } from './workload-objects.js';
import { parseIpamCheckReport, parseIpamShow, parseIpJsonRoutes, parseProcNetRoute } from './parse.js';
import type {
  BlockAffinityObject,
  ClabRow,
  HostRoute,
  InstallationObject,
  IPAMBlockObject,
  IPAMHandleObject,
  IPPoolObject,
  NodeObject,
  PodObject,
  TigeraStatus,
} from './types.js';

export interface ListClient {
  list<T>(apiVersion: string, resource: string, o?: { namespace?: string; labelSelector?: string; fieldSelector?: string }): Promise<{ items: T[] }>;
}

export interface GatherSources {
  /** API client, or the reason there is none (e.g. no kubeconfig). */
  kube: ListClient | { unavailable: string };
  containers(): Promise<ClabRow[]>;
  kindSubnets(): Promise<string[] | undefined>;
  /** stdout of `calicoctl ipam show --show-blocks`. */
  ipamShowText(): Promise<string>;
  /** The JSON text `calicoctl ipam check -o <file>` wrote. */
  ipamCheckText(): Promise<string>;
  /** `ip -j route` JSON text, or /proc/net/route text (told apart by content). */
  hostRoutesText(): Promise<string>;
}

/** The API group/versions read: crd.projectcalico.org/v1 EXPLICITLY (projectcalico.org/v3 is another shape). */
export const CALICO_CRD = 'crd.projectcalico.org/v1';
export const OPERATOR = 'operator.tigera.io/v1';

/** Thrown by a source that cannot exist on this host (no calicoctl build pinned for the OS, no route table). */
export class NotApplicableHere extends Error {}

/** A source that throws makes its input absent: failed (rules needing it fail), or not applicable here. */
async function settle<T>(source: string, fn: () => Promise<T>): Promise<Input<T>> {
  try {
    return present(await fn(), source);
  } catch (error) {
    return error instanceof NotApplicableHere ? absent(errorMessage(error), { notApplicable: true }) : absent(errorMessage(error), { failed: true });
  }
}

/** A live run reads the host's routes, not each node's (a transcript of `ip route` in a node gives them to --snapshot). */
export const NODE_ROUTES_LIVE = 'a live run does not read the routes inside the kind nodes (save `docker exec <node> ip route` in a transcript for --snapshot)';

/** Inputs that are not wanted (a `--check` subset) are absent with this reason and never fetched. */
export const NOT_NEEDED = 'not needed by the selected checks';

/**
 * Gather the inputs, all concurrently. `wanted`: only these (default all); the others are absent
 * with NOT_NEEDED and cost nothing.
 */
export async function gatherInputs(sources: GatherSources, wanted?: ReadonlySet<InputName>): Promise<VerifyInputs> {
  const kube = 'unavailable' in sources.kube ? undefined : sources.kube;
  const noKube = 'unavailable' in sources.kube ? sources.kube.unavailable : '';
  const want = (name: InputName): boolean => wanted === undefined || wanted.has(name);
  const list = <T>(name: InputName, apiVersion: string, plural: string, map: (items: T[]) => T[]): Promise<Input<T[]>> =>
    !want(name) ? Promise.resolve(absent(NOT_NEEDED)) : kube ? settle(apiVersion, async () => map((await kube.list<T>(apiVersion, plural)).items)) : Promise.resolve(absent(noKube, { failed: true }));
  const settleIf = <T>(name: InputName, source: string, fn: () => Promise<T>): Promise<Input<T>> => (want(name) ? settle(source, fn) : Promise.resolve(absent(NOT_NEEDED)));

  // One `v1/pods` list feeds both `pods` (pod-network pods, as lesson 01 judges them) and `workloadPods` (every pod, with labels).
  const wantPods = want('pods') || want('workloadPods');
  const allPods: Promise<Input<PodObject[]>> = !wantPods ? Promise.resolve(absent(NOT_NEEDED)) : kube ? settle('v1', async () => (await kube.list<PodObject>('v1', 'pods')).items) : Promise.resolve(absent(noKube, { failed: true }));
  const fromPods = <T>(name: InputName, map: (items: PodObject[]) => T[]): Promise<Input<T[]>> =>
    !want(name) ? Promise.resolve(absent(NOT_NEEDED)) : allPods.then((i) => (i.ok ? present(map(i.value), i.source) : i));

  // Started now, awaited after the others: every source runs concurrently.
  const apiObjects = Promise.all([
    list<ServiceObject>('services', 'v1', 'services', (i) => i.map(slimService)),
    list<EndpointSliceObject>('endpointSlices', 'discovery.k8s.io/v1', 'endpointslices', (i) => i.map(slimEndpointSlice)),
    list<DaemonSetObject>('daemonSets', 'apps/v1', 'daemonsets', (i) => i.map(slimDaemonSet)),
    fromPods<WorkloadPodObject>('workloadPods', (i) => i.map((p) => slimWorkloadPod(p as WorkloadPodObject))),
  ]);
  const [tigeraStatuses, nodes, pods, ippools, ipamBlocks, blockAffinities, ipamHandles, installations, containers, kindSubnets, ipamShow, ipamCheck, hostRoutes] = await Promise.all([
    list<TigeraStatus>('tigeraStatuses', OPERATOR, 'tigerastatuses', (i) => i.map(slimTigeraStatus)),
    list<NodeObject>('nodes', 'v1', 'nodes', (i) => i.map(slimNode)),
    fromPods<PodObject>('pods', (i) => i.filter(isPodNetwork).map(slimPod)),
    list<IPPoolObject>('ippools', CALICO_CRD, 'ippools', (i) => i.map(cleanObject)),
    list<IPAMBlockObject>('ipamBlocks', CALICO_CRD, 'ipamblocks', (i) => i.map(cleanObject)),
    list<BlockAffinityObject>('blockAffinities', CALICO_CRD, 'blockaffinities', (i) => i.map((a) => normaliseAffinity({ apiVersion: CALICO_CRD, ...a }).affinity)),
    list<IPAMHandleObject>('ipamHandles', CALICO_CRD, 'ipamhandles', (i) => i.map(cleanObject)),
    list<InstallationObject>('installations', OPERATOR, 'installations', (i) => i.map(slimInstallation)),
    settleIf('containers', 'containerlab inspect --format json', sources.containers),
    settleIf<string[]>('kindSubnets', 'docker network inspect kind', async () => {
      const s = await sources.kindSubnets();
      if (s === undefined) throw new Error('the docker network `kind` does not exist');
      return s;
    }),
    settleIf('ipamShow', 'calicoctl ipam show --show-blocks', async () => parseIpamShow(await sources.ipamShowText())),
    settleIf('ipamCheck', 'calicoctl ipam check -o', async () => parseIpamCheckReport(JSON.parse(await sources.ipamCheckText()) as unknown)),
    settleIf<HostRoute[]>('hostRoutes', 'host routes', async () => parseHostRoutes(await sources.hostRoutesText())),
  ]);
  const [services, endpointSlices, daemonSets, workloadPods] = await apiObjects;
  return {
    ...emptyInputs('not read by a live run'),
    nodeRoutes: absent(NODE_ROUTES_LIVE, { notApplicable: true }),
    tigeraStatuses, nodes, pods, ippools, ipamBlocks, blockAffinities, ipamHandles, installations, containers, kindSubnets, ipamShow, ipamCheck, hostRoutes,
    services, endpointSlices, daemonSets, workloadPods,
  };
}

export function parseHostRoutes(text: string): HostRoute[] {
  const t = text.trim();
  return t.startsWith('[') ? parseIpJsonRoutes(JSON.parse(t) as unknown) : parseProcNetRoute(text);
}


/**
 * The capture provider: what the readers (src/calico/readers) found in a terminal transcript or a
 * saved output, as verify inputs. Each reader id maps to one input key — the table forms to the weaker
 * views (tigeraRows, nodeRows, podRows, affinityNames, ipamCheckText), `ip route` to nodeRoutes when
 * the prompt named a lab node and to hostRoutes otherwise — so the rules judge them like any other
 * input. A later lesson adds its reader and its entry here; the rule engine does not change.
 */
import type { PodObservation } from '../exercises/inputs.js';
import { present, type Input, type InputName, type InputTypes } from './inputs.js';
import { ipamShowToIpamShow } from './readers/convert.js';
import type { CapturePart, IpamCheckText, IpRoute } from './readers/types.js';
import type { HostRoute, IpamCheckSummary } from './types.js';

export interface CaptureInputs {
  /** Inputs found, each with the `file:line` sources it came from. */
  inputs: Partial<{ [K in InputName]: Extract<Input<InputTypes[K]>, { ok: true }> }>;
  /** Kubernetes objects (`kubectl get -o yaml|json`, describe): handed to the snapshot's object path (slimming, merging by name). */
  objects: { items: unknown[]; source: string }[];
  /** Parts read but not used, with why. */
  ignored: { source: string; reason: string }[];
  /** What each part was taken for (for --verbose). */
  used: { source: string; as: string }[];
}

const FILTERED_OK = new Set<string>(['pods-table', 'ip-route', 'ip-route-json']);

/** What `kubectl exec <pod> -- ip addr | ip route | cat /etc/resolv.conf` printed, by pod name. */
type PodPieces = Map<string, { value: PodObservation; sources: string[] }>;

function podPiece(pods: PodPieces, pod: string, source: string, set: (o: PodObservation) => void): void {
  const e = pods.get(pod) ?? { value: {}, sources: [] };
  set(e.value);
  e.sources.push(source);
  pods.set(pod, e);
}

function toRoute(r: IpRoute): HostRoute {
  return { dst: r.dst, ...(r.dev !== undefined ? { dev: r.dev } : {}), ...(r.proto !== undefined ? { proto: r.proto } : {}), ...(r.type !== 'unicast' ? { type: r.type } : {}), ...(r.scope !== undefined ? { scope: r.scope } : {}) };
}

export function checkTextSummary(t: IpamCheckText): IpamCheckSummary {
  return {
    ...(t.problems !== undefined ? { problems: t.problems } : {}),
    ...(t.leaked !== undefined ? { leaked: t.leaked } : {}),
    ...(t.noAllocation !== undefined ? { noAllocation: t.noAllocation } : {}),
    ...(t.notInPool !== undefined ? { notInPool: t.notInPool } : {}),
    ...(t.handlesWithoutIps !== undefined ? { handlesWithoutIps: t.handlesWithoutIps } : {}),
    complete: t.complete,
    problemIpsListed: t.problemIpsListed,
    leakedIps: t.problemIps.leaked.map((l) => l.ip),
    noAllocationIps: t.problemIps.noAllocation.map((n) => n.ip),
    orphanHandles: t.problemIps.handlesWithoutIps,
  };
}

/** Turn the readers' parts into inputs. Lists of one key from several parts are concatenated (by name). */
export function captureInputs(parts: readonly CapturePart[]): CaptureInputs {
  const out: CaptureInputs = { inputs: {}, objects: [], ignored: [], used: [] };
  const lists = new Map<InputName, { items: Map<string, unknown>; sources: string[] }>();
  const routes = new Map<string, { routes: HostRoute[]; sources: string[] }>();
  const pods: PodPieces = new Map();
  const addList = <T>(key: InputName, items: readonly T[], source: string, id: (x: T) => string): void => {
    const e = lists.get(key) ?? { items: new Map<string, unknown>(), sources: [] };
    items.forEach((x, i) => e.items.set(id(x) || `#${e.items.size + i}`, x));
    e.sources.push(source);
    lists.set(key, e);
  };
  const single = <K extends InputName>(key: K, value: InputTypes[K], source: string): void => {
    (out.inputs as Record<string, unknown>)[key] = present(value, source);
  };
  for (const p of parts) {
    if (p.filtered && !FILTERED_OK.has(p.reader)) {
      out.ignored.push({ source: p.source, reason: `${p.command ?? p.reader}: the output went through a pipe, so it may hold only some of the rows` });
      continue;
    }
    const used = (as: string): void => void out.used.push({ source: p.source, as });
    switch (p.reader) {
      case 'kube-objects':
        out.objects.push({ items: p.value.items, source: p.source });
        used(p.value.kinds.join(', ') || 'empty List');
        break;
      case 'tigerastatus-describe':
        out.objects.push({ items: p.value, source: p.source });
        used('TigeraStatus (kubectl describe)');
        break;
      case 'tigerastatus-table':
        addList('tigeraRows', p.value, p.source, (r: { name: string }) => r.name);
        used('kubectl get tigerastatus');
        break;
      case 'nodes-table':
        addList('nodeRows', p.value, p.source, (r: { name: string }) => r.name);
        used('kubectl get nodes');
        break;
      case 'pods-table':
        addList(
          'podRows',
          p.value.map((r) => ({ name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}), ...(r.node !== undefined ? { node: r.node } : {}), ...(r.ip !== undefined ? { ip: r.ip } : {}), ...(r.status !== undefined ? { phase: r.status } : {}) })),
          p.source,
          (r: { name: string; namespace?: string }) => `${r.namespace ?? ''}/${r.name}`,
        );
        used('kubectl get pods -o wide');
        break;
      case 'blockaffinities-table':
      case 'blockaffinities-jsonpath':
        addList('affinityNames', p.value.map((r) => ({ name: r.name, ...(r.node ? { node: r.node } : {}), ...(r.cidr ? { cidr: r.cidr } : {}) })), p.source, (r: { name: string }) => r.name);
        used(p.reader === 'blockaffinities-table' ? 'kubectl get blockaffinities' : 'blockaffinities jsonpath listing');
        break;
      case 'ipam-show': {
        const show = ipamShowToIpamShow(p.value);
        if (show) {
          single('ipamShow', show, p.source);
          used(show.showBlocks ? 'calicoctl ipam show --show-blocks' : 'calicoctl ipam show');
        } else out.ignored.push({ source: p.source, reason: 'no `calicoctl ipam show` table verify reads (only --show-borrowed / --show-configuration)' });
        break;
      }
      case 'ipam-check-text':
        single('ipamCheckText', checkTextSummary(p.value), p.source);
        used('calicoctl ipam check');
        break;
      case 'ipam-check-report':
        single('ipamCheck', p.value, p.source);
        used('calicoctl ipam check report');
        break;
      case 'containerlab-inspect-table':
      case 'containerlab-inspect-json':
        single('containers', p.value, p.source);
        used('containerlab inspect');
        break;
      case 'docker-network-inspect': {
        const kind = p.value.find((n) => n.name === 'kind');
        if (kind) {
          single('kindSubnets', kind.subnets, p.source);
          used('docker network inspect kind');
        } else out.ignored.push({ source: p.source, reason: `docker network inspect of ${p.value.map((n) => n.name).join(', ') || 'no network'}, not of \`kind\`` });
        break;
      }
      case 'ip-route':
      case 'ip-route-json':
      case 'proc-net-route': {
        const list = p.reader === 'proc-net-route' ? p.value : p.value.map(toRoute);
        if (p.host !== undefined) {
          const e = routes.get(p.host) ?? { routes: [], sources: [] };
          e.routes.push(...list);
          e.sources.push(p.source);
          routes.set(p.host, e);
          used(`ip route in ${p.host}`);
        } else if (p.pod !== undefined && p.reader === 'ip-route' && !p.filtered) {
          const list2 = p.value;
          podPiece(pods, p.pod, p.source, (o) => void (o.routes = list2));
          used(`ip route in the pod ${p.pod}`);
        } else if (p.pod !== undefined) {
          out.ignored.push({ source: p.source, reason: `routes inside the pod ${p.pod}: only an unfiltered \`ip route\` is read` });
        } else {
          single('hostRoutes', list, p.source);
          used('host routes');
        }
        break;
      }
      case 'ip-addr':
      case 'resolv-conf': {
        const what = p.reader === 'ip-addr' ? '`ip addr`' : 'resolv.conf';
        if (p.pod === undefined) {
          out.ignored.push({ source: p.source, reason: `${what} not run in a pod (\`kubectl exec <pod> -- …\`): no rule reads it` });
        } else if (p.filtered) {
          out.ignored.push({ source: p.source, reason: `${what} in the pod ${p.pod} went through a pipe, so it may be partial` });
        } else {
          if (p.reader === 'ip-addr') {
            const links = p.value;
            podPiece(pods, p.pod, p.source, (o) => void (o.links = links));
          } else {
            const resolv = p.value;
            podPiece(pods, p.pod, p.source, (o) => void (o.resolv = resolv));
          }
          used(`${what} in the pod ${p.pod}`);
        }
        break;
      }
    }
  }
  if (pods.size > 0) {
    single('podObservations', Object.fromEntries([...pods].map(([name, e]) => [name, e.value])), [...pods.values()].flatMap((e) => e.sources).join(', '));
  }
  for (const [key, e] of lists) (out.inputs as Record<string, unknown>)[key] = present([...e.items.values()], e.sources.join(', '));
  if (routes.size > 0) {
    single('nodeRoutes', Object.fromEntries([...routes].map(([h, e]) => [h, e.routes])), [...routes.values()].flatMap((e) => e.sources).join(', '));
  }
  return out;
}

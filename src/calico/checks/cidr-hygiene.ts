import { overlaps, parseV4Cidr, type V4Cidr } from '../cidr.js';
import type { VerifyLab } from '../lab.js';
import type { HostRoute } from '../types.js';
import type { Check, RuleContext } from './common.js';

/** Routes Calico itself installs on a node (when the host is one): not a conflict. */
const CALICO_DEVICES = /^(cali|vxlan\.calico|tunl0|wireguard\.cali)/;
/** Calico's own protocols: `bird` (BGP) and 80 (felix, printed as `80` or `felix` by newer iproute2). */
const CALICO_PROTOS = new Set(['bird', '80', 'felix']);
const NOT_FORWARDING = new Set(['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'anycast', 'multicast', 'throw']);

function named(lab: VerifyLab): { what: string; cidr: V4Cidr }[] {
  const out: { what: string; cidr: V4Cidr }[] = [];
  const pool = parseV4Cidr(lab.pool.cidr);
  const service = parseV4Cidr(lab.serviceSubnet);
  if (pool) out.push({ what: `pod pool ${pool.text}`, cidr: pool });
  if (service) out.push({ what: `service CIDR ${service.text}`, cidr: service });
  return out;
}

/** The kernel/connected routes of a table that overlap the pool or the service CIDR (Calico's own routes skipped). */
export function conflictingRoutes(lab: VerifyLab, routes: readonly HostRoute[]): { dst: string; dev: string | undefined; overlaps: string }[] {
  const hits: { dst: string; dev: string | undefined; overlaps: string }[] = [];
  for (const r of routes) {
    if (r.dev !== undefined && CALICO_DEVICES.test(r.dev)) continue;
    if (r.proto !== undefined && CALICO_PROTOS.has(r.proto)) continue;
    if (r.type !== undefined && NOT_FORWARDING.has(r.type)) continue;
    const c = parseV4Cidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (!c || c.prefix === 0) continue;
    for (const n of named(lab)) if (overlaps(c, n.cidr)) hits.push({ dst: c.text, dev: r.dev, overlaps: n.what });
  }
  return hits;
}

function kindSubnets(ctx: RuleContext): V4Cidr[] {
  return (ctx.opt('kindSubnets') ?? []).map(parseV4Cidr).filter((c): c is V4Cidr => c !== undefined);
}

export const cidrHygiene: Check = {
  id: 'cidr-hygiene',
  title: 'CIDR hygiene: pool, services, kind network and host routes do not overlap',
  rules: [
    {
      id: 'pool-vs-services',
      title: 'the lab\'s pod pool and service CIDR are disjoint',
      inputs: [],
      judge(ctx) {
        const [pool, service] = [parseV4Cidr(ctx.lab.pool.cidr), parseV4Cidr(ctx.lab.serviceSubnet)];
        if (pool && service && overlaps(pool, service)) ctx.fail(`the pod pool ${pool.text} overlaps the service CIDR ${service.text}`);
      },
    },
    {
      id: 'kind-network',
      title: 'the docker kind network overlaps neither the pool nor the service CIDR',
      inputs: ['kindSubnets'],
      judge(ctx) {
        for (const k of kindSubnets(ctx)) for (const n of named(ctx.lab)) if (overlaps(k, n.cidr)) ctx.fail(`the docker kind network ${k.text} overlaps the ${n.what}`);
      },
    },
    {
      id: 'host-routes',
      title: 'no route of the host overlaps the pool or the service CIDR',
      inputs: ['hostRoutes'],
      optional: ['kindSubnets'],
      judge(ctx) {
        const kind = new Set(kindSubnets(ctx).map((k) => k.text)); // already reported by kind-network
        const hits = conflictingRoutes(ctx.lab, ctx.get('hostRoutes')).filter((h) => !kind.has(h.dst));
        for (const h of hits) ctx.fail(`host route ${h.dst}${h.dev ? ` dev ${h.dev}` : ''} overlaps the ${h.overlaps}`);
        ctx.note('routeOverlaps', hits);
      },
    },
    {
      id: 'node-routes',
      title: 'no kernel/connected route of a kind node overlaps the pool or the service CIDR (Calico\'s own routes are expected)',
      inputs: ['nodeRoutes'],
      judge(ctx) {
        const hits: { node: string; dst: string; dev: string | undefined; overlaps: string }[] = [];
        for (const [node, routes] of Object.entries(ctx.get('nodeRoutes'))) {
          for (const h of conflictingRoutes(ctx.lab, routes)) {
            hits.push({ node, ...h });
            ctx.fail(`${node}: route ${h.dst}${h.dev ? ` dev ${h.dev}` : ''} overlaps the ${h.overlaps} — the node network collides with it`);
          }
        }
        ctx.note('nodeRouteOverlaps', hits);
      },
    },
  ],
  passSummary(lab, inputs) {
    const pool = parseV4Cidr(lab.pool.cidr);
    const service = parseV4Cidr(lab.serviceSubnet);
    const kind = inputs.kindSubnets.ok ? inputs.kindSubnets.value.map(parseV4Cidr).filter((c) => c !== undefined).map((k) => k.text) : [];
    return `pool ${pool?.text ?? lab.pool.cidr}, services ${service?.text ?? lab.serviceSubnet}${kind.length > 0 ? `, kind ${kind.join(', ')}` : ''}${inputs.hostRoutes.ok ? ` and ${inputs.hostRoutes.value.length} host routes` : ''} are disjoint`;
  },
  evidence(lab, inputs) {
    return {
      pool: parseV4Cidr(lab.pool.cidr)?.text,
      serviceSubnet: parseV4Cidr(lab.serviceSubnet)?.text,
      kindSubnets: inputs.kindSubnets.ok ? inputs.kindSubnets.value.map(parseV4Cidr).filter((c) => c !== undefined).map((k) => k.text) : [],
      hostRoutes: inputs.hostRoutes.ok ? inputs.hostRoutes.value.length : 0,
      routeOverlaps: [],
    };
  },
  hint: 'pick a pod pool (Installation ipPools cidr and kind podSubnet) that overlaps nothing, or recreate the docker kind network on another range: `docker network rm kind` with no clusters left',
  explain:
    'The pod pool, the service CIDR, the Docker `kind` network the nodes live on and the host\'s own routes must be disjoint, or packets ' +
    'for pods go to the wrong place. Docker picks the kind network from its default address pools, which can land inside 192.168.0.0/16 — ' +
    'a real run got a kind network inside the pod pool. In a node\'s `ip route`, Calico\'s own routes inside the pool (proto 80/bird, ' +
    'blackhole, cali*, vxlan.calico) are expected; a kernel route there is a collision.',
  commands: ['docker network inspect kind -f \'{{json .IPAM.Config}}\'', 'ip route', 'docker exec calico-ipam-worker ip route', 'kubectl get ippools.crd.projectcalico.org -o wide'],
};

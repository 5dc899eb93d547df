import { overlaps, parseV4Cidr, type V4Cidr } from '../cidr.js';
import { Findings, type Check } from './common.js';

/** Routes Calico itself installs on a node (when the host is one): not a conflict. */
const CALICO_DEVICES = /^(cali|vxlan\.calico|tunl0|wireguard\.cali)/;

export const cidrHygiene: Check = {
  id: 'cidr-hygiene',
  title: 'CIDR hygiene: pool, services, kind network and host routes do not overlap',
  needs: [],
  uses: ['kindSubnets', 'hostRoutes'],
  explain:
    'The pod pool, the service CIDR, the Docker `kind` network the nodes live on and the host\'s own routes must be disjoint, or packets ' +
    'for pods go to the wrong place. Docker picks the kind network from its default address pools, which can land inside 192.168.0.0/16 — ' +
    'a real run got a kind network inside the pod pool.',
  commands: ['docker network inspect kind -f \'{{json .IPAM.Config}}\'', 'ip route', 'kubectl get ippools.crd.projectcalico.org -o wide'],
  judge(lab, inputs) {
    const f = new Findings();
    const pool = parseV4Cidr(lab.pool.cidr);
    const service = parseV4Cidr(lab.serviceSubnet);
    const named: { what: string; cidr: V4Cidr }[] = [];
    if (pool) named.push({ what: `pod pool ${pool.text}`, cidr: pool });
    if (service) named.push({ what: `service CIDR ${service.text}`, cidr: service });
    if (pool && service && overlaps(pool, service)) f.fail(`the pod pool ${pool.text} overlaps the service CIDR ${service.text}`);
    const notChecked: string[] = [];
    const kind = inputs.kindSubnets.ok ? inputs.kindSubnets.value.map(parseV4Cidr).filter((c): c is V4Cidr => c !== undefined) : [];
    if (!inputs.kindSubnets.ok) notChecked.push(`kind network: ${inputs.kindSubnets.reason}`);
    const reported = new Set<string>();
    for (const k of kind) {
      for (const n of named) {
        if (overlaps(k, n.cidr)) {
          f.fail(`the docker kind network ${k.text} overlaps the ${n.what}`);
          reported.add(k.text);
        }
      }
    }
    const routes = inputs.hostRoutes.ok ? inputs.hostRoutes.value : [];
    if (!inputs.hostRoutes.ok) notChecked.push(`host routes: ${inputs.hostRoutes.reason}`);
    const routeHits: { dst: string; dev: string | undefined; overlaps: string }[] = [];
    for (const r of routes) {
      if (r.dev !== undefined && CALICO_DEVICES.test(r.dev)) continue;
      const c = parseV4Cidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
      if (!c || c.prefix === 0 || reported.has(c.text)) continue;
      for (const n of named) {
        if (overlaps(c, n.cidr)) {
          routeHits.push({ dst: c.text, dev: r.dev, overlaps: n.what });
          f.fail(`host route ${c.text}${r.dev ? ` dev ${r.dev}` : ''} overlaps the ${n.what}`);
        }
      }
    }
    return f.verdict(
      `pool ${pool?.text ?? lab.pool.cidr}, services ${service?.text ?? lab.serviceSubnet}${kind.length > 0 ? `, kind ${kind.map((k) => k.text).join(', ')}` : ''}${inputs.hostRoutes.ok ? ` and ${routes.length} host routes` : ''} are disjoint`,
      { pool: pool?.text, serviceSubnet: service?.text, kindSubnets: kind.map((k) => k.text), hostRoutes: routes.length, routeOverlaps: routeHits, notChecked },
      'pick a pod pool (Installation ipPools cidr and kind podSubnet) that overlaps nothing, or recreate the docker kind network on another range: `docker network rm kind` with no clusters left',
    );
  },
};

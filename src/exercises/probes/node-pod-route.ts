/**
 * node-pod-route: on the pod's node, a /32 route to the pod's IP via a cali* interface; that link has
 * Calico's MAC ee:ee:ee:ee:ee:ee, the pod MTU, no IPv4 address, and its peer in another netns (the
 * pod's). Its name is Calico's for the pod: "cali" + sha1("<namespace>.<pod>")[:11] (a warn if not).
 */
import { createHash } from 'node:crypto';
import type { Check, Rule } from '../../calico/checks/common.js';
import type { IpRoute } from '../../observe/types.js';
import type { ExerciseSpec, Probe } from '../types.js';
import { expectedMtu, fromSpec, nodeNetworkOf, podSelectorOf, sampledPod, validatePodParams } from './common.js';

export const CALICO_MAC = 'ee:ee:ee:ee:ee:ee';

/** Calico's host-side veth name for a pod (the workload endpoint's interface name). */
export function calicoVethName(namespace: string, pod: string): string {
  return `cali${createHash('sha1').update(`${namespace}.${pod}`).digest('hex').slice(0, 11)}`;
}

const toPod = (r: IpRoute, ip: string): boolean => r.type === 'unicast' && (r.dst === ip || r.dst === `${ip}/32`);

function rules(spec: ExerciseSpec): Rule[] {
  const sel = podSelectorOf(spec.with);
  /** The route to the pod on its node, or a failure saying what is there instead. */
  const routeOf = (ctx: Parameters<Rule['judge']>[0], dependent = false): { pod: { name: string; namespace: string; node: string; podIP: string }; route: IpRoute } | undefined => {
    const pod = sampledPod(ctx, sel);
    const node = pod && nodeNetworkOf(ctx, pod.node, true);
    if (!pod || !node) return undefined;
    const routes = node.routes.filter((r) => toPod(r, pod.podIP));
    const route = routes.find((r) => r.dev?.startsWith('cali'));
    if (!route) {
      if (dependent) ctx.fail(`no cali* veth to judge: ${pod.node} does not route ${pod.podIP} to one (see the route rule)`);
      else ctx.fail(routes.length === 0
        ? `${pod.node} has no route to ${pod.name}'s IP ${pod.podIP}/32: packets for the pod would follow the block's blackhole route`
        : `${pod.node}'s route to ${pod.podIP} goes via ${routes.map((r) => r.dev ?? r.via ?? '?').join(', ')}, not a cali* interface`);
      return undefined;
    }
    return { pod, route };
  };
  return [
    {
      id: 'route',
      title: "the node has a /32 route to the pod via a cali* interface",
      inputs: ['podSamples', 'nodeNetworks'],
      judge(ctx) {
        const found = routeOf(ctx);
        if (found) ctx.note('route', { node: found.pod.node, dst: found.route.dst, dev: found.route.dev, scope: found.route.scope });
      },
    },
    {
      id: 'veth',
      title: "the cali* link: MAC ee:ee:ee:ee:ee:ee, the pod MTU, no IPv4 address, its peer in another netns",
      inputs: ['podSamples', 'nodeNetworks'],
      optional: ['ippools', 'installations'],
      judge(ctx) {
        const found = routeOf(ctx, true);
        if (!found) return;
        const { pod, route } = found;
        const link = ctx.get('nodeNetworks')[pod.node]?.links.find((l) => l.name === route.dev);
        if (!link) {
          ctx.fail(`${pod.node} routes ${pod.podIP} via ${route.dev ?? '?'}, but \`ip addr\` on the node shows no such link`);
          return;
        }
        const want = expectedMtu(ctx, pod.node, pod.podIP);
        const v4 = link.addresses.filter((a) => a.family === 'inet');
        ctx.note('veth', { name: link.name, mac: link.mac, mtu: link.mtu, expectedMtu: want.mtu, mtuFrom: want.why, ipv4: v4.map((a) => `${a.local}/${a.prefixlen}`), linkNetnsId: link.linkNetnsId });
        if (link.mac !== CALICO_MAC) ctx.fail(`${link.name} on ${pod.node} has MAC ${link.mac ?? '(none)'}; Calico gives every host-side veth ${CALICO_MAC}`);
        if (link.mtu !== want.mtu) ctx.fail(`${link.name} on ${pod.node} has MTU ${link.mtu ?? '(not printed)'}; expected ${want.mtu} (${want.why})`);
        if (v4.length > 0) ctx.fail(`${link.name} on ${pod.node} has IPv4 address ${v4.map((a) => `${a.local}/${a.prefixlen}`).join(', ')}; Calico's host-side veths have none (the host answers for 169.254.1.1 by proxy ARP)`);
        if (link.linkNetnsId === undefined && link.linkNetns === undefined) ctx.fail(`${link.name} on ${pod.node} shows no link-netnsid: its peer is not in another network namespace, so it is not the pod's veth`);
      },
    },
    {
      id: 'veth-name',
      title: "the interface is Calico's name for this pod",
      inputs: ['podSamples', 'nodeNetworks'],
      judge(ctx) {
        const found = routeOf(ctx, true);
        if (!found) return;
        const want = calicoVethName(found.pod.namespace, found.pod.name);
        ctx.note('vethName', { observed: found.route.dev, expected: want });
        if (found.route.dev !== want) ctx.warn(`${found.pod.node} routes ${found.pod.podIP} via ${found.route.dev ?? '?'}; Calico names ${found.pod.name}'s veth ${want} (cali + sha1("${found.pod.namespace}.${found.pod.name}")[:11])`);
      },
    },
  ];
}

export const nodePodRoute: Probe = {
  name: 'node-pod-route',
  description: "on the pod's node: a /32 route to the pod via its cali* veth (MAC ee:ee:ee:ee:ee:ee, pod MTU, no IPv4, peer in the pod's netns)",
  validate: (params) => validatePodParams(params),
  samples: (spec) => [{ kind: 'node-of-pod', pod: podSelectorOf(spec.with) }],
  check(spec): Check {
    const sel = podSelectorOf(spec.with);
    return {
      ...fromSpec(spec),
      rules: rules(spec),
      passSummary: () => `the node routes ${sel.name ?? sel.labelSelector}'s /32 via its cali* veth`,
      hint: 'run `docker exec <node> ip route` and `docker exec <node> ip addr show <cali…>`: felix writes one /32 route per local pod',
    };
  },
};

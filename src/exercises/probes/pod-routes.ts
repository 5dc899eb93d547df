/**
 * pod-routes: inside the pod exactly two routes — `default via 169.254.1.1 dev eth0` and
 * `169.254.1.1 dev eth0 scope link`. Calico answers ARP for 169.254.1.1 on the host side (proxy ARP).
 */
import type { Check } from '../../calico/checks/common.js';
import type { IpRoute } from '../../observe/types.js';
import type { Probe } from '../types.js';
import { fromSpec, podNetworkOf, podSelectorOf, sampledPod, validatePodParams } from './common.js';

export const CALICO_GATEWAY = '169.254.1.1';

const show = (r: IpRoute): string => [r.dst, r.via ? `via ${r.via}` : '', r.dev ? `dev ${r.dev}` : '', r.scope ? `scope ${r.scope}` : ''].filter(Boolean).join(' ');
const isDefault = (r: IpRoute): boolean => r.type === 'unicast' && r.dst === 'default' && r.via === CALICO_GATEWAY && r.dev === 'eth0';
const isGateway = (r: IpRoute): boolean => r.type === 'unicast' && (r.dst === CALICO_GATEWAY || r.dst === `${CALICO_GATEWAY}/32`) && r.via === undefined && r.dev === 'eth0' && r.scope === 'link';

export const podRoutes: Probe = {
  name: 'pod-routes',
  description: 'the pod routes everything via 169.254.1.1 on eth0: exactly the default route and the scope-link route to 169.254.1.1',
  validate: (params) => validatePodParams(params),
  samples: (spec) => [{ kind: 'pod', pod: podSelectorOf(spec.with) }],
  check(spec): Check {
    const sel = podSelectorOf(spec.with);
    return {
      ...fromSpec(spec),
      rules: [
        {
          id: 'routes',
          title: 'exactly: default via 169.254.1.1 dev eth0, and 169.254.1.1 dev eth0 scope link',
          inputs: ['podSamples', 'podNetworks'],
          judge(ctx) {
            const pod = sampledPod(ctx, sel);
            const net = pod && podNetworkOf(ctx, pod);
            if (!pod || !net) return;
            ctx.note('routes', net.routes.map(show));
            if (!net.routes.some(isDefault)) ctx.fail(`${pod.name} has no \`default via ${CALICO_GATEWAY} dev eth0\` route`);
            if (!net.routes.some(isGateway)) ctx.fail(`${pod.name} has no \`${CALICO_GATEWAY} dev eth0 scope link\` route (without it the pod cannot reach its gateway)`);
            const extra = net.routes.filter((r) => !isDefault(r) && !isGateway(r));
            if (extra.length > 0) ctx.fail(`${pod.name} has other routes besides the two Calico sets: ${extra.map(show).join('; ')}`);
          },
        },
      ],
      passSummary: () => `${sel.name ?? sel.labelSelector} routes everything via ${CALICO_GATEWAY} on eth0 (2 routes)`,
      hint: 'run `kubectl exec <pod> -- ip route`: Calico\'s CNI plugin writes exactly these two routes into the pod',
    };
  },
};

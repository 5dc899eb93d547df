/**
 * pod-interface: the pod's eth0 holds exactly one IPv4 address, a /32 equal to the Pod's
 * status.podIP, inside a block affine to the pod's node, with the MTU the encapsulation leaves.
 */
import type { Check, Rule } from '../../calico/checks/common.js';
import { containsIp, parseV4, parseV4Cidr } from '../../calico/cidr.js';
import { selectorKey } from '../inputs.js';
import type { ExerciseSpec, Probe } from '../types.js';
import { expectedMtu, fromSpec, podNetworkOf, podSelectorOf, sampledPod, validatePodParams } from './common.js';

function rules(spec: ExerciseSpec): Rule[] {
  const sel = podSelectorOf(spec.with);
  return [
    {
      id: 'eth0-address',
      title: "eth0 has one IPv4 address, a /32 equal to the Pod's IP",
      inputs: ['podSamples', 'podNetworks'],
      judge(ctx) {
        const pod = sampledPod(ctx, sel);
        const net = pod && podNetworkOf(ctx, pod);
        if (!pod || !net) return;
        const shown = net.addresses.map((a) => `${a.local}/${a.prefixlen}`);
        ctx.note('eth0', { addresses: shown, mtu: net.mtu, podIP: pod.podIP, node: pod.node });
        if (net.addresses.length !== 1) {
          ctx.fail(`${pod.name}'s eth0 has ${net.addresses.length} IPv4 addresses (${shown.join(', ') || 'none'}); expected exactly one, ${pod.podIP}/32`);
          return;
        }
        const [a] = net.addresses;
        if (a!.prefixlen !== 32) ctx.fail(`${pod.name}'s eth0 address is ${shown[0]}; Calico gives pods a /32 (${a!.local}/32): the pod reaches even its neighbours through 169.254.1.1`);
        if (a!.local !== pod.podIP) ctx.fail(`${pod.name}'s eth0 address is ${a!.local}, but the Pod's status.podIP is ${pod.podIP}`);
      },
    },
    {
      id: 'eth0-block',
      title: "the Pod's IP is in a block affine to its node",
      inputs: ['podSamples', 'blockAffinities'],
      judge(ctx) {
        const pod = sampledPod(ctx, sel);
        if (!pod) return;
        const ip = parseV4(pod.podIP);
        const affine = ctx.get('blockAffinities').filter((b) => b.spec?.node === pod.node && b.spec.state === 'confirmed' && b.spec.deleted !== 'true');
        const block = affine.find((b) => {
          const c = parseV4Cidr(b.spec?.cidr);
          return c !== undefined && ip !== undefined && containsIp(c, ip);
        });
        ctx.note('nodeBlocks', { node: pod.node, blocks: affine.map((b) => b.spec?.cidr), podBlock: block?.spec?.cidr });
        if (!block) ctx.fail(`${pod.name}'s IP ${pod.podIP} is in none of the blocks affine to its node ${pod.node} (${affine.map((b) => b.spec?.cidr).join(', ') || 'none'})`);
      },
    },
    {
      id: 'eth0-mtu',
      title: 'eth0 has the MTU the encapsulation leaves',
      inputs: ['podSamples', 'podNetworks'],
      optional: ['nodeNetworks', 'ippools', 'installations'],
      judge(ctx) {
        const pod = sampledPod(ctx, sel);
        const net = pod && podNetworkOf(ctx, pod);
        if (!pod || !net) return;
        const want = expectedMtu(ctx, pod.node, pod.podIP);
        ctx.note('mtu', { observed: net.mtu, expected: want.mtu, derivedFrom: want.why });
        if (net.mtu !== want.mtu) ctx.fail(`${pod.name}'s eth0 has MTU ${net.mtu ?? '(not printed)'}; expected ${want.mtu} (${want.why})`);
      },
    },
  ];
}

export const podInterface: Probe = {
  name: 'pod-interface',
  description: "the pod's eth0: one IPv4 /32 equal to its Pod IP, from a block affine to its node, with the MTU the encapsulation leaves",
  validate: (params) => validatePodParams(params),
  samples: (spec) => [{ kind: 'pod', pod: podSelectorOf(spec.with) }, { kind: 'node-of-pod', pod: podSelectorOf(spec.with) }],
  check(spec): Check {
    const sel = podSelectorOf(spec.with);
    return {
      ...fromSpec(spec),
      rules: rules(spec),
      passSummary: (_lab, inputs) => {
        const s = inputs.podSamples.ok ? inputs.podSamples.value[selectorKey(sel)] : undefined;
        return s && !('missing' in s) ? `${s.name}'s eth0 is ${s.podIP}/32 from ${s.node}'s block, with the expected MTU` : "the pod's eth0 is a /32 from its node's block, with the expected MTU";
      },
      hint: 'compare `kubectl exec <pod> -- ip addr` with `kubectl get pod -o wide` and `kubectl get blockaffinities`; the MTU comes from the node\'s eth0 minus the encapsulation overhead',
    };
  },
};

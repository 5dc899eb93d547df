/**
 * pod-resolv: the pod's resolv.conf points at the cluster DNS Service (kube-dns's ClusterIP), searches
 * `<ns>.svc.cluster.local svc.cluster.local cluster.local` and sets ndots:5 (kubelet's ClusterFirst).
 */
import type { Check } from '../../calico/checks/common.js';
import type { Probe } from '../types.js';
import { asInput, fromSpec, optionalInput, podNetworkOf, podSelectorOf, sampledPod, tenthServiceAddress, validatePodParams } from './common.js';

interface ServiceLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { clusterIP?: string };
}

export const CLUSTER_DOMAIN = 'cluster.local';

export const podResolv: Probe = {
  name: 'pod-resolv',
  description: "the pod's resolv.conf: nameserver = kube-dns's ClusterIP, the namespace's search domains, ndots:5",
  validate: (params) => validatePodParams(params),
  samples: (spec) => [{ kind: 'pod', pod: podSelectorOf(spec.with) }],
  check(spec): Check {
    const sel = podSelectorOf(spec.with);
    return {
      ...fromSpec(spec),
      rules: [
        {
          id: 'nameserver',
          title: "nameserver is the kube-dns Service's ClusterIP",
          inputs: ['podSamples', 'podNetworks'],
          optional: [asInput('services')],
          judge(ctx) {
            const pod = sampledPod(ctx, sel);
            const net = pod && podNetworkOf(ctx, pod);
            if (!pod || !net) return;
            const services = optionalInput<ServiceLike[]>(ctx, 'services');
            const dns = services?.find((s) => s.metadata?.name === 'kube-dns' && s.metadata.namespace === 'kube-system')?.spec?.clusterIP;
            const want = dns ?? tenthServiceAddress(ctx.lab.serviceSubnet);
            const from = dns !== undefined ? 'the kube-dns Service\'s ClusterIP' : `the tenth address of the service subnet ${ctx.lab.serviceSubnet} (kubeadm's cluster DNS address; the kube-dns Service was not read)`;
            ctx.note('nameserver', { observed: net.resolv.nameservers, expected: want, derivedFrom: from });
            if (want === undefined) ctx.fail(`lab cannot tell the cluster DNS address: no kube-dns Service and no IPv4 service subnet (${ctx.lab.serviceSubnet})`);
            else if (net.resolv.nameservers.length !== 1 || net.resolv.nameservers[0] !== want) ctx.fail(`${pod.name}'s resolv.conf names nameserver ${net.resolv.nameservers.join(', ') || '(none)'}; expected ${want} (${from})`);
          },
        },
        {
          id: 'search',
          title: 'search domains are the namespace, svc and cluster domains',
          inputs: ['podSamples', 'podNetworks'],
          judge(ctx) {
            const pod = sampledPod(ctx, sel);
            const net = pod && podNetworkOf(ctx, pod);
            if (!pod || !net) return;
            const want = [`${pod.namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
            ctx.note('search', { observed: net.resolv.search, expected: want });
            // The node's own search domains may follow the cluster's three; these must come first.
            if (want.some((d, i) => net.resolv.search[i] !== d)) ctx.fail(`${pod.name}'s resolv.conf searches \`${net.resolv.search.join(' ') || '(nothing)'}\`; expected \`${want.join(' ')}\` first`);
          },
        },
        {
          id: 'ndots',
          title: 'options ndots:5',
          inputs: ['podSamples', 'podNetworks'],
          judge(ctx) {
            const pod = sampledPod(ctx, sel);
            const net = pod && podNetworkOf(ctx, pod);
            if (!pod || !net) return;
            const ndots = net.resolv.options['ndots'];
            ctx.note('ndots', ndots ?? null);
            if (ndots !== '5') ctx.fail(`${pod.name}'s resolv.conf has ${ndots === undefined ? 'no ndots option' : `ndots:${ndots}`}; expected ndots:5 (kubelet's ClusterFirst DNS policy)`);
          },
        },
      ],
      passSummary: () => `${sel.name ?? sel.labelSelector} resolves through the cluster DNS with the ${sel.namespace} namespace's search domains`,
      hint: 'run `kubectl exec <pod> -- cat /etc/resolv.conf` and `kubectl -n kube-system get svc kube-dns`; a pod with dnsPolicy: Default gets the node\'s resolver instead',
    };
  },
};

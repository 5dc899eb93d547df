/**
 * The inputs the exec probes read: what lab saw inside each sampled pod and on its node, and which
 * pod each sample resolved to. Registered into the open inputs registry, so the rule engine, `lab
 * snapshot` and `verify --snapshot` carry them like the built-in ones.
 */
import { registerDerivation } from '../calico/derive.js';
import { registerInput } from '../calico/inputs.js';
import type { IpLink, IpRoute, NodeNetwork, PodNetwork, ResolvConf } from '../observe/types.js';
import type { PodSelector } from './types.js';

/** What lab saw inside one pod, with the pod's node and its status.podIP. */
export type SampledPodNetwork = PodNetwork & { node: string; podIP: string };

/** What a transcript showed of one pod (`kubectl exec <pod> -- ip addr | ip route | cat /etc/resolv.conf`). */
export interface PodObservation {
  links?: IpLink[];
  routes?: IpRoute[];
  resolv?: ResolvConf;
}

/** A sample resolved to a pod, or why no pod matched. */
export type PodSample = { namespace: string; name: string; node: string; podIP: string } | { missing: string };

declare module '../calico/inputs.js' {
  interface InputTypes {
    /** By 'namespace/name'. */
    podNetworks: Record<string, SampledPodNetwork>;
    /** By node name. */
    nodeNetworks: Record<string, NodeNetwork>;
    /** By selectorKey(selector). */
    podSamples: Record<string, PodSample>;
    /** From a transcript, by pod name (the prompt's `kubectl exec` names no namespace). */
    podObservations: Record<string, PodObservation>;
  }
}

registerInput('podNetworks', "pods' network (kubectl exec <pod> -- ip addr/ip route/cat /etc/resolv.conf)");
registerInput('nodeNetworks', "nodes' network (docker exec <node> ip -j route/ip -j addr)");
registerInput('podSamples', 'sampled pods (the pods the exercises name, from the Pods list)');
registerInput('podObservations', 'kubectl exec <pod> -- ip addr / ip route / cat /etc/resolv.conf (a transcript)');

/**
 * A transcript's pod outputs → podNetworks: a pod whose `ip addr` (with eth0), `ip route` and
 * resolv.conf were all shown, and whose node and IP the Pods (objects or `kubectl get pods -o wide`)
 * give. A pod with only some of the three is left out (its exercises are not evaluated, never guessed).
 */
export function podNetworksFromObservations(obs: Record<string, PodObservation>, inputs: { pods?: { ok: boolean; value?: { metadata: { name: string; namespace?: string }; spec?: { nodeName?: string }; status?: { podIP?: string } }[] }; podRows?: { ok: boolean; value?: { name: string; namespace?: string; node?: string; ip?: string }[] } }): Record<string, SampledPodNetwork> | undefined {
  const known = [
    ...(inputs.pods?.ok ? (inputs.pods.value ?? []).map((p) => ({ name: p.metadata.name, namespace: p.metadata.namespace ?? 'default', node: p.spec?.nodeName, ip: p.status?.podIP })) : []),
    ...(inputs.podRows?.ok ? (inputs.podRows.value ?? []).map((r) => ({ name: r.name, namespace: r.namespace ?? 'default', node: r.node, ip: r.ip })) : []),
  ];
  const out: Record<string, SampledPodNetwork> = {};
  for (const [name, o] of Object.entries(obs)) {
    const eth0 = o.links?.find((l) => l.name === 'eth0');
    if (!eth0 || !o.routes || !o.resolv) continue;
    const matches = known.filter((k) => k.name === name && k.node && k.ip);
    const pod = matches.find((k) => k.namespace === 'default') ?? (matches.length === 1 ? matches[0] : undefined);
    if (!pod) continue;
    out[`${pod.namespace}/${name}`] = { interface: eth0, addresses: eth0.addresses.filter((a) => a.family === 'inet'), mtu: eth0.mtu, routes: o.routes, resolv: o.resolv, node: pod.node!, podIP: pod.ip! };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

registerDerivation('podNetworks', 'podObservations', (obs, inputs) => podNetworksFromObservations(obs, inputs as never),
  "no pod with all of `ip addr` (eth0), `ip route` and resolv.conf and a known node and IP (add `kubectl get pods -o wide`)");
registerDerivation('podSamples', 'podNetworks', (nets) =>
  Object.fromEntries(Object.entries(nets).map(([key, n]) => {
    const [namespace, name] = key.split('/') as [string, string];
    return [key, { namespace, name, node: n.node, podIP: n.podIP }];
  })));

/** The key of a selector in `podSamples`: `default/multitool` or `default?app=multitool`. */
export function selectorKey(s: PodSelector): string {
  return s.name !== undefined ? `${s.namespace}/${s.name}` : `${s.namespace}?${s.labelSelector ?? ''}`;
}

/** How a selector reads in a message: `multitool in default`, `app=multitool in default`. */
export function selectorText(s: PodSelector): string {
  return `${s.name ?? s.labelSelector ?? '?'} in ${s.namespace}`;
}

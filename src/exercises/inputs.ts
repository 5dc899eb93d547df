/**
 * The inputs the exec probes read: what lab saw inside each sampled pod and on its node, and which
 * pod each sample resolved to. Registered into the open inputs registry, so the rule engine, `lab
 * snapshot` and `verify --snapshot` carry them like the built-in ones.
 */
import { registerInput } from '../calico/inputs.js';
import type { NodeNetwork, PodNetwork } from '../observe/types.js';
import type { PodSelector } from './types.js';

/** What lab saw inside one pod, with the pod's node and its status.podIP. */
export type SampledPodNetwork = PodNetwork & { node: string; podIP: string };

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
  }
}

registerInput('podNetworks', "pods' network (kubectl exec <pod> -- ip addr/ip route/cat /etc/resolv.conf)");
registerInput('nodeNetworks', "nodes' network (docker exec <node> ip -j route/ip -j addr)");
registerInput('podSamples', 'sampled pods (the pods the exercises name, from the Pods list)');

/** The key of a selector in `podSamples`: `default/multitool` or `default?app=multitool`. */
export function selectorKey(s: PodSelector): string {
  return s.name !== undefined ? `${s.namespace}/${s.name}` : `${s.namespace}?${s.labelSelector ?? ''}`;
}

/** How a selector reads in a message: `multitool in default`, `app=multitool in default`. */
export function selectorText(s: PodSelector): string {
  return `${s.name ?? s.labelSelector ?? '?'} in ${s.namespace}`;
}

/**
 * Lesson 02 as verify inputs, built from the hand-written outputs in test/fixtures/exercises: the pod
 * multitool (default) on pod-network-worker, its `ip addr`/`ip route`/resolv.conf, the node's
 * `ip -j route`/`ip -j addr`, the blocks affine to the nodes and the pool. Each call returns a fresh copy.
 */
import { readFileSync } from 'node:fs';
import { emptyInputs, present, type VerifyInputs } from '../../../src/calico/inputs.js';
import type { VerifyLab } from '../../../src/calico/lab.js';
import type { BlockAffinityObject, IPPoolObject } from '../../../src/calico/types.js';
import '../../../src/exercises/inputs.js';
import type { SampledPodNetwork } from '../../../src/exercises/inputs.js';
import type { ExerciseSpec } from '../../../src/exercises/types.js';
import { parseIpAddrText, parseIpLinksJsonText, parseIpRouteJsonText, parseIpRouteText, parseResolvConf, type NodeNetwork } from '../../../src/observe/index.js';
import { threeNodeLab } from '../verify/lesson-lab.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/exercises/${name}`, import.meta.url), 'utf8');
}

export const lab02: VerifyLab = threeNodeLab('pod-network');

export const WORKER = 'pod-network-worker';
export const POD_IP = '192.168.8.69';

export function podNet(): SampledPodNetwork {
  const links = parseIpAddrText(fixture('pod-multitool-ip-addr.txt'));
  const eth0 = links.find((l) => l.name === 'eth0')!;
  return {
    interface: eth0,
    addresses: eth0.addresses.filter((a) => a.family === 'inet'),
    mtu: eth0.mtu,
    routes: parseIpRouteText(fixture('pod-multitool-ip-route.txt')),
    resolv: parseResolvConf(fixture('pod-multitool-resolv.conf')),
    node: WORKER,
    podIP: POD_IP,
  };
}

export function nodeNet(): NodeNetwork {
  return { routes: parseIpRouteJsonText(fixture('node-worker-ip-j-route.json')), links: parseIpLinksJsonText(fixture('node-worker-ip-j-addr.json')) };
}

function affinity(node: string, cidr: string): BlockAffinityObject {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'BlockAffinity', metadata: { name: `${node}-${cidr.replace(/[./]/g, '-')}` }, spec: { state: 'confirmed', node, cidr, type: 'host', deleted: 'false' } };
}

export function pool(o: { vxlanMode?: string; ipipMode?: string } = { vxlanMode: 'CrossSubnet', ipipMode: 'Never' }): IPPoolObject {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '192.168.0.0/16', blockSize: 26, ...o } };
}

export function inputs02(): VerifyInputs {
  return {
    ...emptyInputs('not in this test'),
    podSamples: present({ 'default/multitool': { namespace: 'default', name: 'multitool', node: WORKER, podIP: POD_IP } }, 'Pods list'),
    podNetworks: present({ 'default/multitool': podNet() }, 'kubectl exec'),
    nodeNetworks: present({ [WORKER]: nodeNet() }, 'docker exec'),
    blockAffinities: present([affinity('pod-network-control-plane', '192.168.179.192/26'), affinity(WORKER, '192.168.8.64/26'), affinity('pod-network-worker2', '192.168.219.128/26')], 'crd.projectcalico.org/v1'),
    ippools: present([pool()], 'crd.projectcalico.org/v1'),
  };
}

export function spec(probe: string, params: Record<string, unknown> = { pod: 'multitool' }, id = `ex-${probe}`): ExerciseSpec {
  return { id, title: `the ${probe} exercise`, teaches: 'what it teaches', commands: ['kubectl exec -it multitool -- ip addr'], probe, with: params, file: 'lesson.yaml', line: 1 };
}

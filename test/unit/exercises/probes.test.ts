/** Lesson 02's exec probes over the hand-written outputs: the healthy pod passes, each break fails with a message a learner reads. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { absent, present, type VerifyInputs } from '../../../src/calico/inputs.js';
import { runChecks } from '../../../src/calico/runner.js';
import type { CheckResult, InstallationObject } from '../../../src/calico/types.js';
import { PROBES } from '../../../src/exercises/probes/index.js';
import { inputs02, lab02, pool, POD_IP, spec, WORKER } from './world.js';

function judge(probe: string, inputs: VerifyInputs, params?: Record<string, unknown>): CheckResult {
  const s = spec(probe, params);
  const [r] = runChecks([PROBES[probe]!.check(s)], lab02, inputs);
  return r!;
}
const problems = (r: CheckResult): string[] => (r.evidence['problems'] as string[] | undefined) ?? [];
const rule = (r: CheckResult, id: string) => r.rules!.find((x) => x.id === id)!;
const pod = (i: VerifyInputs) => (i.podNetworks as Extract<VerifyInputs['podNetworks'], { ok: true }>).value['default/multitool']!;
const node = (i: VerifyInputs) => (i.nodeNetworks as Extract<VerifyInputs['nodeNetworks'], { ok: true }>).value[WORKER]!;

describe('pod-interface', () => {
  it('passes for a /32 equal to the Pod IP, from the node block, MTU 1500 − 50', () => {
    const r = judge('pod-interface', inputs02());
    expect(r.status, JSON.stringify(r, null, 2)).toBe('pass');
    expect(r.rules!.map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
    expect(r.evidence['mtu']).toEqual({ observed: 1450, expected: 1450, derivedFrom: `${WORKER}'s eth0 MTU 1500 − 50 for VXLANCrossSubnet` });
    expect(r.id).toBe('ex-pod-interface');
    expect(r.title).toBe('the pod-interface exercise');
  });

  it('fails an MTU the encapsulation does not leave, saying where the expectation comes from', () => {
    const i = inputs02();
    pod(i).mtu = 1500;
    const r = judge('pod-interface', i);
    expect(r.status).toBe('fail');
    expect(rule(r, 'eth0-mtu').status).toBe('fail');
    expect(r.summary).toBe(`multitool's eth0 has MTU 1500; expected 1450 (${WORKER}'s eth0 MTU 1500 − 50 for VXLANCrossSubnet)`);
  });

  it('expects 1480 on an IP-in-IP pool (20 bytes), so 1450 fails', () => {
    const i = inputs02();
    i.ippools = present([pool({ ipipMode: 'Always', vxlanMode: 'Never' })], 'crd');
    expect(judge('pod-interface', i).summary).toBe(`multitool's eth0 has MTU 1450; expected 1480 (${WORKER}'s eth0 MTU 1500 − 20 for IPIP)`);
  });

  it("without the node's eth0 uses the Installation's mtu, else assumes 1500 and says so", () => {
    const i = inputs02();
    i.nodeNetworks = absent('not sampled');
    i.installations = present([{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { mtu: 1400, ipPools: [] } } } as InstallationObject], 'operator');
    expect(judge('pod-interface', i).summary).toBe("multitool's eth0 has MTU 1450; expected 1400 (the Installation's calicoNetwork.mtu 1400)");
    i.installations = absent('not read');
    const r = judge('pod-interface', i);
    expect(r.status).toBe('pass');
    expect((r.evidence['mtu'] as { derivedFrom: string }).derivedFrom).toMatch(/^1500, assumed: pod-network-worker's eth0 was not observed − 50/);
  });

  it('fails a second IPv4 address, a prefix other than /32, and an address that is not the Pod IP', () => {
    const i = inputs02();
    pod(i).addresses.push({ family: 'inet', local: '10.0.0.5', prefixlen: 24 });
    expect(problems(judge('pod-interface', i))).toContain(`multitool's eth0 has 2 IPv4 addresses (${POD_IP}/32, 10.0.0.5/24); expected exactly one, ${POD_IP}/32`);
    const j = inputs02();
    pod(j).addresses[0]!.prefixlen = 26;
    expect(problems(judge('pod-interface', j))[0]).toMatch(/eth0 address is 192\.168\.8\.69\/26; Calico gives pods a \/32/);
    const k = inputs02();
    pod(k).addresses[0]!.local = '192.168.8.70';
    expect(problems(judge('pod-interface', k))).toContain("multitool's eth0 address is 192.168.8.70, but the Pod's status.podIP is 192.168.8.69");
  });

  it("fails a Pod IP outside every block affine to the pod's node", () => {
    const i = inputs02();
    const s = (i.podSamples as Extract<VerifyInputs['podSamples'], { ok: true }>).value['default/multitool'] as { podIP: string };
    s.podIP = '192.168.219.131';
    pod(i).addresses[0]!.local = '192.168.219.131';
    const r = judge('pod-interface', i);
    expect(rule(r, 'eth0-block').status).toBe('fail');
    expect(problems(r)).toContain(`multitool's IP 192.168.219.131 is in none of the blocks affine to its node ${WORKER} (192.168.8.64/26)`);
  });

  it('fails naming the selector when no Running pod matched, and when the exec failed', () => {
    const i = inputs02();
    i.podSamples = present({ 'default/multitool': { missing: 'no Running pod matches multitool in default (multitool Pending)' } }, 'Pods list');
    const r = judge('pod-interface', i);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/^no Running pod matches multitool in default/);
    const j = inputs02();
    j.podNetworks = absent('default/multitool: pod default/multitool: `ip addr show dev eth0` exited 127', { failed: true });
    const f = judge('pod-interface', j);
    expect(rule(f, 'eth0-address').status).toBe('fail');
    expect(rule(f, 'eth0-address').reason).toMatch(/could not read pods' network .*exited 127/);
  });

  it('is not evaluated (skip) when nothing was sampled', () => {
    const i = inputs02();
    i.podSamples = absent('not in the snapshot');
    i.podNetworks = absent('not in the snapshot');
    expect(judge('pod-interface', i).status).toBe('skip');
  });
});

describe('pod-routes', () => {
  it('passes exactly the two Calico routes', () => {
    const r = judge('pod-routes', inputs02());
    expect(r.status).toBe('pass');
    expect(r.evidence['routes']).toEqual(['default via 169.254.1.1 dev eth0', '169.254.1.1 dev eth0 scope link']);
  });
  it('fails a missing scope-link route and an extra route', () => {
    const i = inputs02();
    pod(i).routes = pod(i).routes.filter((r) => r.dst === 'default');
    expect(judge('pod-routes', i).summary).toMatch(/no `169\.254\.1\.1 dev eth0 scope link` route/);
    const j = inputs02();
    pod(j).routes.push({ type: 'unicast', dst: '10.0.0.0/8', via: '192.168.8.1', dev: 'eth0', flags: [] });
    expect(judge('pod-routes', j).summary).toBe('multitool has other routes besides the two Calico sets: 10.0.0.0/8 via 192.168.8.1 dev eth0');
  });
  it('fails a default route via another gateway', () => {
    const i = inputs02();
    pod(i).routes[0]!.via = '192.168.8.1';
    expect(problems(judge('pod-routes', i))).toContain('multitool has no `default via 169.254.1.1 dev eth0` route');
  });
});

describe('pod-resolv', () => {
  it('passes; without the kube-dns Service it expects the tenth service address and says so', () => {
    const r = judge('pod-resolv', inputs02());
    expect(r.status).toBe('pass');
    expect(JSON.stringify(r.evidence['nameserver'])).toMatch(/tenth address of the service subnet 10\.96\.0\.0\/16/);
  });
  it("uses the kube-dns Service's ClusterIP when it was read", () => {
    const i = inputs02() as unknown as Record<string, unknown>;
    i['services'] = present([{ metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.53' } }], 'v1');
    const r = judge('pod-resolv', i as unknown as VerifyInputs);
    expect(r.summary).toBe("multitool's resolv.conf names nameserver 10.96.0.10; expected 10.96.0.53 (the kube-dns Service's ClusterIP)");
  });
  it('fails the search domains of another namespace, and ndots other than 5', () => {
    const i = inputs02();
    pod(i).resolv.search = ['lab-net.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
    expect(judge('pod-resolv', i).summary).toBe("multitool's resolv.conf searches `lab-net.svc.cluster.local svc.cluster.local cluster.local`; expected `default.svc.cluster.local svc.cluster.local cluster.local` first");
    const j = inputs02();
    pod(j).resolv.options = { ndots: '1' };
    expect(judge('pod-resolv', j).summary).toMatch(/has ndots:1; expected ndots:5/);
  });
});

describe('node-pod-route', () => {
  const calico = `cali${createHash('sha1').update('default.multitool').digest('hex').slice(0, 11)}`;
  it("passes the /32 via Calico's veth for the pod (ee:ee:…, 1450, no IPv4, other netns)", () => {
    const r = judge('node-pod-route', inputs02());
    expect(r.status, JSON.stringify(r, null, 2)).toBe('pass');
    expect(r.evidence['vethName']).toEqual({ observed: calico, expected: calico });
  });
  it("fails when the node has no route to the pod, once per finding", () => {
    const i = inputs02();
    node(i).routes = node(i).routes.filter((r) => r.dst !== POD_IP);
    const r = judge('node-pod-route', i);
    expect(r.status).toBe('fail');
    expect(rule(r, 'route').reason).toBe(`${WORKER} has no route to multitool's IP ${POD_IP}/32: packets for the pod would follow the block's blackhole route`);
    expect(rule(r, 'veth').reason).toMatch(/^no cali\* veth to judge/);
  });
  it('fails a wrong MAC, an IPv4 address, an MTU other than the pod MTU, and no peer netns', () => {
    const i = inputs02();
    const veth = node(i).links.find((l) => l.name === calico)!;
    veth.mac = '02:42:ac:12:00:09';
    veth.mtu = 1500;
    veth.addresses.push({ family: 'inet', local: '169.254.1.1', prefixlen: 32 });
    delete veth.linkNetnsId;
    const p = problems(judge('node-pod-route', i));
    expect(p).toEqual([
      `${calico} on ${WORKER} has MAC 02:42:ac:12:00:09; Calico gives every host-side veth ee:ee:ee:ee:ee:ee`,
      `${calico} on ${WORKER} has MTU 1500; expected 1450 (${WORKER}'s eth0 MTU 1500 − 50 for VXLANCrossSubnet)`,
      `${calico} on ${WORKER} has IPv4 address 169.254.1.1/32; Calico's host-side veths have none (the host answers for 169.254.1.1 by proxy ARP)`,
      `${calico} on ${WORKER} shows no link-netnsid: its peer is not in another network namespace, so it is not the pod's veth`,
    ]);
  });
  it("warns when the interface is not Calico's name for the pod", () => {
    const i = inputs02();
    for (const r of node(i).routes) if (r.dev === calico) r.dev = 'cali41b7d20c9e3';
    const r = judge('node-pod-route', i);
    expect(r.status).toBe('warn');
    expect(r.summary).toBe(`${WORKER} routes ${POD_IP} via cali41b7d20c9e3; Calico names multitool's veth ${calico} (cali + sha1("default.multitool")[:11])`);
  });
  it('fails a route via something other than a cali* interface', () => {
    const i = inputs02();
    for (const r of node(i).routes) if (r.dst === POD_IP) r.dev = 'eth0';
    expect(judge('node-pod-route', i).summary).toMatch(/route to 192\.168\.8\.69 goes via eth0, not a cali\* interface/);
  });
});

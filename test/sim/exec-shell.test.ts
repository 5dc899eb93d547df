/** The simulated shell inside a pod: busybox vs iproute2 images, options, errors as each prints them. */
import { describe, expect, test } from 'vitest';
import { parseIpAddrText } from '../../src/observe/index.js';
import { ObjectStore, type StoredObject } from '../../src/sim/store.js';
import { R } from '../../src/sim/calico/refs.js';
import { podView, uplinkFor, type NetWorld } from '../../src/sim/exec/net.js';
import { runInView, unwrapShell } from '../../src/sim/exec/shell.js';

function world(image: string): { w: NetWorld; pod: StoredObject } {
  const store = new ObjectStore();
  store.create(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', annotations: { 'projectcalico.org/IPv4VXLANTunnelAddr': '10.244.7.0' } }, status: { addresses: [{ type: 'InternalIP', address: '172.18.0.5' }] } });
  store.create(R.ippools, { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.244.0.0/16', vxlanMode: 'CrossSubnet', ipipMode: 'Never' } });
  const pod = store.create(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box', namespace: 'lab' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image }] }, status: { phase: 'Running', podIP: '10.244.7.9' } });
  return { w: { store, faults: new Set() }, pod };
}

describe('simulated pod shell', () => {
  test('busybox image: busybox header (no group), no -j, busybox cat error', () => {
    const { w, pod } = world('busybox:1.36');
    const v = podView(w, pod, uplinkFor('172.18.0.5'))!;
    const addr = runInView(v, ['ip', 'addr']);
    expect(addr.stdout).not.toContain('group default');
    expect(parseIpAddrText(addr.stdout).find((l) => l.name === 'eth0')).toMatchObject({ mtu: 1450, peerIfindex: 4, addresses: [{ local: '10.244.7.9', prefixlen: 32 }] });
    expect(runInView(v, ['ip', '-j', 'route'])).toEqual({ stdout: '', stderr: "ip: invalid option -- 'j'\n", exitCode: 1 });
    expect(runInView(v, ['cat', '/etc/shadow']).stderr).toBe("cat: can't open '/etc/shadow': No such file or directory\n");
  });

  test('iproute2 image: group default, -j works, unknown object and device errors', () => {
    const { w, pod } = world('praqma/network-multitool:latest');
    const v = podView(w, pod, uplinkFor('172.18.0.5'))!;
    expect(runInView(v, ['ip', 'addr']).stdout).toContain('state UP group default qlen 1000');
    expect(JSON.parse(runInView(v, ['ip', '-j', 'route']).stdout)).toEqual([
      { dst: 'default', gateway: '169.254.1.1', dev: 'eth0', flags: [] },
      { dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
    ]);
    expect(runInView(v, ['ip', 'neigh'])).toEqual({ stdout: '', stderr: 'Object "neigh" is unknown, try "ip help".\n', exitCode: 255 });
    expect(runInView(v, ['ip', 'link', 'show', 'eth1'])).toEqual({ stdout: '', stderr: 'Device "eth1" does not exist.\n', exitCode: 1 });
    expect(runInView(v, ['sh', '-c', 'hostname'])).toEqual({ stdout: 'box\n', stderr: '', exitCode: 0 });
  });

  test('the MTU follows the pool: IP-in-IP 1480, no encapsulation 1500, the Installation mtu wins', () => {
    const { w, pod } = world('praqma/network-multitool');
    const mtu = (): number | undefined => parseIpAddrText(runInView(podView(w, pod, uplinkFor('172.18.0.5'))!, ['ip', 'addr']).stdout).find((l) => l.name === 'eth0')?.mtu;
    w.store.mutate(R.ippools, undefined, 'p', (p) => Object.assign(p.spec as object, { vxlanMode: 'Never', ipipMode: 'Always' }));
    expect(mtu()).toBe(1480);
    w.store.mutate(R.ippools, undefined, 'p', (p) => Object.assign(p.spec as object, { ipipMode: 'Never' }));
    expect(mtu()).toBe(1500);
    w.store.create(R.installations, { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { mtu: 1400 } } });
    expect(mtu()).toBe(1400);
  });

  test('sh -c unwraps one command; other argv stay as they are', () => {
    expect(unwrapShell(['sh', '-c', ' ip  -4 addr '])).toEqual(['ip', '-4', 'addr']);
    expect(unwrapShell(['ip', 'route'])).toEqual(['ip', 'route']);
  });
});

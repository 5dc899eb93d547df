/** The observation parsers against hand-written fixtures in the real formats (test/fixtures/README.md, "observe/"). */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ParseError } from '../../../src/calico/parse.js';
import { parseIpAddrText, parseIpLinksJsonText, parseIpRouteJsonText, parseIpRouteText, parseResolvConf } from '../../../src/observe/index.js';

const fx = (name: string): string => readFileSync(new URL(`../../fixtures/observe/${name}`, import.meta.url), 'utf8');

describe('ip addr text', () => {
  test('iproute2 inside a pod: eth0@if9 with its /32, MTU 1450, peer ifindex, link-netnsid; tunl0@NONE kept as a name', () => {
    const links = parseIpAddrText(fx('ip-addr-iproute2-pod.txt'));
    expect(links.map((l) => l.name)).toEqual(['lo', 'tunl0', 'eth0']);
    const eth0 = links[2]!;
    expect(eth0).toEqual({
      ifindex: 4,
      name: 'eth0',
      peerIfindex: 9,
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1450,
      state: 'UP',
      linkType: 'ether',
      mac: '5a:91:3c:07:e2:4f',
      linkNetnsId: 0,
      addresses: [
        { family: 'inet', local: '192.168.131.133', prefixlen: 32, scope: 'global', label: 'eth0' },
        { family: 'inet6', local: 'fe80::5891:3cff:fe07:e24f', prefixlen: 64, scope: 'link' },
      ],
    });
    expect(links[1]).toMatchObject({ link: 'NONE', mtu: 1480, state: 'DOWN', linkType: 'ipip' });
    expect(links[1]!.peerIfindex).toBeUndefined();
  });

  test('busybox inside a pod: no group key, M-DOWN flag; same facts', () => {
    const eth0 = parseIpAddrText(fx('ip-addr-busybox-pod.txt')).find((l) => l.name === 'eth0')!;
    expect([eth0.ifindex, eth0.peerIfindex, eth0.mtu, eth0.state, eth0.mac]).toEqual([3, 12, 1450, 'UP', '2e:6d:a1:90:5b:c3']);
    expect(eth0.flags).toContain('M-DOWN');
    expect(eth0.addresses.filter((a) => a.family === 'inet')).toEqual([{ family: 'inet', local: '192.168.18.70', prefixlen: 32, scope: 'global', label: 'eth0' }]);
  });

  test('`ip -4 addr show dev eth0`: no link/ line, link-netnsid on the header', () => {
    expect(parseIpAddrText(fx('ip-4-addr-eth0.txt'))).toEqual([
      { ifindex: 4, name: 'eth0', peerIfindex: 9, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, state: 'UP', linkNetnsId: 0, addresses: [{ family: 'inet', local: '192.168.131.133', prefixlen: 32, scope: 'global', label: 'eth0' }] },
    ]);
  });

  test('a node: cali with ee:ee:ee:ee:ee:ee and a named link-netns, no IPv4; eth0 /16 with brd', () => {
    const links = parseIpAddrText(fx('ip-addr-node.txt'));
    const cali = links.find((l) => l.name.startsWith('cali'))!;
    expect([cali.name, cali.peerIfindex, cali.mac, cali.linkNetns, cali.mtu]).toEqual(['cali5d4e1f0a9b2', 4, 'ee:ee:ee:ee:ee:ee', 'cni-7c1e0d55-9a3b-41f2-8e6d-0b2a4c9f1d37', 1450]);
    expect(cali.addresses.map((a) => a.family)).toEqual(['inet6']);
    expect(links.find((l) => l.name === 'vxlan.calico')?.addresses[0]).toEqual({ family: 'inet', local: '192.168.131.128', prefixlen: 32, scope: 'global', label: 'vxlan.calico' });
    const eth0 = links.find((l) => l.name === 'eth0')!;
    expect(eth0.addresses[0]).toEqual({ family: 'inet', local: '172.18.0.3', prefixlen: 16, scope: 'global', label: 'eth0' });
    expect(eth0.addresses[1]).toEqual({ family: 'inet6', local: 'fc00:f853:ccd:e793::3', prefixlen: 64, scope: 'global' });
  });

  test('text that is not `ip addr` is refused naming the line', () => {
    expect(() => parseIpAddrText('1: lo: <LOOPBACK> mtu 65536\nsh: ip: not found\n')).toThrow(new ParseError("line 2: 'sh: ip: not found' is neither an interface header nor an indented detail line"));
    expect(() => parseIpAddrText('    inet 10.0.0.1/8 scope host lo\n')).toThrow(ParseError);
  });
});

describe('ip -j addr / link', () => {
  test('addr: link_index is the peer, link_netnsid, MAC lower-cased, addr_info', () => {
    const links = parseIpLinksJsonText(fx('ip-j-addr-node.json'));
    expect(links.map((l) => [l.ifindex, l.name, l.peerIfindex, l.mtu])).toEqual([
      [1, 'lo', undefined, 65536],
      [2, 'vxlan.calico', undefined, 1450],
      [5, 'cali5d4e1f0a9b2', 4, 1450],
      [12, 'eth0', 13, 1500],
    ]);
    const cali = links[2]!;
    expect([cali.mac, cali.linkNetnsId, cali.state, cali.addresses]).toEqual(['ee:ee:ee:ee:ee:ee', 1, 'UP', [{ family: 'inet6', local: 'fe80::ecee:eeff:feee:eeee', prefixlen: 64, scope: 'link' }]]);
    expect(links[3]!.mac).toBe('02:42:ac:12:00:03');
    expect(links[3]!.addresses).toEqual([{ family: 'inet', local: '172.18.0.3', prefixlen: 16, scope: 'global', label: 'eth0' }]);
  });

  test('link: no addr_info → no addresses', () => {
    const links = parseIpLinksJsonText(fx('ip-j-link-node.json'));
    expect(links.map((l) => [l.name, l.addresses.length, l.linkNetnsId])).toEqual([
      ['lo', 0, undefined],
      ['cali5d4e1f0a9b2', 0, 1],
    ]);
  });

  test('bad JSON and objects without ifname are refused', () => {
    expect(() => parseIpLinksJsonText('Object "adr" is unknown')).toThrow(ParseError);
    expect(() => parseIpLinksJsonText('[{"ifindex":1}]')).toThrow(new ParseError('interface 1 has no "ifindex"/"ifname"'));
    expect(() => parseIpLinksJsonText('{"ifindex":1}')).toThrow(ParseError);
  });
});

describe('routes', () => {
  test('a pod: only the link-local gateway', () => {
    expect(parseIpRouteText(fx('ip-route-pod.txt'))).toEqual([
      { type: 'unicast', dst: 'default', via: '169.254.1.1', dev: 'eth0', flags: [] },
      { type: 'unicast', dst: '169.254.1.1', dev: 'eth0', scope: 'link', flags: [] },
    ]);
  });

  test('ip -j route on a node: blackhole own block, /32 on cali, other blocks via node IPs onlink (proto 80)', () => {
    const routes = parseIpRouteJsonText(fx('ip-j-route-node.json'));
    expect(routes.find((r) => r.type === 'blackhole')).toEqual({ type: 'blackhole', dst: '192.168.131.128/26', proto: '80', flags: [] });
    expect(routes.filter((r) => r.dev?.startsWith('cali')).map((r) => [r.dst, r.dev, r.scope])).toEqual([
      ['192.168.131.129', 'cali5d4e1f0a9b2', 'link'],
      ['192.168.131.133', 'calie08f7b2c61d', 'link'],
    ]);
    expect(routes.filter((r) => r.flags.includes('onlink')).map((r) => [r.dst, r.via, r.dev, r.proto])).toEqual([
      ['192.168.18.64/26', '172.18.0.2', 'eth0', '80'],
      ['192.168.112.128/26', '172.18.0.4', 'eth0', '80'],
    ]);
    expect(routes[1]).toMatchObject({ dst: '172.18.0.0/16', proto: 'kernel', src: '172.18.0.3' });
  });

  test('not JSON: refused', () => {
    expect(() => parseIpRouteJsonText('default via 172.18.0.1 dev eth0')).toThrow(ParseError);
  });
});

describe('resolv.conf', () => {
  test('as the kubelet writes it for ClusterFirst', () => {
    expect(parseResolvConf(fx('resolv-conf-pod.txt'))).toEqual({ nameservers: ['10.96.0.10'], search: ['lab-net.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: { ndots: '5' } });
  });

  test('comments, two nameservers, valueless and valued options', () => {
    expect(parseResolvConf(fx('resolv-conf-comments.txt'))).toEqual({
      nameservers: ['10.96.0.10', '10.96.0.11'],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'home.arpa'],
      options: { ndots: '5', edns0: '', timeout: '2' },
    });
  });

  test('the last search line wins; an unknown directive is refused with its line', () => {
    expect(parseResolvConf('search a.local\nsearch b.local c.local\n').search).toEqual(['b.local', 'c.local']);
    expect(() => parseResolvConf('nameserver 10.96.0.10\ncat: /etc/resolv.conf: No such file\n')).toThrow(new ParseError("line 2: 'cat: /etc/resolv.conf: No such file' is not a resolv.conf directive"));
  });
});

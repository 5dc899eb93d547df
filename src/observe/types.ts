/** What lab observes inside a pod or a kind node: interfaces, addresses, routes, resolver settings. */
import type { IpRoute } from '../calico/readers/types.js';

export type { IpRoute } from '../calico/readers/types.js';

export interface IpAddress {
  family: 'inet' | 'inet6';
  /** The address without its prefix length. */
  local: string;
  prefixlen: number;
  /** `global`, `link`, `host` (only when printed). */
  scope?: string;
  /** The interface label (`eth0`, `eth0:1`), when printed. */
  label?: string;
}

export interface IpLink {
  ifindex: number;
  name: string;
  /** The peer of a veth (`eth0@if12` → 12; `link_index` in JSON); undefined when not printed. */
  peerIfindex?: number;
  /** The peer or parent printed after `@` when it is a name (`eth0.10@eth0`), or `NONE`. */
  link?: string;
  flags: string[];
  mtu?: number;
  /** `state` (text) / `operstate` (JSON): `UP`, `DOWN`, `UNKNOWN`. */
  state?: string;
  /** `ether`, `loopback`, `none`, … */
  linkType?: string;
  /** MAC address (lower case as printed). */
  mac?: string;
  /** The peer's network namespace: `link-netnsid N` / `link_netnsid`. */
  linkNetnsId?: number;
  /** The peer's named network namespace: `link-netns cni-…` (text only). */
  linkNetns?: string;
  addresses: IpAddress[];
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  /** `options` as printed, e.g. `{ ndots: '5', edns0: '' }`. */
  options: Record<string, string>;
}

/** The network of one pod, as seen from inside it. */
export interface PodNetwork {
  /** The pod's primary interface (`eth0`). */
  interface: IpLink;
  /** IPv4 addresses of that interface. */
  addresses: IpAddress[];
  mtu: number | undefined;
  routes: IpRoute[];
  resolv: ResolvConf;
}

/** A kind node's routes and links, from `ip -j route` / `ip -j addr`. */
export interface NodeNetwork {
  routes: IpRoute[];
  links: IpLink[];
}

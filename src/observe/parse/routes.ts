/**
 * Routes: `ip route` text (iproute2 and busybox print the same forms: `default via 169.254.1.1 dev
 * eth0`, `169.254.1.1 dev eth0 scope link`) and `ip -j route` JSON — the readers' parsers
 * (src/calico/readers/iproute.ts), shared so one format has one parser.
 */
import { ParseError } from '../../calico/parse.js';
import { parseIpRouteJson, parseIpRouteText } from '../../calico/readers/iproute.js';
import type { IpRoute } from '../types.js';

export { parseIpRouteJson, parseIpRouteText };

export function parseIpRouteJsonText(text: string): IpRoute[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(`not JSON: ${(error as Error).message}`);
  }
  return parseIpRouteJson(value);
}

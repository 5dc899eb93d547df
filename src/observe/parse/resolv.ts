/**
 * `/etc/resolv.conf` (resolv.conf(5)): `nameserver`, `search` (the last one wins, as in glibc and
 * musl), `domain` (an older single-domain `search`), `options` (`ndots:5`, `edns0`); `#` and `;`
 * start comments.
 */
import { ParseError } from '../../calico/parse.js';
import { numberedLines } from '../../calico/readers/table.js';
import type { ResolvConf } from '../types.js';

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: {} };
  for (const { n, text: raw } of numberedLines(text)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver') {
      if (values[0] === undefined) throw new ParseError(`line ${n}: 'nameserver' without an address`);
      out.nameservers.push(values[0]);
    } else if (key === 'search' || key === 'domain') out.search = values;
    else if (key === 'options') {
      for (const o of values) {
        const i = o.indexOf(':');
        out.options[i === -1 ? o : o.slice(0, i)] = i === -1 ? '' : o.slice(i + 1);
      }
    } else if (key !== 'sortlist') throw new ParseError(`line ${n}: '${line}' is not a resolv.conf directive`);
  }
  return out;
}

/** Label and field selector parsing (the query-string syntax of the real API). */
import type { FieldRequirement, LabelRequirement } from '../store.js';
import { badRequest } from './status.js';

/** Split on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(s: string | null | undefined): LabelRequirement[] {
  if (!s) return [];
  const reqs: LabelRequirement[] = [];
  for (const term of splitTerms(s)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      reqs.push({ key: m[1] ?? '', op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^!\s*([^\s!=()]+)$/.exec(term))) {
      reqs.push({ key: m[1] ?? '', op: '!exists', values: [] });
    } else if ((m = /^([^\s!=()]+)\s*(==|!=|=)\s*([^\s!=()]*)$/.exec(term))) {
      reqs.push({ key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', values: [m[3] ?? ''] });
    } else if ((m = /^([^\s!=()]+)$/.exec(term))) {
      reqs.push({ key: m[1] ?? '', op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: ${term}`);
    }
  }
  return reqs;
}

export function parseFieldSelector(s: string | null | undefined): FieldRequirement[] {
  if (!s) return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    const m = /^([^\s!=]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    reqs.push({ path: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', value: m[3] ?? '' });
  }
  return reqs;
}

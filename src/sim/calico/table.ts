/**
 * ASCII tables laid out like olekukonko/tablewriter v0.0.5 with its defaults (what calicoctl v3.30
 * uses): `+`/`-`/`|` borders, upper-case headers centred (the odd padding char goes right), numeric
 * cells right-aligned and others left-aligned, one space of padding, a separator only under the header.
 */

const NUMERIC = /^-?\d+(?:\.\d+)?$/;

export function renderTable(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => h.toUpperCase());
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const center = (text: string, w: number): string => {
    const pad = w - text.length;
    const left = Math.floor(pad / 2);
    return ' '.repeat(left) + text + ' '.repeat(pad - left);
  };
  let out = line;
  out += `|${head.map((h, i) => ` ${center(h, widths[i] ?? 0)} `).join('|')}|\n`;
  out += line;
  for (const r of rows) {
    out += `|${widths
      .map((w, i) => {
        const cell = r[i] ?? '';
        return ` ${NUMERIC.test(cell) ? cell.padStart(w) : cell.padEnd(w)} `;
      })
      .join('|')}|\n`;
  }
  out += line;
  return out;
}

/** Go `%.<prec>g` (strconv 'g' with precision: trailing zeros removed, exponent at least 2 digits). */
export function goG(value: number, precision = 5): string {
  if (value === 0) return '0';
  const s = value.toPrecision(precision);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) {
    const mant = m[1]!.includes('.') ? m[1]!.replace(/0+$/, '').replace(/\.$/, '') : m[1]!;
    return `${mant}e${m[2]}${m[3]!.padStart(2, '0')}`;
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Go `%.f`: no decimals, round half to even (on the exact binary value). */
export function goF0(value: number): string {
  const floor = Math.floor(value);
  const diff = value - floor;
  let r: number;
  if (diff > 0.5) r = floor + 1;
  else if (diff < 0.5) r = floor;
  else r = floor % 2 === 0 ? floor : floor + 1;
  return String(r === 0 ? 0 : r);
}

/** calicoctl's `%.5g (%.f%%)` usage cell. */
export const usageCell = (n: number, total: number): string => `${goG(n)} (${goF0(total === 0 ? 0 : (n / total) * 100)}%)`;

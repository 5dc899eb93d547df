/**
 * ASCII tables in the layout `calicoctl` prints (olekukonko/tablewriter defaults): `+---+` borders,
 * upper-case centred headers, numbers right-aligned, text left-aligned, a separator only under the
 * header — so the lesson-style tables look like the command the learner runs.
 */

export interface TableOptions {
  /** Columns to right-align (by index); default: cells that look numeric. */
  right?: readonly number[];
}

const NUMERIC = /^-?[\d.]+(\s*\(\d+%\))?$/;

function centre(text: string, width: number): string {
  const pad = width - text.length;
  const left = Math.floor(pad / 2);
  return ' '.repeat(left) + text + ' '.repeat(pad - left);
}

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], o: TableOptions = {}): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: readonly string[], header: boolean): string =>
    `|${widths
      .map((w, i) => {
        const c = cells[i] ?? '';
        if (header) return ` ${centre(c.toUpperCase(), w)} `;
        const right = o.right ? o.right.includes(i) : NUMERIC.test(c) && !c.includes('(');
        return ` ${right ? c.padStart(w) : c.padEnd(w)} `;
      })
      .join('|')}|`;
  return [border, line(headers, true), border, ...rows.map((r) => line(r, false)), border].join('\n') + '\n';
}

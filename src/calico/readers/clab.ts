/**
 * `containerlab inspect` as a table. Current containerlab (≥ 0.68) prints a rounded Unicode box with
 * `Name | Kind/Image | State | IPv4/6 Address`, two lines per node (kind over image, IPv4 over IPv6);
 * `--all` prepends `Topology | Lab Name`, `--wide` adds `Owner`. Older releases printed an ASCII table
 * `# | Name | Container ID | Image | Kind | State | IPv4 Address | IPv6 Address`, one line per node.
 * The JSON form (`--format json`) is read by `parseClabInspect` in ../parse.ts.
 */
import { ParseError } from '../parse.js';
import type { ClabRow } from '../types.js';
import { parseBoxTables } from './table.js';

const isHeader = (c: string[]): boolean => c.includes('Name') && (c.includes('Kind/Image') || c.includes('Kind')) && c.includes('State');

export function isClabInspectTable(text: string): boolean {
  return parseBoxTables(text, isHeader).length > 0;
}

export function parseClabInspectTable(text: string): ClabRow[] {
  const tables = parseBoxTables(text, isHeader);
  const table = tables[0];
  if (!table) throw new ParseError('no containerlab inspect table (header Name | Kind/Image | State | IPv4/6 Address)');
  const col = (name: string): number => table.header.indexOf(name);
  const at = (cells: string[][], name: string, line = 0): string | undefined => {
    const i = col(name);
    const v = i < 0 ? undefined : cells[i]?.[line];
    return v === undefined || v === '' || v === 'N/A' ? undefined : v;
  };
  return table.rows.map(({ line, cells }) => {
    if (cells.length !== table.header.length) throw new ParseError(`line ${line}: expected ${table.header.length} cells, got ${cells.length}`);
    const name = at(cells, 'Name');
    if (!name) throw new ParseError(`line ${line}: a row without a Name`);
    const row: ClabRow = { name };
    const set = (key: keyof ClabRow, v: string | undefined): void => { if (v !== undefined) row[key] = v; };
    if (col('Kind/Image') >= 0) {
      set('kind', at(cells, 'Kind/Image', 0));
      set('image', at(cells, 'Kind/Image', 1));
    } else {
      set('kind', at(cells, 'Kind'));
      set('image', at(cells, 'Image'));
      set('container_id', at(cells, 'Container ID'));
    }
    set('state', at(cells, 'State'));
    set('lab_name', at(cells, 'Lab Name'));
    if (col('IPv4/6 Address') >= 0) {
      for (const addr of cells[col('IPv4/6 Address')] ?? []) {
        if (addr === 'N/A') continue;
        if (addr.includes(':')) row.ipv6_address ??= addr;
        else row.ipv4_address ??= addr;
      }
    } else {
      set('ipv4_address', at(cells, 'IPv4 Address'));
      set('ipv6_address', at(cells, 'IPv6 Address'));
    }
    return row;
  });
}

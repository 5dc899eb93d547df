/**
 * The two table layouts the tools print.
 * - kubectl (text/tabwriter, padding 3): left-aligned columns, a header of upper-case names separated
 *   by two or more spaces (a name may hold one space: `NOMINATED NODE`). Every cell of a column starts
 *   where its header starts, so cells are cut at the header's offsets — which keeps blank cells blank.
 * - box tables: olekukonko/tablewriter ASCII (`+---+`, `| a | b |`, calicoctl) and the rounded Unicode
 *   box containerlab prints (`╭─┬─╮`, `│`), where one row can span several lines.
 */
import { ParseError } from '../parse.js';

export interface ColumnTable {
  header: string[];
  /** Cells by header name; a blank cell is undefined. */
  rows: { line: number; cells: Record<string, string | undefined> }[];
}

/**
 * Lines kubectl writes to stderr that land above or inside a captured table: klog lines
 * (`E1202 05:40:12.123456   4242 memcache.go:287] couldn't get resource list for …`) and `Warning: …`.
 */
export const KUBECTL_NOISE = /^([IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] |Warning: )/;

/** Lines with their 1-based numbers, without `\r`. */
export function numberedLines(text: string): { n: number; text: string }[] {
  return text.split('\n').map((t, i) => ({ n: i + 1, text: t.replace(/\r$/, '') }));
}

function headerColumns(line: string): { name: string; start: number }[] {
  const cols: { name: string; start: number }[] = [];
  for (const m of line.matchAll(/\S+(?: \S+)*/g)) cols.push({ name: m[0], start: m.index });
  return cols;
}

/** `No resources found` (kubectl prints it instead of a table when a list is empty). */
export function isNoResources(text: string): boolean {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !KUBECTL_NOISE.test(l));
  return lines.length > 0 && lines.every((l) => /^No resources found( in \S+ namespace)?\.?$/.test(l));
}

/**
 * Read a kubectl table whose header starts with `first` (e.g. `NAME`). Rows that do not line up with
 * the header (text re-spaced by a copy) are split at runs of two or more spaces when that gives one
 * cell per column; otherwise the row is an error naming its line.
 */
export function parseColumnTable(text: string, first: readonly string[]): ColumnTable {
  const lines = numberedLines(text).filter((l) => l.text.trim().length > 0 && !KUBECTL_NOISE.test(l.text));
  const head = lines[0];
  if (!head) throw new ParseError('empty output');
  const cols = headerColumns(head.text.replace(/\t/g, '   '));
  const names = cols.map((c) => c.name);
  if (first.some((f, i) => names[i] !== f)) throw new ParseError(`line ${head.n}: expected a header starting ${first.join(' ')}, got ${names.join(' ')}`);
  const rows: ColumnTable['rows'] = [];
  for (const l of lines.slice(1)) {
    const t = l.text.replace(/\t/g, '   ');
    const cells = sliceAligned(t, cols) ?? splitLoose(t, cols.length);
    if (!cells) throw new ParseError(`line ${l.n}: the row does not line up with the header (${names.join(', ')})`);
    rows.push({ line: l.n, cells: Object.fromEntries(names.map((n, i) => [n, cells[i] === '' ? undefined : cells[i]])) });
  }
  return { header: names, rows };
}

function sliceAligned(line: string, cols: { start: number }[]): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const start = cols[i]!.start;
    const end = i + 1 < cols.length ? cols[i + 1]!.start : line.length;
    // A cut in the middle of a word means the row is not aligned with the header.
    if (start > 0 && start < line.length && line[start - 1] !== ' ' && line[start] !== ' ') return undefined;
    out.push(line.slice(start, Math.max(start, end)).trim());
  }
  // Text before the first column's start would be lost.
  if (cols[0] && line.slice(0, cols[0].start).trim() !== '') return undefined;
  return out;
}

function splitLoose(line: string, count: number): string[] | undefined {
  const wide = line.trim().split(/\s{2,}/);
  if (wide.length === count) return wide;
  const narrow = line.trim().split(/\s+/);
  return narrow.length === count ? narrow : undefined;
}

/** `<none>` and blank → undefined. */
export function cell(v: string | undefined): string | undefined {
  return v === undefined || v === '<none>' || v === '' ? undefined : v;
}

// ---------------------------------------------------------------------------------------------------
// Box tables

const V = /[|│┃]/;

/** Cells of a `| a | b |` / `│ a │ b │` line; undefined for borders and other text. */
export function boxCells(line: string): string[] | undefined {
  const t = line.trim();
  if (t.length < 2 || !V.test(t[0]!) || !V.test(t[t.length - 1]!)) return undefined;
  return t.slice(1, -1).split(/[|│┃]/).map((c) => c.trim());
}

/** A border or separator line: `+----+`, `╭──┬──╮`, `├──┼──┤`, `╰──┴──╯`. */
export function isBoxBorder(line: string): boolean {
  return /^\s*[+╭├╰┌└┝┠╞╟][-─━═+┬┼┴╮┤╯┐┘┥┨╡╢]+\s*$/.test(line);
}

export interface BoxTable {
  /** 1-based line of the header. */
  line: number;
  header: string[];
  rows: { line: number; cells: string[][] }[];
}

/**
 * Every box table in the text. A line whose first cell is blank continues the row above (containerlab
 * prints the image under the kind and the IPv6 address under the IPv4 one); a header spans the lines
 * before the first separator. `isHeader` says which cell lines start a new table.
 */
export function parseBoxTables(text: string, isHeader: (cells: string[]) => boolean): BoxTable[] {
  const tables: BoxTable[] = [];
  let current: BoxTable | undefined;
  for (const { n, text: line } of numberedLines(text)) {
    const c = boxCells(line);
    if (!c) continue;
    if (isHeader(c)) {
      current = { line: n, header: c, rows: [] };
      tables.push(current);
      continue;
    }
    if (!current) continue;
    const last = current.rows[current.rows.length - 1];
    if (c[0] === '' && last && c.length === last.cells.length) {
      c.forEach((v, i) => { if (v !== '') last.cells[i]!.push(v); });
    } else {
      current.rows.push({ line: n, cells: c.map((v) => (v === '' ? [] : [v])) });
    }
  }
  return tables;
}

export interface Target {
  op: '<=' | '=';
  value: number | null;
  text: string;
  on: 'median' | 'max';
}
export interface Row {
  id: string;
  label: string;
  unit: string;
  samples: number[];
  n: number;
  median: number | null;
  max: number | null;
  target: Target | null;
  ok: boolean | null;
  note?: string;
}
export function formatValue(value: number | null, unit: string): string;
export function makeRow(id: string, label: string, unit: string, samples: (number | null)[], target?: Target, note?: string): Row;
export function renderTable(rows: Row[]): string;

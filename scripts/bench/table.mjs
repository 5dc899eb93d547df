/** The results table: rows with a median, a max, a target and a verdict, rendered as Markdown. */
import { max, median } from './stats.mjs';

/** Human form of a value in its unit. */
export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
    case '%':
      return `${value.toFixed(1)} %`;
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'x':
      return `${value.toFixed(2)}×`;
    default:
      return String(Math.round(value * 100) / 100);
  }
}

/**
 * A row from samples. `target`: { op: '<=' | '=', value, text, on: 'median' | 'max' } or undefined
 * (reference rows: no verdict).
 */
export function makeRow(id, label, unit, samples, target, note) {
  const clean = samples.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const med = median(clean);
  const mx = max(clean);
  let ok = null;
  if (target) {
    const v = target.on === 'max' ? mx : med;
    if (v === null || target.value === null || target.value === undefined) ok = false;
    else ok = target.op === '=' ? v === target.value : v <= target.value;
  }
  return { id, label, unit, samples: clean, n: clean.length, median: med, max: mx, target: target ?? null, ok, ...(note ? { note } : {}) };
}

export function renderTable(rows) {
  const lines = ['| row | median | max | target | result |', '| --- | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    const verdict = r.ok === null ? '' : r.n === 0 ? 'ERR' : r.ok ? 'ok' : '**MISS**';
    const mx = r.n > 1 ? formatValue(r.max, r.unit) : '';
    lines.push(`| ${r.label} | ${formatValue(r.median, r.unit)} | ${mx} | ${r.target?.text ?? ''} | ${verdict} |`);
  }
  return lines.join('\n');
}

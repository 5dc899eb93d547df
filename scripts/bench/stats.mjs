/** Small statistics over arrays of numbers (nulls and NaN are ignored). */

const clean = (values) => values.filter((v) => typeof v === 'number' && Number.isFinite(v));

export function median(values) {
  const v = clean(values).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function max(values) {
  const v = clean(values);
  return v.length === 0 ? null : Math.max(...v);
}

/**
 * Colours of the map: the Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies), one colour per node plus a letter; vermillion is kept for problem marks. After six
 * nodes the colours repeat with a pattern (1, 2, …) and the letters keep counting, so two nodes never
 * look the same.
 */
export const NODE_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#CC79A7'] as const;
/** Okabe–Ito vermillion: failing marks. */
export const PROBLEM = '#D55E00';
export const FREE = '#F2F2F2';
export const FREE_STROKE = '#D0D0D0';
export const UNOWNED = '#9E9E9E';
export const UNKNOWN = '#FFFFFF';
export const INK = '#000000';

/** A, B, … Z, AA, AB, … */
export function letterOf(i: number): string {
  let n = i;
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function luminance(hex: string): number {
  const ch = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
}

/** Black or white, whichever contrasts more with the colour (WCAG relative luminance). */
export function inkOn(hex: string): string {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#FFFFFF';
}

export function nodeStyle(i: number): { letter: string; colour: string; ink: string; pattern: number } {
  const colour = NODE_COLOURS[i % NODE_COLOURS.length]!;
  return { letter: letterOf(i), colour, ink: inkOn(colour), pattern: Math.floor(i / NODE_COLOURS.length) };
}

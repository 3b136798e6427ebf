/** Small statistics and number formatting helpers for reports (accuracy over seeds, model sizes). */
import { expectInteger, expectNumber, fail } from '../validate';

function finiteArray(name: string, xs: unknown): readonly number[] {
  if (!Array.isArray(xs) && !ArrayBuffer.isView(xs)) fail('a non-empty array of finite numbers', name, xs);
  const arr = xs as ArrayLike<unknown>;
  if (arr.length === 0) fail('a non-empty array of finite numbers', name, xs);
  for (let i = 0; i < arr.length; i++) expectNumber(`${name}[${i}]`, arr[i]);
  return Array.from(arr as ArrayLike<number>);
}

/** Arithmetic mean of a non-empty list of finite numbers. */
export function mean(xs: ArrayLike<number>): number {
  const v = finiteArray('xs', xs);
  let sum = 0;
  for (const x of v) sum += x;
  return sum / v.length;
}

/** Sample standard deviation (divides by n-1); 0 for a single value, as there is no spread to estimate. */
export function std(xs: ArrayLike<number>): number {
  const v = finiteArray('xs', xs);
  if (v.length === 1) return 0;
  const m = mean(v);
  let ss = 0;
  for (const x of v) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (v.length - 1));
}

/** A fraction as a percentage: formatPercent(0.875) === '87.50%'. */
export function formatPercent(fraction: number, digits = 2): string {
  expectNumber('fraction', fraction);
  expectInteger('digits', digits, { min: 0, max: 20 });
  // Scale by 100 through the decimal string so that 0.8735 prints 87.35, not 87.34999....
  const pct = Number(`${fraction}e2`);
  return `${(Number.isFinite(pct) ? pct : fraction * 100).toFixed(digits)}%`;
}

/** An integer with thousands separators, as in the paper's Table 3: formatInt(13446) === '13,446'. Non-integers are rounded. */
export function formatInt(n: number): string {
  expectNumber('n', n);
  const r = Math.round(n);
  // Own grouping rather than toLocaleString: output must not depend on the ICU data or locale.
  const digits = Math.abs(r).toFixed(0);
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return r < 0 ? `-${grouped}` : grouped;
}

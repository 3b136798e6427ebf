/** Small statistics and number formatting helpers for reports (accuracy over seeds, model sizes). */
import { expectInteger, expectNumber, fail, isNumberList } from '../validate';

function finiteArray(name: string, xs: unknown): readonly number[] {
  // A DataView is an ArrayBuffer view without a length or elements: it would read as no values.
  if (!isNumberList(xs)) fail('a non-empty array of finite numbers', name, xs);
  const arr = xs as ArrayLike<unknown>;
  if (arr.length === 0) fail('a non-empty array of finite numbers', name, xs);
  // Each element read once, into the copy that is used: a getter cannot answer differently after the check.
  const out = new Array<number>(arr.length);
  for (let i = 0; i < arr.length; i++) out[i] = expectNumber(`${name}[${i}]`, arr[i]);
  return out;
}

/**
 * e such that 2^e is about max |x| (0 for all zeros). Scaling by a power of two is exact (short of
 * subnormal results), and scaled values keep sums and squares in range: 1e308 + 1e308 overflows, and
 * 1e-200 squared underflows to 0.
 */
function scaleExponent(v: readonly number[]): number {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  // At least -1022 so that 2 ** -e stays finite for subnormal inputs.
  return max === 0 ? 0 : Math.max(-1022, Math.floor(Math.log2(max)));
}

/** Arithmetic mean of a non-empty list of finite numbers. */
export function mean(xs: ArrayLike<number>): number {
  const v = finiteArray('xs', xs);
  const e = scaleExponent(v);
  const down = 2 ** -e;
  let sum = 0;
  for (const x of v) sum += x * down;
  // The same result as the plain sum wherever that one does not overflow: the scaling changes no rounding.
  return (sum / v.length) * 2 ** e;
}

/** Sample standard deviation (divides by n-1); 0 for a single value, as there is no spread to estimate. */
export function std(xs: ArrayLike<number>): number {
  const v = finiteArray('xs', xs);
  if (v.length === 1) return 0;
  const e = scaleExponent(v);
  const down = 2 ** -e;
  // Two passes on values shifted by the first one: equal values give exactly 0 (a mean of 0.1, 0.1 and
  // 0.1 computed as 0.30000000000000004 / 3 would not).
  const shift = v[0] * down;
  let sum = 0;
  for (const x of v) sum += x * down - shift;
  const m = sum / v.length;
  let ss = 0;
  for (const x of v) {
    const d = x * down - shift - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (v.length - 1)) * 2 ** e;
}

/** A fraction as a percentage: formatPercent(0.875) === '87.50%'. */
export function formatPercent(fraction: number, digits = 2): string {
  expectNumber('fraction', fraction);
  expectInteger('digits', digits, { min: 0, max: 20 });
  // From 1e19 (then an integer) the percentage reaches 1e21, where toFixed writes an exponent: in digits.
  if (Math.abs(fraction) >= 1e19) return `${formatHuge(fraction)}${digits > 0 ? `.${'0'.repeat(digits)}` : ''}%`;
  // Scale by 100 through the decimal string so that 0.8735 prints 87.35, not 87.34999....
  const pct = Number(`${fraction}e2`);
  const text = (Number.isFinite(pct) ? pct : fraction * 100).toFixed(digits);
  // -0.00001 rounds to zero: print "0.00%", not "-0.00%".
  return `${/^-[0.]+$/.test(text) ? text.slice(1) : text}%`;
}

/** |fraction| >= 1e19 as a percentage in digits: 100 times its exact integer value (no fraction digits are left). */
function formatHuge(fraction: number): string {
  const digits = (BigInt(Math.abs(fraction)) * 100n).toString();
  return fraction < 0 ? `-${digits}` : digits;
}

/**
 * An integer with thousands separators, as in the paper's Table 3: formatInt(13446) === '13,446'.
 * Non-integers are rounded; every finite number is written out in digits (1e21 as 1,000,000,000,000,000,000,000).
 */
export function formatInt(n: number): string {
  expectNumber('n', n);
  const r = Math.round(n);
  // Own grouping rather than toLocaleString: output must not depend on the ICU data or locale. BigInt
  // rather than toFixed, which switches to exponent notation from 1e21.
  const digits = BigInt(Math.abs(r)).toString();
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return r < 0 ? `-${grouped}` : grouped;
}

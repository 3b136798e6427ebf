/** Parsing of CLI option values into validated numbers and lists, with "Expected X for Y" messages. */
import { ValidationError } from '../errors';
import { CSV_DELIMITERS, type CsvDelimiter } from '../data/csv';
import { FLOAT32_MAX } from '../model/options';
import { DECIMAL_NOTATION, fail, type Range, expectInteger, expectNumber } from '../validate';

/**
 * Limits of the core, checked here so that a bad value is reported under the flag the user typed, before
 * any data is loaded (the API and the native binding check them again, under their own names).
 */
export const LIMITS = Object.freeze({
  /** Every float option reaches the core as a 32-bit float (native/binding/options.cpp read_number). */
  float: FLOAT32_MAX,
  /** Neurons per layer (lib/model/options.ts MAX_NEURONS, the core's layers[i] check). */
  neurons: 2147483647,
  /** Layer sizes of a model, inputs and classes included (native/binding/options.cpp). */
  layers: 4096,
  /** Epochs of one fit (lib/model/options.ts resolveTrainOptions). */
  epochs: 1_000_000,
  /** Sparse connection indices are 32-bit: fewer than 2^32 - 1 expected connections per layer (core config.cpp). */
  connectionsPerLayer: 4294967295,
} as const);

/** An integer in decimal digits (no exponent, no point: "1e3" and "5." are not integers here). */
const DIGITS = /^[+-]?\d+$/;

/**
 * What a failed check echoes: the parsed number when it is what the user typed, else the typed text
 * (quoted), e.g. "18446744073709551615" rather than the double it rounds to, or "1e-400" rather than 0.
 */
function received(text: string, n: number, integer: boolean): number | string {
  if (!Number.isFinite(n)) return text;
  if (integer) return Number.isSafeInteger(n) || BigInt(text) === BigInt(n) ? n : text;
  // A decimal that underflowed to zero although it has a non-zero digit before its exponent.
  return n === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')) ? text : n;
}

/** Checks `n` with `check`; when it fails, fails again echoing `received(...)` (the typed text where `n` is not it). */
function checked(text: string, n: number, integer: boolean, check: (value: number | string) => number): number {
  try {
    return check(n);
  } catch (err) {
    const shown = received(text, n, integer);
    if (shown !== n) check(shown);
    throw err;
  }
}

/** A finite number in decimal notation in the range; with no upper bound given, at most the largest 32-bit float. */
export function number(flag: string, r: Range = {}): (v: string) => number {
  const range = r.max === undefined ? { ...r, max: LIMITS.float } : r;
  return (v) => {
    const t = v.trim();
    if (!DECIMAL_NOTATION.test(t)) return expectNumber(flag, v, range);
    return checked(t, Number(t), false, (x) => expectNumber(flag, x, range));
  };
}

/** Without an upper bound, at most 2^53 - 1: every integer above it is not exactly representable as a number. */
const withMax = (r: Range): Range => (r.max === undefined ? { ...r, max: Number.MAX_SAFE_INTEGER } : r);

/** An integer in decimal digits in the range; with no upper bound given, at most 2^53 - 1 (stated in the message). */
export function integer(flag: string, r: Range = {}): (v: string) => number {
  const range = withMax(r);
  return (v) => {
    const t = v.trim();
    if (!DIGITS.test(t)) return expectInteger(flag, v, range);
    return checked(t, Number(t) + 0, true, (x) => expectInteger(flag, x, range)); // + 0: "-0" is 0
  };
}

/** A comma-separated list of integers, e.g. "300,300", of at most `maxLength` items. */
export function integerList(flag: string, r: Range = {}, maxLength = Infinity): (v: string) => number[] {
  const range = withMax(r);
  return (v) => {
    const parts = v.split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => !DIGITS.test(p))) {
      fail('a comma-separated list of integers (e.g. 300,300)', flag, v);
    }
    if (parts.length > maxLength) {
      throw new ValidationError(`Expected at most ${maxLength} sizes for ${flag} but received ${parts.length}`);
    }
    return parts.map((p) => checked(p, Number(p), true, (x) => expectInteger(flag, x, range)));
  };
}

export function choice<T extends string>(flag: string, choices: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(choices as readonly string[]).includes(v)) fail(`one of ${choices.join(', ')}`, flag, v);
    return v as T;
  };
}

/** A file or directory path: an empty string is an error, not "the default" (`--data ""`). */
export function path(flag: string, what = 'a file path'): (v: string) => string {
  return (v) => {
    if (v.trim() === '') fail(`a non-empty ${what.replace(/^an? /, '')}`, flag, v);
    return v;
  };
}

/**
 * A CSV column: an integer is a 0-based index ("3"; "-1" is refused), anything else a name in the header
 * ("species"). A column named with digits is given by its index.
 */
export function column(flag: string): (v: string) => string | number {
  const index = integer(flag, { min: 0 });
  return (v) => {
    if (v.trim() === '') fail('a column name or a 0-based column index', flag, v);
    return DIGITS.test(v.trim()) ? index(v) : v;
  };
}

/** Binary units (K, KiB: 1024) and decimal ones (KB: 1000), as `ls -h` and disk makers write them. */
const BYTE_UNITS: Readonly<Record<string, number>> = Object.freeze({
  '': 1, b: 1,
  k: 2 ** 10, kib: 2 ** 10, m: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gib: 2 ** 30, t: 2 ** 40, tib: 2 ** 40,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
});

/** A size in bytes: digits with an optional unit (case-insensitive), e.g. 4GiB, 1.5G or 4GB. */
export function byteSize(flag: string, r: Range = {}): (v: string) => number {
  const range = withMax(r);
  const what = 'a size in bytes, such as 2147483648, 4GiB, 1.5G or 4GB (K, M, G, T and KiB... count 1024s, KB, MB... 1000s)';
  return (v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
    const unit = m ? BYTE_UNITS[m[2].toLowerCase()] : undefined;
    if (!m || unit === undefined) fail(what, flag, v);
    const bytes = Math.round(Number(m[1]) * unit);
    if (!Number.isSafeInteger(bytes)) fail(what, flag, v);
    return expectInteger(flag, bytes, range);
  };
}

/** A CSV delimiter by its character, or "tab" (a tab is awkward to type in a shell). */
export function delimiter(flag: string): (v: string) => CsvDelimiter {
  return (v) => {
    const d = v === 'tab' ? '\t' : v;
    const found = CSV_DELIMITERS.find((c) => c === d);
    if (found === undefined) fail('one of ",", ";", "|" or tab', flag, v);
    return found;
  };
}

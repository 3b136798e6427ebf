/** Parsing of CLI option values into validated numbers and lists, with "Expected X for Y" messages. */
import { ValidationError } from '../errors';
import { FLOAT32_MAX } from '../model/options';
import { fail, type Range, expectInteger, expectNumber } from '../validate';

/**
 * Limits of the core, checked here so that a bad value is reported under the flag the user typed, before
 * any data is loaded (the API and the native binding check them again, under their own names).
 */
export const LIMITS = {
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
} as const;

/** A finite number in the range; with no upper bound given, at most the largest 32-bit float. */
export function number(flag: string, r: Range = {}): (v: string) => number {
  const range = r.max === undefined ? { ...r, max: LIMITS.float } : r;
  return (v) => {
    const n = v.trim() === '' ? NaN : Number(v);
    return expectNumber(flag, Number.isFinite(n) ? n : v, range);
  };
}

export function integer(flag: string, r: Range = {}): (v: string) => number {
  return (v) => {
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : v;
    return expectInteger(flag, n, r);
  };
}

/** A comma-separated list of integers, e.g. "300,300", of at most `maxLength` items. */
export function integerList(flag: string, r: Range = {}, maxLength = Infinity): (v: string) => number[] {
  return (v) => {
    const parts = v.split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => !/^[+-]?\d+$/.test(p))) {
      fail('a comma-separated list of integers (e.g. 300,300)', flag, v);
    }
    if (parts.length > maxLength) {
      throw new ValidationError(`Expected at most ${maxLength} sizes for ${flag} but received ${parts.length}`);
    }
    return parts.map((p) => expectInteger(flag, Number(p), r));
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

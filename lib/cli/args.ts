/** Parsing of CLI option values into validated numbers and lists, with "Expected X for Y" messages. */
import { fail, type Range, expectInteger, expectNumber } from '../validate';

export function number(flag: string, r: Range = {}): (v: string) => number {
  return (v) => {
    const n = v.trim() === '' ? NaN : Number(v);
    return expectNumber(flag, Number.isFinite(n) ? n : v, r);
  };
}

export function integer(flag: string, r: Range = {}): (v: string) => number {
  return (v) => {
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : v;
    return expectInteger(flag, n, r);
  };
}

/** A comma-separated list of integers, e.g. "300,300". */
export function integerList(flag: string, r: Range = {}): (v: string) => number[] {
  return (v) => {
    const parts = v.split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => !/^[+-]?\d+$/.test(p))) {
      fail('a comma-separated list of integers (e.g. 300,300)', flag, v);
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

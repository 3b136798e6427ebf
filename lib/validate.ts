import { ValidationError } from './errors';

/** A short human description of a received value, for "Expected X for Y but received Z". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'boolean' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Throw a ValidationError of the form "Expected X for Y but received Z". */
export function fail(expected: string, name: string, received: unknown): never {
  throw new ValidationError(`Expected ${expected} for ${name} but received ${describe(received)}`);
}

export interface Range {
  min?: number;
  max?: number;
  /** Exclusive bounds instead of inclusive. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function rangeText(kind: string, r: Range): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`${r.minExclusive ? '>' : '>='} ${r.min}`);
  if (r.max !== undefined) parts.push(`${r.maxExclusive ? '<' : '<='} ${r.max}`);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

function inRange(v: number, r: Range): boolean {
  if (r.min !== undefined && (r.minExclusive ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive ? v >= r.max : v > r.max)) return false;
  return true;
}

/**
 * Numbers written in decimal notation: digits with an optional point and exponent (5, -2, 5., .5, 1e-3,
 * 2.5E+4). Number() alone would also take hexadecimal, binary and octal literals (0x10, 0b11, 0o1),
 * "Infinity" and "" (as 0); text from users (CLI flags, CSV cells) is checked against this first.
 * Written so that no text can be matched in two ways: `\d+\.?\d*` split a run of digits between its two
 * parts in every possible way before failing, which took minutes on a CSV cell of 100,000 digits and a letter.
 */
export const DECIMAL_NOTATION = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number within the range. */
export function expectNumber(name: string, value: unknown, r: Range = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value, r)) {
    fail(rangeText('a finite number', r), name, value);
  }
  return value;
}

/** A safe integer within the range. */
export function expectInteger(name: string, value: unknown, r: Range = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inRange(value, r)) {
    // Beyond 2^53 - 1 an integer is no longer exact: say where the range ends.
    const unsafe = typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);
    fail(rangeText('an integer', unsafe && r.max === undefined ? { ...r, max: Number.MAX_SAFE_INTEGER } : r), name, value);
  }
  return value;
}

export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail('a boolean', name, value);
  return value;
}

export function expectString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) fail('a non-empty string', name, value);
  return value;
}

export function expectOneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(`one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, name, value);
  }
  return value as T;
}

/** A non-empty array of integers, each within the range. */
export function expectIntegerArray(name: string, value: unknown, r: Range = {}): number[] {
  if (!Array.isArray(value) || value.length === 0) fail(`a non-empty array of ${rangeText('integers', r)}`, name, value);
  value.forEach((v, i) => expectInteger(`${name}[${i}]`, v, r));
  return value as number[];
}

/** A plain object (or undefined, which becomes {}). */
export function expectOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('an options object', name, value);
  return value as Record<string, unknown>;
}

/** Reject keys that the options object does not know: a typo should not be silently ignored. */
export function rejectUnknownKeys(name: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ValidationError(
        `Expected only the options ${known.join(', ')} for ${name} but received the unknown option ${JSON.stringify(key)}`,
      );
    }
  }
}

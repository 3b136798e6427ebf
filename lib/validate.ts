import { types } from 'node:util';
import { ValidationError } from './errors';

// Typed-array checks by internal slot, not `instanceof`: a Proxy of a Float32Array passes `instanceof` and then
// throws V8's own TypeError on `.length`; arrays from another realm (vm, worker) fail `instanceof` but are fine.
export const isFloat32Array = (v: unknown): v is Float32Array => types.isFloat32Array(v);
export const isFloat64Array = (v: unknown): v is Float64Array => types.isFloat64Array(v);
export const isInt32Array = (v: unknown): v is Int32Array => types.isInt32Array(v);
export const isUint8Array = (v: unknown): v is Uint8Array => types.isUint8Array(v);

/** A typed array (no DataView, no Proxy of one) whose values are numbers, not BigInts. */
export function isNumberTypedArray(v: unknown): v is ArrayLike<number> & ArrayBufferView {
  return types.isTypedArray(v) && !types.isBigInt64Array(v) && !types.isBigUint64Array(v);
}

/**
 * A plain array or a number typed array whose buffer is still attached: what the API takes as a list of
 * numbers. A detached array reads as empty, so it would pass for "no values" without this.
 */
export function isNumberList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (isNumberTypedArray(v) && !isDetached(v));
}

/**
 * Whether the view's buffer was detached (transferred or a closed worker's): its length reads 0 and any
 * iteration throws V8's TypeError. Node 20 has no ArrayBuffer.prototype.detached, so slice(0, 0) tells.
 */
export function isDetached(view: ArrayBufferView): boolean {
  if (view.byteLength !== 0 || types.isSharedArrayBuffer(view.buffer)) return false;
  try {
    view.buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/** A short human description of a received value, for "Expected X for Y but received Z". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'boolean' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return 'a function';
  // Before anything reads a property: a Proxy's traps may throw, and a typed array's getters refuse a Proxy.
  if (types.isProxy(value)) return Array.isArray(value) ? 'a Proxy of an array' : 'a Proxy';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const kind = types.isTypedArray(value) ? TYPED_ARRAY_NAME.call(value) : 'DataView';
    const detached = isDetached(value) ? ' (detached)' : '';
    return `${withArticle(kind)}${detached} of length ${types.isTypedArray(value) ? TYPED_ARRAY_LENGTH.call(value) : value.byteLength}`;
  }
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? withArticle(name) : 'an object';
}

/** "an Int32Array", "a Uint8Array", "an Error": by the first letter, as class names are read aloud. */
function withArticle(name: string): string {
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
}

// The intrinsic getters, so that an own `length` or `constructor` property cannot lie in a message.
const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Uint8Array.prototype) as object;
const TYPED_ARRAY_NAME = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, Symbol.toStringTag)!.get as (this: unknown) => string;
const TYPED_ARRAY_LENGTH = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, 'length')!.get as (this: unknown) => number;

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
  /**
   * The value is stored as a float32 (native training settings): the bounds hold for it once rounded, so that
   * 0.99999999999 for a bound "< 1" is refused here, not by the addon as 1.
   */
  float32?: boolean;
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
  if (r.float32 && !inRange(Math.fround(value), r)) {
    fail(`${rangeText('a finite number', r)} once rounded to float32 (it rounds to ${Math.fround(value)})`, name, value);
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
  // A loop, not forEach, which skips the holes of a sparse array ([, 2]) as if they were not there.
  for (let i = 0; i < value.length; i++) expectInteger(`${name}[${i}]`, value[i], r);
  return value as number[];
}

/** Objects with their own internals (a Map's entries are no options): never an options or data object. */
export function isBuiltInObject(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    types.isAnyArrayBuffer(value) ||
    types.isMap(value) ||
    types.isSet(value) ||
    types.isWeakMap(value) ||
    types.isWeakSet(value) ||
    types.isDate(value) ||
    types.isRegExp(value) ||
    types.isPromise(value) ||
    types.isBoxedPrimitive(value) ||
    value instanceof Error
  );
}

/** The named fields of `value`, each read once: a getter cannot answer differently between a check and a use. */
export function readFields<K extends string>(value: object, keys: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * An option's value, or `fallback` when it was left out (undefined). null is a value like any other, refused by
 * the check that follows, as SparseMLP.create refuses it: `??` would take it for "left out" in some places only.
 */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/**
 * `defaults` with the given options over them, each read once. A key given as undefined keeps its default, as
 * everywhere else in the API (`{ seed: maybeSeed }` with maybeSeed undefined); a spread would put undefined in.
 */
export function withDefaults<T extends object>(defaults: T, given: Record<string, unknown>): Record<keyof T, unknown> & Record<string, unknown> {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const key of Object.keys(given)) {
    const v = given[key];
    if (v !== undefined) out[key] = v;
  }
  return out as Record<keyof T, unknown> & Record<string, unknown>;
}

/** A plain object (or undefined, which becomes {}). */
export function expectOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isBuiltInObject(value)) fail('an options object', name, value);
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

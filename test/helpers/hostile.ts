/**
 * Hostile values for the API fuzz harnesses (test/model/api-fuzz.test.ts, test/report/public-api-fuzz.test.ts).
 * Objects made here are labelled (tag), so that describing them never runs a getter or a trap.
 */
import { CallerError, type Rng } from './fuzz';

const TAGS = new WeakMap<object, string>();

/** Labels `o` for the findings' descriptions; returns it. */
export function tag<T extends object>(o: T, label: string): T {
  TAGS.set(o, label);
  return o;
}

/** The label of an object made here, or undefined. */
export function tagOf(o: object): string | undefined {
  return TAGS.get(o);
}

export const NUMBERS: readonly number[] = [
  NaN, Infinity, -Infinity, -0, 0, 1, 2, 3, -1, 0.5, 1.5, 1e-9, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e308, -1e308, 3.5e38,
  Number.MIN_VALUE, 0.1 + 0.2,
];

/** `a` with its buffer transferred away (detached): length 0, and iteration throws. */
export function detach<T extends ArrayBufferView>(a: T): T {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}

/** `o` with a getter `key` that throws the caller's own error; `label` describes `o` before it. */
export function throwingGetter<T extends object>(o: T, key: string | number, label: string): T {
  Object.defineProperty(o, key, {
    enumerable: true,
    configurable: true,
    get() {
      throw new CallerError(`getter of ${key}`);
    },
  });
  return tag(o, `${label} with a throwing getter ${key}`);
}

export function throwingProxy(): object {
  const trap = () => {
    throw new CallerError('Proxy trap');
  };
  return tag(new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap, set: trap }), 'Proxy(throwing traps)');
}

/** Array.isArray for the harnesses' own judgements: false, not a TypeError, for a revoked Proxy. */
export function isArrayNoThrow(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

/** Whether a typed array's buffer was transferred away (see detach): its length reads 0 and iteration throws. */
export function isDetachedView(v: ArrayBufferView): boolean {
  if (v.byteLength !== 0) return false;
  try {
    v.buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return tag(proxy, 'Proxy(revoked)');
}

/** "Anything at all": a number, a string of `strings`, another primitive, or one of `objects` (made lazily). */
export function hostileFrom(strings: readonly string[], objects: () => readonly ((rng: Rng, depth: number) => unknown)[]): (rng: Rng, depth?: number) => unknown {
  return (rng, depth = 0) => {
    switch (rng.int(depth > 1 ? 4 : 7)) {
      case 0:
      case 1:
        return rng.pick(NUMBERS);
      case 2:
        return rng.pick(strings);
      case 3:
        return rng.pick([true, false, null, undefined, 10n, -1n, Symbol('s'), tag(() => 1, 'fn')]);
      default:
        return rng.pick(objects())(rng, depth);
    }
  };
}

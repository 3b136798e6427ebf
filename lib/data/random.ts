import { types } from 'node:util';
import { expectInteger, fail, isDetached } from '../validate';

/** A mutable array-like that `shuffle` can permute in place (plain arrays and typed arrays). */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/** splitmix32 step: spreads a seed's bits so that nearby seeds give unrelated xoshiro states. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seeded pseudo-random generator: xoshiro128** (fast, 2^128 - 1 period, passes BigCrush), state
 * initialised with splitmix32. The same seed always gives the same sequence, on every platform.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /** `seed`: any safe integer (negative and above 2^32 too: both 32-bit halves are mixed in). */
  constructor(seed = 0) {
    expectInteger('seed', seed);
    const low = seed >>> 0;
    const high = Math.floor(seed / 4294967296) >>> 0;
    const st = { s: low ^ Math.imul(high, 0x9e3779b9) };
    // One extra mixing round for the high half so that seeds differing only there still diverge.
    st.s = (st.s + splitmix32({ s: high })) | 0;
    // Stored as int32 (| 0) throughout: fields that mix int32 and uint32 values deoptimise in V8.
    this.a = splitmix32(st) | 0;
    this.b = splitmix32(st) | 0;
    this.c = splitmix32(st) | 0;
    this.d = splitmix32(st) | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias; `n` an integer in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) fail('an integer >= 1 and <= 4294967296', 'n', n);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 32 random bits per uniform are plenty here; u in (0, 1] so that log(u) is finite.
    const u = (this.nextUint32() + 1) / 4294967296;
    const v = this.nextUint32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    // Arrays and typed arrays only: an { length } object or a string has no elements to permute, and a frozen
    // array (or a detached buffer) none that can be written.
    const ok = (Array.isArray(array) || (types.isTypedArray(array) && !isDetached(array))) && !Object.isFrozen(array);
    if (!ok) fail('an array or typed array that can be written', 'array', array);
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A new generator for `seed` (default 0). */
export function createRandom(seed = 0): Random {
  return new Random(seed);
}

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { applyStandardizer, fitStandardizer } from '../../lib/data/standardize';
import { Random } from '../../lib/data/random';

/** Straightforward reference: mean, then population variance, one column at a time in float64. */
function reference(X: Float32Array, n: number, f: number): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < f; j++) {
    const col = Array.from({ length: n }, (_, i) => X[i * f + j]);
    const m = col.reduce((a, b) => a + b, 0) / n;
    mean.push(m);
    std.push(Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / n));
  }
  return { mean, std };
}

function randomMatrix(n: number, f: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const X = new Float32Array(n * f);
  // Columns on very different scales and offsets, as in the real datasets.
  const scale = Array.from({ length: f }, (_, j) => 10 ** (j % 7 - 3));
  const offset = Array.from({ length: f }, (_, j) => (j % 3) * 1000 - 500);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) X[i * f + j] = offset[j] + scale[j] * rng.normal();
  return X;
}

describe('fitStandardizer / applyStandardizer', () => {
  it('matches a naive reference', () => {
    const n = 57;
    const f = 23;
    const X = randomMatrix(n, f, 1);
    const s = fitStandardizer(X, n, f);
    const ref = reference(X, n, f);
    for (let j = 0; j < f; j++) {
      expect(s.mean[j]).toBeCloseTo(ref.mean[j], 9);
      expect(Math.abs(s.scale[j] - ref.std[j]) / ref.std[j]).toBeLessThan(1e-12);
    }
    const Z = applyStandardizer(s, X, n, f);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) {
        const expected = (X[i * f + j] - ref.mean[j]) / ref.std[j];
        expect(Math.abs(Z[i * f + j] - expected)).toBeLessThan(1e-5 * Math.max(1, Math.abs(expected)));
      }
    }
    // The standardised training columns have mean 0 and std 1.
    const z = fitStandardizer(Z, n, f);
    for (let j = 0; j < f; j++) {
      expect(Math.abs(z.mean[j])).toBeLessThan(1e-6);
      expect(Math.abs(z.scale[j] - 1)).toBeLessThan(1e-5);
    }
  });

  it('is exact where a one-pass sum of squares would cancel', () => {
    // 1e7 + 0..9 in float32: variance 8.25 exactly; E[x^2] - E[x]^2 would lose most digits.
    const X = Float32Array.from({ length: 10 }, (_, i) => 1e7 + i);
    const s = fitStandardizer(X, 10, 1);
    expect(s.mean[0]).toBe(1e7 + 4.5);
    expect(s.scale[0]).toBe(Math.sqrt(8.25));
  });

  it('maps constant columns to exactly 0 with scale 1 (no division by zero, no NaN)', () => {
    const n = 5;
    const X = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      X[i * 3] = 0.1; // not representable: a computed mean could differ from it by rounding
      X[i * 3 + 1] = i;
      X[i * 3 + 2] = 0;
    }
    const s = fitStandardizer(X, n, 3);
    expect(Array.from(s.scale)).toEqual([1, Math.sqrt(2), 1]);
    expect(s.mean[0]).toBe(Math.fround(0.1));
    const Z = applyStandardizer(s, X, n, 3);
    expect(Z.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < n; i++) {
      expect(Z[i * 3]).toBe(0);
      expect(Z[i * 3 + 2]).toBe(0);
    }
    // A test sample that differs from the constant is shifted but not scaled.
    expect(Array.from(applyStandardizer(s, Float32Array.from([1.1, 2, 3]), 1, 3))).toEqual([Math.fround(Math.fround(1.1) - Math.fround(0.1)), 0, 3]);
  });

  it('uses only the rows it was fitted on', () => {
    const train = Float32Array.from([1, 10, 3, 30]); // 2 x 2
    const test = Float32Array.from([100, 1000]);
    const s = fitStandardizer(train, 2, 2);
    expect(Array.from(s.mean)).toEqual([2, 20]);
    expect(Array.from(s.scale)).toEqual([1, 10]);
    expect(Array.from(applyStandardizer(s, test, 1, 2))).toEqual([98, 98]);
    // Fitting on train + test would give other numbers: the test row must not leak in.
    const all = fitStandardizer(Float32Array.from([...train, ...test]), 3, 2);
    expect(all.mean[0]).not.toBe(2);
  });

  it('returns a new array and leaves the input alone', () => {
    const X = Float32Array.from([1, 2, 3, 4]);
    const s = fitStandardizer(X, 4, 1);
    const Z = applyStandardizer(s, X, 4, 1);
    expect(Z).not.toBe(X);
    expect(Array.from(X)).toEqual([1, 2, 3, 4]);
    expect(applyStandardizer(s, new Float32Array(0), 0, 1)).toHaveLength(0);
  });

  it('validates its arguments', () => {
    const X = new Float32Array(6);
    expect(() => fitStandardizer(X, 4, 2)).toThrow(/Expected a Float32Array of length 8 \(samples x features\) for X/);
    expect(() => fitStandardizer(X, 0, 6)).toThrow(ValidationError);
    expect(() => fitStandardizer([1, 2] as unknown as Float32Array, 2, 1)).toThrow(ValidationError);
    const s = fitStandardizer(X, 3, 2);
    expect(() => applyStandardizer(s, X, 2, 3)).toThrow(/standardizer\.mean/);
    expect(() => applyStandardizer({ mean: new Float64Array(2), scale: Float64Array.from([1, 0]) }, X, 3, 2)).toThrow(
      /positive finite number for standardizer\.scale\[1\]/,
    );
  });
});

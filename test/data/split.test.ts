import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { datasetFromArrays } from '../../lib/data/dataset';
import { Random } from '../../lib/data/random';
import { allocateTest, stratifiedSplit, subset } from '../../lib/data/split';

/** Labels with the given number of samples per class, in random order. */
function labels(counts: number[], seed = 0): Int32Array {
  const y = Int32Array.from(counts.flatMap((c, k) => new Array<number>(c).fill(k)));
  return new Random(seed).shuffle(y);
}

function countsIn(y: Int32Array, idx: Int32Array, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const i of idx) c[y[i]]++;
  return c;
}

/** Disjoint, complete, exact size, and each class's share within 1 of proportional. */
function checkSplit(y: Int32Array, split: { train: Int32Array; test: Int32Array }, testSize: number): void {
  const n = y.length;
  expect(split.test.length).toBe(testSize);
  expect(split.train.length).toBe(n - testSize);
  const all = [...split.train, ...split.test].sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
  const classes = Math.max(...y) + 1;
  const total = countsIn(y, Int32Array.from({ length: n }, (_, i) => i), classes);
  const test = countsIn(y, split.test, classes);
  for (let c = 0; c < classes; c++) {
    expect(Math.abs(test[c] - (testSize * total[c]) / n)).toBeLessThan(1);
    if (total[c] >= 2) expect(test[c]).toBeLessThan(total[c]); // keeps one in train
  }
}

describe('stratifiedSplit', () => {
  it('uses ceil(n / 3) test samples by default, ceil(n * f) with a fraction', () => {
    for (const n of [2, 3, 4, 10, 50, 73, 100, 2600]) {
      const y = labels([Math.ceil(n / 2), Math.floor(n / 2)], n);
      checkSplit(y, stratifiedSplit(y), Math.ceil(n / 3));
      checkSplit(y, stratifiedSplit(y, { testFraction: 0.2 }), Math.ceil(n * 0.2));
    }
    const y = labels([30, 20, 10]);
    checkSplit(y, stratifiedSplit(y, { testSize: 7 }), 7);
    checkSplit(y, stratifiedSplit(y, { testSize: 57 }), 57);
  });

  it('stays proportional on many random class distributions', () => {
    const rng = new Random(99);
    for (let t = 0; t < 200; t++) {
      const k = 1 + rng.nextInt(8);
      const counts = Array.from({ length: k }, () => 1 + rng.nextInt(40));
      const y = labels(counts, t);
      const n = y.length;
      if (n < 3) continue;
      const testSize = 1 + rng.nextInt(n - 1);
      const capacity = counts.reduce((a, c) => a + (c >= 2 ? c - 1 : c), 0);
      if (testSize > capacity) {
        expect(() => stratifiedSplit(y, { testSize })).toThrow(ValidationError);
      } else {
        checkSplit(y, stratifiedSplit(y, { testSize, seed: t }), testSize);
      }
    }
  });

  it('splits madelon-like balanced labels 434/433 (ties go to the lower class index)', () => {
    const y = labels([1300, 1300]);
    const split = stratifiedSplit(y);
    expect(split.test.length).toBe(867);
    expect(countsIn(y, split.test, 2)).toEqual([434, 433]);
  });

  it('is deterministic for a seed, different across seeds, and shuffled', () => {
    const y = labels([40, 35, 25]);
    const a = stratifiedSplit(y, { seed: 5 });
    const b = stratifiedSplit(y, { seed: 5 });
    const c = stratifiedSplit(y, { seed: 6 });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
    const sorted = Array.from(a.train).sort((p, q) => p - q);
    expect(Array.from(a.train)).not.toEqual(sorted);
    expect(Array.from(stratifiedSplit(y).test)).toEqual(Array.from(stratifiedSplit(y, { seed: 0 }).test));
  });

  it('keeps a training sample of every class with at least two samples', () => {
    const y = labels([2, 2, 2, 10]);
    const split = stratifiedSplit(y, { testFraction: 0.7 });
    const train = countsIn(y, split.train, 4);
    expect(train.every((c) => c >= 1)).toBe(true);
    expect(() => stratifiedSplit(labels([2, 2]), { testSize: 3 })).toThrow(/at most 2 \(so that every class keeps a training sample\)/);
  });

  it('validates its arguments', () => {
    const y = labels([5, 5]);
    const bad: [unknown, RegExp][] = [
      [{ testSize: 0 }, /options\.testSize/],
      [{ testSize: 10 }, /<= 9 for options\.testSize but received 10/],
      [{ testSize: 2.5 }, /options\.testSize/],
      [{ testFraction: 0 }, /options\.testFraction/],
      [{ testFraction: 1 }, /options\.testFraction/],
      [{ testFraction: 0.95 }, /leaves at least one training sample/],
      [{ testFraction: NaN }, /options\.testFraction/],
      [{ testSize: 3, testFraction: 0.5 }, /only one of testSize and testFraction/],
      [{ seed: 0.5 }, /options\.seed/],
      [{ test: 3 }, /unknown option "test"/],
      [null, /options object/],
    ];
    for (const [options, pattern] of bad) expect(() => stratifiedSplit(y, options as never)).toThrow(pattern);
    expect(() => stratifiedSplit([0, 1, 0] as unknown as Int32Array)).toThrow(/Int32Array/);
    expect(() => stratifiedSplit(new Int32Array(1))).toThrow(ValidationError);
    expect(() => stratifiedSplit(Int32Array.from([0, -1, 1]))).toThrow(/non-negative class indices for y\[1\]/);
  });
});

describe('allocateTest (largest remainder)', () => {
  it('gives the leftover seats to the largest remainders, ties to the lower class', () => {
    expect(Array.from(allocateTest([1, 1, 1], 1))).toEqual([1, 0, 0]);
    expect(Array.from(allocateTest([5, 5], 5))).toEqual([3, 2]);
    // Shares 30*[10, 25, 65]/100 = [3, 7.5, 19.5]: one extra seat, tie between classes 1 and 2.
    expect(Array.from(allocateTest([10, 25, 65], 30))).toEqual([3, 8, 19]);
    // Shares 4*[6, 3, 1]/10 = [2.4, 1.2, 0.4]: remainders 0.4, 0.2, 0.4 tie between classes 0 and 2.
    expect(Array.from(allocateTest([6, 3, 1], 4))).toEqual([3, 1, 0]);
    // Shares 3*[1, 1, 4]/6 = [0.5, 0.5, 2]: the seat goes to class 0.
    expect(Array.from(allocateTest([1, 1, 4], 3))).toEqual([1, 0, 2]);
  });

  it('passes seats on when a class must keep its last training sample', () => {
    // Shares 9*[2, 10]/12 = [1.5, 7.5]: the tie goes to class 0, which would then have 2 of 2 in test.
    expect(Array.from(allocateTest([2, 10], 9))).toEqual([1, 8]);
  });
});

describe('subset', () => {
  it('copies the selected rows and keeps classes and labels', () => {
    const d = datasetFromArrays('d', [[1, 2], [3, 4], [5, 6]], [10, 20, 10]);
    const s = subset(d, Int32Array.from([2, 0, 2]));
    expect(Array.from(s.X)).toEqual([5, 6, 1, 2, 5, 6]);
    expect(Array.from(s.y)).toEqual([0, 0, 0]);
    expect(s.samples).toBe(3);
    expect(s.features).toBe(2);
    expect(s.classes).toBe(2);
    expect(s.labels).toEqual([10, 20]);
    s.X[0] = 99;
    expect(d.X[4]).toBe(5); // no aliasing
    expect(subset(d, []).samples).toBe(0);
  });

  it('validates indices', () => {
    const d = datasetFromArrays('d', [[1], [2]], [0, 1]);
    expect(() => subset(d, [2])).toThrow(/Expected an index in \[0, 1\] for indices\[0\] but received 2/);
    expect(() => subset(d, [0.5])).toThrow(ValidationError);
    expect(() => subset(d, 'ab' as unknown as number[])).toThrow(ValidationError);
    expect(() => subset({} as never, [0])).toThrow(ValidationError);
  });
});

describe('stratifiedSplit with sparse class labels', () => {
  it('groups only the labels that occur: {0, 10^8} and {0, 2^31 - 1} split like {0, 1}', () => {
    const dense = Int32Array.from([0, 1, 0, 1, 1, 0, 0, 1, 1]);
    const reference = stratifiedSplit(dense, { seed: 4 });
    for (const big of [1e8, 2 ** 31 - 1]) {
      const sparse = dense.map((v) => (v === 1 ? big : 0));
      expect(stratifiedSplit(sparse, { seed: 4 })).toEqual(reference);
    }
  });
});

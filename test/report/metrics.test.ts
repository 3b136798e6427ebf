/** classificationMetrics against a worked example and a brute-force reference on random labels. */
import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../lib';
import { ValidationError } from '../../lib/errors';

describe('classificationMetrics', () => {
  it('matches a worked example (scikit-learn conventions, an absent class left out of the averages)', () => {
    const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 4);
    expect(m.confusion).toEqual([
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    expect(m.correct).toBe(4);
    expect(m.accuracy).toBeCloseTo(4 / 6, 15);
    expect(m.perClass.map((c) => [c.precision, c.recall, c.support, c.predicted])).toEqual([
      [1, 2 / 3, 3, 2],
      [0.5, 0.5, 2, 2],
      [0.5, 1, 1, 2],
      [0, 0, 0, 0],
    ]);
    expect(m.perClass[0].f1).toBeCloseTo(0.8, 15);
    expect(m.perClass[2].f1).toBeCloseTo(2 / 3, 15);
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 0.5 + 1) / 3, 15);
    expect(m.macroPrecision).toBeCloseTo(2 / 3, 15);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 15);
  });

  it('agrees with a brute-force count on random labels', () => {
    let s = 12345;
    const rand = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
    for (let trial = 0; trial < 20; trial++) {
      const k = 2 + rand(6);
      const n = 1 + rand(200);
      const t = Int32Array.from({ length: n }, () => rand(k));
      const p = Array.from({ length: n }, (_, i) => (rand(3) === 0 ? rand(k) : t[i]));
      const m = classificationMetrics(t, p, k);
      for (let c = 0; c < k; c++) {
        const idx = [...t.keys()];
        const tp = idx.filter((i) => t[i] === c && p[i] === c).length;
        const support = idx.filter((i) => t[i] === c).length;
        const predicted = idx.filter((i) => p[i] === c).length;
        expect(m.perClass[c].support).toBe(support);
        expect(m.perClass[c].recall).toBe(support ? tp / support : 0);
        expect(m.perClass[c].precision).toBe(predicted ? tp / predicted : 0);
      }
      expect(m.correct).toBe([...t.keys()].filter((i) => t[i] === p[i]).length);
      expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
    }
  });

  it('validates its arguments', () => {
    expect(() => classificationMetrics([0, 1], [0], 2)).toThrow(ValidationError);
    expect(() => classificationMetrics([0, 2], [0, 1], 2)).toThrow(/actual\[1\]/);
    expect(() => classificationMetrics([0, 1], [0, 1.5], 2)).toThrow(/predicted\[1\]/);
    expect(() => classificationMetrics([], [], 2)).toThrow(/at least one sample/);
    expect(() => classificationMetrics('01' as never, [0, 1], 2)).toThrow(ValidationError);
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { validateDataset, type Dataset } from '../../lib/data/dataset';
import { applyStandardizer, fitStandardizer } from '../../lib/data/standardize';
import { stratifiedSplit, subset } from '../../lib/data/split';
import { makeSyntheticDataset } from '../../lib/data/synthetic';

/** Standardise on train, then classify test samples by the nearest class mean over `cols`. */
function nearestCentroidAccuracy(d: Dataset, cols: number[], seed = 1): number {
  const { train, test } = stratifiedSplit(d.y, { seed });
  const tr = subset(d, train);
  const te = subset(d, test);
  const s = fitStandardizer(tr.X, tr.samples, tr.features);
  const Xtr = applyStandardizer(s, tr.X, tr.samples, tr.features);
  const Xte = applyStandardizer(s, te.X, te.samples, te.features);
  const f = d.features;
  const centroids = Array.from({ length: d.classes }, () => new Float64Array(f));
  const counts = new Array<number>(d.classes).fill(0);
  for (let i = 0; i < tr.samples; i++) {
    counts[tr.y[i]]++;
    for (const j of cols) centroids[tr.y[i]][j] += Xtr[i * f + j];
  }
  centroids.forEach((c, k) => cols.forEach((j) => (c[j] /= counts[k])));
  let correct = 0;
  for (let i = 0; i < te.samples; i++) {
    let best = 0;
    let bestDist = Infinity;
    centroids.forEach((c, k) => {
      let dist = 0;
      for (const j of cols) dist += (Xte[i * f + j] - c[j]) ** 2;
      if (dist < bestDist) [best, bestDist] = [k, dist];
    });
    if (best === te.y[i]) correct++;
  }
  return correct / te.samples;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Residual of the least-squares fit of column `target` on columns `cols` (normal equations). */
function regressionResidual(d: Dataset, cols: number[], target: number): number {
  const m = cols.length;
  const A = Array.from({ length: m }, () => new Float64Array(m + 1));
  const f = d.features;
  for (let i = 0; i < d.samples; i++) {
    for (let a = 0; a < m; a++) {
      const xa = d.X[i * f + cols[a]];
      for (let b = 0; b < m; b++) A[a][b] += xa * d.X[i * f + cols[b]];
      A[a][m] += xa * d.X[i * f + target];
    }
  }
  for (let p = 0; p < m; p++) {
    for (let r = p + 1; r < m; r++) {
      const k = A[r][p] / A[p][p];
      for (let c = p; c <= m; c++) A[r][c] -= k * A[p][c];
    }
  }
  const beta = new Float64Array(m);
  for (let p = m - 1; p >= 0; p--) {
    let s = A[p][m];
    for (let c = p + 1; c < m; c++) s -= A[p][c] * beta[c];
    beta[p] = s / A[p][p];
  }
  let res = 0;
  let tot = 0;
  for (let i = 0; i < d.samples; i++) {
    let pred = 0;
    for (let a = 0; a < m; a++) pred += beta[a] * d.X[i * f + cols[a]];
    res += (d.X[i * f + target] - pred) ** 2;
    tot += d.X[i * f + target] ** 2;
  }
  return Math.sqrt(res / tot);
}

describe('makeSyntheticDataset', () => {
  it('has the default shape and a valid structure', () => {
    const d = makeSyntheticDataset();
    expect(d.name).toBe('synthetic');
    expect([d.samples, d.features, d.classes]).toEqual([600, 500, 2]);
    expect(d.labels).toEqual([0, 1]);
    expect(d.X).toHaveLength(600 * 500);
    validateDataset(d);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = makeSyntheticDataset({ seed: 4, samples: 100, features: 50 });
    const b = makeSyntheticDataset({ seed: 4, samples: 100, features: 50 });
    const c = makeSyntheticDataset({ seed: 5, samples: 100, features: 50 });
    expect(Array.from(a.X)).toEqual(Array.from(b.X));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.X)).not.toEqual(Array.from(c.X));
  });

  it('balances the classes and mixes their order', () => {
    const d = makeSyntheticDataset({ samples: 601, classes: 3, features: 40, informative: 8 });
    const counts = [0, 0, 0];
    for (const c of d.y) counts[c]++;
    expect(counts).toEqual([201, 200, 200]);
    expect(Array.from(d.y.subarray(0, 30))).not.toEqual([...d.y.subarray(0, 30)].sort());
  });

  it('is learnable from the informative features, and the noise features carry nothing', () => {
    const d = makeSyntheticDataset();
    expect(nearestCentroidAccuracy(d, range(0, 20))).toBeGreaterThan(0.8); // chance: 0.5
    expect(nearestCentroidAccuracy(d, range(25, 500))).toBeLessThan(0.65);
    const four = makeSyntheticDataset({ classes: 4, seed: 2 });
    const informative = nearestCentroidAccuracy(four, range(0, 20));
    expect(informative).toBeGreaterThan(0.6); // chance: 0.25
    expect(nearestCentroidAccuracy(four, range(25, 500))).toBeLessThan(0.4);
    // Not trivial: the noise features clearly hurt a classifier that cannot ignore them.
    expect(nearestCentroidAccuracy(four, range(0, 500))).toBeLessThan(informative - 0.1);
  });

  it('makes the redundant features linear combinations of the informative ones', () => {
    const d = makeSyntheticDataset({ samples: 300, features: 60, informative: 8 });
    // 8 informative -> 2 redundant (columns 8 and 9), then noise.
    expect(regressionResidual(d, range(0, 8), 8)).toBeLessThan(1e-4);
    expect(regressionResidual(d, range(0, 8), 9)).toBeLessThan(1e-4);
    expect(regressionResidual(d, range(0, 8), 10)).toBeGreaterThan(0.5);
  });

  it('validates its options', () => {
    const bad: [unknown, RegExp][] = [
      [{ informative: 600 }, /options\.informative/],
      [{ classes: 1 }, /options\.classes/],
      [{ samples: 1 }, /options\.samples/],
      [{ informative: 1, classes: 2 }, /at least 2 informative features for 2 classes/],
      [{ features: 0 }, /options\.features/],
      [{ seed: 'x' }, /options\.seed/],
      [{ noise: 3 }, /unknown option "noise"/],
    ];
    for (const [options, pattern] of bad) expect(() => makeSyntheticDataset(options as never)).toThrow(pattern);
    expect(() => makeSyntheticDataset({ informative: 0 })).toThrow(ValidationError);
    // Fewer features than the default 20 informative: all of them informative.
    expect(makeSyntheticDataset({ features: 5, samples: 20 }).features).toBe(5);
  });
});

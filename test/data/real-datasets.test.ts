import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMatDataset, validateDataset, type Dataset } from '../../lib/data/dataset';
import { readMat } from '../../lib/data/mat';
import { applyStandardizer, fitStandardizer } from '../../lib/data/standardize';
import { stratifiedSplit, subset } from '../../lib/data/split';
import { dataDir, hasDataDir } from '../helpers/data-dir';

interface Expected {
  file: string;
  samples: number;
  features: number;
  labels: number[];
  /** Samples per class, when the README gives them. */
  counts?: number[];
  min: number;
  max: number;
  /** All values are integers (stored as int16/uint8/uint16). */
  integer: boolean;
  /** Allowed values, when the README lists them. */
  values?: number[];
  /** Percentage of nonzero entries (approximate), when the README gives it. */
  nonzeroPercent?: number;
  /** Test split size reported by the paper (ceil(n / 3)). */
  test: number;
}

// From /work/shared/datasets/README.md and the paper's Table 1.
const EXPECTED: Expected[] = [
  { file: 'leukemia', samples: 72, features: 7070, labels: [-1, 1], counts: [47, 25], min: -2, max: 2, integer: true, values: [-2, 0, 2], test: 24 },
  { file: 'PCMAC', samples: 1943, features: 3289, labels: [1, 2], min: 0, max: 149, integer: true, nonzeroPercent: 1.5, test: 648 },
  { file: 'lung_discrete', samples: 73, features: 325, labels: [1, 2, 3, 4, 5, 6, 7], min: -2, max: 2, integer: true, values: [-2, 0, 2], test: 25 },
  { file: 'GLIOMA', samples: 50, features: 4434, labels: [1, 2, 3, 4], min: 1.3, max: 4.08, integer: false, test: 17 },
  { file: 'RELATHE', samples: 1427, features: 4322, labels: [1, 2], min: 0, max: 199, integer: true, nonzeroPercent: 1.9, test: 476 },
  { file: 'Yale', samples: 165, features: 1024, labels: range(1, 16), counts: new Array(15).fill(11), min: 0, max: 255, integer: true, test: 55 },
  { file: 'arcene', samples: 200, features: 10000, labels: [-1, 1], min: 0, max: 999, integer: true, test: 67 },
  { file: 'madelon', samples: 2600, features: 500, labels: [-1, 1], min: 0, max: 999, integer: true, test: 867 },
];

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

const asu = () => path.join(dataDir(), 'asu');

function classCounts(d: Dataset, idx?: Int32Array): number[] {
  const c = new Array<number>(d.classes).fill(0);
  if (idx) for (const i of idx) c[d.y[i]]++;
  else for (const k of d.y) c[k]++;
  return c;
}

describe.skipIf(!hasDataDir())('real datasets (ASU feature-selection repository)', () => {
  it('match their SHA256SUMS', () => {
    const sums = readFileSync(path.join(asu(), 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(8);
    for (const line of sums) {
      const [hash, file] = line.trim().split(/\s+\*?/);
      const actual = createHash('sha256').update(readFileSync(path.join(asu(), file))).digest('hex');
      expect(actual, file).toBe(hash);
    }
  });

  it('madelon stores Y before X, all compressed', async () => {
    const mat = await readMat(path.join(asu(), 'madelon.mat'));
    expect(mat.variables.map((v) => v.name)).toEqual(['Y', 'X']);
    expect(mat.header).toMatch(/^MATLAB 5\.0 MAT-file/);
  });

  for (const e of EXPECTED) {
    it(`${e.file}: ${e.samples} x ${e.features}, ${e.labels.length} classes, values in [${e.min}, ${e.max}]`, async () => {
      const d = await loadMatDataset(path.join(asu(), `${e.file}.mat`));
      validateDataset(d);
      expect(d.name).toBe(e.file);
      expect([d.samples, d.features, d.classes]).toEqual([e.samples, e.features, e.labels.length]);
      expect(d.labels).toEqual(e.labels);
      const counts = classCounts(d);
      expect(counts.every((c) => c > 0)).toBe(true);
      if (e.counts) expect(counts).toEqual(e.counts);

      let min = Infinity;
      let max = -Infinity;
      let nonzero = 0;
      let nonInteger = 0;
      const seen = new Set<number>();
      for (const v of d.X) {
        if (v < min) min = v;
        if (v > max) max = v;
        if (v !== 0) nonzero++;
        if (!Number.isInteger(v)) nonInteger++;
        if (seen.size <= 3) seen.add(v);
      }
      expect(min).toBeCloseTo(e.min, 2);
      expect(max).toBeCloseTo(e.max, 2);
      expect(nonInteger === 0).toBe(e.integer);
      if (e.values) expect([...seen].sort((a, b) => a - b)).toEqual(e.values);
      if (e.nonzeroPercent !== undefined) {
        expect(Math.abs((100 * nonzero) / d.X.length - e.nonzeroPercent)).toBeLessThan(0.1);
      }

      // The paper's split: ceil(n / 3) test samples, stratified.
      const split = stratifiedSplit(d.y);
      expect(split.test.length).toBe(e.test);
      expect(split.train.length).toBe(e.samples - e.test);
      const testCounts = classCounts(d, split.test);
      counts.forEach((c, k) => expect(Math.abs(testCounts[k] - (e.test * c) / e.samples)).toBeLessThan(1));
    });
  }

  it('arcene: 39 constant columns, standardised without NaN', async () => {
    const d = await loadMatDataset(path.join(asu(), 'arcene.mat'));
    let constant = 0;
    for (let j = 0; j < d.features; j++) {
      let same = true;
      for (let i = 1; i < d.samples && same; i++) same = d.X[i * d.features + j] === d.X[j];
      if (same) constant++;
    }
    expect(constant).toBe(39);
    const { train, test } = stratifiedSplit(d.y, { seed: 3 });
    const tr = subset(d, train);
    const te = subset(d, test);
    const s = fitStandardizer(tr.X, tr.samples, tr.features);
    expect(s.scale.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    for (const Z of [applyStandardizer(s, tr.X, tr.samples, tr.features), applyStandardizer(s, te.X, te.samples, te.features)]) {
      expect(Z.every(Number.isFinite)).toBe(true);
    }
  });
});

/**
 * The validation split (prepareData / splitAndStandardize `validationFraction`) and what runMethod does with
 * it: per-epoch validation accuracy, the best epoch by it, and early stopping (settings.patience).
 */
import { describe, expect, it } from 'vitest';
import { fitStandardizer, makeSyntheticDataset, type Dataset } from '../../lib/data';
import { ValidationError } from '../../lib/errors';
import { prepareData, splitAndStandardize } from '../../lib/experiment/prepare';
import { runMethod, type RunResult } from '../../lib/experiment/run';
import { RUN_SETTINGS } from '../helpers/run-settings';

const raw = makeSyntheticDataset({ samples: 150, features: 12, classes: 3, seed: 4 });

/** Each sample's features as a string key (the synthetic samples are distinct), to find rows across splits. */
function rowKeys(d: Dataset): string[] {
  return Array.from({ length: d.samples }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)).join(','));
}

function classCounts(y: Int32Array, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const v of y) c[v]++;
  return c;
}

describe('validationFraction', () => {
  it('holds out ceil(f x training samples), stratified, disjoint from train and test, and the test split is the one without it', () => {
    const plain = splitAndStandardize(raw, { seed: 2 });
    const d = splitAndStandardize(raw, { seed: 2, validationFraction: 0.2 });
    expect(d.test.samples).toBe(plain.test.samples);
    expect(d.test.y).toEqual(plain.test.y);
    expect(d.validation!.samples).toBe(Math.ceil(plain.train.samples * 0.2));
    expect(d.train.samples + d.validation!.samples).toBe(plain.train.samples);
    // Stratified: each class's share of the validation split is within one sample of its share of the training rows.
    const all = classCounts(plain.train.y, raw.classes);
    const held = classCounts(d.validation!.y, raw.classes);
    for (let c = 0; c < raw.classes; c++) expect(Math.abs(held[c] - (all[c] * d.validation!.samples) / plain.train.samples)).toBeLessThan(1);
    // The standardisation is fitted on the reduced training rows only: they have mean 0 per feature.
    const s = fitStandardizer(d.train.X, d.train.samples, d.features);
    for (let f = 0; f < d.features; f++) expect(Math.abs(s.mean[f])).toBeLessThan(1e-5);
    // Disjoint: no sample of one split appears in another (compared in the unstandardised data).
    const raws = splitAndStandardize(raw, { seed: 2, validationFraction: 0.2 });
    const [tr, va, te] = [raws.train, raws.validation!, raws.test].map((x) => new Set(rowKeys(x)));
    for (const k of va) {
      expect(tr.has(k)).toBe(false);
      expect(te.has(k)).toBe(false);
    }
    expect(tr.size + va.size + te.size).toBe(raw.samples);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = splitAndStandardize(raw, { seed: 5, validationFraction: 0.3 });
    const b = splitAndStandardize(raw, { seed: 5, validationFraction: 0.3 });
    const c = splitAndStandardize(raw, { seed: 6, validationFraction: 0.3 });
    expect(a.validation!.X).toEqual(b.validation!.X);
    expect(a.validation!.X).not.toEqual(c.validation!.X);
  });

  it('prepareData takes it too', async () => {
    const d = await prepareData({ validationFraction: 0.25, seed: 1 });
    expect(d.validation!.samples).toBe(Math.ceil((d.train.samples + d.validation!.samples) * 0.25));
  });

  it('refuses fractions out of (0, 1) and fractions that would take a class\'s last training sample', () => {
    for (const bad of [0, 1, -0.1, Number.NaN, '0.2']) {
      expect(() => splitAndStandardize(raw, { validationFraction: bad as number })).toThrow(ValidationError);
    }
    // 2 samples: 1 test, 1 train, which cannot be spared.
    const tiny: Dataset = { ...makeSyntheticDataset({ samples: 2, features: 3, classes: 2, seed: 1 }), name: 'tiny' };
    expect(() => splitAndStandardize(tiny, { validationFraction: 0.5 })).toThrow(
      /^Expected no validation split: no class of the 1 training sample left after the test split can spare one for validationFraction but received 0\.5$/,
    );
    expect(() => splitAndStandardize(raw, { validationFraction: 0.999 })).toThrow(
      /^Expected a number > 0 and <= 0\.9\d+ \(the test split leaves 100 training samples in 3 classes, of which at most 97 can be validation samples so that every class keeps a training sample\) for validationFraction but received 0\.999$/,
    );
    expect(() => splitAndStandardize(raw, { validationFraction: 0.97 })).not.toThrow();
  });
});

describe('runMethod with a validation split', () => {
  const data = splitAndStandardize(raw, { seed: 1, validationFraction: 0.25 });
  const settings = { ...RUN_SETTINGS, hidden: [40, 40], epsilon: 4, epochs: 12 };

  function checkBest(r: RunResult): void {
    const h = r.history;
    expect(h.every((e) => e.validationAccuracy !== undefined && e.validationLoss !== undefined)).toBe(true);
    // The best epoch: highest validation accuracy, the lowest loss among equals, the earliest among full ties.
    let best = 0;
    for (let e = 1; e < h.length; e++) {
      const [a, b] = [h[e], h[best]];
      if (a.validationAccuracy! > b.validationAccuracy! || (a.validationAccuracy === b.validationAccuracy && a.validationLoss! < b.validationLoss!)) best = e;
    }
    expect(r.bestValidationEpoch).toBe(best);
    expect(r.bestValidationAccuracy).toBe(h[best].validationAccuracy);
    expect(r.testAccuracyAtBestValidation).toBe(h[best].testAccuracy);
    expect(r.validationSamples).toBe(data.validation!.samples);
  }

  it('records validation accuracy and loss per epoch and the best epoch by them, trains on the reduced split', async () => {
    const r = await runMethod({ data, method: 'set', settings });
    expect(r.history).toHaveLength(12);
    expect(r.trainSamples).toBe(data.train.samples);
    checkBest(r);
    expect(r.earlyStopEpoch).toBeUndefined();
    // Accuracies are counts of the validation samples.
    for (const e of r.history) expect(Number.isInteger(Math.round(e.validationAccuracy! * data.validation!.samples * 1e6) / 1e6)).toBe(true);
  });

  it('patience stops the run once that many epochs pass without a better validation epoch', async () => {
    const r = await runMethod({ data, method: 'set', settings: { ...settings, epochs: 60, learningRate: 0.05, patience: 2 } });
    checkBest(r);
    expect(r.earlyStopEpoch).toBeDefined();
    expect(r.history).toHaveLength(r.earlyStopEpoch! + 1);
    expect(r.earlyStopEpoch! - r.bestValidationEpoch!).toBe(2);
    expect(r.stoppedAtEpoch).toBeUndefined();
    expect(r.settings.patience).toBe(2);
    // The same run without patience goes through the same first epochs.
    const full = await runMethod({ data, method: 'set', settings: { ...settings, epochs: r.earlyStopEpoch! + 3, learningRate: 0.05 } });
    expect(full.history.slice(0, r.history.length).map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
  });

  it('an NPSET method is not stopped before its last pruning epoch', async () => {
    const r = await runMethod({ data, method: 'npset', settings: { ...settings, epochs: 30, alpha: 0.1, beta: 2, gamma: 6, patience: 1 } });
    expect(r.history.length).toBeGreaterThanOrEqual(9); // epochs 0..beta + gamma
    if (r.earlyStopEpoch !== undefined) {
      expect(r.earlyStopEpoch).toBeGreaterThanOrEqual(8);
      expect(r.earlyStopEpoch - r.bestValidationEpoch!).toBeGreaterThanOrEqual(1);
    }
    checkBest(r);
  });

  it('refuses patience without a validation split, and a bad patience', async () => {
    const plain = splitAndStandardize(raw, { seed: 1 });
    await expect(runMethod({ data: plain, method: 'set', settings: { ...settings, patience: 3 } })).rejects.toThrow(
      /^Expected data\.validation \(prepareData's validationFraction\) for settings\.patience but received none$/,
    );
    for (const bad of [0, 1.5, -1, '3']) {
      await expect(runMethod({ data, method: 'set', settings: { ...settings, patience: bad as number } })).rejects.toThrow(ValidationError);
    }
    await expect(runMethod({ data: { ...data, validation: { ...data.validation!, features: 5 } }, method: 'set', settings })).rejects.toThrow(
      /data\.validation\.features/,
    );
  });

  it('without a validation split the result has no validation fields', async () => {
    const r = await runMethod({ data: splitAndStandardize(raw, { seed: 1 }), method: 'set', settings: { ...settings, epochs: 2 } });
    expect(r).not.toHaveProperty('bestValidationEpoch');
    expect(r).not.toHaveProperty('validationSamples');
    expect(r.history[0]).not.toHaveProperty('validationAccuracy');
  });
});

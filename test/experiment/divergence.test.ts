/**
 * A run whose training loss turns NaN: `runMethod` rejects by default (as `fit` does), and records the epoch
 * when the caller keeps a fixed protocol going (`onDivergence: 'continue'`, what `reproduce` uses).
 */
import { describe, expect, it } from 'vitest';
import { makeSyntheticDataset } from '../../lib/data';
import { DivergenceError } from '../../lib/errors';
import { splitAndStandardize } from '../../lib/experiment/prepare';
import { runMethod, type RunSettings } from '../../lib/experiment/run';
import { RUN_SETTINGS } from '../helpers/run-settings';

const data = splitAndStandardize(makeSyntheticDataset({ samples: 90, features: 12, classes: 2, seed: 3 }), { seed: 1 });
const settings: RunSettings = { ...RUN_SETTINGS, hidden: [24, 24], epochs: 8, epsilon: 5, learningRate: 1e30 };

describe('runMethod and a diverging run', () => {
  it('rejects with a DivergenceError by default', async () => {
    await expect(runMethod({ data, method: 'dense', settings })).rejects.toBeInstanceOf(DivergenceError);
  });

  it("keeps training with onDivergence 'continue' and records the first diverged epoch", async () => {
    const r = await runMethod({ data, method: 'dense', settings, onDivergence: 'continue' });
    expect(r.history).toHaveLength(settings.epochs);
    expect(r.divergedAtEpoch).toBeGreaterThanOrEqual(0);
    const first = r.history.findIndex((h) => !Number.isFinite(h.loss));
    expect(r.divergedAtEpoch).toBe(first);
    expect(r.history.slice(0, first).every((h) => Number.isFinite(h.loss))).toBe(true);
  });

  it('counts samples whose forward pass overflowed as wrong, not as class 0 (the argmax of NaN)', async () => {
    const r = await runMethod({ data, method: 'dense', settings, onDivergence: 'continue' });
    // After the epoch whose loss turned NaN the weights are NaN: every sample overflows and no prediction is right
    // (they read 0.5 before: the samples of class 0). The first NaN epoch's own test accuracy is measured after it.
    const first = r.history.findIndex((h) => Number.isNaN(h.loss));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(r.history.length - 1);
    expect(r.history[first].testAccuracy).toBe(0);
    for (const h of r.history.slice(first + 1)) expect([h.trainAccuracy, h.testAccuracy]).toEqual([0, 0]);
  });

  it('records nothing for a run that trains normally', async () => {
    const r = await runMethod({ data, method: 'set', settings: { ...settings, learningRate: 0.01, epochs: 3 } });
    expect(r.divergedAtEpoch).toBeUndefined();
  });
});

/** fit's `test` data and `earlyStopping`: measured before the epoch's topology update, stopping before it. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { disposeAfterEach, snapshot, syntheticSplit } from './helpers';

const { create } = disposeAfterEach();
const s = syntheticSplit({ samples: 300, seed: 11 });
const layers = [s.features, 40, 40, s.classes];
const train = { epochs: 40, learningRate: 0.05, zeta: 0.3 };

describe('fit with test data', () => {
  it('evaluates it like validation, on the same model (the same data gives the same numbers)', async () => {
    const m = await create({ layers, epsilon: 5, seed: 2, threads: 1 });
    const r = await m.fit(s.train, { ...train, epochs: 4, validation: s.test, test: s.test });
    for (const e of r.history) {
      expect(e.testAccuracy).toBe(e.validationAccuracy);
      expect(e.testLoss).toBe(e.validationLoss);
    }
    expect(r.bestValidationEpoch).toBeDefined();
  });
});

describe('fit with earlyStopping', () => {
  it('stops once patience epochs pass without a better validation epoch, and the best epoch follows the rule', async () => {
    const m = await create({ layers, epsilon: 5, seed: 2, threads: 1 });
    const r = await m.fit(s.train, { ...train, validation: s.test, earlyStopping: { patience: 3 } });
    expect(r.stoppedEarly).toBe(true);
    expect(r.earlyStopEpoch).toBe(r.history.at(-1)!.epoch);
    expect(r.earlyStopEpoch! - r.bestValidationEpoch!).toBe(3);
    const h = r.history;
    let best = 0;
    for (let e = 1; e < h.length; e++) {
      const [a, b] = [h[e], h[best]];
      if (a.validationAccuracy! > b.validationAccuracy! || (a.validationAccuracy === b.validationAccuracy && a.validationLoss! < b.validationLoss!)) best = e;
    }
    expect(r.bestValidationEpoch).toBe(best);
    // The stop comes before the epoch's topology update: none was timed.
    expect(h.at(-1)!.timesMs.evolution).toBe(0);
    expect(h.at(-2)!.timesMs.evolution).toBeGreaterThan(0);
  });

  it('leaves the model the last epoch measured: going on with initialEpoch gives the model of one fit without it', async () => {
    const a = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    const stopped = await a.fit(s.train, { ...train, validation: s.test, earlyStopping: { patience: 2 } });
    const e = stopped.earlyStopEpoch!;
    expect(e).toBeLessThan(train.epochs - 1);
    expect((await a.evaluate(s.test)).accuracy).toBe(stopped.history.at(-1)!.validationAccuracy);
    const end = Math.min(e + 4, train.epochs);
    await a.fit(s.train, { ...train, epochs: end, initialEpoch: e + 1 });
    const b = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    await b.fit(s.train, { ...train, epochs: end });
    expect(snapshot(a)).toEqual(snapshot(b));
  });

  it('does not stop an NPSET schedule before its last pruning epoch', async () => {
    const m = await create({ layers, epsilon: 5, seed: 2, threads: 1 });
    const pruning = { alpha: 0.05, beta: 2, gamma: 10 };
    const r = await m.fit(s.train, { ...train, pruning, validation: s.test, earlyStopping: { patience: 1 } });
    expect(r.history.length).toBeGreaterThanOrEqual(13);
    if (r.earlyStopEpoch !== undefined) expect(r.earlyStopEpoch).toBeGreaterThanOrEqual(12);
  });

  it('needs validation data and a patience of at least 1', async () => {
    const m = await create({ layers, epsilon: 5, seed: 2, threads: 1 });
    await expect(m.fit(s.train, { epochs: 2, earlyStopping: { patience: 2 } })).rejects.toThrow(
      /^Expected validation data \(the split earlyStopping watches\) for fit options but received none$/,
    );
    for (const bad of [{ patience: 0 }, { patience: 1.5 }, {}, { patience: 2, monitor: 'loss' }, 3]) {
      await expect(m.fit(s.train, { epochs: 2, validation: s.test, earlyStopping: bad as { patience: number } })).rejects.toThrow(ValidationError);
    }
  });
});

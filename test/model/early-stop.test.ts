/** onEpoch returning false stops fit after that epoch (early stopping), and runMethod's `stop` uses it. */
import { describe, expect, it } from 'vitest';
import { makeSyntheticDataset } from '../../lib/data';
import { splitAndStandardize } from '../../lib/experiment/prepare';
import { RUN_DEFAULTS, runMethod } from '../../lib/experiment/run';
import { RUN_SETTINGS } from '../helpers/run-settings';
import { disposeAfterEach, snapshot, syntheticSplit } from './helpers';

const { create } = disposeAfterEach();
const s = syntheticSplit();
const layers = [s.features, 30, 30, s.classes];

describe('fit stopped by onEpoch', () => {
  it('returning false ends fit after that epoch; going on with initialEpoch gives the uninterrupted model', async () => {
    const pruning = { alpha: 0.1, beta: 1, gamma: 3 };
    const a = await create({ layers, epsilon: 5, seed: 5, threads: 1 });
    const b = await create({ layers, epsilon: 5, seed: 5, threads: 1 });
    const first = await a.fit(s.train, { epochs: 6, pruning, onEpoch: (e) => e.epoch !== 2 });
    expect(first.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(first.stoppedEarly).toBe(true);
    const rest = await a.fit(s.train, { epochs: 6, pruning, initialEpoch: first.history.length });
    expect(rest.stoppedEarly).toBe(false);
    const full = await b.fit(s.train, { epochs: 6, pruning });
    expect(snapshot(a)).toEqual(snapshot(b));
    expect([...first.history, ...rest.history].map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
  });

  it('a promise resolving to false stops too; false at the last epoch is not an early stop; undefined and true go on', async () => {
    const m = await create({ layers, epsilon: 5, seed: 5, threads: 1 });
    expect((await m.fit(s.train, { epochs: 4, onEpoch: async (e) => e.epoch < 1 })).history).toHaveLength(2);
    const last = await m.fit(s.train, { epochs: 2, onEpoch: (e) => e.epoch !== 1 });
    expect(last).toMatchObject({ stoppedEarly: false });
    expect(last.history).toHaveLength(2);
    expect((await m.fit(s.train, { epochs: 3, onEpoch: () => true })).history).toHaveLength(3);
    expect((await m.fit(s.train, { epochs: 3, onEpoch: () => undefined })).stoppedEarly).toBe(false);
  });
});

describe('runMethod onEpoch and settings', () => {
  const data = splitAndStandardize(makeSyntheticDataset({ samples: 30, features: 6, classes: 2, seed: 3 }), { seed: 1 });
  it('an async onEpoch that rejects rejects the run (no unhandled rejection)', async () => {
    const boom = new Error('boom');
    await expect(runMethod({ data, method: 'set', settings: { hidden: [8], epochs: 3, epsilon: 2 }, onEpoch: async (i) => { if (i.epoch === 1) throw boom; } })).rejects.toBe(boom);
  });
  it('settings may be left out altogether: RUN_DEFAULTS', async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await runMethod({ data, method: 'set', stop: stop.signal, settings: undefined });
    expect(r.settings).toEqual(RUN_DEFAULTS);
    expect(r.history).toHaveLength(1);
  });
});

describe('runMethod stop', () => {
  it('ends the run after the epoch in progress, with the epochs so far and stoppedAtEpoch', async () => {
    const data = splitAndStandardize(makeSyntheticDataset({ samples: 60, features: 8, classes: 2, seed: 3 }), { seed: 1 });
    const stop = new AbortController();
    const r = await runMethod({
      data,
      method: 'npset',
      settings: { ...RUN_SETTINGS, hidden: [12, 12], epochs: 10, epsilon: 2, beta: 0, gamma: 5, alpha: 0.1 },
      stop: stop.signal,
      onEpoch: (info) => void (info.epoch === 3 && stop.abort()),
    });
    expect(r.stoppedAtEpoch).toBe(3);
    expect(r.history).toHaveLength(4);
    expect(r.epochTimesMs).toHaveLength(4);
    expect(r.neuronsPerEpoch).toHaveLength(4);
    const full = await runMethod({ data, method: 'set', settings: { ...RUN_SETTINGS, hidden: [12], epochs: 2, epsilon: 2 }, stop: new AbortController().signal });
    expect(full.stoppedAtEpoch).toBeUndefined();
  });
});

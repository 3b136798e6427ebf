import { describe, expect, it } from 'vitest';
import { SparseMLP, type FitOptions, type ModelOptions } from '../../lib/model';
import { disposeAfterEach, snapshot, syntheticSplit, type LayerSnapshot } from './helpers';

const { models } = disposeAfterEach();

const s = syntheticSplit();

interface Run {
  losses: number[];
  train: number[];
  valid: number[];
  neurons: number[][];
  connections: number[][];
  weights: LayerSnapshot[];
  predictions: Float32Array;
}

async function train(model: Partial<ModelOptions>, fit: FitOptions = {}): Promise<Run> {
  const m = await SparseMLP.create({ layers: [s.features, 48, 48, s.classes], epsilon: 6, seed: 1, ...model });
  models.push(m);
  const { history } = await m.fit(s.train, { epochs: 6, validation: s.test, ...fit });
  return {
    losses: history.map((h) => h.loss),
    train: history.map((h) => h.trainAccuracy),
    valid: history.map((h) => h.validationAccuracy!),
    neurons: history.map((h) => h.neurons),
    connections: history.map((h) => h.connections),
    weights: snapshot(m),
    predictions: await m.predictProba(s.test),
  };
}

const npset: FitOptions = { pruning: { alpha: 0.1, beta: 1, gamma: 3 } };

describe('reproducibility', () => {
  it('same seed: identical history and identical weights (SET)', async () => {
    const a = await train({ seed: 5 });
    const b = await train({ seed: 5 });
    expect(b.losses).toEqual(a.losses);
    expect(b.train).toEqual(a.train);
    expect(b.valid).toEqual(a.valid);
    expect(b.connections).toEqual(a.connections);
    expect(b.weights).toEqual(a.weights);
    expect(b.predictions).toEqual(a.predictions);
  });

  it('same seed: identical history and identical weights (NPSET, dropout, nesterov)', async () => {
    const fit: FitOptions = { ...npset, dropout: 0.2, nesterov: true };
    const a = await train({ seed: 8 }, fit);
    const b = await train({ seed: 8 }, fit);
    expect(a.neurons[5]).toEqual([s.features, 33, 33, s.classes]);
    expect(b).toEqual(a);
  });

  it('different seeds: different weights and history', async () => {
    const a = await train({ seed: 5 });
    const b = await train({ seed: 6 });
    expect(b.weights[0].col).not.toEqual(a.weights[0].col);
    expect(b.weights[0].values).not.toEqual(a.weights[0].values);
    expect(b.losses).not.toEqual(a.losses);
  });

  it('1 thread and 2 threads: identical results', async () => {
    for (const fit of [{}, npset]) {
      const one = await train({ seed: 3, threads: 1 }, fit);
      const two = await train({ seed: 3, threads: 2 }, fit);
      expect(two.losses).toEqual(one.losses);
      expect(two.train).toEqual(one.train);
      expect(two.valid).toEqual(one.valid);
      expect(two.neurons).toEqual(one.neurons);
      expect(two.weights).toEqual(one.weights);
      expect(two.predictions).toEqual(one.predictions);
    }
  });

  it('changing threads on a live model does not change its results', async () => {
    const base = await train({ seed: 4, threads: 1 });
    const m = await SparseMLP.create({ layers: [s.features, 48, 48, s.classes], epsilon: 6, seed: 4, threads: 2 });
    models.push(m);
    expect(m.threads).toBe(2);
    const losses: number[] = [];
    await m.fit(s.train, {
      epochs: 6,
      validation: s.test,
      onEpoch: (info) => {
        losses.push(info.loss);
        m.threads = info.epoch % 2 === 0 ? 1 : 2;
      },
    });
    expect(losses).toEqual(base.losses);
    expect(snapshot(m)).toEqual(base.weights);
  });

  it("one model's thread setting does not change another's", async () => {
    const a = await SparseMLP.create({ layers: [10, 10, 2], threads: 1 });
    const b = await SparseMLP.create({ layers: [10, 10, 2], threads: 2 });
    models.push(a, b);
    a.threads = 1;
    expect(b.threads).toBe(2);
    b.threads = 2;
    expect(a.threads).toBe(1);
  });
});

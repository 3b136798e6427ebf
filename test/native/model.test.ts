import { describe, expect, it } from 'vitest';
import { addon, dataset, randomData } from './addon';

describe('native addon: Model methods', () => {
  it('createModel builds a sparse model with the given layers', async () => {
    const model = await addon.createModel({ layers: [30, 40, 20, 3], seed: 5, epsilon: 5 });
    const t = model.topology();
    expect(t.neurons).toEqual([30, 40, 20, 3]);
    expect(t.connections).toHaveLength(3);
    expect(t.sparse).toEqual([true, true, true]);
    for (const c of t.connections) expect(c).toBeGreaterThan(0);
    expect(t.connections[0]).toBeLessThan(30 * 40);
    model.dispose();
  });

  it('accepts every option', async () => {
    const model = await addon.createModel({
      layers: [10, 12, 3],
      dense: false,
      epsilon: 3,
      topology: 'bernoulli',
      weightInit: 'xavier-uniform',
      activation: 'all-relu',
      allReluSlope: 0.5,
      loss: 'mse',
      seed: 2 ** 53 - 1,
      threads: 1,
    });
    expect(model.threads).toBe(1);
    const ds = dataset(64, 10, 3);
    const r = await model.trainEpoch(ds, { batchSize: 8, learningRate: 0.01, momentum: 0.5, nesterov: true, weightDecay: 1e-4, dropout: 0.2, shuffle: false }, 3);
    expect(Number.isFinite(r.loss)).toBe(true);
    model.dispose();
    for (const weightInit of ['he-uniform', 'normal']) {
      const m = await addon.createModel({ layers: [4, 3], weightInit, topology: 'draws', activation: 'relu', loss: 'cross-entropy' });
      m.dispose();
    }
  });

  it('dense models', async () => {
    const model = await addon.createModel({ layers: [8, 16, 4], dense: true, seed: 1 });
    const t = model.topology();
    expect(t.sparse).toEqual([false, false]);
    expect(t.connections).toEqual([8 * 16, 16 * 4]);
    const r = await model.trainEpoch(dataset(100, 8, 4), {}, 0);
    expect(r.samples).toBe(100);
    model.dispose();
  });

  it('the same seed gives the same model and training', async () => {
    const ds = dataset(200, 12, 3);
    const run = async () => {
      const m = await addon.createModel({ layers: [12, 24, 3], seed: 77 });
      const r = await m.trainEpoch(ds, { batchSize: 16 }, 0);
      const csr = m.layerCsr(0);
      m.dispose();
      return { loss: r.loss, values: Array.from(csr.values) };
    };
    expect(await run()).toEqual(await run());
  });

  it('trainEpoch returns loss, accuracy, samples and phase times; training learns', async () => {
    const model = await addon.createModel({ layers: [16, 64, 4], seed: 3 });
    const ds = dataset(1500, 16, 4);
    const first = await model.trainEpoch(ds, { batchSize: 32, learningRate: 0.05 }, 0);
    expect(first.samples).toBe(1500);
    expect(first.accuracy).toBeGreaterThanOrEqual(0);
    expect(first.accuracy).toBeLessThanOrEqual(1);
    expect(Object.keys(first.timesMs).sort()).toEqual(['backward', 'evolution', 'forward', 'pruning', 'update']);
    for (const v of Object.values(first.timesMs)) expect(v).toBeGreaterThanOrEqual(0);
    let last = first;
    for (let e = 1; e < 8; e++) last = await model.trainEpoch(ds, { batchSize: 32, learningRate: 0.05 }, e);
    expect(last.loss).toBeLessThan(first.loss);
    const ev = await model.evaluate(ds);
    expect(ev.samples).toBe(1500);
    expect(ev.correct).toBe(Math.round(ev.accuracy * 1500));
    expect(ev.accuracy).toBeGreaterThan(0.6);
    model.dispose();
  });

  it('trainEpoch takes defaults when trainConfig is undefined or {}', async () => {
    const model = await addon.createModel({ layers: [4, 2], seed: 1 });
    const ds = dataset(50, 4, 2);
    await model.trainEpoch(ds, undefined, 0);
    await model.trainEpoch(ds, {}, 1);
    await model.trainEpoch(ds, { batchSize: undefined }, 2);
    model.dispose();
  });

  it('evaluate and predict agree; predict rows are probabilities', async () => {
    const model = await addon.createModel({ layers: [10, 20, 5], seed: 9 });
    const ds = dataset(333, 10, 5);
    await model.trainEpoch(ds, {}, 0);
    const p = await model.predict(ds);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p.length).toBe(333 * 5);
    let correct = 0;
    const labels = randomData(333, 10, 5).y; // the labels of dataset(333, 10, 5)
    for (let i = 0; i < 333; i++) {
      let sum = 0;
      let arg = 0;
      for (let c = 0; c < 5; c++) {
        const v = p[i * 5 + c];
        expect(v).toBeGreaterThanOrEqual(0);
        sum += v;
        if (v > p[i * 5 + arg]) arg = c;
      }
      expect(sum).toBeCloseTo(1, 4);
      if (arg === labels[i]) correct++;
    }
    const ev = await model.evaluate(ds, 7);
    expect(ev.correct).toBe(correct);
    const p7 = await model.predict(ds, 7);
    for (let i = 0; i < p.length; i++) expect(p7[i]).toBeCloseTo(p[i], 5);
    // predict works without labels
    const unlabelled = new addon.Dataset(new Float32Array(10 * 3), null, 3, 10);
    expect((await model.predict(unlabelled)).length).toBe(15);
    model.dispose();
  });

  it('evolve keeps the connection count per layer', async () => {
    const model = await addon.createModel({ layers: [50, 60, 4], seed: 4, epsilon: 5 });
    const before = model.topology().connections;
    const r = await model.evolve({ zeta: 0.3, regrowInit: 'zero', regrowScale: 0 }, 0);
    expect(r.removed).toHaveLength(2);
    expect(r.added).toEqual(r.removed);
    expect(r.removed[0]).toBeGreaterThan(0);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(model.topology().connections).toEqual(before);
    await model.evolve(undefined, 1);
    await model.evolve({ regrowInit: 'he-uniform' }, 2);
    await model.evolve({ regrowInit: 'normal', regrowScale: 0.2 }, 3);
    model.dispose();
  });

  it('pruneNeurons removes floor(alpha * n) neurons of each listed hidden layer', async () => {
    const model = await addon.createModel({ layers: [20, 100, 50, 3], seed: 4 });
    const r = await model.pruneNeurons({ hiddenLayers: [1, 2], alpha: 0.1, criterion: 'out-degree' });
    expect(r.removed.map((l) => l.length)).toEqual([10, 5]);
    expect(model.topology().neurons).toEqual([20, 90, 45, 3]);
    await model.pruneNeurons({ hiddenLayers: [2], alpha: 0.5, criterion: 'strength' });
    expect(model.topology().neurons).toEqual([20, 90, 23, 3]);
    const nothing = await model.pruneNeurons({ hiddenLayers: [] });
    expect(nothing.removed).toEqual([]);
    for (const criterion of ['in-degree', 'in-out']) await model.pruneNeurons({ hiddenLayers: [1], alpha: 0.04, criterion });
    // training still works after pruning
    await model.trainEpoch(dataset(64, 20, 3), {}, 0);
    model.dispose();
  });

  it('neuronOrder is a permutation; removeNeurons removes the given neurons', async () => {
    const model = await addon.createModel({ layers: [10, 30, 3], seed: 2 });
    for (const c of [undefined, 'out-degree', 'in-degree', 'in-out', 'strength']) {
      const order = model.neuronOrder(1, c);
      expect(order).toBeInstanceOf(Int32Array);
      expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    }
    model.removeNeurons(1, new Int32Array([0, 5]));
    expect(model.topology().neurons).toEqual([10, 28, 3]);
    model.removeNeurons(1, [27]);
    expect(model.topology().neurons).toEqual([10, 27, 3]);
    model.removeNeurons(1, []);
    expect(model.topology().neurons).toEqual([10, 27, 3]);
    model.dispose();
  });

  it('layerCsr gives a consistent CSR of W^T', async () => {
    const model = await addon.createModel({ layers: [12, 9, 4], seed: 8 });
    const t = model.topology();
    for (let l = 0; l < 2; l++) {
      const c = model.layerCsr(l);
      expect(c.rows).toBe(t.neurons[l + 1]);
      expect(c.cols).toBe(t.neurons[l]);
      expect(c.rowPtr).toBeInstanceOf(Float64Array);
      expect(c.col).toBeInstanceOf(Int32Array);
      expect(c.values).toBeInstanceOf(Float32Array);
      expect(c.bias).toBeInstanceOf(Float32Array);
      expect(c.rowPtr.length).toBe(c.rows + 1);
      expect(c.rowPtr[0]).toBe(0);
      expect(c.rowPtr[c.rows]).toBe(t.connections[l]);
      expect(c.col.length).toBe(t.connections[l]);
      expect(c.values.length).toBe(t.connections[l]);
      expect(c.bias.length).toBe(c.rows);
      for (let r = 0; r < c.rows; r++) {
        expect(c.rowPtr[r + 1]).toBeGreaterThanOrEqual(c.rowPtr[r]);
        for (let k = c.rowPtr[r]; k < c.rowPtr[r + 1]; k++) {
          expect(c.col[k]).toBeGreaterThanOrEqual(0);
          expect(c.col[k]).toBeLessThan(c.cols);
        }
      }
    }
    model.dispose();
  });

  it('memory() counts the connections', async () => {
    const model = await addon.createModel({ layers: [12, 9, 4], seed: 8 });
    const m = model.memory();
    const t = model.topology();
    expect(m.connections).toBe(t.connections.reduce((a, b) => a + b, 0));
    expect(m.modelBytes).toBeGreaterThan(m.connections * 4);
    expect(m.activationBytes).toBeGreaterThanOrEqual(0);
    model.dispose();
  });

  it('clone() gives an independent copy', async () => {
    const model = await addon.createModel({ layers: [10, 20, 3], seed: 8 });
    const copy = await model.clone();
    expect(copy).toBeInstanceOf(addon.Model);
    expect(copy.topology()).toEqual(model.topology());
    expect(Array.from(copy.layerCsr(0).values)).toEqual(Array.from(model.layerCsr(0).values));
    await copy.trainEpoch(dataset(100, 10, 3), {}, 0);
    expect(Array.from(copy.layerCsr(0).values)).not.toEqual(Array.from(model.layerCsr(0).values));
    model.dispose();
    expect((await copy.evaluate(dataset(20, 10, 3))).samples).toBe(20);
    copy.dispose();
  });

  it('threads and setThreads', async () => {
    const model = await addon.createModel({ layers: [4, 2], threads: 1 });
    expect(model.threads).toBe(1);
    model.setThreads(2);
    expect(model.threads).toBe(2);
    model.setThreads(0);
    expect(model.threads).toBe(addon.hardwareConcurrency());
    const other = await addon.createModel({ layers: [4, 2], threads: 1 });
    expect(other.threads).toBe(1); // per model
    model.dispose();
    other.dispose();
  });

  it('models train concurrently (one job each)', async () => {
    const ds = dataset(2000, 16, 4);
    const models = await Promise.all([1, 2, 3].map((seed) => addon.createModel({ layers: [16, 32, 4], seed, threads: 1 })));
    const results = await Promise.all(models.map((m, i) => m.trainEpoch(ds, {}, i)));
    for (const r of results) expect(r.samples).toBe(2000);
    for (const m of models) m.dispose();
  });
});

import { describe, expect, it } from 'vitest';
import { BusyError, ValidationError } from '../../lib/errors';
import { MODEL_DEFAULTS, SparseMLP, type EpochInfo } from '../../lib/model';
import { disposeAfterEach, argmaxRows, blobs, expectValidationError, snapshot, structure, syntheticSplit } from './helpers';

const { create, models } = disposeAfterEach();

/** Expected distinct positions after `draws` uniform draws with replacement among `n` positions. */
function expectedDistinct(n: number, draws: number): number {
  return n * (1 - Math.pow(1 - 1 / n, draws));
}

describe('SparseMLP.create', () => {
  it('fills in the documented defaults and freezes its options', async () => {
    const m = await create({ layers: [20, 30, 3] });
    expect(m.options).toEqual({ layers: [20, 30, 3], ...MODEL_DEFAULTS });
    expect(m.options.epsilon).toBe(20);
    expect(m.options.topology).toBe('draws');
    expect(m.options.weightInit).toBe('he-uniform');
    expect(Object.isFrozen(m.options)).toBe(true);
    expect(Object.isFrozen(m.options.layers)).toBe(true);
    expect(m.inputs).toBe(20);
    expect(m.classes).toBe(3);
    // threads 0 means all cores: the model reports the count it really uses
    expect(m.threads).toBeGreaterThanOrEqual(1);
    expect(m.disposed).toBe(false);
  });

  it('copies the layers array: later changes to the caller\'s array do not affect the model', async () => {
    const layers = [10, 12, 2];
    const m = await create({ layers });
    layers[1] = 99;
    expect(m.topology().neurons).toEqual([10, 12, 2]);
    expect(m.options.layers).toEqual([10, 12, 2]);
  });

  it('builds the Erdős–Rényi topology of the reference SET code (draws with replacement)', async () => {
    const layers = [325, 300, 300, 7];
    const m = await create({ layers, epsilon: 10, seed: 1 });
    const t = m.topology();
    expect(t.neurons).toEqual(layers);
    expect(t.neuronCount).toBe(325 + 300 + 300);
    expect(t.layers).toHaveLength(3);
    let total = 0;
    t.layers.forEach((l, i) => {
      expect(l.inputs).toBe(layers[i]);
      expect(l.outputs).toBe(layers[i + 1]);
      expect(l.sparse).toBe(true);
      expect(l.density).toBeCloseTo(l.connections / (l.inputs * l.outputs), 12);
      // epsilon * (n_in + n_out) draws; duplicates collapse
      const expected = expectedDistinct(l.inputs * l.outputs, 10 * (l.inputs + l.outputs));
      expect(Math.abs(l.connections - expected) / expected).toBeLessThan(0.05);
      total += l.connections;
    });
    expect(t.connections).toBe(total);
    // the paper's Table 3: 13,446 parameters for lung-discrete's SET-MLP
    expect(Math.abs(t.connections - 13446) / 13446).toBeLessThan(0.05);
    // the small output layer stays sparse with draws (a Bernoulli draw would make it dense)
    expect(t.layers[2].density).toBeLessThan(1);
  });

  it('builds a Bernoulli topology on request: probability capped at 1 makes small layers dense', async () => {
    const m = await create({ layers: [325, 300, 300, 7], epsilon: 10, seed: 1, topology: 'bernoulli' });
    const t = m.topology();
    for (const l of t.layers.slice(0, 2)) {
      const p = (10 * (l.inputs + l.outputs)) / (l.inputs * l.outputs);
      expect(Math.abs(l.density - p) / p).toBeLessThan(0.05);
    }
    expect(t.layers[2].connections).toBe(300 * 7);
    expect(t.layers[2].density).toBe(1);
  });

  it('builds dense layers with every connection when dense: true', async () => {
    const m = await create({ layers: [12, 9, 4], dense: true });
    const t = m.topology();
    expect(t.layers.map((l) => l.connections)).toEqual([12 * 9, 9 * 4]);
    expect(t.layers.every((l) => l.density === 1 && !l.sparse)).toBe(true);
    expect(t.connections).toBe(12 * 9 + 9 * 4);
  });

  it('exposes each layer as CSR of W^T with sorted, unique, in-range columns and He-uniform weights', async () => {
    const m = await create({ layers: [60, 80, 40, 5], epsilon: 5, seed: 3 });
    const t = m.topology();
    for (let l = 0; l < t.layers.length; l++) {
      const c = m.layer(l);
      expect(c.rows).toBe(t.neurons[l + 1]);
      expect(c.cols).toBe(t.neurons[l]);
      expect(c.rowPtr).toHaveLength(c.rows + 1);
      expect(c.rowPtr[0]).toBe(0);
      expect(c.rowPtr[c.rows]).toBe(t.layers[l].connections);
      expect(c.col).toHaveLength(t.layers[l].connections);
      expect(c.values).toHaveLength(t.layers[l].connections);
      expect(c.bias).toHaveLength(c.rows);
      for (let r = 0; r < c.rows; r++) {
        expect(c.rowPtr[r + 1]).toBeGreaterThanOrEqual(c.rowPtr[r]);
        for (let k = c.rowPtr[r]; k < c.rowPtr[r + 1]; k++) {
          expect(c.col[k]).toBeGreaterThanOrEqual(0);
          expect(c.col[k]).toBeLessThan(c.cols);
          if (k > c.rowPtr[r]) expect(c.col[k], `layer ${l} row ${r} sorted and unique`).toBeGreaterThan(c.col[k - 1]);
        }
      }
      // He-uniform with fan-in = mean in-degree: |w| <= sqrt(6 / fanIn), and not all zero
      const fanIn = t.layers[l].connections / c.rows;
      const limit = Math.sqrt(6 / fanIn);
      let maxAbs = 0;
      for (const w of c.values) {
        expect(Number.isFinite(w)).toBe(true);
        maxAbs = Math.max(maxAbs, Math.abs(w));
      }
      expect(maxAbs).toBeLessThanOrEqual(limit * 1.0001);
      expect(maxAbs).toBeGreaterThan(limit * 0.5);
    }
  });

  it('returns copies from layer(): changing them does not change the model', async () => {
    const m = await create({ layers: [10, 10, 2], seed: 2 });
    const a = m.layer(0);
    const before = a.values[0];
    a.values[0] = 1234;
    a.col[0] = 9;
    expect(m.layer(0).values[0]).toBe(before);
  });

  it('rejects layer indices outside the model', async () => {
    const m = await create({ layers: [10, 10, 2] });
    await expectValidationError(() => m.layer(2));
    await expectValidationError(() => m.layer(-1));
    await expectValidationError(() => m.layer(0.5));
  });

  it('reports its memory consistently with the topology', async () => {
    const m = await create({ layers: [325, 300, 300, 7], epsilon: 10, seed: 1 });
    const mem = m.memory();
    const t = m.topology();
    expect(mem.connections).toBe(t.connections);
    // at least a float weight and an int column index per connection, at most a few dozen bytes
    expect(mem.modelBytes).toBeGreaterThanOrEqual(8 * t.connections);
    expect(mem.bytesPerConnection).toBeCloseTo(mem.modelBytes / mem.connections, 10);
    expect(mem.bytesPerConnection).toBeLessThan(64);
    expect(mem.activationBytes).toBeGreaterThanOrEqual(0);
    const bigger = await create({ layers: [325, 300, 300, 7], epsilon: 40, seed: 1 });
    expect(bigger.memory().modelBytes).toBeGreaterThan(mem.modelBytes);
  });
});

describe('SparseMLP.fit', () => {
  it('learns a small synthetic problem and reports one history entry per epoch', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 64, 64, s.classes], seed: 1 });
    const before = await m.evaluate(s.train);
    const { history, options } = await m.fit(s.train, { epochs: 10, validation: s.test });
    expect(options.epochs).toBe(10);
    expect(options.batchSize).toBe(8);
    expect(history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const h of history) {
      expect(h.epochs).toBe(10);
      expect(Number.isFinite(h.loss)).toBe(true);
      expect(h.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(h.trainAccuracy).toBeLessThanOrEqual(1);
      expect(h.validationAccuracy).toBeGreaterThanOrEqual(0);
      expect(h.validationAccuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(h.validationLoss)).toBe(true);
      expect(h.neurons).toEqual([s.features, 64, 64, s.classes]);
      expect(h.pruned).toBeUndefined();
      for (const v of Object.values(h.timesMs)) expect(v).toBeGreaterThanOrEqual(0);
    }
    const last = history[history.length - 1];
    expect(last.trainAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(last.loss).toBeLessThan(history[0].loss);
    expect(last.trainAccuracy).toBeGreaterThan(before.accuracy);
    // the reported accuracies are those of evaluate() on the same data (no evolution after the last epoch)
    const train = await m.evaluate(s.train);
    const test = await m.evaluate(s.test);
    expect(train.accuracy).toBeCloseTo(last.trainAccuracy, 10);
    expect(test.accuracy).toBeCloseTo(last.validationAccuracy!, 10);
    expect(test.loss).toBeCloseTo(last.validationLoss!, 4);
    expect(test.samples).toBe(s.test.samples);
    expect(test.correct).toBe(Math.round(test.accuracy * test.samples));
    // generalises above chance (3 classes)
    expect(Math.max(...history.map((h) => h.validationAccuracy!))).toBeGreaterThan(0.6);
  });

  it('calls onEpoch once per epoch, in order, with the history entry', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const seen: EpochInfo[] = [];
    const { history } = await m.fit(s.train, { epochs: 4, onEpoch: (info) => void seen.push(info) });
    expect(seen.map((i) => i.epoch)).toEqual([0, 1, 2, 3]);
    expect(seen).toEqual(history);
  });

  it('awaits a Promise returned by onEpoch before the next epoch and before resolving', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const log: string[] = [];
    let pending = false;
    const result = m.fit(s.train, {
      epochs: 3,
      onEpoch: async (info) => {
        expect(pending, 'the previous onEpoch promise was not awaited').toBe(false);
        pending = true;
        log.push(`start ${info.epoch}`);
        await new Promise((r) => setTimeout(r, 15));
        log.push(`end ${info.epoch}`);
        pending = false;
      },
    });
    await result;
    log.push('resolved');
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'resolved']);
  });

  it('rejects with the error thrown by onEpoch and stays usable', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const boom = new Error('boom');
    let calls = 0;
    await expect(
      m.fit(s.train, {
        epochs: 5,
        onEpoch: () => {
          calls++;
          if (calls === 2) throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(calls).toBe(2);
    const again = await m.fit(s.train, { epochs: 2 });
    expect(again.history).toHaveLength(2);
  });

  it('keeps the connection count constant under SET evolution while changing the topology', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 80, 80, s.classes], epsilon: 5, seed: 4 });
    const initial = m.topology();
    const sparseWithRoom = initial.layers.map((l) => l.density < 0.5);
    expect(sparseWithRoom.slice(0, 2)).toEqual([true, true]);
    const structures: ReturnType<typeof structure>[] = [];
    const { history } = await m.fit(s.train, { epochs: 5, onEpoch: () => void structures.push(structure(m)) });
    for (const h of history) {
      h.connections.forEach((c, l) => {
        if (sparseWithRoom[l]) expect(c).toBe(initial.layers[l].connections);
      });
    }
    const after = m.topology();
    after.layers.forEach((l, i) => {
      if (sparseWithRoom[i]) expect(l.connections).toBe(initial.layers[i].connections);
    });
    // evolution after epochs 0..3 moved connections: consecutive structures differ
    for (let e = 1; e < 4; e++) expect(structures[e][0].col).not.toEqual(structures[e - 1][0].col);
  });

  it('does not evolve after the last epoch', async () => {
    const s = syntheticSplit();
    // one epoch: the topology after fit is the initial one
    const one = await create({ layers: [s.features, 50, s.classes], epsilon: 5, seed: 5 });
    const initial = structure(one);
    await one.fit(s.train, { epochs: 1 });
    expect(structure(one)).toEqual(initial);
    // two epochs: evolution after epoch 0 only
    const two = await create({ layers: [s.features, 50, s.classes], epsilon: 5, seed: 5 });
    const start = structure(two);
    const seen: ReturnType<typeof structure>[] = [];
    const { history } = await two.fit(s.train, { epochs: 3, onEpoch: () => void seen.push(structure(two)) });
    expect(seen[0][0].col).not.toEqual(start[0].col);
    expect(seen[1][0].col).not.toEqual(seen[0][0].col);
    // the last epoch trained on the topology left by epoch 1's evolution and did not change it
    expect(structure(two)).toEqual(seen[1]);
    expect(two.topology().layers.map((l) => l.connections)).toEqual(history[2].connections);
  });

  it('does not evolve with zeta 0 nor for dense models', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 50, s.classes], epsilon: 5, seed: 5 });
    const initial = structure(m);
    await m.fit(s.train, { epochs: 3, zeta: 0 });
    expect(structure(m)).toEqual(initial);
    const d = await create({ layers: [s.features, 16, s.classes], dense: true, seed: 5 });
    const { history } = await d.fit(s.train, { epochs: 3 });
    expect(history.every((h) => h.connections[0] === s.features * 16)).toBe(true);
    expect(history[2].trainAccuracy).toBeGreaterThan(0.8);
  });
});

describe('SparseMLP.fit in several calls (initialEpoch)', () => {
  const s = syntheticSplit();
  const pruning = { alpha: 0.2, beta: 1, gamma: 2 };

  it('fit(2) then fit(4 from epoch 2) gives the same model and epochs as fit(4), SET and NPSET', async () => {
    for (const options of [{}, { pruning }]) {
      const whole = await create({ layers: [s.features, 40, 40, s.classes], seed: 3 });
      const parts = await create({ layers: [s.features, 40, 40, s.classes], seed: 3 });
      const all = (await whole.fit(s.train, { epochs: 4, ...options })).history;
      const a = (await parts.fit(s.train, { epochs: 2, ...options })).history;
      const b = (await parts.fit(s.train, { epochs: 4, initialEpoch: 2, ...options })).history;
      expect(b.map((h) => h.epoch)).toEqual([2, 3]);
      expect([...a, ...b].map((h) => [h.loss, h.trainAccuracy, h.neurons, h.connections])).toEqual(
        all.map((h) => [h.loss, h.trainAccuracy, h.neurons, h.connections]),
      );
      expect(snapshot(parts)).toEqual(snapshot(whole));
    }
  });

  it('resumes a fit aborted between epochs without repeating its last topology update', async () => {
    const whole = await create({ layers: [s.features, 40, 40, s.classes], seed: 5 });
    const parts = await create({ layers: [s.features, 40, 40, s.classes], seed: 5 });
    await whole.fit(s.train, { epochs: 4 });
    const controller = new AbortController();
    const aborted = parts.fit(s.train, { epochs: 4, signal: controller.signal, onEpoch: (e) => (e.epoch === 1 ? controller.abort() : undefined) });
    await expect(aborted).rejects.toThrow(/aborted/);
    await parts.fit(s.train, { epochs: 4, initialEpoch: 2 }); // epochs 0 and 1 (and the update after 1) were done
    expect(snapshot(parts)).toEqual(snapshot(whole));
  });

  it('refuses an initialEpoch outside 0 .. epochs - 1', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    await expectValidationError(() => m.fit(s.train, { epochs: 3, initialEpoch: 3 }), /initialEpoch/);
    await expectValidationError(() => m.fit(s.train, { epochs: 3, initialEpoch: -1 }), /initialEpoch/);
    await expectValidationError(() => m.fit(s.train, { epochs: 3, initialEpoch: 1.5 }), /initialEpoch/);
  });
});

describe('predict and predictProba', () => {
  it('returns probabilities whose rows sum to 1 and predictions that match evaluate', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    await m.fit(s.train, { epochs: 3 });
    const p = await m.predictProba(s.test);
    expect(p).toBeInstanceOf(Float32Array);
    expect(p).toHaveLength(s.test.samples * s.classes);
    for (let r = 0; r < s.test.samples; r++) {
      let sum = 0;
      for (let c = 0; c < s.classes; c++) {
        const v = p[r * s.classes + c];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        sum += v;
      }
      expect(sum).toBeCloseTo(1, 5);
    }
    const predicted = await m.predict(s.test);
    expect(predicted).toBeInstanceOf(Int32Array);
    expect(Array.from(predicted)).toEqual(argmaxRows(p, s.classes));
    const correct = Array.from(predicted).filter((c, i) => c === s.test.y[i]).length;
    const e = await m.evaluate(s.test);
    expect(e.correct).toBe(correct);
    expect(e.accuracy).toBeCloseTo(correct / s.test.samples, 12);
    // a bare Float32Array of rows works the same
    expect(Array.from(await m.predict(s.test.X))).toEqual(Array.from(predicted));
    // labels are not needed for prediction
    expect(Array.from(await m.predict({ X: s.test.X, samples: s.test.samples, features: s.features }))).toEqual(Array.from(predicted));
  });

  it('classifies separable blobs almost perfectly', async () => {
    const train = blobs(300, 10, 4, 11);
    const test = blobs(120, 10, 4, 12);
    const m = await create({ layers: [10, 40, 4], seed: 2 });
    await m.fit(train, { epochs: 8 });
    const predicted = await m.predict(test);
    const acc = Array.from(predicted).filter((c, i) => c === test.y[i]).length / test.samples;
    expect(acc).toBeGreaterThan(0.9);
  });

  it('copies its input: changing the array while predicting does not change the result', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const X = s.test.X.slice();
    const expected = await m.predictProba(X);
    const pending = m.predictProba(X);
    X.fill(1000);
    expect(Array.from(await pending)).toEqual(Array.from(expected));
  });
});

describe('clone', () => {
  it('makes an equal but independent copy', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, 32, s.classes], epsilon: 5, seed: 1 });
    await m.fit(s.train, { epochs: 2 });
    const c = await m.clone();
    models.push(c);
    expect(c).not.toBe(m);
    expect(c.options).toEqual(m.options);
    expect(snapshot(c)).toEqual(snapshot(m));
    expect(await c.evaluate(s.test)).toEqual(await m.evaluate(s.test));

    const original = snapshot(m);
    const originalEval = await m.evaluate(s.test);
    await c.fit(s.train, { epochs: 3, pruning: { alpha: 0.25, beta: 0, gamma: 0 } });
    expect(c.topology().neurons).toEqual([s.features, 24, 24, s.classes]);
    expect(m.topology().neurons).toEqual([s.features, 32, 32, s.classes]);
    expect(snapshot(m)).toEqual(original);
    expect(await m.evaluate(s.test)).toEqual(originalEval);

    // disposing the original leaves the clone working
    m.dispose();
    expect((await c.evaluate(s.test)).samples).toBe(s.test.samples);
  });
});

describe('dispose', () => {
  it('frees the model: every method throws afterwards, a second dispose is a no-op', async () => {
    const s = syntheticSplit();
    const m = await SparseMLP.create({ layers: [s.features, 16, s.classes] });
    m.dispose();
    expect(m.disposed).toBe(true);
    expect(() => m.dispose()).not.toThrow();
    const disposed = /disposed/;
    expect(() => m.topology()).toThrow(ValidationError);
    expect(() => m.topology()).toThrow(disposed);
    expect(() => m.layer(0)).toThrow(disposed);
    expect(() => m.memory()).toThrow(disposed);
    expect(() => m.threads).toThrow(disposed);
    expect(() => m.inputs).toThrow(disposed);
    await expect(m.fit(s.train, { epochs: 1 })).rejects.toThrow(disposed);
    await expect(m.evaluate(s.train)).rejects.toThrow(disposed);
    await expect(m.predict(s.train)).rejects.toThrow(disposed);
    await expect(m.predictProba(s.train)).rejects.toThrow(disposed);
    await expect(m.clone()).rejects.toThrow(disposed);
    await expect(m.evolve()).rejects.toThrow(disposed);
  });

  it('is refused while fit runs, and works once it has finished', async () => {
    const s = syntheticSplit();
    const m = await SparseMLP.create({ layers: [s.features, 32, s.classes], seed: 1 });
    const fit = m.fit(s.train, { epochs: 3 });
    expect(() => m.dispose()).toThrow(/training/);
    expect(m.disposed).toBe(false);
    const { history } = await fit;
    expect(history).toHaveLength(3);
    m.dispose();
    expect(m.disposed).toBe(true);
  });

  it('is refused while a single native job (evaluate) is queued or runs', async () => {
    const s = syntheticSplit();
    const m = await SparseMLP.create({ layers: [s.features, 32, s.classes], seed: 1 });
    const e = m.evaluate(s.train);
    // disposing now would free the model under the queued job
    expect(() => m.dispose()).toThrow(BusyError);
    expect((await e).samples).toBe(s.train.samples);
    m.dispose();
    expect(m.disposed).toBe(true);
  });

  it('refuses a second fit while one runs', async () => {
    const s = syntheticSplit();
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const first = m.fit(s.train, { epochs: 2 });
    await expect(m.fit(s.train, { epochs: 1 })).rejects.toThrow(/already training/);
    expect((await first).history).toHaveLength(2);
  });
});

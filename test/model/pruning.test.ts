import { describe, expect, it } from 'vitest';
import { SparseMLP, type EpochInfo, type PruneLayers } from '../../lib/model';
import { disposeAfterEach, expectValidationError, syntheticSplit } from './helpers';

const { create } = disposeAfterEach();

/** Hidden sizes per epoch under NPSET's rule: floor(alpha * n) removed at each epoch beta..beta+gamma. */
function schedule(hidden: number[], pruned: number[], epochs: number, alpha: number, beta: number, gamma: number) {
  const sizes: number[][] = [];
  const removed: (number[] | undefined)[] = [];
  const n = [...hidden];
  for (let e = 0; e < epochs; e++) {
    if (e >= beta && e <= beta + gamma) {
      const r = pruned.map((h) => Math.floor(alpha * n[h - 1]));
      pruned.forEach((h, i) => (n[h - 1] -= r[i]));
      removed.push(r);
    } else {
      removed.push(undefined);
    }
    sizes.push([...n]);
  }
  return { sizes, removed };
}

describe('NPSET through fit', () => {
  const s = syntheticSplit();
  const hidden = [100, 80];
  const alpha = 0.1;
  const beta = 1;
  const gamma = 3;
  const epochs = 7;

  async function run(layers: PruneLayers | number[]): Promise<{ model: SparseMLP; history: EpochInfo[] }> {
    const model = await create({ layers: [s.features, ...hidden, s.classes], epsilon: 5, seed: 3 });
    const { history } = await model.fit(s.train, { epochs, pruning: { layers, alpha, beta, gamma }, validation: s.test });
    return { model, history };
  }

  it("removes floor(alpha * n) neurons per hidden layer from epoch beta to beta + gamma ('all')", async () => {
    const { model, history } = await run('all');
    const expected = schedule(hidden, [1, 2], epochs, alpha, beta, gamma);
    // 100 -> 90 -> 81 -> 73 -> 66 and 80 -> 72 -> 65 -> 59 -> 54
    expect(expected.sizes[epochs - 1]).toEqual([66, 54]);
    expect(history.map((h) => h.neurons.slice(1, -1))).toEqual(expected.sizes);
    expect(history.map((h) => h.pruned)).toEqual(expected.removed);
    for (const h of history) {
      expect(h.neurons[0]).toBe(s.features);
      expect(h.neurons[3]).toBe(s.classes);
      expect(h.connections).toHaveLength(3);
    }
    // connections fall at each pruning and stay constant between prunings (SET keeps counts)
    const params = history.map((h) => h.connections.reduce((a, b) => a + b, 0));
    for (let e = 1; e < epochs; e++) {
      if (e >= beta && e <= beta + gamma) expect(params[e]).toBeLessThan(params[e - 1]);
      else expect(params[e]).toBe(params[e - 1]);
    }
    // the model ends with the last epoch's topology
    const t = model.topology();
    expect(t.neurons).toEqual([s.features, 66, 54, s.classes]);
    expect(t.neuronCount).toBe(s.features + 66 + 54);
    expect(t.layers.map((l) => l.connections)).toEqual(history[epochs - 1].connections);
    expect(model.memory().connections).toBe(t.connections);
    // and still predicts, with the smaller layers
    const e = await model.evaluate(s.test);
    expect(e.accuracy).toBeCloseTo(history[epochs - 1].validationAccuracy!, 10);
    expect(history[epochs - 1].trainAccuracy).toBeGreaterThan(0.9);
  });

  it("prunes only the first hidden layer with 'first'", async () => {
    const { history } = await run('first');
    const expected = schedule(hidden, [1], epochs, alpha, beta, gamma);
    expect(history.map((h) => h.neurons.slice(1, -1))).toEqual(expected.sizes);
    expect(history[epochs - 1].neurons.slice(1, -1)).toEqual([66, 80]);
    expect(history.map((h) => h.pruned)).toEqual(expected.removed);
    expect(history[1].pruned).toEqual([10]);
  });

  it("prunes only the second hidden layer with 'second' and with [2]", async () => {
    const a = await run('second');
    const b = await run([2]);
    const expected = schedule(hidden, [2], epochs, alpha, beta, gamma);
    expect(a.history.map((h) => h.neurons.slice(1, -1))).toEqual(expected.sizes);
    expect(a.history[epochs - 1].neurons.slice(1, -1)).toEqual([100, 54]);
    expect(a.history.map((h) => h.pruned)).toEqual(expected.removed);
    // the same choice, the same seed: the same run
    expect(b.history.map((h) => h.neurons)).toEqual(a.history.map((h) => h.neurons));
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
  });

  it('uses the documented defaults (alpha 0.04, beta 10, gamma 40)', async () => {
    const model = await create({ layers: [s.features, 50, s.classes], epsilon: 5, seed: 3 });
    const { history, options } = await model.fit(s.train, { epochs: 12, zeta: 0, pruning: {} });
    expect(options.pruning).toEqual({ hiddenLayers: [1], alpha: 0.04, beta: 10, gamma: 40, criterion: 'out-degree' });
    expect(history.map((h) => h.neurons[1])).toEqual([50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 48, 47]);
    expect(history[9].pruned).toBeUndefined();
    expect(history[10].pruned).toEqual([2]);
  });

  it("gives Table 3's neuron counts: 300 -> 66 per layer after 41 prunings", () => {
    // (checks the arithmetic the tests above rely on)
    expect(schedule([300, 300], [1, 2], 60, 0.04, 10, 40).sizes[59]).toEqual([66, 66]);
  });

  it('is refused on dense models and on layers the model lacks', async () => {
    const dense = await create({ layers: [s.features, 20, 20, s.classes], dense: true });
    await expectValidationError(() => dense.fit(s.train, { epochs: 2, pruning: { layers: 'all' } }), /sparse model/);
    const one = await create({ layers: [s.features, 20, s.classes] });
    await expectValidationError(() => one.fit(s.train, { epochs: 2, pruning: { layers: 'second' } }), /2 hidden layers/);
    await expectValidationError(() => one.fit(s.train, { epochs: 2, pruning: { layers: [2] } }));
    await expectValidationError(() => one.fit(s.train, { epochs: 2, pruning: { layers: [1, 1] } }));
    // the refused calls left the models untouched and usable
    expect(dense.topology().neurons).toEqual([s.features, 20, 20, s.classes]);
    expect((await one.fit(s.train, { epochs: 1, pruning: { layers: [1], alpha: 0.1, beta: 0 } })).history[0].neurons[1]).toBe(18);
  });

  it('pruning: false disables pruning', async () => {
    const model = await create({ layers: [s.features, 30, s.classes], epsilon: 5, seed: 3 });
    const { history, options } = await model.fit(s.train, { epochs: 3, pruning: false });
    expect(options.pruning).toBeNull();
    expect(history.every((h) => h.neurons[1] === 30 && h.pruned === undefined)).toBe(true);
  });
});

describe('pruning criterion', () => {
  const s = syntheticSplit();

  /** Out-degree and outgoing weight strength of each neuron of hidden layer h (1-based), from the CSR of layer h. */
  function outgoing(model: SparseMLP, h: number): { degree: number[]; strength: number[] } {
    const c = model.layer(h);
    const degree = new Array<number>(c.cols).fill(0);
    const strength = new Array<number>(c.cols).fill(0);
    for (let k = 0; k < c.col.length; k++) {
      degree[c.col[k]]++;
      strength[c.col[k]] += Math.abs(c.values[k]);
    }
    return { degree, strength };
  }

  it('removes the neurons with the fewest outgoing connections (ties: smaller strength, then lower index)', async () => {
    const model = await create({ layers: [s.features, 60, 60, s.classes], epsilon: 3, seed: 9 });
    await model.fit(s.train, { epochs: 2 });
    const { degree, strength } = outgoing(model, 1);
    const order = Array.from(model.neuronOrder(1));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const byRule = Array.from({ length: 60 }, (_, i) => i).sort(
      (a, b) => degree[a] - degree[b] || strength[a] - strength[b] || a - b,
    );
    expect(order).toEqual(byRule);

    const incomingBefore = model.layer(0);
    const removed = await model.pruneNeurons({ hiddenLayers: [1], alpha: 0.2 });
    expect(removed).toHaveLength(1);
    expect([...removed[0]].sort((a, b) => a - b)).toEqual(byRule.slice(0, 12).sort((a, b) => a - b));
    expect(model.topology().neurons).toEqual([s.features, 48, 60, s.classes]);
    // the kept neurons keep their incoming rows (in order), the removed ones lose theirs
    const kept = Array.from({ length: 60 }, (_, i) => i).filter((i) => !removed[0].includes(i));
    const after = model.layer(0);
    expect(after.rows).toBe(48);
    kept.forEach((old, row) => {
      const a = Array.from(after.values.slice(after.rowPtr[row], after.rowPtr[row + 1]));
      const b = Array.from(incomingBefore.values.slice(incomingBefore.rowPtr[old], incomingBefore.rowPtr[old + 1]));
      expect(a).toEqual(b);
    });
    // and their outgoing columns are gone from layer 1
    const out = model.layer(1);
    expect(out.cols).toBe(48);
    const removedOut = removed[0].reduce((n, i) => n + degree[i], 0);
    expect(out.col.length).toBe(degree.reduce((a, b) => a + b, 0) - removedOut);
  });

  it('supports the in-degree criterion', async () => {
    const model = await create({ layers: [s.features, 40, s.classes], epsilon: 3, seed: 9 });
    const c = model.layer(0);
    const inDegree = Array.from({ length: c.rows }, (_, r) => c.rowPtr[r + 1] - c.rowPtr[r]);
    const order = Array.from(model.neuronOrder(1, 'in-degree'));
    for (let i = 1; i < order.length; i++) expect(inDegree[order[i]]).toBeGreaterThanOrEqual(inDegree[order[i - 1]]);
    await expectValidationError(() => model.neuronOrder(1, 'bogus' as never));
    await expectValidationError(() => model.neuronOrder(2));
  });
});

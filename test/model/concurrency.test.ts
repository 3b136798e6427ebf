import { describe, expect, it } from 'vitest';
import type { FitOptions } from '../../lib/model';
import { disposeAfterEach, snapshot, syntheticSplit } from './helpers';

const { create } = disposeAfterEach();

const s = syntheticSplit();

describe('calls on one model while it trains', () => {
  it('evaluate and predict queued during fit run between epochs and do not break the fit', async () => {
    const m = await create({ layers: [s.features, 40, 40, s.classes], epsilon: 6, seed: 3 });
    const fit = m.fit(s.train, { epochs: 4, pruning: { alpha: 0.1, beta: 1, gamma: 2 } });
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) calls.push(m.evaluate(s.test), m.predict(s.test));
    const [result, ...others] = await Promise.all([fit, ...calls]);
    expect((result as { history: unknown[] }).history).toHaveLength(4);
    for (const o of others) expect(o).toBeDefined();
    const e = (await m.evaluate(s.test)).accuracy;
    expect(e).toBeGreaterThanOrEqual(0);
    expect(m.topology().neurons.slice(1, -1)).toEqual([30, 30]); // 40 -> 36 -> 33 -> 30 (epochs 1, 2, 3)
  });
});

describe('concurrent models', () => {
  it('two models trained at the same time give the results they give alone', async () => {
    const fitA: FitOptions = { epochs: 5, validation: s.test };
    const fitB: FitOptions = { epochs: 5, validation: s.test, pruning: { alpha: 0.1, beta: 1, gamma: 2 } };
    const soloA = await create({ layers: [s.features, 48, 48, s.classes], epsilon: 6, seed: 1 });
    const soloB = await create({ layers: [s.features, 40, 40, s.classes], epsilon: 6, seed: 2 });
    const ha = (await soloA.fit(s.train, fitA)).history;
    const hb = (await soloB.fit(s.train, fitB)).history;

    const a = await create({ layers: [s.features, 48, 48, s.classes], epsilon: 6, seed: 1 });
    const b = await create({ layers: [s.features, 40, 40, s.classes], epsilon: 6, seed: 2 });
    const order: string[] = [];
    const [ra, rb] = await Promise.all([
      a.fit(s.train, { ...fitA, onEpoch: (i) => void order.push(`a${i.epoch}`) }),
      b.fit(s.train, { ...fitB, onEpoch: (i) => void order.push(`b${i.epoch}`) }),
    ]);
    // they really ran at the same time: b's first epoch finished before a's last one
    expect(order.indexOf('b0')).toBeLessThan(order.indexOf('a4'));
    expect(ra.history.map((h) => h.loss)).toEqual(ha.map((h) => h.loss));
    expect(ra.history.map((h) => h.validationAccuracy)).toEqual(ha.map((h) => h.validationAccuracy));
    expect(rb.history.map((h) => h.loss)).toEqual(hb.map((h) => h.loss));
    expect(rb.history.map((h) => h.neurons)).toEqual(hb.map((h) => h.neurons));
    expect(snapshot(a)).toEqual(snapshot(soloA));
    expect(snapshot(b)).toEqual(snapshot(soloB));
  });

  it('evaluate and predict on one model interleave safely with a fit of another', async () => {
    const trainer = await create({ layers: [s.features, 48, s.classes], seed: 3 });
    const reader = await create({ layers: [s.features, 48, s.classes], seed: 4 });
    await reader.fit(s.train, { epochs: 2 });
    const expected = await reader.predictProba(s.test);
    const fit = trainer.fit(s.train, { epochs: 4 });
    const reads = await Promise.all(Array.from({ length: 6 }, () => reader.predictProba(s.test)));
    for (const r of reads) expect(r).toEqual(expected);
    expect((await fit).history).toHaveLength(4);
  });

  it('many models created and evaluated at once all come out right', async () => {
    const ms = await Promise.all(Array.from({ length: 6 }, (_, i) => create({ layers: [s.features, 20, s.classes], seed: i })));
    const evals = await Promise.all(ms.map((m) => m.evaluate(s.test)));
    const again = [];
    for (const m of ms) again.push(await m.evaluate(s.test));
    expect(evals).toEqual(again);
    // different seeds, different models
    expect(new Set(ms.map((m) => m.layer(0).values[0])).size).toBeGreaterThan(1);
  });
});

describe('the event loop during long native work', () => {
  it('keeps ticking while a training epoch runs off the main thread', async () => {
    const big = syntheticSplit({ samples: 2400, features: 200, classes: 2 });
    const m = await create({ layers: [big.features, 600, 600, big.classes], seed: 1, threads: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // one epoch = two native jobs (train, then evaluate); the next job starts in the microtasks that
      // settle the previous one, so a timer can only fire while native work is in flight
      const { history } = await m.fit(big.train, { epochs: 1 });
      expect(history).toHaveLength(1);
    } finally {
      clearInterval(timer);
    }
    // work done synchronously (or in a setImmediate callback) would leave at most a tick per job
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});

/**
 * Calls a hostile or careless script makes: each must end in a typed error that says what was wrong (or,
 * for the dispose races, in a correct result), never in a crash, a hang or a silent no-op.
 */
import { describe, expect, it } from 'vitest';
import { AbortError, BusyError, DivergenceError, NpsetError, ValidationError } from '../../lib/errors';
import { NativeData, SparseMLP } from '../../lib/model';
import { blobs, disposeAfterEach, expectValidationError } from './helpers';

const { create } = disposeAfterEach();

describe('building a model', () => {
  it('refuses `new SparseMLP()` and points to SparseMLP.create', () => {
    const Ctor = SparseMLP as unknown as new (...args: unknown[]) => SparseMLP;
    expect(() => new Ctor({ layers: [4, 2] })).toThrow(ValidationError);
    expect(() => new Ctor({ layers: [4, 2] })).toThrow(/SparseMLP\.create/);
  });

  it('takes every position of a layer for a huge epsilon, at once', async () => {
    const m = await create({ layers: [500, 10, 2], epsilon: 1e30, seed: 1, threads: 1 });
    expect(m.topology().layers.map((l) => l.connections)).toEqual([5000, 20]);
  });

  it('refuses an epsilon that leaves a layer without connections, naming the layer', async () => {
    const err = await SparseMLP.create({ layers: [20, 10, 2], epsilon: 1e-9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/layer 0 \(20 -> 10\) received none with epsilon 1e-09/);
  });

  it('says that numbers beyond the 32-bit float range are too large (not "not finite")', async () => {
    await expectValidationError(() => SparseMLP.create({ layers: [4, 2], epsilon: 1e39 }), /<= 3\.4028234663852886e\+38 for epsilon/);
    const m = await create({ layers: [4, 6, 2], seed: 1 });
    await expectValidationError(() => m.fit(blobs(8, 4, 2), { learningRate: 1e39 }), /for learningRate but received 1e\+39/);
  });
});

describe('training that diverges', () => {
  it('rejects with a DivergenceError naming the epoch instead of reporting NaN losses', async () => {
    const m = await create({ layers: [6, 32, 32, 2], epsilon: 5, seed: 3, threads: 1 });
    const seen: number[] = [];
    const err = await m
      .fit(blobs(64, 6, 2), { epochs: 20, learningRate: 1e30, onEpoch: (e) => void seen.push(e.loss) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err).toBeInstanceOf(NpsetError);
    const d = err as DivergenceError;
    expect(d.code).toBe('ERR_NPSET_DIVERGED');
    expect(Number.isFinite(d.loss)).toBe(false);
    // every epoch handed to onEpoch had a finite loss; the diverged one is the next
    expect(seen.every(Number.isFinite)).toBe(true);
    expect(d.epoch).toBe(seen.length);
    expect(d.message).toMatch(new RegExp(`epoch ${d.epoch + 1}: the training loss is (NaN|Infinity|-Infinity)`));
    // the model is still a model: it can be disposed, or trained again from here
    expect(m.disposed).toBe(false);
  });
});

describe('removeNeurons, pruneNeurons and evolve', () => {
  it('validates the neuron list before copying it', async () => {
    const m = await create({ layers: [6, 10, 2], seed: 1, threads: 1 });
    await expectValidationError(() => m.removeNeurons(1, { length: 1e9 } as ArrayLike<number>), /an array of neuron indices for neurons/);
    await expectValidationError(() => m.removeNeurons(1, 5 as unknown as number[]), /an array of neuron indices/);
    await expectValidationError(() => m.removeNeurons(1, new Array(11).fill(0)), /at most 10 neuron indices/);
    await expectValidationError(() => m.removeNeurons(1, [3, 10]), /an integer >= 0 and <= 9 for neurons\[1\]/);
    expect(m.topology().neurons).toEqual([6, 10, 2]);
    m.removeNeurons(1, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const t = m.topology();
    expect(t.neurons).toEqual([6, 0, 2]);
    expect(t.layers.map((l) => l.density)).toEqual([0, 0]);
    await expectValidationError(() => m.removeNeurons(1, [0]), /at most 0 neuron indices/);
  });

  it('rejects misspelled option keys as create and fit do', async () => {
    const m = await create({ layers: [6, 10, 2], seed: 1, threads: 1 });
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1], alhpa: 0.5 } as never), /unknown option "alhpa"/);
    await expectValidationError(() => m.evolve({ zetta: 0.9 } as never), /unknown option "zetta"/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1], alpha: 1 }), /for alpha but received 1/);
    expect(m.topology().neurons).toEqual([6, 10, 2]);
  });
});

describe('data of the wrong kind', () => {
  it('names the typed array that was passed instead of a Float32Array', async () => {
    const m = await create({ layers: [5, 8, 2], seed: 1, threads: 1 });
    await expectValidationError(() => m.predict(new Float64Array(10) as never), /received a Float64Array of length 10/);
    await expectValidationError(() => m.evaluate(new Float32Array(10) as never), /a dataset object .* received a Float32Array/);
  });
});

describe('jobs in the queue', () => {
  it('refuses dispose while a call is queued behind another model, and the call then completes', async () => {
    const big = blobs(3000, 60, 2);
    const a = await create({ layers: [60, 400, 400, 2], seed: 1, threads: 1 });
    const b = await create({ layers: [60, 16, 2], seed: 2, threads: 1 });
    const running = a.trainEpoch(big, { batchSize: 8 });
    const queued = b.evaluate(big);
    expect(() => b.dispose()).toThrow(BusyError);
    expect(() => b.dispose()).toThrow(/calls in progress/);
    await running;
    expect((await queued).samples).toBe(3000);
    b.dispose();
    expect(b.disposed).toBe(true);
  });

  it('keeps a NativeData alive for the calls it was given, and refuses it to new ones', async () => {
    const d = blobs(200, 8, 2);
    const m = await create({ layers: [8, 32, 2], seed: 4, threads: 1 });
    const reference = await create({ layers: [8, 32, 2], seed: 4, threads: 1 });
    const expected = await reference.fit(d, { epochs: 3 });
    const prepared = NativeData.from(d);
    const fit = m.fit(prepared, { epochs: 3 });
    const evaluation = m.evaluate(prepared);
    prepared.dispose();
    expect(prepared.disposed).toBe(true);
    const got = await fit;
    expect(got.history.map((h) => h.loss)).toEqual(expected.history.map((h) => h.loss));
    expect((await evaluation).samples).toBe(200);
    await expectValidationError(() => m.evaluate(prepared), /a NativeData that has not been disposed/);
  });

  it('types the busy error of a synchronous call made while a native job runs', async () => {
    const big = blobs(4000, 80, 2);
    const m = await create({ layers: [80, 600, 600, 2], seed: 1, threads: 1 });
    const job = m.trainEpoch(big, { batchSize: 8 });
    let done = false;
    void job.then(() => (done = true));
    const errors: unknown[] = [];
    while (!done && errors.length === 0) {
      await new Promise((r) => setTimeout(r, 2));
      try {
        m.topology();
      } catch (e) {
        errors.push(e);
      }
    }
    await job;
    // The job runs for far longer than the polling interval, so some call met it running.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BusyError);
    expect((errors[0] as BusyError).code).toBe('ERR_NPSET_BUSY');
    // in this class's terms, not the addon's (layerCsr, cancel())
    expect((errors[0] as Error).message).toMatch(/^Cannot call topology while this SparseMLP runs a native call/);
  });
});

describe('predictions and single passes', () => {
  it('predict gives the argmax of predictProba, without the probability matrix', async () => {
    const d = blobs(300, 6, 7);
    const m = await create({ layers: [6, 40, 7], seed: 2, threads: 2 });
    await m.fit(d, { epochs: 2 });
    const p = await m.predictProba(d);
    const expected = Int32Array.from({ length: 300 }, (_, s) => {
      let best = 0;
      for (let c = 1; c < 7; c++) if (p[s * 7 + c] > p[s * 7 + best]) best = c;
      return best;
    });
    expect(await m.predict(d)).toEqual(expected);
    expect(await m.predict(d.X)).toEqual(expected);
    await expectValidationError(() => m.predict(d.X.subarray(0, 10)), /a positive multiple of 6 values .* received a Float32Array of length 10/);
  });

  it('sizes the batch buffers by the batch in use, never more samples than the data has', async () => {
    // 65536 x 50,000 neurons of buffers would not fit this machine; 64 samples do.
    const m = await create({ layers: [20, 50000, 2], epsilon: 1, seed: 1, threads: 2 });
    const d = blobs(64, 20, 2);
    expect((await m.evaluate(d, { batchSize: 65536 })).samples).toBe(64);
    expect((await m.trainEpoch(d, { batchSize: 65536 })).accuracy).toBeGreaterThanOrEqual(0);
    expect(await m.predict(d)).toHaveLength(64);
  });

  it('trainEpoch refuses what only fit does (epochs, evolution, pruning)', async () => {
    const m = await create({ layers: [6, 10, 2], seed: 1, threads: 1 });
    const d = blobs(16, 6, 2);
    for (const key of ['epochs', 'zeta', 'pruning', 'regrowInit', 'regrowScale']) {
      await expectValidationError(() => m.trainEpoch(d, { [key]: 1 } as never), new RegExp(`trainEpoch options but received the unknown option "${key}"`));
    }
  });

  it('NativeData.from says so when given a NativeData', async () => {
    const n = NativeData.from(blobs(8, 3, 2));
    await expectValidationError(() => NativeData.from(n as never), /a plain dataset object .* but received a NativeData/);
    n.dispose();
  });
});

describe('fit and its onEpoch callback', () => {
  it('rejects with AbortError when aborted while onEpoch has not settled', async () => {
    const m = await create({ layers: [6, 10, 2], seed: 1, threads: 1 });
    const controller = new AbortController();
    const fit = m.fit(blobs(16, 6, 2), {
      epochs: 3,
      signal: controller.signal,
      onEpoch: () => {
        setTimeout(() => controller.abort(), 10);
        return new Promise<void>(() => undefined); // never settles
      },
    });
    await expect(fit).rejects.toBeInstanceOf(AbortError);
    expect(m.disposed).toBe(false);
  });
});

describe('integers beyond 2^53 - 1', () => {
  it('are refused with the end of the range in the message', async () => {
    await expectValidationError(() => SparseMLP.create({ layers: [4, 2], seed: 2 ** 53 }), /an integer >= 0 and <= 9007199254740991 for seed/);
  });
});

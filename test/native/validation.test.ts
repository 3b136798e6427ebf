import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon, dataset, failure, syncFailure, type Dataset, type Model } from './addon';

type ErrorClass = typeof TypeError | typeof RangeError;

async function expectReject(p: () => Promise<unknown>, type: ErrorClass, message: RegExp) {
  const err = await failure(p);
  expect(err, `${message}: got ${String(err)}`).toBeInstanceOf(type);
  expect(err.message).toMatch(message);
  expect(err.code).toBe('ERR_NPSET_INVALID_ARGUMENT');
}

function expectThrow(f: () => unknown, type: ErrorClass, message: RegExp) {
  const err = syncFailure(f);
  expect(err, `${message}: got ${String(err)}`).toBeInstanceOf(type);
  expect(err.message).toMatch(message);
}

describe('native addon: createModel validation', () => {
  const T = TypeError;
  const R = RangeError;
  const cases: Array<[string, unknown, ErrorClass, RegExp]> = [
    ['no config', undefined, T, /^Expected an options object for config but received undefined$/],
    ['null config', null, T, /^Expected an options object for config but received null$/],
    ['array config', [10, 2], T, /for config but received an array of length 2$/],
    ['string config', 'big', T, /for config but received "big"$/],
    ['no layers', {}, T, /for config\.layers but received undefined$/],
    ['layers not an array', { layers: '10,2' }, T, /for config\.layers but received "10,2"$/],
    ['layers typed array', { layers: new Int32Array([4, 2]) }, T, /for config\.layers but received an Int32Array of length 2$/],
    ['one layer', { layers: [10] }, R, /for config\.layers but received an array of length 1$/],
    ['zero neurons', { layers: [10, 0, 2] }, R, /^Expected an integer >= 1 and <= 2147483647 for config\.layers\[1\] but received 0$/],
    ['fractional neurons', { layers: [10, 2.5] }, R, /for config\.layers\[1\] but received 2\.5$/],
    ['NaN neurons', { layers: [NaN, 2] }, R, /for config\.layers\[0\] but received NaN$/],
    ['huge layer', { layers: [2 ** 31, 2] }, R, /for config\.layers\[0\] but received 2147483648$/],
    ['string neurons', { layers: ['10', 2] }, T, /for config\.layers\[0\] but received "10"$/],
    ['hole in layers', { layers: [10, , 2] }, T, /for config\.layers\[1\] but received undefined$/], // eslint-disable-line no-sparse-arrays
    ['one class', { layers: [10, 1] }, R, /at least 2 classes/],
    ['unknown key', { layers: [4, 2], lr: 0.1 }, T, /^Expected only the options layers, dense, .* for config but received the unknown option "lr"$/],
    ['dense not boolean', { layers: [4, 2], dense: 1 }, T, /^Expected a boolean for config\.dense but received 1$/],
    ['epsilon 0', { layers: [4, 2], epsilon: 0 }, R, /^Expected a finite number > 0 for config\.epsilon but received 0$/],
    ['epsilon Infinity', { layers: [4, 2], epsilon: Infinity }, R, /for config\.epsilon but received Infinity$/],
    ['epsilon string', { layers: [4, 2], epsilon: '1' }, T, /for config\.epsilon but received "1"$/],
    ['topology unknown', { layers: [4, 2], topology: 'uniform' }, R, /^Expected one of "draws", "bernoulli" for config\.topology but received "uniform"$/],
    ['topology number', { layers: [4, 2], topology: 1 }, T, /for config\.topology but received 1$/],
    ['weightInit unknown', { layers: [4, 2], weightInit: 'he' }, R, /^Expected one of "he-uniform", "xavier-uniform", "normal" for config\.weightInit/],
    ['activation unknown', { layers: [4, 2], activation: 'tanh' }, R, /^Expected one of "relu", "all-relu" for config\.activation but received "tanh"$/],
    ['activation case', { layers: [4, 2], activation: 'ReLU' }, R, /for config\.activation but received "ReLU"$/],
    ['allReluSlope negative', { layers: [4, 2], allReluSlope: -0.1 }, R, /^Expected a finite number >= 0 for config\.allReluSlope but received -0\.1$/],
    ['allReluSlope too big for float', { layers: [4, 2], allReluSlope: 1e300 }, R, /for config\.allReluSlope but received 1e\+300$/],
    ['loss unknown', { layers: [4, 2], loss: 'hinge' }, R, /^Expected one of "cross-entropy", "mse" for config\.loss/],
    ['seed negative', { layers: [4, 2], seed: -1 }, R, /^Expected an integer >= 0 and <= 9007199254740991 for config\.seed but received -1$/],
    ['seed fractional', { layers: [4, 2], seed: 0.5 }, R, /for config\.seed but received 0\.5$/],
    ['seed unsafe', { layers: [4, 2], seed: 2 ** 53 }, R, /for config\.seed but received 9007199254740992$/],
    ['seed bigint', { layers: [4, 2], seed: 1n }, T, /for config\.seed but received 1n$/],
    ['seed string', { layers: [4, 2], seed: '1' }, T, /for config\.seed but received "1"$/],
    ['threads too many', { layers: [4, 2], threads: 5000 }, R, /^Expected an integer >= 0 and <= 4096 for config\.threads but received 5000$/],
    ['threads negative', { layers: [4, 2], threads: -1 }, R, /for config\.threads but received -1$/],
    ['threads null', { layers: [4, 2], threads: null }, T, /for config\.threads but received null$/],
  ];
  for (const [name, config, type, message] of cases) {
    it(name, async () => {
      await expectReject(() => addon.createModel(config as Record<string, unknown>), type, message);
    });
  }

  it('undefined values count as absent', async () => {
    const m = await addon.createModel({ layers: [4, 2], seed: undefined, threads: undefined });
    m.dispose();
  });

  it('a throwing getter in the options rejects with that error', async () => {
    const config = {
      get layers(): number[] {
        throw new Error('boom');
      },
    };
    const err = await failure(() => addon.createModel(config));
    expect(err.message).toBe('boom');
  });

  it('a Proxy as options object works like a plain object', async () => {
    const m = await addon.createModel(new Proxy({ layers: [4, 2], seed: 1 }, {}));
    expect(m.topology().neurons).toEqual([4, 2]);
    m.dispose();
  });

  it('networks that cannot fit in memory reject with a RangeError (ERR_NPSET_OUT_OF_MEMORY), not a crash', async () => {
    for (const config of [
      { layers: [2 ** 31 - 1, 2 ** 31 - 1, 2], dense: true },
      { layers: [100000, 100000, 2], dense: true },
    ]) {
      const err = await failure(() => addon.createModel(config));
      expect(err, JSON.stringify(config)).toBeInstanceOf(RangeError);
      expect(err.code).toBe('ERR_NPSET_OUT_OF_MEMORY');
      expect(err.message).toMatch(/^out of memory: a model of this size needs about .* GiB/);
    }
  });

  it('sparse layers beyond 2^32 - 1 connections (32-bit indices) reject with a RangeError naming the limit', async () => {
    for (const config of [{ layers: [2 ** 31 - 1, 2 ** 31 - 1, 2] }, { layers: [2e9, 2], epsilon: 1e9 }]) {
      const err = await failure(() => addon.createModel(config));
      expect(err, JSON.stringify(config)).toBeInstanceOf(RangeError);
      // The binding's memory estimate usually refuses first; the core's own limit backs it up.
      if (err.code === 'ERR_NPSET_OUT_OF_MEMORY') expect(err.message).toMatch(/^out of memory/);
      else expect(err.message).toMatch(/Expected at most 4294967295 connections per layer for layers\[0\] -> layers\[1\]/);
    }
  });
});

describe('native addon: method argument validation', () => {
  let model: Model;
  let ds: Dataset;
  beforeAll(async () => {
    model = await addon.createModel({ layers: [6, 10, 8, 3], seed: 1 });
    ds = dataset(40, 6, 3);
  });
  afterAll(() => model.dispose());

  it('trainEpoch: the dataset', async () => {
    await expectReject(() => model.trainEpoch(undefined as unknown as Dataset, {}, 0), TypeError, /^Expected a Dataset for dataset but received undefined$/);
    await expectReject(() => model.trainEpoch({ samples: 1, features: 6 } as Dataset, {}, 0), TypeError, /^Expected a Dataset for dataset but received an object$/);
    await expectReject(() => model.trainEpoch(model as unknown as Dataset, {}, 0), TypeError, /^Expected a Dataset for dataset but received a Model$/);
    await expectReject(() => model.trainEpoch(Object.create(addon.Dataset.prototype) as Dataset, {}, 0), TypeError, /Expected a Dataset/);
    await expectReject(() => model.trainEpoch(dataset(10, 5, 3), {}, 0), RangeError, /^Expected a Dataset with 6 features \(the model's inputs\) for dataset but received a Dataset with 5 features$/);
    await expectReject(() => model.trainEpoch(dataset(10, 6, 4), {}, 0), RangeError, /^Expected class labels < 3 \(the model's classes\) for dataset\.y but received the label 3$/);
    await expectReject(() => model.trainEpoch(new addon.Dataset(new Float32Array(12), null, 2, 6), {}, 0), TypeError, /with labels/);
  });

  it('trainEpoch: trainConfig and epoch', async () => {
    const T = TypeError;
    const R = RangeError;
    const cases: Array<[unknown, ErrorClass, RegExp]> = [
      [null, T, /^Expected an options object for trainConfig but received null$/],
      [5, T, /for trainConfig but received 5$/],
      [{ batch: 3 }, T, /unknown option "batch"$/],
      [{ batchSize: 0 }, R, /^Expected an integer >= 1 and <= 65536 for trainConfig\.batchSize but received 0$/],
      [{ batchSize: 1e9 }, R, /for trainConfig\.batchSize but received 1000000000$/],
      [{ batchSize: '32' }, T, /for trainConfig\.batchSize but received "32"$/],
      [{ learningRate: 0 }, R, /^Expected a finite number > 0 for trainConfig\.learningRate but received 0$/],
      [{ learningRate: NaN }, R, /for trainConfig\.learningRate but received NaN$/],
      [{ learningRate: -Infinity }, R, /for trainConfig\.learningRate but received -Infinity$/],
      [{ momentum: 1 }, R, /^Expected a finite number >= 0 and < 1 for trainConfig\.momentum but received 1$/],
      [{ nesterov: 'yes' }, T, /^Expected a boolean for trainConfig\.nesterov but received "yes"$/],
      [{ weightDecay: -1e-9 }, R, /for trainConfig\.weightDecay but received -1e-9$/],
      [{ dropout: 1 }, R, /for trainConfig\.dropout but received 1$/],
      [{ shuffle: 0 }, T, /^Expected a boolean for trainConfig\.shuffle but received 0$/],
    ];
    for (const [cfg, type, message] of cases) {
      await expectReject(() => model.trainEpoch(ds, cfg as Record<string, unknown>, 0), type, message);
    }
    await expectReject(() => model.trainEpoch(ds, {}, -1), RangeError, /^Expected an integer >= 0 and <= 9007199254740991 for epoch but received -1$/);
    await expectReject(() => model.trainEpoch(ds, {}, 1.5), RangeError, /for epoch but received 1\.5$/);
    await expectReject(() => model.trainEpoch(ds, {}, undefined as unknown as number), TypeError, /for epoch but received undefined$/);
  });

  it('evaluate / predict: dataset and batch size', async () => {
    await expectReject(() => model.evaluate(ds, 0), RangeError, /^Expected an integer >= 1 and <= 65536 for batchSize but received 0$/);
    await expectReject(() => model.predict(ds, -5), RangeError, /for batchSize but received -5$/);
    await expectReject(() => model.predict(ds, '8' as unknown as number), TypeError, /for batchSize but received "8"$/);
    await expectReject(() => model.evaluate(new addon.Dataset(new Float32Array(12), null, 2, 6)), TypeError, /with labels/);
    await expectReject(() => model.predict(null as unknown as Dataset), TypeError, /^Expected a Dataset for dataset but received null$/);
  });

  it('evolve and pruneNeurons configs', async () => {
    await expectReject(() => model.evolve({ zeta: 1.5 }, 0), RangeError, /^Expected a finite number >= 0 and <= 1 for evolutionConfig\.zeta but received 1\.5$/);
    await expectReject(() => model.evolve({ regrowInit: 'uniform' }, 0), RangeError, /^Expected one of "normal", "zero", "he-uniform" for evolutionConfig\.regrowInit/);
    await expectReject(() => model.evolve({ regrowScale: -1 }, 0), RangeError, /evolutionConfig\.regrowScale/);
    await expectReject(() => model.evolve({}, -1), RangeError, /for epoch but received -1$/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: [3] }), RangeError, /^Expected an integer >= 1 and <= 2 \(a 1-based hidden layer index\) for pruneConfig\.hiddenLayers\[0\] but received 3$/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: [0] }), RangeError, /pruneConfig\.hiddenLayers\[0\] but received 0$/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: 1 }), TypeError, /for pruneConfig\.hiddenLayers but received 1$/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: [1, 1] }), RangeError, /distinct/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: [1], alpha: 1 }), RangeError, /^Expected a finite number >= 0 and < 1 for pruneConfig\.alpha but received 1$/);
    await expectReject(() => model.pruneNeurons({ hiddenLayers: [1], criterion: 'random' }), RangeError, /^Expected one of "out-degree", "in-degree", "in-out", "strength" for pruneConfig\.criterion/);
    expect(model.topology().neurons).toEqual([6, 10, 8, 3]);
  });

  it('sync methods', () => {
    expectThrow(() => model.layerCsr(-1), RangeError, /^Expected an integer >= 0 and <= 2 for layer but received -1$/);
    expectThrow(() => model.layerCsr(3), RangeError, /for layer but received 3$/);
    expectThrow(() => model.layerCsr('0' as unknown as number), TypeError, /for layer but received "0"$/);
    expectThrow(() => model.neuronOrder(0), RangeError, /^Expected an integer >= 1 and <= 2 for hidden but received 0$/);
    expectThrow(() => model.neuronOrder(1, 'bogus'), RangeError, /for criterion but received "bogus"$/);
    expectThrow(() => model.neuronOrder(1, 3 as unknown as string), TypeError, /for criterion but received 3$/);
    expectThrow(() => model.removeNeurons(1, [10]), RangeError, /^Expected an integer >= 0 and <= 9 for indices\[0\] but received 10$/);
    expectThrow(() => model.removeNeurons(1, new Int32Array([1, -1])), RangeError, /for indices\[1\] but received -1$/);
    expectThrow(() => model.removeNeurons(1, new Float32Array(1) as unknown as Int32Array), TypeError, /^Expected an Int32Array or an array of integers >= 0 for indices but received a Float32Array of length 1$/);
    expectThrow(() => model.removeNeurons(1, 'a' as unknown as number[]), TypeError, /for indices but received "a"$/);
    expectThrow(() => model.removeNeurons(3, []), RangeError, /for hidden but received 3$/);
    expectThrow(() => model.setThreads(-1), RangeError, /^Expected an integer >= 0 and <= 4096 for threads but received -1$/);
    expectThrow(() => model.setThreads(undefined as unknown as number), TypeError, /for threads but received undefined$/);
    expect(model.topology().neurons).toEqual([6, 10, 8, 3]);
  });

  it('a model without hidden layers', async () => {
    const flat = await addon.createModel({ layers: [6, 3] });
    expectThrow(() => flat.neuronOrder(1), RangeError, /no hidden layer/);
    expectThrow(() => flat.removeNeurons(1, []), RangeError, /no hidden layer/);
    await expectReject(() => flat.pruneNeurons({ hiddenLayers: [1] }), RangeError, /hiddenLayers\[0\]/);
    flat.dispose();
  });

  it('survives a barrage of odd arguments', async () => {
    const odd: unknown[] = [
      undefined, null, 0, -0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, -(2 ** 63), '', 'x', true, 1n,
      Symbol('s'), {}, [], [1, 2], new Float32Array(3), new ArrayBuffer(8), () => 1, new Date(0), new Proxy({}, {}),
      Object.create(null),
    ];
    const methods = Object.getOwnPropertyNames(addon.Model.prototype).filter(
      (n) => n !== 'constructor' && n !== 'dispose' && typeof Object.getOwnPropertyDescriptor(addon.Model.prototype, n)!.value === 'function',
    );
    const m = model as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of methods) {
      for (const a of odd) {
        for (const args of [[a], [ds, a], [ds, {}, a], [1, a], [a, a, a]]) {
          try {
            const r = m[name](...args);
            if (r instanceof Promise) {
              try {
                const v = await r;
                if (v && typeof (v as Model).dispose === 'function') (v as Model).dispose();
              } catch (e) {
                expect(e).toBeInstanceOf(Error);
              }
            }
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
          }
        }
      }
    }
    const D = addon.Dataset as unknown as new (...a: unknown[]) => unknown;
    for (const a of odd) {
      for (const args of [[a], [a, a, a, a], [new Float32Array(4), a, 2, 2], [new Float32Array(4), null, a, 2]]) {
        try {
          new D(...args);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
        }
      }
    }
    expect((await model.evaluate(ds)).samples).toBe(40);
  });
});

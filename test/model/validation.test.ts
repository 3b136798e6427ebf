import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS,
  LOSSES,
  MODEL_DEFAULTS,
  PRUNE_CRITERIA,
  PRUNE_LAYERS,
  PRUNING_DEFAULTS,
  REGROW_INITS,
  SparseMLP,
  TOPOLOGIES,
  TRAIN_DEFAULTS,
  WEIGHT_INITS,
  type FitOptions,
  type ModelData,
  type ModelOptions,
} from '../../lib/model';
import { expectValidationError, syntheticSplit } from './helpers';

const s = syntheticSplit();
const LAYERS = [s.features, 16, 16, s.classes];

describe('SparseMLP.create validation', () => {
  const bad: [string, unknown, RegExp?][] = [
    ['no options', undefined],
    ['null options', null],
    ['layers missing', {}, /layers/],
    ['layers empty', { layers: [] }, /layers/],
    ['layers not an array', { layers: '10,5,2' }, /layers/],
    ['only one layer', { layers: [10] }, /at least 2 layer sizes/],
    ['a layer of 0 neurons', { layers: [10, 0, 2] }, /layers\[1\]/],
    ['a negative layer', { layers: [10, -5, 2] }, /layers\[1\]/],
    ['a single class', { layers: [10, 5, 1] }, /at least 2 classes/],
    ['a non-integer layer', { layers: [10, 5.5, 2] }, /layers\[1\].*5\.5/],
    ['a string layer', { layers: [10, '5', 2] }, /layers\[1\]/],
    ['NaN layer', { layers: [NaN, 5, 2] }, /layers\[0\].*NaN/],
    ['epsilon 0', { layers: LAYERS, epsilon: 0 }, /epsilon.*received 0$/],
    ['epsilon NaN', { layers: LAYERS, epsilon: NaN }, /epsilon.*NaN/],
    ['epsilon negative', { layers: LAYERS, epsilon: -1 }, /epsilon/],
    ['epsilon Infinity', { layers: LAYERS, epsilon: Infinity }, /epsilon/],
    ['epsilon as a string', { layers: LAYERS, epsilon: '10' }, /epsilon/],
    ['an unknown key', { layers: LAYERS, epsilonn: 10 }, /unknown option "epsilonn"/],
    ['topology unknown', { layers: LAYERS, topology: 'random' }, /topology/],
    ['weightInit unknown', { layers: LAYERS, weightInit: 'glorot' }, /weightInit/],
    ['activation unknown', { layers: LAYERS, activation: 'tanh' }, /activation/],
    ['loss unknown', { layers: LAYERS, loss: 'hinge' }, /loss/],
    ['dense not boolean', { layers: LAYERS, dense: 1 }, /dense/],
    ['seed negative', { layers: LAYERS, seed: -1 }, /seed/],
    ['seed fractional', { layers: LAYERS, seed: 1.5 }, /seed/],
    ['threads negative', { layers: LAYERS, threads: -2 }, /threads/],
    ['allReluSlope negative', { layers: LAYERS, allReluSlope: -0.1 }, /allReluSlope/],
  ];
  it.each(bad)('%s', async (_name, options, pattern) => {
    await expectValidationError(() => SparseMLP.create(options as ModelOptions), pattern);
  });
});

describe('fit, evaluate and predict validation', () => {
  let m: SparseMLP;
  beforeAll(async () => {
    m = await SparseMLP.create({ layers: LAYERS, seed: 1 });
  });
  afterAll(() => m.dispose());

  const badFit: [string, unknown, RegExp?][] = [
    ['fit options not an object', 5],
    ['an unknown fit key', { epoch: 3 }, /unknown option "epoch"/],
    // The list names every option fit takes, its own (validation, onEpoch, ...) too.
    ['an unknown fit key, all options listed', { epoch: 3 }, /options epochs, batchSize, .*pruning, validation, test, earlyStopping, onEpoch, signal, onDivergence, initialEpoch for fit options/],
    ['epochs 0', { epochs: 0 }, /epochs/],
    ['epochs fractional', { epochs: 1.5 }, /epochs/],
    ['batchSize 0', { batchSize: 0 }, /batchSize.*received 0$/],
    ['learningRate -1', { learningRate: -1 }, /learningRate.*received -1$/],
    ['learningRate 0', { learningRate: 0 }, /learningRate/],
    ['momentum 1', { momentum: 1 }, /momentum.*received 1$/],
    ['momentum negative', { momentum: -0.1 }, /momentum/],
    ['dropout 1', { dropout: 1 }, /dropout.*received 1$/],
    ['weightDecay negative', { weightDecay: -1 }, /weightDecay/],
    ['zeta 2', { zeta: 2 }, /zeta.*received 2$/],
    ['zeta NaN', { zeta: NaN }, /zeta/],
    ['nesterov not boolean', { nesterov: 'yes' }, /nesterov/],
    ['shuffle not boolean', { shuffle: 0 }, /shuffle/],
    ['regrowInit unknown', { regrowInit: 'ones' }, /regrowInit/],
    ["pruning.layers 'third'", { pruning: { layers: 'third' } }, /pruning\.layers.*"third"/],
    // The message names both accepted forms, the names and the array of indices.
    [
      "pruning.layers 'none'",
      { pruning: { layers: 'none' } },
      /^Expected one of "all", "first", "second" or an array of 1-based hidden layer indices for pruning\.layers but received "none"$/,
    ],
    ['pruning.layers 2', { pruning: { layers: 2 } }, /or an array of 1-based hidden layer indices for pruning\.layers but received 2$/],
    ['pruning.layers [0]', { pruning: { layers: [0] } }, /pruning\.layers/],
    ['pruning.layers [3]', { pruning: { layers: [3] } }, /pruning\.layers/],
    ['pruning.alpha 1', { pruning: { alpha: 1 } }, /pruning\.alpha/],
    ['pruning.beta negative', { pruning: { beta: -1 } }, /pruning\.beta/],
    ['pruning.gamma fractional', { pruning: { gamma: 0.5 } }, /pruning\.gamma/],
    ['pruning.criterion unknown', { pruning: { criterion: 'random' } }, /pruning\.criterion/],
    ['an unknown pruning key', { pruning: { alpah: 0.1 } }, /unknown option "alpah"/],
    ['pruning not an object', { pruning: 'all' }, /pruning/],
    ['onEpoch not a function', { onEpoch: 5 }, /onEpoch/],
    ['signal not an AbortSignal', { signal: {} }, /signal/],
  ];
  it.each(badFit)('fit: %s', async (_name, options, pattern) => {
    const before = m.layer(0).values.slice();
    await expectValidationError(() => m.fit(s.train, options as FitOptions), pattern);
    // nothing was trained
    expect(m.layer(0).values).toEqual(before);
  });

  const X = s.train.X;
  const n = s.train.samples;
  const f = s.features;
  const nanX = X.slice();
  nanX[5] = NaN;
  const infX = X.slice();
  infX[7] = -Infinity;
  const yHigh = s.train.y.slice();
  yHigh[3] = s.classes;
  const yNeg = s.train.y.slice();
  yNeg[0] = -1;
  const badData: [string, unknown, RegExp?][] = [
    ['no data', undefined, /train/],
    ['X a Float64Array', { X: Float64Array.from(X), y: s.train.y, samples: n, features: f }, /train\.X.*Float64Array/],
    ['X a plain array', { X: Array.from(X), y: s.train.y, samples: n, features: f }, /train\.X/],
    ['X too short', { X: X.subarray(0, X.length - 1), y: s.train.y, samples: n, features: f }, /train\.X/],
    ['X of the wrong width', { X, y: s.train.y, samples: n, features: f + 1 }, /train\.features/],
    ['NaN in X', { X: nanX, y: s.train.y, samples: n, features: f }, /train\.X\[5\].*NaN/],
    ['-Infinity in X', { X: infX, y: s.train.y, samples: n, features: f }, /train\.X\[7\]/],
    ['a label too large', { X, y: yHigh, samples: n, features: f }, /train\.y\[3\]/],
    ['a negative label', { X, y: yNeg, samples: n, features: f }, /train\.y\[0\]/],
    ['y too short', { X, y: s.train.y.subarray(1), samples: n, features: f }, /train\.y/],
    ['y a plain array', { X, y: Array.from(s.train.y), samples: n, features: f }, /train\.y/],
    ['y missing', { X, samples: n, features: f }, /train\.y/],
    ['samples 0', { X: new Float32Array(0), y: new Int32Array(0), samples: 0, features: f }, /samples/],
  ];
  it.each(badData)('fit data: %s', async (_name, data, pattern) => {
    await expectValidationError(() => m.fit(data as ModelData, { epochs: 1 }), pattern);
  });

  it('validation data is checked as well', async () => {
    await expectValidationError(
      () => m.fit(s.train, { epochs: 1, validation: { ...s.test, y: s.test.y.subarray(2) } }),
      /validation\.y/,
    );
  });

  it('evaluate and predict check their data', async () => {
    await expectValidationError(() => m.evaluate({ X: nanX, y: s.train.y, samples: n, features: f }), /data\.X\[5\]/);
    await expectValidationError(() => m.evaluate({ X, y: yHigh, samples: n, features: f }), /data\.y\[3\]/);
    await expectValidationError(() => m.evaluate({ X, samples: n, features: f }), /data\.y/);
    await expectValidationError(() => m.evaluate(s.train, { batchSize: 0 }), /batchSize/);
    await expectValidationError(() => m.predict(new Float32Array(f + 1)), /data/);
    await expectValidationError(() => m.predict(new Float32Array(0)), /data/);
    await expectValidationError(() => m.predictProba(nanX), /data\.X\[5\]/);
    await expectValidationError(() => m.predict({ X: Float64Array.from(X), samples: n, features: f } as unknown as ModelData));
  });

  it('other methods check their arguments', async () => {
    await expectValidationError(() => {
      m.threads = -1;
    }, /threads/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [3] }), /hiddenLayers\[0\]/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: 1 as unknown as number[] }), /hiddenLayers/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1], criterion: 'x' as never }), /criterion/);
    await expectValidationError(() => m.evolve({ epoch: -1 }), /epoch/);
    await expectValidationError(() => m.removeNeurons(0, [1]), /hidden/);
  });

  it('survives every bad call: the model still trains and the process is alive', async () => {
    const { history } = await m.fit(s.train, { epochs: 2, validation: s.test });
    expect(history).toHaveLength(2);
    expect(m.topology().neurons).toEqual(LAYERS);
  });
});

describe('exported defaults and choices', () => {
  // Every later create and fit reads them: a write by any importer would change all of those.
  const exported = { MODEL_DEFAULTS, TRAIN_DEFAULTS, PRUNING_DEFAULTS, ACTIVATIONS, LOSSES, TOPOLOGIES, WEIGHT_INITS, REGROW_INITS, PRUNE_CRITERIA, PRUNE_LAYERS };
  it.each(Object.entries(exported))('%s is frozen', (_name, value) => {
    expect(Object.isFrozen(value)).toBe(true);
  });

  it('cannot be changed, so create and fit keep their documented defaults', async () => {
    expect(() => {
      (TRAIN_DEFAULTS as { epochs: number }).epochs = 1;
    }).toThrow(TypeError); // test files are ES modules: strict mode
    expect(() => {
      (MODEL_DEFAULTS as { epsilon: number }).epsilon = 1e-9;
    }).toThrow(TypeError);
    expect(() => (ACTIVATIONS as unknown as string[]).push('tanh')).toThrow(TypeError);
    expect(TRAIN_DEFAULTS.epochs).toBe(100);
    const m = await SparseMLP.create({ layers: [4, 8, 2], seed: 1, threads: 1 });
    try {
      expect(m.options.epsilon).toBe(20);
      await expectValidationError(() => SparseMLP.create({ layers: [4, 8, 2], activation: 'tanh' as never }), /activation/);
    } finally {
      m.dispose();
    }
  });
});

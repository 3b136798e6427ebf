/** Shared fixtures of the model tests: small learnable datasets and snapshots of a model's weights. */
import { afterEach, expect } from 'vitest';
import { makeSyntheticDataset } from '../../lib/data';
import { ValidationError } from '../../lib/errors';
import { SparseMLP, type ModelData } from '../../lib/model';

export interface Split {
  train: Required<ModelData>;
  test: Required<ModelData>;
  features: number;
  classes: number;
}

/** The built-in synthetic generator, split 2/3 train, 1/3 test (the labels come shuffled). */
export function syntheticSplit(options: { samples?: number; features?: number; classes?: number; seed?: number } = {}): Split {
  const d = makeSyntheticDataset({ samples: 240, features: 40, classes: 3, seed: 7, ...options });
  const nTrain = Math.round((2 * d.samples) / 3);
  const part = (from: number, to: number): Required<ModelData> => ({
    X: d.X.slice(from * d.features, to * d.features),
    y: d.y.slice(from, to),
    samples: to - from,
    features: d.features,
  });
  return { train: part(0, nTrain), test: part(nTrain, d.samples), features: d.features, classes: d.classes };
}

/** Linearly separable blobs: class c centred at +4 on feature c, unit noise elsewhere. */
export function blobs(samples: number, features: number, classes: number, seed = 1): Required<ModelData> {
  let s = seed >>> 0 || 1;
  const rand = () => {
    // xorshift32: deterministic and independent of the library under test
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const X = new Float32Array(samples * features);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < features; j++) {
      const g = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
      X[i * features + j] = g + (j === c ? 4 : 0);
    }
  }
  return { X, y, samples, features };
}

/** Copies of every layer's CSR arrays, for comparisons across time or models. */
export interface LayerSnapshot {
  rowPtr: number[];
  col: number[];
  values: Float32Array;
  bias: Float32Array;
}

export function snapshot(model: SparseMLP): LayerSnapshot[] {
  const n = model.topology().layers.length;
  return Array.from({ length: n }, (_, l) => {
    const c = model.layer(l);
    return { rowPtr: Array.from(c.rowPtr), col: Array.from(c.col), values: c.values.slice(), bias: c.bias.slice() };
  });
}

/** Structure only (which connections exist), without the weights. */
export function structure(model: SparseMLP): { rowPtr: number[]; col: number[] }[] {
  return snapshot(model).map(({ rowPtr, col }) => ({ rowPtr, col }));
}

export const VALIDATION_MESSAGE = /Expected .* for .* but received/;

/** Asserts that `fn` throws (or its promise rejects with) a ValidationError in the documented message form. */
export async function expectValidationError(fn: () => unknown, pattern: RegExp = VALIDATION_MESSAGE): Promise<ValidationError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a ValidationError').toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe('ERR_NPSET_INVALID_ARGUMENT');
  expect((error as Error).message).toMatch(VALIDATION_MESSAGE);
  if (pattern !== VALIDATION_MESSAGE) expect((error as Error).message).toMatch(pattern);
  return error as ValidationError;
}

/** Class index with the highest probability in each row. */
export function argmaxRows(p: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < p.length / classes; s++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[s * classes + c] > p[s * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Models made with the returned `create` (or pushed onto `models`) are disposed after each test of the
 * calling file. Call it once at the top of a test file.
 */
export function disposeAfterEach(): { models: SparseMLP[]; create: (o: Parameters<typeof SparseMLP.create>[0]) => Promise<SparseMLP> } {
  const models: SparseMLP[] = [];
  afterEach(() => {
    for (const m of models.splice(0)) if (!m.disposed) m.dispose();
  });
  const create = async (options: Parameters<typeof SparseMLP.create>[0]): Promise<SparseMLP> => {
    const m = await SparseMLP.create(options);
    models.push(m);
    return m;
  };
  return { models, create };
}

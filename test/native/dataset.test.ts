import { describe, expect, it } from 'vitest';
import { addon, dataset, failure, syncFailure } from './addon';

const { Dataset } = addon;

describe('native addon: Dataset', () => {
  it('copies x and y and exposes samples, features, hasLabels', () => {
    const ds = new Dataset(new Float32Array(6), new Int32Array([0, 1, 0]), 3, 2);
    expect(ds.samples).toBe(3);
    expect(ds.features).toBe(2);
    expect(ds.hasLabels).toBe(true);
    expect(ds.disposed).toBe(false);
    const unlabelled = new Dataset(new Float32Array(6), null, 2, 3);
    expect(unlabelled.hasLabels).toBe(false);
    const undef = new Dataset(new Float32Array(6), undefined as unknown as null, 6, 1);
    expect(undef.hasLabels).toBe(false);
  });

  it('keeps its own copy: later changes to x do not matter', async () => {
    const model = await addon.createModel({ layers: [4, 8, 3], seed: 3 });
    const x = new Float32Array(8 * 4).map((_, i) => Math.sin(i));
    const y = new Int32Array(8).map((_, i) => i % 3);
    const ds = new Dataset(x, y, 8, 4);
    const before = await model.predict(ds);
    x.fill(100);
    y.fill(2);
    const after = await model.predict(ds);
    expect(Array.from(after)).toEqual(Array.from(before));
    model.dispose();
  });

  it('accepts typed arrays that are views into a larger buffer', async () => {
    const buf = new Float32Array(100).map((_, i) => i / 100);
    const view = buf.subarray(10, 10 + 3 * 4);
    const ds = new Dataset(view, new Int32Array([0, 1, 2]), 3, 4);
    const model = await addon.createModel({ layers: [4, 3], seed: 1 });
    const p1 = await model.predict(ds);
    const p2 = await model.predict(new Dataset(new Float32Array(view), null, 3, 4));
    expect(Array.from(p1)).toEqual(Array.from(p2));
    model.dispose();
  });

  it('rejects wrong types with TypeError and "Expected X for Y but received Z"', () => {
    const cases: Array<[unknown[], RegExp]> = [
      [[[1, 2, 3, 4], null, 2, 2], /^Expected a Float32Array for x but received an array of length 4$/],
      [[new Float64Array(4), null, 2, 2], /^Expected a Float32Array for x but received a Float64Array of length 4$/],
      [[undefined, null, 2, 2], /^Expected a Float32Array for x but received undefined$/],
      [[new Float32Array(4), new Float32Array(2), 2, 2], /^Expected an Int32Array or null for y but received a Float32Array of length 2$/],
      [[new Float32Array(4), [0, 1], 2, 2], /^Expected an Int32Array or null for y but received an array of length 2$/],
      [[new Float32Array(4), null, '2', 2], /^Expected an integer >= 1 .* for samples but received "2"$/],
      [[new Float32Array(4), null, 2, undefined], /^Expected an integer >= 1 .* for features but received undefined$/],
      [[new Float32Array(4), null, 2n, 2], /for samples but received 2n$/],
      [[new Float32Array(4), null, 2, {}], /for features but received an object$/],
    ];
    for (const [args, message] of cases) {
      const err = syncFailure(() => new (Dataset as unknown as new (...a: unknown[]) => unknown)(...args));
      expect(err, String(message)).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(message);
      expect(err.code).toBe('ERR_NPSET_INVALID_ARGUMENT');
    }
  });

  it('rejects out-of-range values with RangeError', () => {
    const cases: Array<[unknown[], RegExp]> = [
      [[new Float32Array(4), null, 0, 4], /for samples but received 0$/],
      [[new Float32Array(4), null, -2, -2], /for samples but received -2$/],
      [[new Float32Array(4), null, 1.5, 2], /for samples but received 1.5$/],
      [[new Float32Array(4), null, NaN, 2], /for samples but received NaN$/],
      [[new Float32Array(4), null, Infinity, 2], /for samples but received Infinity$/],
      [[new Float32Array(4), null, 2 ** 60, 2], /for samples but received/],
      [[new Float32Array(4), null, 2, 2 ** 31], /for features but received 2147483648$/],
      [[new Float32Array(4), null, 3, 2], /^Expected a Float32Array of length samples x features = 3 x 2 for x/],
      [[new Float32Array(4), null, 2 ** 40, 2 ** 30], /samples x features/],
      [[new Float32Array(4), new Int32Array(3), 2, 2], /^Expected an Int32Array of length samples = 2 for y/],
      [[new Float32Array(4), new Int32Array([0, -1]), 2, 2], /^Expected class labels >= 0 for y\[1\] but received -1$/],
      [[new Float32Array([0, NaN, 0, 0]), null, 2, 2], /^Expected finite values for x\[1\] but received NaN$/],
      [[new Float32Array([0, 0, 0, -Infinity]), null, 2, 2], /^Expected finite values for x\[3\] but received -Infinity$/],
    ];
    for (const [args, message] of cases) {
      const err = syncFailure(() => new (Dataset as unknown as new (...a: unknown[]) => unknown)(...args));
      expect(err, String(message)).toBeInstanceOf(RangeError);
      expect(err.message).toMatch(message);
    }
  });

  it('rejects detached buffers', () => {
    const x = new Float32Array(4);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    expect(() => new Dataset(x, null, 2, 2)).toThrow(TypeError);
    const y = new Int32Array(2);
    structuredClone(y.buffer, { transfer: [y.buffer] });
    expect(() => new Dataset(new Float32Array(4), y, 2, 2)).toThrow(TypeError);
  });

  it('accepts SharedArrayBuffer-backed arrays', () => {
    const x = new Float32Array(new SharedArrayBuffer(16));
    const y = new Int32Array(new SharedArrayBuffer(8));
    const ds = new Dataset(x, y, 2, 2);
    expect(ds.samples).toBe(2);
  });

  it('dispose() releases the data; using it afterwards fails with ERR_NPSET_DISPOSED', async () => {
    const model = await addon.createModel({ layers: [3, 2], seed: 1 });
    const ds = dataset(10, 3, 2);
    ds.dispose();
    ds.dispose(); // idempotent
    expect(ds.disposed).toBe(true);
    expect(ds.samples).toBe(10);
    const err = await failure(() => model.evaluate(ds));
    expect(err.code).toBe('ERR_NPSET_DISPOSED');
    model.dispose();
  });

  it('a dataset disposed while a job uses it stays alive for that job', async () => {
    const model = await addon.createModel({ layers: [16, 64, 4], seed: 1 });
    const ds = dataset(4000, 16, 4);
    const job = model.trainEpoch(ds, { batchSize: 16 }, 0);
    ds.dispose();
    const r = await job;
    expect(r.samples).toBe(4000);
    model.dispose();
  });
});

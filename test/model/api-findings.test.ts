/**
 * One test per finding of the public-API fuzzing (test/model/api-fuzz.test.ts): Proxies of typed arrays,
 * detached buffers, holes in arrays, names that are not strings, getters read twice, non-finite
 * standardisation, overflow in the forward pass and divergence in an epoch's last update. Each was a V8
 * TypeError, a silent wrong answer or a model changed by a refused call.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  DivergenceError,
  ModelFileError,
  NativeData,
  OverflowError,
  SparseMLP,
  applyStandardizer,
  datasetFromArrays,
  fitStandardizer,
  makeSyntheticDataset,
  splitAndStandardize,
  stratifiedSplit,
  subset,
  ValidationError,
  type Dataset,
} from '../../lib';
import { blobs, expectValidationError, snapshot } from './helpers';

const F = 6;
const C = 3;

async function model(): Promise<SparseMLP> {
  return SparseMLP.create({ layers: [F, 12, 10, C], epsilon: 3, seed: 4, threads: 1 });
}

function detached(): Int32Array {
  const a = new Int32Array([0, 1]);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('typed arrays behind a Proxy, from another realm, or detached', () => {
  it('a Proxy of a typed array is refused with a ValidationError that says so, everywhere', async () => {
    const m = await model();
    const d = blobs(12, F, C);
    const px = new Proxy(d.X, {});
    const py = new Proxy(d.y, {});
    await expectValidationError(() => m.predict(px as never), /for data.* but received/);
    await expectValidationError(() => m.fit({ ...d, y: py }, { epochs: 1 }), /an Int32Array .* for train\.y but received a Proxy/);
    await expectValidationError(() => m.evaluate({ ...d, X: px }), /a Float32Array for data\.X but received a Proxy/);
    await expectValidationError(() => m.prepare({ X: px, samples: 12, features: F }), /for data\.X but received a Proxy/);
    expect(() => NativeData.from({ ...d, X: px })).toThrow(/for data\.X but received a Proxy/);
    expect(() => stratifiedSplit(py as never)).toThrow(/for y but received a Proxy/);
    expect(() => fitStandardizer(px, 12, F)).toThrow(/for X but received a Proxy/);
    expect(() => datasetFromArrays('d', px, d.y)).toThrow(/for X but received a Proxy/);
    m.dispose();
  });

  it('typed arrays of another realm (a vm context) are taken, as instanceof would not', async () => {
    const m = await model();
    const d = blobs(12, F, C);
    const X = runInNewContext('new Float32Array(n)', { n: d.X.length }) as Float32Array;
    X.set(d.X);
    expect(X instanceof Float32Array).toBe(false);
    expect(Array.from(await m.predict(X))).toEqual(Array.from(await m.predict(d.X)));
    m.dispose();
  });

  it('removeNeurons refuses a detached array by name, and leaves the model as it was', async () => {
    const m = await model();
    const before = snapshot(m);
    const e = await expectValidationError(() => m.removeNeurons(1, detached()), /an array of neuron indices for neurons but received an Int32Array \(detached\) of length 0/);
    expect(e).toBeDefined();
    expect(snapshot(m)).toEqual(before);
    m.dispose();
  });
});

describe('arrays with holes and names that are not strings', () => {
  it('fit refuses holes in pruning.layers before training, so the model is unchanged', async () => {
    const m = await model();
    const before = snapshot(m);
    // eslint-disable-next-line no-sparse-arrays
    const layers = [, 2] as number[];
    await expectValidationError(() => m.fit(blobs(12, F, C), { epochs: 3, pruning: { layers, beta: 1, gamma: 1 } }), /an integer .* for pruning\.layers\[0\] but received undefined/);
    expect(snapshot(m)).toEqual(before);
    // eslint-disable-next-line no-sparse-arrays
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1, , 2] as number[] }), /for hiddenLayers\[1\] but received undefined/);
    expect(snapshot(m)).toEqual(before);
    m.dispose();
  });

  it('NativeData.from refuses a name that is not a string', () => {
    const d = blobs(4, F, C);
    expect(() => NativeData.from(d, Symbol('name') as never)).toThrow(/a string of 1 to 200 characters for name but received Symbol\(name\)/);
    expect(() => NativeData.from(d, {} as never)).toThrow(/for name but received an object/);
  });
});

describe('data helpers', () => {
  const dataset = (): Dataset => datasetFromArrays('d', blobs(30, 4, 3).X, blobs(30, 4, 3).y, 4);

  it('subset checks the whole dataset, not only X', () => {
    const d = dataset();
    expect(() => subset({ ...d, y: undefined } as never, [0])).toThrow(/an Int32Array of length 30 for dataset\.y but received undefined/);
    expect(() => subset({ ...d, samples: 35 }, [34])).toThrow(/a Float32Array of length 140 .* for dataset\.X/);
    expect(() => subset({ ...d, labels: undefined } as never, [0])).toThrow(/for dataset\.labels but received undefined/);
    expect(() => subset({ ...d, featureNames: ['a'] }, [0])).toThrow(/an array of 4 feature names for dataset\.featureNames/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => subset(d, [0, , 2] as number[])).toThrow(/an index in \[0, 29\] for indices\[1\] but received undefined/);
    const s = subset(d, [3, 1]);
    expect(Array.from(s.y)).toEqual([d.y[3], d.y[1]]);
    expect(Array.from(s.X)).toEqual([...d.X.subarray(12, 16), ...d.X.subarray(4, 8)]);
  });

  it('subset reads each field once: a getter cannot swap X after the checks', () => {
    const d = dataset();
    let reads = 0;
    const tricky = { ...d };
    Object.defineProperty(tricky, 'X', { enumerable: true, get: () => (reads++ === 0 ? d.X : new Float32Array(1)) });
    const s = subset(tricky, [0, 29]);
    expect(reads).toBe(1);
    expect(Array.from(s.X.subarray(4))).toEqual(Array.from(d.X.subarray(116)));
  });

  it('fitStandardizer refuses NaN and infinite values; applyStandardizer a non-finite mean', () => {
    expect(() => fitStandardizer(Float32Array.from([1, 2, NaN, 4]), 4, 1)).toThrow(/finite numbers for X\[2\] \(sample 2, feature 0\) but received NaN/);
    expect(() => fitStandardizer(Float32Array.from([1, 2, 3, Infinity]), 2, 2)).toThrow(/for X\[3\] \(sample 1, feature 1\) but received Infinity/);
    const X = Float32Array.from([1, 2, 3, 4]);
    expect(() => applyStandardizer({ mean: Float64Array.from([0, NaN]), scale: Float64Array.from([1, 1]) }, X, 2, 2)).toThrow(/a finite number for standardizer\.mean\[1\] but received NaN/);
    expect(() => applyStandardizer({ mean: Float64Array.from([-Infinity, 0]), scale: Float64Array.from([1, 1]) }, X, 2, 2)).toThrow(/standardizer\.mean\[0\] but received -Infinity/);
    expect(Array.from(applyStandardizer({ mean: Float64Array.from([1, 2]), scale: Float64Array.from([2, 1]) }, X, 2, 2))).toEqual([0, 0, 1, 2]);
  });

  it('makeSyntheticDataset refuses more classes than samples, so that no class is empty', () => {
    expect(() => makeSyntheticDataset({ classes: 1000 })).toThrow(/at least 1000 samples \(one per class\)/);
    const d = makeSyntheticDataset({ classes: 600, informative: 11, features: 20 });
    expect(new Set(d.y).size).toBe(600);
  });
});

describe('prepare and options objects', () => {
  it('prepare reads each field of the data once', async () => {
    const m = await model();
    const d = blobs(5, F, C);
    let reads = 0;
    const data = { samples: 5, features: F };
    Object.defineProperty(data, 'X', { enumerable: true, get: () => (reads++ === 0 ? d.X : new Float32Array(2)) });
    const p = m.prepare(data as never);
    expect(reads).toBe(1);
    expect(p.X).toBe(d.X);
    m.dispose();
  });

  it('a Map, a Date or a typed array is no options object', async () => {
    const m = await model();
    await expectValidationError(() => m.evaluate(blobs(4, F, C), new Map([['batchSize', 2]]) as never), /an options object for evaluate options but received a Map/);
    await expectValidationError(() => m.fit(blobs(4, F, C), new Date() as never), /an options object for fit options but received a Date/);
    expect(() => makeSyntheticDataset(new Float32Array(2) as never)).toThrow(/an options object for options but received a Float32Array of length 2/);
    m.dispose();
  });
});

describe('overflow in the forward pass', () => {
  it('predict, predictProba and evaluate report the samples whose outputs overflow float32', async () => {
    const m = await model();
    await m.fit(blobs(60, F, C), { epochs: 2 });
    const d = blobs(9, F, C, 5);
    const ok = await m.predictProba(d.X);
    const X = d.X.slice();
    for (const s of [2, 7]) for (let j = 0; j < F; j++) X[s * F + j] = (j % 2 ? -1 : 1) * 3.4e38;
    const huge = { ...d, X };
    for (const call of [() => m.predict(X), () => m.predictProba(huge), () => m.evaluate(huge)]) {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(OverflowError);
      expect(e).toMatchObject({ code: 'ERR_NPSET_OVERFLOW', count: 2, first: 2 });
      expect((e as Error).message).toMatch(/overflowed float32 for 2 of 9 samples of data \(the first: sample 2\)/);
    }
    // The model is unchanged and ordinary samples are predicted as before.
    expect(await m.predictProba(d.X)).toEqual(ok);
    m.dispose();
  });
});

describe('divergence in the last update of an epoch', () => {
  it('fit rejects with a DivergenceError measured after the epoch when only the last update overflowed', async () => {
    const m = await model();
    // One batch per epoch: the training loss is measured before the only update, which overflows.
    const e = await m.fit(blobs(12, F, C), { epochs: 1, batchSize: 64, learningRate: 3.4e38, momentum: 0 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e).toMatchObject({ epoch: 0, measured: 'after' });
    expect((e as Error).message).toMatch(/the loss on the training data after the epoch's last update is NaN/);
    // 'continue' keeps the protocol going and resolves.
    const m2 = await model();
    const r = await m2.fit(blobs(12, F, C), { epochs: 2, batchSize: 64, learningRate: 3.4e38, momentum: 0, onDivergence: 'continue' });
    expect(r.history).toHaveLength(2);
    m.dispose();
    m2.dispose();
  });
});

describe('standardisation of a held-out outlier', () => {
  it('applyStandardizer refuses a value whose standardised form leaves float32, naming it', () => {
    const s = { mean: Float64Array.from([0.002]), scale: Float64Array.from([0.0014]) };
    expect(() => applyStandardizer(s, Float32Array.from([0.001, 3e38]), 2, 1)).toThrow(
      /Expected a value whose standardised form \(x - 0\.002\) \/ 0\.0014 fits in float32 for X\[1\] \(sample 1, feature 0\) but received 3\.0000000054977558e\+38/,
    );
  });

  it('splitAndStandardize names the outlier by its place in the dataset, whichever split it lands in', () => {
    const X = Array.from({ length: 12 }, (_, i) => [i === 5 ? 3e38 : (i % 5) * 0.001, 1]);
    const y = Array.from({ length: 12 }, (_, i) => i % 2);
    const d = datasetFromArrays('outlier', X, y);
    let refused = 0;
    let trained = 0;
    for (let seed = 0; seed < 12; seed++) {
      try {
        const p = splitAndStandardize(d, { seed });
        // In the training split the outlier widens its column's scale: every standardised value stays finite.
        for (const part of [p.train, p.test]) expect(part.X.every(Number.isFinite)).toBe(true);
        trained++;
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as Error).message).toMatch(/once standardised with the training split's mean and scale for outlier, sample 5, feature 0 \(from 0\) but received 3\.0000000054977558e\+38/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(trained).toBeGreaterThan(0);
  });
});

describe('model file header: parts that must agree', () => {
  // The header's JSON as edited by the cases: any shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Header = Record<string, any>;
  /** The file with its JSON header edited (the preamble's length and the 8-byte alignment kept right). */
  function edited(bytes: Buffer, edit: (h: Header) => void): Buffer {
    const length = bytes.readUInt32LE(12);
    const header = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8')) as Header;
    const data = bytes.subarray(Math.ceil((16 + length) / 8) * 8);
    edit(header);
    const json = Buffer.from(JSON.stringify(header));
    const pre = Buffer.from(bytes.subarray(0, 16));
    pre.writeUInt32LE(json.length, 12);
    const head = Buffer.concat([pre, json]);
    return Buffer.concat([head, Buffer.alloc((8 - (head.length % 8)) % 8), data]);
  }

  it('refuses a version, a connection count or a standardizer flag that contradicts the rest of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npset-header-'));
    try {
      const m = await model();
      const d = blobs(30, F, C);
      await m.fit(d, { epochs: 1 });
      const file = join(dir, 'm.npset');
      await m.save(file, { standardizer: fitStandardizer(d.X, d.samples, F) });
      m.dispose();
      const bytes = readFileSync(file);
      const cases: [string, (h: Header) => void, RegExp][] = [
        ['version', (h) => (h.version = 2), /the header's version is 2, but the file's preamble says 1/],
        ['connections', (h) => (h.layers[0].connections += 1), /layer 0 of the header says \d+ connections, but its arrays hold \d+/],
        ['standardizer flag', (h) => (h.extras.standardizer = { mean: [1] }), /extras\.standardizer is an object, not true or false/],
        ['no flag', (h) => (h.extras.standardizer = false), /holds standardizer arrays, but its header says the model has no standardizer/],
        ['extras', (h) => (h.extras = null), /holds standardizer arrays/],
        ['extras array', (h) => (h.extras = [1]), /extras are an array of length 1, not an object/],
      ];
      for (const [what, edit, message] of cases) {
        const f = join(dir, `${what}.npset`);
        writeFileSync(f, edited(bytes, edit));
        const e = await SparseMLP.load(f).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e, what).toBeInstanceOf(ModelFileError);
        expect((e as Error).message, what).toMatch(message);
      }
      // The unedited header, rewritten the same way, still loads.
      writeFileSync(join(dir, 'same.npset'), edited(bytes, () => undefined));
      (await SparseMLP.load(join(dir, 'same.npset'))).dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('null is a value, refused everywhere as SparseMLP.create refuses it (it used to mean "the default" in some places)', () => {
  it('in evolve, pruneNeurons, save, load, the learning-rate schedules and splitAndStandardize', async () => {
    const m = await model();
    const before = snapshot(m);
    await expectValidationError(() => m.evolve({ zeta: null as never }), /a finite number >= 0 and <= 1 for zeta but received null/);
    await expectValidationError(() => m.evolve({ epoch: null as never }), /an integer >= 0 for epoch but received null/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1], alpha: null as never }), /for alpha but received null/);
    await expectValidationError(() => m.pruneNeurons({ hiddenLayers: [1], criterion: null as never }), /for criterion but received null/);
    expect(snapshot(m)).toEqual(before);
    const dir = mkdtempSync(join(tmpdir(), 'npset-null-'));
    try {
      const file = join(dir, 'm.npset');
      await expectValidationError(() => m.save(file, { optimizerState: null as never }), /a boolean for optimizerState but received null/);
      await m.save(file);
      await expectValidationError(() => SparseMLP.load(file, { threads: null as never }), /for threads but received null/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const d = makeSyntheticDataset({ samples: 30, features: F, classes: C, seed: 2 });
    await expectValidationError(() => splitAndStandardize(d, { seed: null as never }), /an integer for options\.seed but received null/);
    await expectValidationError(() => m.fit(NativeData.from(d), { epochs: 2, learningRateSchedule: { type: 'constant', warmupEpochs: null as never } }), /warmupEpochs but received null/);
  });

  it('evolve checks zeta itself: the addon would throw a TypeError about its own evolutionConfig', async () => {
    const m = await model();
    const e = await expectValidationError(() => m.evolve({ zeta: 'abc' as never }), /a finite number >= 0 and <= 1 for zeta but received "abc"/);
    expect(e.message).not.toMatch(/evolutionConfig/);
  });
});

describe('undefined is "left out" in create and fit options, as everywhere else in the API', () => {
  it('takes the default for a field given as undefined (passing along a maybe-value from argv)', async () => {
    const given = await SparseMLP.create({ layers: [F, 12, C], seed: undefined, epsilon: undefined, threads: undefined });
    expect(given.options.seed).toBe(0);
    expect(given.options.epsilon).toBe(20);
    const d = makeSyntheticDataset({ samples: 40, features: F, classes: C, seed: 3 });
    const r = await given.fit(NativeData.from(d), { epochs: 2, batchSize: undefined, learningRate: undefined, pruning: { alpha: undefined, beta: 0 } });
    expect(r.history).toHaveLength(2);
    await expectValidationError(() => SparseMLP.create({ layers: [F, 12, C], seed: null as never }), /an integer >= 0 for seed but received null/);
  });
});

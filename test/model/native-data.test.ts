import { describe, expect, it } from 'vitest';
import { NativeData } from '../../lib/model';
import { blobs, disposeAfterEach, expectValidationError, snapshot } from './helpers';

const { create } = disposeAfterEach();

describe('NativeData', () => {
  it('holds the shape of the data it copied, and its largest class index', () => {
    const d = blobs(30, 6, 3);
    const n = NativeData.from(d);
    expect([n.samples, n.features, n.hasLabels, n.maxLabel, n.disposed]).toEqual([30, 6, true, 2, false]);
    const unlabelled = NativeData.from({ X: d.X, samples: 30, features: 6 });
    expect([unlabelled.hasLabels, unlabelled.maxLabel]).toEqual([false, -1]);
    n.dispose();
    unlabelled.dispose();
    expect(n.disposed).toBe(true);
  });

  it('trains exactly as the plain object it was made from, epoch after epoch', async () => {
    const d = blobs(64, 10, 3);
    const prepared = NativeData.from(d);
    const a = await create({ layers: [10, 24, 3], epsilon: 4, seed: 5, threads: 2 });
    const b = await create({ layers: [10, 24, 3], epsilon: 4, seed: 5, threads: 2 });
    for (let e = 0; e < 3; e++) {
      const ra = await a.trainEpoch(d, { batchSize: 8 }, e);
      const rb = await b.trainEpoch(prepared, { batchSize: 8 }, e);
      expect(rb.loss).toBe(ra.loss);
      expect(rb.accuracy).toBe(ra.accuracy);
    }
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(await b.evaluate(prepared)).toEqual(await a.evaluate(d));
    expect(await b.predictProba(prepared)).toEqual(await a.predictProba(d));
    expect(await b.predict(prepared)).toEqual(await a.predict(d));
    const fa = await a.fit(d, { epochs: 2, validation: d });
    const fb = await b.fit(prepared, { epochs: 2, validation: prepared });
    expect(fb.history.map((h) => h.validationAccuracy)).toEqual(fa.history.map((h) => h.validationAccuracy));
    prepared.dispose();
  });

  it('is a copy: later changes to X and y do not reach it', async () => {
    const d = blobs(40, 5, 2);
    const prepared = NativeData.from(d);
    const m = await create({ layers: [5, 8, 2], seed: 2, threads: 1 });
    const before = await m.evaluate(prepared);
    d.X.fill(1000);
    d.y.fill(1);
    expect(await m.evaluate(prepared)).toEqual(before);
    prepared.dispose();
  });

  it('rejects bad data when it is made, with the usual messages', async () => {
    const d = blobs(10, 4, 2);
    const X = d.X.slice();
    X[7] = Number.NaN;
    await expectValidationError(() => NativeData.from({ ...d, X }), /finite feature values for data\.X\[7\]/);
    const y = d.y.slice();
    y[3] = -1;
    await expectValidationError(() => NativeData.from({ ...d, y }, 'train'), /a class index >= 0 for train\.y\[3\]/);
    await expectValidationError(() => NativeData.from({ ...d, features: 0 }), /an integer >= 1 for data\.features/);
    await expectValidationError(() => NativeData.from({ ...d, samples: 11 }), /a Float32Array of length 44 for data\.X/);
    await expectValidationError(() => NativeData.from(null as never), /a dataset object/);
  });

  it('is checked against the model that uses it', async () => {
    const m = await create({ layers: [4, 6, 2], seed: 1, threads: 1 });
    const wide = NativeData.from(blobs(10, 5, 2));
    await expectValidationError(() => m.trainEpoch(wide), /4 features \(the model's inputs\) for train\.features but received 5/);
    const threeClasses = NativeData.from(blobs(12, 4, 3));
    await expectValidationError(() => m.evaluate(threeClasses), /class indices between 0 and 1 for data\.maxLabel but received 2/);
    const unlabelled = NativeData.from({ X: blobs(10, 4, 2).X, samples: 10, features: 4 });
    await expectValidationError(() => m.trainEpoch(unlabelled), /labelled data \(y\) for train/);
    expect(await m.predict(unlabelled)).toHaveLength(10);
    unlabelled.dispose();
    await expectValidationError(() => m.predict(unlabelled), /a NativeData that has not been disposed for data/);
    wide.dispose();
    threeClasses.dispose();
  });
});

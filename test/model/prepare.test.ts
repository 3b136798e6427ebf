/**
 * SparseMLP.prepare: new data made ready for a loaded model as npset predict does (columns by name, saved
 * standardisation, labels matched to the saved ones), so that the API gives what the CLI gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer, type Dataset } from '../../lib/data';
import { SparseMLP } from '../../lib/model';
import { disposeAfterEach, expectValidationError, syntheticSplit } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'npset-prepare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { models, create } = disposeAfterEach();
const s = syntheticSplit({ features: 6, classes: 3 });
const featureNames = ['a', 'b', 'c', 'd', 'e', 'f'];
const labelNames = ['cat', 'dog', 'eel'];

/** The test split as a loader would give it: raw features, named columns and text classes. */
function rawDataset(order = featureNames, names = labelNames, y = s.test.y): Dataset {
  const f = s.features;
  const X = new Float32Array(s.test.samples * f);
  for (let i = 0; i < s.test.samples; i++) {
    order.forEach((n, j) => (X[i * f + j] = s.test.X[i * f + featureNames.indexOf(n)] * 3 + 5)); // raw scale: 3x + 5
  }
  return { name: 'raw', X, samples: s.test.samples, features: f, featureNames: order, y, classes: names.length, labels: names.map((_, c) => c), labelNames: names };
}

async function trainedAndSaved(): Promise<{ model: SparseMLP; loaded: SparseMLP }> {
  const model = await create({ layers: [s.features, 20, s.classes], epsilon: 3, seed: 2, threads: 1 });
  await model.fit(s.train, { epochs: 5 });
  const raw = rawDataset();
  const train = { ...s.train, X: s.train.X.map((v) => v * 3 + 5) };
  // The raw scale of the training rows, as a loader would read them: its standardiser is what the model file keeps.
  const standardizer = fitStandardizer(train.X, train.samples, train.features);
  const file = join(dir, 'm.npset');
  await model.save(file, { standardizer, labels: raw.labels, labelNames, featureNames });
  const loaded = await SparseMLP.load(file, { threads: 1 });
  models.push(loaded);
  return { model, loaded };
}

describe('SparseMLP.prepare and classLabels', () => {
  it('applies the saved standardisation and reorders columns by name: evaluate and predict agree with the prepared data by hand', async () => {
    const { loaded } = await trainedAndSaved();
    const st = loaded.saved!.standardizer!;
    const raw = rawDataset();
    const byHand = applyStandardizer(st, raw.X, raw.samples, raw.features);
    const p = loaded.prepare(raw);
    expect(p.columns).toBe('name');
    expect(p.standardized).toBe(true);
    expect(p.X).toEqual(byHand);
    expect(Array.from(p.y!)).toEqual(Array.from(raw.y));
    expect(p).toMatchObject({ matchedBy: 'name', unknownLabels: 0, samples: raw.samples, features: 6 });
    const shuffled = rawDataset(['f', 'd', 'b', 'a', 'c', 'e']);
    const q = loaded.prepare(shuffled);
    expect(q.columns).toBe('reordered');
    expect(q.X).toEqual(byHand);
    expect(await loaded.evaluate(q)).toEqual(await loaded.evaluate({ X: byHand, y: raw.y, samples: raw.samples, features: 6 }));
    expect(Array.from(await loaded.predict(q))).toEqual(Array.from(await loaded.predict(byHand)));
    expect(loaded.classLabels).toEqual(labelNames);
    // Raw data straight into evaluate is what the prepare step exists for: it scores differently.
    expect((await loaded.evaluate(raw)).loss).not.toBe((await loaded.evaluate(q)).loss);
  });

  it('matches labels by name whatever the data\'s class order, and counts labels the model does not know', async () => {
    const { loaded } = await trainedAndSaved();
    // The data's classes in another order, one of them unknown to the model.
    const raw = rawDataset(featureNames, ['eel', 'cat', 'yak']);
    const p = loaded.prepare(raw);
    const want = Array.from(raw.y).map((c) => [2, 0, -1][c]);
    expect(Array.from(p.y!)).toEqual(want);
    expect(p.unknownLabels).toBe(want.filter((c) => c < 0).length);
    expect(p.unknownLabels).toBeGreaterThan(0);
    await expectValidationError(() => loaded.evaluate(p), /class index between 0 and 2 for data\.y\[\d+\] but received -1/);
  });

  it('takes features without labels (a FeatureSet) for predict', async () => {
    const { loaded } = await trainedAndSaved();
    const r = rawDataset();
    const features = { name: r.name, X: r.X, samples: r.samples, features: r.features, featureNames: r.featureNames };
    const p = loaded.prepare(features);
    expect(p.y).toBeUndefined();
    expect(p.matchedBy).toBeUndefined();
    expect((await loaded.predict(p)).length).toBe(features.samples);
  });

  it('leaves data as it is for a model that was not loaded: by position, nothing standardised, classes by index', async () => {
    const model = await create({ layers: [s.features, 10, s.classes], epsilon: 3, seed: 2, threads: 1 });
    const raw = rawDataset();
    const p = model.prepare(raw);
    expect(p).toMatchObject({ columns: 'position', standardized: false, matchedBy: 'index', unknownLabels: 0 });
    expect(p.X).toBe(raw.X);
    expect(model.classLabels).toEqual([0, 1, 2]);
  });

  it('classLabels is a copy: changing it changes nothing of the model; the saved arrays are frozen', async () => {
    const { loaded } = await trainedAndSaved();
    const p = loaded.prepare(rawDataset());
    loaded.classLabels.reverse();
    expect(loaded.classLabels).toEqual(labelNames);
    expect(Object.isFrozen(loaded.saved!.labelNames)).toBe(true);
    expect(() => (loaded.saved!.labelNames as string[]).reverse()).toThrow(TypeError);
    expect(Array.from(loaded.prepare(rawDataset()).y!)).toEqual(Array.from(p.y!));
  });

  it('a loaded model saved again keeps what it was loaded with, unless given anew; null leaves one out', async () => {
    const { loaded } = await trainedAndSaved();
    await loaded.fit(s.train, { epochs: 1 });
    const again = join(dir, 'again.npset');
    await loaded.save(again, { metadata: { round: 2 }, standardizer: undefined });
    const back = await SparseMLP.load(again, { threads: 1 });
    models.push(back);
    expect(back.saved).toMatchObject({ labelNames, featureNames, labels: [0, 1, 2], metadata: { round: 2 } });
    expect(back.saved!.standardizer!.mean).toEqual(loaded.saved!.standardizer!.mean);
    expect(back.prepare(rawDataset()).standardized).toBe(true);
    await back.save(again, { standardizer: null, featureNames: null });
    const bare = await SparseMLP.load(again, { threads: 1 });
    models.push(bare);
    expect(bare.saved).toMatchObject({ standardizer: null, featureNames: null, labelNames });
  });

  it('refuses data that cannot be matched, naming what is wrong', async () => {
    const { loaded } = await trainedAndSaved();
    const raw = rawDataset();
    await expectValidationError(() => loaded.prepare({ ...raw, features: 5, X: raw.X.subarray(0, raw.samples * 5), featureNames: undefined }), /Expected 6 features \(the model's inputs\) for data but received raw with 5/);
    await expectValidationError(() => loaded.prepare(rawDataset(['a', 'b', 'c', 'd', 'e', 'zz'])), /for data but received raw, whose header has 6: missing "f"; not in the model "zz"/);
    await expectValidationError(() => loaded.prepare({ X: raw.X, y: raw.y, samples: raw.samples, features: 6 } as never), /to match the model's saved labels for data/);
    await expectValidationError(() => loaded.prepare(null as never), /Expected a dataset .* for data but received null/);
    await expectValidationError(() => loaded.prepare({ ...raw, X: new Float32Array(3) }), /for data\.X but received a Float32Array of length 3/);
    await expectValidationError(() => loaded.prepare({ ...raw, y: new Int32Array(raw.samples).fill(7) }), /class index between 0 and 2 for data\.y\[0\] but received 7/);
    await expectValidationError(() => loaded.prepare(raw, { nam: 'x' } as never), /unknown option "nam"/);
    await expectValidationError(() => loaded.prepare({ ...raw, labelNames: new Set(labelNames) } as never), /an array of strings \(as the loaders give\) for data\.labelNames but received a Set/);
    await expectValidationError(() => loaded.prepare({ ...raw, featureNames: 'abcdef' } as never), /for data\.featureNames but received "abcdef"/);
    await expectValidationError(() => loaded.prepare({ ...raw, labels: ['a'] } as never), /a number \(as the loaders give\) for data\.labels\[0\] but received "a"/);
    // Holes are no names: a sparse array is checked entry by entry, not as forEach or some() would.
    // eslint-disable-next-line no-sparse-arrays
    await expectValidationError(() => loaded.prepare({ ...raw, labelNames: ['a', , 'c'] } as never), /a string .* for data\.labelNames\[1\] but received undefined/);
    await expectValidationError(() => loaded.prepare({ ...raw, features: 5 }, { name: '--data', source: 'x.csv' }), /for --data\.X/);
  });
});

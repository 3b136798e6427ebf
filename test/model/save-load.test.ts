/**
 * SparseMLP.save / SparseMLP.load: a loaded model is the saved one (topology, weights, optimiser state: training
 * goes on identically), extras come back, and files that are not valid models give a ModelFileError, never a crash.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fitStandardizer } from '../../lib/data';
import { AbortError, BusyError, ValidationError } from '../../lib/errors';
import { ModelFileError, SparseMLP } from '../../lib/model';
import { modelFileError, parseModelFile, withHeader } from '../helpers/model-file';
import { disposeAfterEach, expectValidationError, snapshot, syntheticSplit } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'npset-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { models, create } = disposeAfterEach();
const s = syntheticSplit();
const pruning = { alpha: 0.2, beta: 1, gamma: 2 };

async function load(path: string, options?: Parameters<typeof SparseMLP.load>[1]): Promise<SparseMLP> {
  const m = await SparseMLP.load(path, options);
  models.push(m);
  return m;
}

describe('SparseMLP.save and SparseMLP.load', () => {
  it('fit(2), save, load, fit(4 from 2) gives the model and epochs of fit(4), for SET and NPSET', async () => {
    for (const options of [{}, { pruning }]) {
      const layers = [s.features, 40, 40, s.classes];
      const whole = await create({ layers, seed: 3 });
      const all = (await whole.fit(s.train, { epochs: 4, ...options })).history;
      const first = await create({ layers, seed: 3 });
      const a = (await first.fit(s.train, { epochs: 2, ...options })).history;
      const file = join(dir, 'resume.npset');
      await first.save(file);
      const loaded = await load(file);
      expect(snapshot(loaded)).toEqual(snapshot(first));
      expect(loaded.topology()).toEqual(first.topology());
      expect(loaded.options.layers).toEqual(first.topology().neurons);
      expect(Array.from(await loaded.predictProba(s.test))).toEqual(Array.from(await first.predictProba(s.test)));
      const b = (await loaded.fit(s.train, { epochs: 4, initialEpoch: 2, ...options })).history;
      expect([...a, ...b].map((h) => [h.loss, h.trainAccuracy, h.neurons, h.connections])).toEqual(
        all.map((h) => [h.loss, h.trainAccuracy, h.neurons, h.connections]),
      );
      expect(snapshot(loaded)).toEqual(snapshot(whole));
    }
  });

  it('round-trips dense models and the saved extras; a created model has saved = null', async () => {
    const m = await create({ layers: [s.features, 12, s.classes], dense: true, seed: 4, activation: 'all-relu', loss: 'mse' });
    expect(m.saved).toBeNull();
    await m.fit(s.train, { epochs: 2 });
    const standardizer = fitStandardizer(s.train.X, s.train.samples, s.features);
    const file = join(dir, 'dense.npset');
    const labelNames = Array.from({ length: s.classes }, (_, c) => `class ${c} ✓`);
    const featureNames = Array.from({ length: s.features }, (_, j) => `f${j}`);
    await m.save(file, { standardizer, labels: [10, 20, 30], labelNames, featureNames, metadata: { dataset: 'synthetic', n: 1 } });
    const loaded = await load(file, { threads: 1 });
    expect(loaded.options).toEqual({ ...m.options, threads: 1 });
    expect(loaded.threads).toBe(1);
    expect(snapshot(loaded)).toEqual(snapshot(m));
    expect(await loaded.evaluate(s.test)).toEqual(await m.evaluate(s.test));
    const info = loaded.saved!;
    expect(info.file).toBe(file);
    expect(info.labels).toEqual([10, 20, 30]);
    expect(info.labelNames).toEqual(labelNames);
    expect(info.featureNames).toEqual(featureNames);
    expect(info.metadata).toEqual({ dataset: 'synthetic', n: 1 });
    expect(info.standardizer!.mean).toEqual(standardizer.mean);
    expect(info.standardizer!.scale).toEqual(standardizer.scale);
    expect(info.optimizerState).toBe(true);
    expect(info.npsetVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('optimizerState: false leaves the momentum out (a smaller file; training restarts it from zero)', async () => {
    const m = await create({ layers: [s.features, 60, s.classes], seed: 6 });
    await m.fit(s.train, { epochs: 2 });
    const full = join(dir, 'full.npset');
    const bare = join(dir, 'bare.npset');
    await m.save(full);
    await m.save(bare, { optimizerState: false });
    expect(statSync(bare).size).toBeLessThan(0.8 * statSync(full).size);
    const a = await load(full);
    const b = await load(bare);
    expect(b.saved!.optimizerState).toBe(false);
    expect(snapshot(b)).toEqual(snapshot(a));
    await a.fit(s.train, { epochs: 3, initialEpoch: 2 });
    await b.fit(s.train, { epochs: 3, initialEpoch: 2 });
    expect(snapshot(b)).not.toEqual(snapshot(a));
  });

  it('replaces an existing file atomically and leaves no temporary file, also when the write fails', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const file = join(sub, 'm.npset');
    writeFileSync(file, 'old');
    await m.save(file);
    expect(readFileSync(file).subarray(0, 8).toString()).toBe('NPSETMDL');
    expect(readdirSync(sub)).toEqual(['m.npset']);
    await expect(m.save(join(sub, 'missing-dir', 'm.npset'))).rejects.toThrow(ModelFileError);
    await expect(m.save(sub)).rejects.toThrow(/cannot write the model/); // a directory
    expect(readdirSync(sub)).toEqual(['m.npset']);
  });

  it('validates save arguments; a save called while a fit is queued holds the model as it was', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const file = join(dir, 'v.npset');
    await expectValidationError(() => m.save(''), /path/);
    await expectValidationError(() => m.save(file, { colour: 1 } as never), /colour/);
    await expectValidationError(() => m.save(file, { labels: [1, 2] }), /labels/);
    await expectValidationError(() => m.save(file, { featureNames: ['a'] }), /featureNames/);
    await expectValidationError(() => m.save(file, { labelNames: ['a', 'b', 3] as never }), /labelNames\[2\]/);
    await expectValidationError(() => m.save(file, { standardizer: { mean: new Float64Array(2), scale: new Float64Array(2) } }), /standardizer.mean/);
    const bad = { mean: new Float64Array(s.features), scale: new Float64Array(s.features) };
    await expectValidationError(() => m.save(file, { standardizer: bad }), /standardizer.scale\[0\]/);
    await expect(m.save(file, { metadata: { n: 1n } })).rejects.toThrow(ValidationError);
    const before = snapshot(m);
    const fit = m.fit(s.train, { epochs: 2 });
    const saving = m.save(file); // the arrays are copied now, before the fit's first job runs
    await fit;
    await saving;
    expect(snapshot(await load(file))).toEqual(before);
    expect(snapshot(m)).not.toEqual(before);
  });

  it('checkpoints from onEpoch: loading the epoch-1 file and resuming from epoch 2 gives fit(4)', async () => {
    const layers = [s.features, 30, 30, s.classes];
    const whole = await create({ layers, seed: 8 });
    await whole.fit(s.train, { epochs: 4, pruning });
    const m = await create({ layers, seed: 8 });
    const file = join(dir, 'checkpoint.npset');
    let saves = 0;
    await m.fit(s.train, {
      epochs: 4,
      pruning,
      onEpoch: async (e) => {
        if (e.epoch === 1) await m.save(file, { metadata: { epoch: e.epoch } });
        saves++;
      },
    });
    expect(saves).toBe(4);
    const resumed = await load(file);
    expect(resumed.saved!.metadata).toEqual({ epoch: 1 });
    await resumed.fit(s.train, { epochs: 4, initialEpoch: 2, pruning });
    expect(snapshot(resumed)).toEqual(snapshot(whole));
  });

  it('refuses to save while a job of the model runs', async () => {
    const big = syntheticSplit({ samples: 3000, features: 200 });
    const m = await create({ layers: [big.features, 2000, big.classes], seed: 1 });
    const fit = m.fit(big.train, { epochs: 3, batchSize: 8 });
    // Wait until the native epoch runs (not merely queued): synchronous calls are refused then.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        m.memory();
      } catch (e) {
        expect(e).toBeInstanceOf(BusyError);
        break;
      }
      if (Date.now() > deadline) throw new Error('the fit never started');
      await new Promise((r) => setTimeout(r, 1));
    }
    await expect(m.save(join(dir, 'busy.npset'))).rejects.toThrow(BusyError);
    await fit;
  });

  it('aborts a load with its signal', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const file = join(dir, 'abort.npset');
    await m.save(file);
    await expect(SparseMLP.load(file, { signal: AbortSignal.abort() })).rejects.toThrow(AbortError);
    await expectValidationError(() => SparseMLP.load(file, { signal: 'no' } as never), /signal/);
    await expectValidationError(() => SparseMLP.load(file, { threads: -1 }), /threads/);
  });
});

describe('SparseMLP.load refuses files that are not valid models', () => {
  let good: Buffer;
  const file = join(dir, 'bad.npset');

  const refusal = async (bytes: Buffer | string): Promise<string> => (await modelFileError(file, bytes)).message;

  it('with a message that says what is wrong', async () => {
    const m = await create({ layers: [s.features, 30, 20, s.classes], seed: 2, epsilon: 3 });
    const saved = join(dir, 'good.npset');
    await m.save(saved, { labels: [1, 2, 3], standardizer: fitStandardizer(s.train.X, s.train.samples, s.features) });
    good = readFileSync(saved);
    await expect(SparseMLP.load(join(dir, 'none.npset'))).rejects.toThrow(/cannot read the file: ENOENT/);
    await expect(SparseMLP.load(dir)).rejects.toThrow(/not a regular file/);
    expect(await refusal('')).toMatch(/shorter than the 16-byte preamble/);
    expect(await refusal(Buffer.concat([Buffer.from('MATLAB 5.0 MAT-file'), good.subarray(19)]))).toMatch(/does not start with "NPSETMDL"/);
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 8);
    expect(await refusal(v2)).toMatch(/format version 2/);
    const longHeader = Buffer.from(good);
    longHeader.writeUInt32LE(0xffffffff, 12);
    expect(await refusal(longHeader)).toMatch(/bad header length/);
    const notJson = Buffer.from(good);
    notJson.write('#', 16);
    expect(await refusal(notJson)).toMatch(/not valid JSON/);
    expect(await refusal(withHeader(good, (h) => (h.format = 'other')))).toMatch(/format is "other"/);
    expect(await refusal(withHeader(good, (h) => ((h.options as Record<string, unknown>).activation = 'tanh')))).toMatch(/saved model options .*activation/);
    expect(await refusal(withHeader(good, (h) => ((h.options as Record<string, unknown>).layers = [s.features, 31, 20, s.classes])))).toMatch(/layer 0 of the header is \d+ x \d+ \(rows x cols\), but the options' layers \d+-31-20-\d+ make it 31 x \d+/);
    expect(await refusal(withHeader(good, (h) => (h.layers as unknown[]).pop()))).toMatch(/describe 3 layers/);
    expect(await refusal(withHeader(good, (h) => ((h.arrays as { length: number }[])[1].length = 2 ** 40)))).toMatch(/runs past the end of the file/);
    expect(await refusal(withHeader(good, (h) => ((h.arrays as { dtype: string }[])[0].dtype = 'u8')))).toMatch(/unknown type "u8"/);
    expect(await refusal(withHeader(good, (h) => (h.arrays as unknown[]).splice(2, 1)))).toMatch(/layer0.values .* is missing/);
    expect(await refusal(withHeader(good, (h) => ((h.extras as Record<string, unknown>).labels = [1, 2])))).toMatch(/saved labels/);
    expect(await refusal(withHeader(good, (h) => {
      const t = h.arrays as { offset: number; length: number }[];
      for (const e of t) e.offset = 0; // every array claims the same bytes
      t.forEach((e) => (e.length = Math.floor(good.length / 8)));
    }))).toMatch(/claims more bytes than the file holds|runs past/);
  });

  it('truncated anywhere, or with a column index, row offset or weight spoilt', async () => {
    for (const cut of [17, 100, Math.floor(good.length / 2), good.length - 1]) {
      expect(await refusal(good.subarray(0, cut))).toMatch(/./);
    }
    const { header, dataStart } = parseModelFile(good);
    const at = (name: string) => header.arrays.find((a) => a.name === name)!;
    const col = Buffer.from(good);
    col.writeInt32LE(1_000_000, dataStart + at('layer1.col').offset);
    expect(await refusal(col)).toMatch(/saved layers are not valid: .*layers\[1\]\.col\[0\]/);
    const dup = Buffer.from(good);
    dup.writeInt32LE(dup.readInt32LE(dataStart + at('layer0.col').offset), dataStart + at('layer0.col').offset + 4);
    expect(await refusal(dup)).toMatch(/strictly increasing/);
    const rowPtr = Buffer.from(good);
    rowPtr.writeDoubleLE(0.5, dataStart + at('layer2.rowPtr').offset + 8);
    expect(await refusal(rowPtr)).toMatch(/layers\[2\]\.rowPtr\[1\]/);
    const nan = Buffer.from(good);
    nan.writeFloatLE(NaN, dataStart + at('layer0.values').offset + 4);
    expect(await refusal(nan)).toMatch(/finite numbers for layers\[0\]\.values/);
    const scale = Buffer.from(good);
    scale.writeDoubleLE(0, dataStart + at('standardizer.scale').offset);
    expect(await refusal(scale)).toMatch(/saved standardizer/);
  });
});

/**
 * SparseMLP.save / SparseMLP.load under attack: forged array types, oversized headers, paths that are not
 * regular files (or become FIFOs between two checks), models the core can reach but once could not reload
 * (layers pruned to no connections), clones that must resume like their originals, ambiguous labels.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeSyntheticDataset } from '../../lib/data';
import { ModelFileError, SparseMLP } from '../../lib/model';
import { disposeAfterEach, expectValidationError, snapshot, syntheticSplit } from './helpers';
import { modelFileError, withHeader } from '../helpers/model-file';

/** Paths whose stat() is made to claim a regular file of `size` bytes (the window between a check and an open). */
const fakeRegular = new Map<string, number>();
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const stat = (async (path: string, ...rest: unknown[]) => {
    const st = await (real.stat as (...a: unknown[]) => Promise<import('node:fs').Stats>)(path, ...rest);
    const size = fakeRegular.get(path);
    return size === undefined ? st : Object.assign(Object.create(st) as object, { size, isFile: () => true, isFIFO: () => false });
  }) as typeof real.stat;
  return { ...real, default: { ...real, stat }, stat };
});

const dir = mkdtempSync(join(tmpdir(), 'npset-save-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { models, create } = disposeAfterEach();
const s = syntheticSplit();

async function load(path: string): Promise<SparseMLP> {
  const m = await SparseMLP.load(path);
  models.push(m);
  return m;
}

async function goodBytes(): Promise<Buffer> {
  const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
  const file = join(dir, 'good.npset');
  await m.save(file);
  return readFileSync(file);
}

describe('SparseMLP.load of forged files', () => {
  it('refuses an array type named after an inherited property (toString, constructor, __proto__) with a ModelFileError', async () => {
    const good = await goodBytes();
    for (const dtype of ['toString', 'constructor', '__proto__', 'valueOf']) {
      const bytes = withHeader(good, (h) => h.arrays.push({ name: 'junk', dtype, offset: 0, length: 2 ** 40 }));
      expect((await modelFileError(join(dir, 'dtype.npset'), bytes)).message).toMatch(`unknown type ${JSON.stringify(dtype)}`);
    }
  });

  it('refuses layer sizes in the options that the header\'s layer table does not repeat (a few KB declaring 10^8 inputs)', async () => {
    const good = await goodBytes();
    const wide = withHeader(good, (h) => ((h.options as { layers: number[] }).layers[0] = 1e8));
    expect((await modelFileError(join(dir, 'wide.npset'), wide)).message).toMatch(
      /layer 0 of the header is 16 x 40 \(rows x cols\), but the options' layers 100000000-16-3 make it 16 x 100000000$/,
    );
    const noSizes = withHeader(good, (h) => delete (h.layers as Record<string, unknown>[])[1].rows);
    expect((await modelFileError(join(dir, 'no-rows.npset'), noSizes)).message).toMatch(/layer 1 of the header is undefined x 16 \(rows x cols\), but the options' layers 40-16-3 make it 3 x 16/);
  });

  it('says which type an array of the wrong type has, rather than that it is missing', async () => {
    const bytes = withHeader(await goodBytes(), (h) => (h.arrays[0].dtype = 'f32'));
    expect((await modelFileError(join(dir, 'type.npset'), bytes)).message).toMatch(/array layer0\.rowPtr is f32, not f64/);
  });

  it('refuses a header too large to parse safely (JSON that would take gigabytes of heap) before parsing it', async () => {
    // 17 MiB of "{}," would parse into 6 million objects; 256 MiB of it ran the process out of heap (abort).
    const objects = Math.ceil((17 * 2 ** 20) / 3);
    const bytes = withHeader(await goodBytes(), (h) => (h.junk = new Array(objects).fill({})));
    const e = await modelFileError(join(dir, 'big-header.npset'), bytes);
    expect(e.message).toMatch(/bad header length \d+: more than the 16777216 bytes a model file's header may have/);
  });

  it('does not open a path that became a FIFO after it was checked (the open would wait for a writer forever)', async () => {
    const fifo = join(dir, 'race.fifo');
    execFileSync('mkfifo', [fifo]);
    fakeRegular.set(fifo, 4096); // stat says "regular file": the FIFO took the file's place just after
    try {
      const loading = SparseMLP.load(fifo).then(
        (m) => {
          m.dispose();
          return null;
        },
        (err: unknown) => err as Error,
      );
      const settled = await Promise.race([loading, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000))]);
      if (settled === 'hung') {
        // Release the blocked open (a writer appears), so that the test process can end.
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        await loading;
      }
      expect(settled).not.toBe('hung');
      expect(settled).toBeInstanceOf(ModelFileError);
      expect((settled as Error).message).toMatch(/not a regular file/);
    } finally {
      fakeRegular.delete(fifo);
    }
  });
});

describe('SparseMLP.save to paths that are not regular files', () => {
  it('refuses a FIFO, a directory or a looping link and leaves them as they were (a rename would replace a device)', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const sub = mkdtempSync(join(dir, 'targets-'));
    const fifo = join(sub, 'pipe');
    execFileSync('mkfifo', [fifo]);
    symlinkSync(join(sub, 'loop-b'), join(sub, 'loop-a'));
    symlinkSync(join(sub, 'loop-a'), join(sub, 'loop-b'));
    const refused = async (path: string, pattern: RegExp) => {
      const e = await m.save(path).then(() => null, (err: unknown) => err as Error);
      expect(e).toBeInstanceOf(ModelFileError);
      expect(e!.message).toMatch(pattern);
    };
    await refused(fifo, /cannot write the model: it is a FIFO \(named pipe\), not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    await refused(sub, /cannot write the model: it is a directory, not a regular file/);
    await refused(join(sub, 'loop-a'), /cannot write the model: .*ELOOP/);
    expect(lstatSync(join(sub, 'loop-a')).isSymbolicLink()).toBe(true);
    expect(readdirSync(sub).sort()).toEqual(['loop-a', 'loop-b', 'pipe']);
    // A file whose name has spaces and non-ASCII letters is an ordinary file.
    const odd = join(sub, 'modèle ü 名前 .npset');
    await m.save(odd);
    expect(snapshot(await load(odd))).toEqual(snapshot(m));
  });

  it('refuses a header larger than load accepts (huge metadata) before writing anything', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const sub = mkdtempSync(join(dir, 'meta-'));
    const file = join(sub, 'm.npset');
    await expectValidationError(() => m.save(file, { metadata: 'x'.repeat(17 * 2 ** 20) }), /at most 16777216 bytes .* for the saved header .*metadata/);
    expect(readdirSync(sub)).toEqual([]);
  });
});

describe('what a model can become is saved and loaded', () => {
  it('an NPSET model with a layer pruned to no connections loads, predicts and resumes as the saved one', async () => {
    const d = makeSyntheticDataset({ samples: 60, features: 10, classes: 3, seed: 7 });
    const data = { X: d.X, y: d.y, samples: d.samples, features: d.features };
    const train = { pruning: { alpha: 0.6, beta: 0, gamma: 10 }, zeta: 0.5 };
    const layers = [10, 4, 4, 3];
    const m = await create({ layers, epsilon: 1, seed: 3, threads: 1 });
    await m.fit(data, { epochs: 8, ...train });
    expect(m.topology().layers.map((l) => l.connections)).toContain(0);
    const file = join(dir, 'no-connections.npset');
    await m.save(file);
    const loaded = await load(file);
    expect(loaded.topology()).toEqual(m.topology());
    expect(Array.from(await loaded.predictProba(data.X))).toEqual(Array.from(await m.predictProba(data.X)));
    const whole = await create({ layers, epsilon: 1, seed: 3, threads: 1 });
    await whole.fit(data, { epochs: 12, ...train });
    await loaded.fit(data, { epochs: 12, initialEpoch: 8, ...train });
    expect(snapshot(loaded)).toEqual(snapshot(whole));
  });

  it('refuses to save a model with a hidden layer of no neurons (removeNeurons), which no load could rebuild', async () => {
    const m = await create({ layers: [s.features, 16, 8, s.classes], seed: 2 });
    m.removeNeurons(2, Array.from({ length: 8 }, (_, i) => i));
    const sub = mkdtempSync(join(dir, 'empty-layer-'));
    await expectValidationError(() => m.save(join(sub, 'm.npset')), /hidden layer 2 .* 0 neurons/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('a clone of a loaded checkpoint (or of a model in onEpoch) resumes as the original does', async () => {
    const layers = [s.features, 30, 20, s.classes];
    const whole = await create({ layers, seed: 8 });
    await whole.fit(s.train, { epochs: 4 });
    const m = await create({ layers, seed: 8 });
    const file = join(dir, 'clone-checkpoint.npset');
    let copy: SparseMLP | undefined;
    await m.fit(s.train, {
      epochs: 4,
      onEpoch: async (e) => {
        if (e.epoch !== 1) return;
        await m.save(file);
        copy = await m.clone();
        models.push(copy);
      },
    });
    const loaded = await load(file);
    const clone = await loaded.clone();
    models.push(clone);
    for (const resumed of [loaded, clone, copy!]) {
      await resumed.fit(s.train, { epochs: 4, initialEpoch: 2 });
      expect(snapshot(resumed)).toEqual(snapshot(whole));
    }
  });
});

describe('labels that cannot name classes', () => {
  it('save refuses repeated labels or label names, load refuses them in a file', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const file = join(dir, 'labels.npset');
    await expectValidationError(() => m.save(file, { labels: [1, 2, 1] }), /distinct .* labels\[2\]/);
    await expectValidationError(() => m.save(file, { labelNames: ['a', 'b', 'b'] }), /distinct .* labelNames\[2\]/);
    await m.save(file, { labels: [1, 2, 3], labelNames: ['a', 'b', 'c'] });
    const good = readFileSync(file);
    const dupLabels = withHeader(good, (h) => ((h.extras as Record<string, unknown>).labels = [7, 7, 8]));
    expect((await modelFileError(join(dir, 'dup.npset'), dupLabels)).message).toMatch(/saved labels .*distinct.*labels\[1\]/);
    const dupNames = withHeader(good, (h) => ((h.extras as Record<string, unknown>).labelNames = ['x', 'y', 'x']));
    expect((await modelFileError(join(dir, 'dup.npset'), dupNames)).message).toMatch(/saved labelNames .*distinct.*labelNames\[2\]/);
  });
});

import { readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMatDataset, loadMatFeatures } from '../../lib/data/dataset';
import { parseMat, readMat, type MatVariable } from '../../lib/data/mat';
import { DataFormatError } from '../../lib/errors';
import { dataDir, hasDataDir } from '../helpers/data-dir';
import { smallMat } from '../helpers/mat-writer';
import { CELLSTR_LABELS, writeCellstrDataset, writeMat73, type Mat73Var } from '../helpers/mat73-writer';
import { tempFiles } from '../helpers/temp-files';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mat73');
const fixture = (name: string) => path.join(FIXTURES, name);
const tmp = tempFiles('npset-mat73-');

function byName(vars: MatVariable[]): Record<string, MatVariable> {
  return Object.fromEntries(vars.map((v) => [v.name, v]));
}

async function dataError(p: Promise<unknown>): Promise<DataFormatError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DataFormatError);
  return e as DataFormatError;
}

describe('readMat reads MAT v7.3 (HDF5) files in MATLAB layout', () => {
  it('every kind of variable of a file written as MATLAB writes it (h5py fixture)', async () => {
    const m = await readMat(fixture('layout.mat'));
    expect(m.header).toBe('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Sun Nov 29 20:00:00 2026 HDF5 schema 1.00 .');
    const v = byName(m.variables);
    // MATLAB's own groups (#refs#, #subsystem#) are not variables.
    expect(Object.keys(v).sort()).toEqual(
      ['E', 'Echar', 'S', 'Slogical', 'Snone', 'X', 'Z', 'Zreal', 'big', 'flags', 'greek', 'half', 'labels', 'names', 'scalar', 'st', 'str', 'y'].sort(),
    );
    // X = reshape(0:23, 4, 6)' / 4 - 1: row-major 6x4 in the writer, column-major here.
    expect(v.X.className).toBe('double');
    expect(v.X.dims).toEqual([6, 4]);
    const expectedX = Array.from({ length: 24 }, (_, k) => {
      const [i, j] = [k % 6, Math.floor(k / 6)];
      return (i * 4 + j) / 4 - 1;
    });
    expect(Array.from(v.X.data!)).toEqual(expectedX);
    expect(v.y).toMatchObject({ className: 'uint8', dims: [6, 1] });
    expect(Array.from(v.y.data!)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(v.flags).toMatchObject({ className: 'logical', dims: [1, 3] });
    expect(Array.from(v.flags.data!)).toEqual([1, 0, 1]);
    expect(Array.from(v.big.data!)).toEqual([-(2 ** 40), 2 ** 53]);
    expect(v.half.className).toBe('single');
    expect(Array.from(v.half.data!)).toEqual([0.5, -2.25]);
    expect(v.scalar).toMatchObject({ dims: [1, 1] });
    expect(Array.from(v.scalar.data!)).toEqual([7]);
    expect(v.names).toMatchObject({ className: 'char', dims: [3, 2], lines: ['ab', 'cd', 'ef'], text: 'ab\ncd\nef' });
    expect(v.greek.text).toBe('\u03b1\u03b2\u03b3');
    expect(v.labels.className).toBe('cell');
    expect(v.labels.dims).toEqual([3, 1]);
    expect(v.labels.cells!.map((c) => c.text)).toEqual(['cat', 'dog', 'cat']);
    expect(v.S.className).toBe('sparse');
    const s = v.S.sparse!;
    expect({ rows: s.rows, cols: s.cols, ir: Array.from(s.ir), jc: Array.from(s.jc), pr: Array.from(s.pr) }).toEqual({
      rows: 4, cols: 3, ir: [1, 0, 3], jc: [0, 1, 2, 3], pr: [1, 2.5, -3],
    });
    expect(Array.from(v.Snone.sparse!.jc)).toEqual([0, 0, 0]);
    expect(v.Snone.sparse!.rows).toBe(5);
    expect(Array.from(v.Slogical.sparse!.pr)).toEqual([1, 1, 1, 1]);
    expect(v.Z).toMatchObject({ complex: true, imaginaryZero: false, dims: [1, 2] });
    expect(Array.from(v.Z.data!)).toEqual([1, 2]);
    expect(v.Zreal).toMatchObject({ complex: true, imaginaryZero: true });
    expect(v.E).toMatchObject({ className: 'double', dims: [0, 3] });
    expect(v.E.data!.length).toBe(0);
    expect(v.Echar).toMatchObject({ className: 'char', text: '' });
    expect(v.st.className).toBe('struct');
    expect(v.str.className).toBe('string'); // a MATLAB string array is an object: kept by name, no data
    expect(v.str.data).toBeUndefined();
  });

  it('loadMatDataset takes X and a cell array of label strings from a v7.3 file', async () => {
    const file = path.join(tmp.dir, 'cellstr-dataset.mat');
    await writeCellstrDataset(file);
    const d = await loadMatDataset(file);
    expect([d.samples, d.features]).toEqual([9, 5]);
    const m = await readMat(file);
    const X = byName(m.variables).X;
    // Row-major float32 in the dataset, column-major float64 in the file.
    for (let i = 0; i < 9; i++) for (let j = 0; j < 5; j++) expect(d.X[i * 5 + j]).toBe(X.data![j * 9 + i]);
    const names = Array.from(d.y, (k) => d.labelNames![k]);
    expect(names).toEqual(CELLSTR_LABELS);
  });

  it('an HDF5 file that MATLAB did not write is refused: its orientation is unknown', async () => {
    // HDF5 as h5py writes it: no MAT header, no MATLAB_class.
    const file = path.join(tmp.dir, 'h5py-plain.mat');
    await writeMat73(file, [
      { kind: 'numeric', name: 'X', dims: [3, 4], values: new Float64Array(12).fill(1), className: 'double' },
      { kind: 'numeric', name: 'Y', dims: [4, 1], values: Float64Array.of(0, 1, 2, 3), className: 'double' },
    ], { plain: true, noClass: true });
    const e = await dataError(readMat(file));
    expect(e.message).toMatch(/h5py-plain\.mat: an HDF5 file that MATLAB did not write .*orientation .* unknown/);
  });

  it('parseMat, which has bytes only, points to readMat', () => {
    const bytes = readFileSync(fixture('layout.mat'));
    expect(() => parseMat(bytes)).toThrow('MAT v7.3 (HDF5) files are read from a path (readMat, loadMatDataset), not from bytes (parseMat)');
  });

  it('files written by the h5wasm test writer, with and without the MAT user block, give the same variables', async () => {
    const vars: Mat73Var[] = [
      { kind: 'numeric', name: 'X', dims: [3, 2], values: new Int16Array([1, -2, 3, 4, 5, -6]), className: 'int16' },
      { kind: 'cellstr', name: 'Y', texts: ['a', 'bb', 'a'] },
      { kind: 'sparse', name: 'S', rows: 3, cols: 2, ir: [2, 0], jc: [0, 1, 2], pr: [9, -1] },
    ];
    const withBlock = path.join(tmp.dir, 'block.mat');
    const plain = path.join(tmp.dir, 'plain.mat');
    await writeMat73(withBlock, vars);
    await writeMat73(plain, vars, { plain: true });
    const a = await readMat(withBlock);
    const b = await readMat(plain);
    expect(a.header).toMatch(/^MATLAB 7\.3 MAT-file/);
    expect(b.header).toBe('');
    expect(b.variables).toEqual(a.variables);
    const v = byName(a.variables);
    expect(Array.from(v.X.data!)).toEqual([1, -2, 3, 4, 5, -6]);
    expect(v.X.dims).toEqual([3, 2]);
    expect(v.Y.cells!.map((c) => c.text)).toEqual(['a', 'bb', 'a']);
    expect(Array.from(v.S.sparse!.ir)).toEqual([2, 0]);
  });
});

describe('v7.3 limits and damaged files', () => {
  it('an array beyond maxDenseBytes is refused from its dims, naming the limit', async () => {
    const file = path.join(tmp.dir, 'big.mat');
    await writeMat73(file, [{ kind: 'numeric', name: 'X', dims: [200, 100], values: new Float64Array(20000).fill(1.5), className: 'double' }]);
    const e = await dataError(readMat(file, { maxDenseBytes: 100_000 }));
    expect(e.message).toMatch(/variable "X": cannot decode the 20000 values of its 200x100 array to 8 bytes each: .*maxDenseBytes/);
    const m = await readMat(file, { maxDenseBytes: 160_000 });
    expect(m.variables[0].data!.length).toBe(20000);
  });

  it('loadMatDataset leaves a large variable it does not choose unread; readMat refuses the file, and choosing it refuses it', async () => {
    const file = path.join(tmp.dir, 'workspace.mat');
    const X = Float64Array.from({ length: 40 }, (_, k) => (k * 7) % 11);
    await writeMat73(file, [
      { kind: 'numeric', name: 'raw', dims: [200, 100], values: new Float64Array(20000).fill(0.5), className: 'double' },
      { kind: 'numeric', name: 'X', dims: [10, 4], values: X, className: 'double' },
      { kind: 'numeric', name: 'Y', dims: [10, 1], values: Float64Array.from({ length: 10 }, (_, i) => i % 2), className: 'double' },
    ]);
    const maxDenseBytes = 100_000; // raw takes 160,000 bytes as float64
    const d = await loadMatDataset(file, { maxDenseBytes });
    expect([d.samples, d.features]).toEqual([10, 4]);
    expect(d.X[1]).toBe(X[10]); // row 0, feature 1 (column-major in the file)
    expect((await loadMatFeatures(file, { maxDenseBytes })).features).toBe(4);
    const message = `${file}: variable "raw": cannot decode the 20000 values of its 200x100 array to 8 bytes each: `;
    expect((await dataError(readMat(file, { maxDenseBytes }))).message.startsWith(message)).toBe(true);
    expect((await dataError(loadMatDataset(file, { maxDenseBytes, x: 'raw', y: 'Y' }))).message.startsWith(message)).toBe(true);
    expect((await dataError(loadMatFeatures(file, { maxDenseBytes, x: 'raw' }))).message.startsWith(message)).toBe(true);
  });

  it('many variables count against the budget, as in v5 files', async () => {
    const file = path.join(tmp.dir, 'many.mat');
    const vars: Mat73Var[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'numeric' as const, name: `v${i}`, dims: [1, 1], values: new Float64Array([i]), className: 'double',
    }));
    await writeMat73(file, vars);
    expect((await dataError(readMat(file, { maxDenseBytes: 512 * 20 }))).message).toMatch(/cannot hold variable 21 with the 20 before it/);
    expect((await readMat(file)).variables.length).toBe(40);
  });

  it('truncated or corrupted files give DataFormatError, and the reader still works afterwards', async () => {
    const good = readFileSync(fixture('layout.mat'));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const outcomes = new Set<string>();
    for (let t = 0; t < 60; t++) {
      const bytes = Buffer.from(good);
      let damaged: Buffer;
      if (t < 20) damaged = bytes.subarray(0, 512 + Math.floor(rand() * (bytes.length - 512)));
      else {
        for (let k = 0; k < 1 + (t % 6); k++) bytes[512 + Math.floor(rand() * (bytes.length - 512))] = Math.floor(rand() * 256);
        damaged = bytes;
      }
      const file = tmp.write('damaged.mat', damaged);
      try {
        await readMat(file);
        outcomes.add('read');
      } catch (e) {
        expect(e).toBeInstanceOf(DataFormatError);
        expect((e as Error).message.startsWith(`${file}: `)).toBe(true);
        outcomes.add('refused');
      }
    }
    expect(outcomes.has('refused')).toBe(true);
    expect(byName((await readMat(fixture('layout.mat'))).variables).X.dims).toEqual([6, 4]);
  });

  it('a v7.3 file may be larger than the 2 GiB a v5 file is read whole within', async () => {
    // The fixture, then a hole to 2 GiB + 4 KiB (a sparse file: no disk space); HDF5 ignores bytes past its data.
    const file = tmp.write('large.mat', readFileSync(fixture('layout.mat')));
    truncateSync(file, 2 ** 31 + 4096);
    expect(byName((await readMat(file)).variables).X.dims).toEqual([6, 4]);
    // A v5 file that large is refused before it is read.
    const v5 = tmp.write('large-v5.mat', smallMat());
    truncateSync(v5, 2 ** 31 + 4096);
    expect((await dataError(readMat(v5))).message).toBe(`${v5}: cannot read the file: it has ${2 ** 31 + 4096} bytes, more than the ${2 ** 31 - 1} that a MAT v5 file can have here (it is read whole); save it as v7.3 (save -v7.3), which is not`);
  });

  it('a header that says v7.3 without HDF5 after it is a damaged v7.3 file', async () => {
    const file = tmp.write('cut.mat', readFileSync(fixture('layout.mat')).subarray(0, 300));
    expect((await dataError(readMat(file))).message).toBe(`${file}: cannot open it as a MAT v7.3 (HDF5) file: its HDF5 structure is damaged or truncated`);
  });
});

describe.runIf(hasDataDir())('v7.3 copies of the shared data sets load exactly as the v5 files', () => {
  for (const [name, className] of [['lung_discrete', 'int16'], ['GLIOMA', 'double'], ['madelon', 'uint16']] as const) {
    it(name, async () => {
      const v5file = path.join(dataDir(), 'asu', `${name}.mat`);
      const v5 = byName((await readMat(v5file)).variables);
      const file = path.join(tmp.dir, `${name}-v73.mat`);
      const typed = { int16: Int16Array, uint16: Uint16Array, double: Float64Array }[className];
      await writeMat73(file, [
        { kind: 'numeric', name: 'X', dims: v5.X.dims, values: typed.from(v5.X.data!), className: 'double' },
        { kind: 'numeric', name: 'Y', dims: v5.Y.dims, values: Float64Array.from(v5.Y.data!), className: 'double' },
      ]);
      const [a, b] = await Promise.all([loadMatDataset(v5file), loadMatDataset(file)]);
      expect([b.samples, b.features]).toEqual([a.samples, a.features]);
      expect(Buffer.from(b.X.buffer).equals(Buffer.from(a.X.buffer))).toBe(true);
      expect(Array.from(b.y)).toEqual(Array.from(a.y));
      expect(b.labels).toEqual(a.labels);
    });
  }
});

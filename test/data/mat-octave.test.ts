// MAT-files written by GNU Octave (7.3.0; test/fixtures/octave/make_fixtures.m wrote them), checked
// against the values Octave held. Octave writes some things its own way: a char row (a string, each
// element of a cellstr) as miUTF16; a char matrix of several rows as miUTF8 of one byte per element;
// a char matrix of 3 or 4 characters over several rows 4 bytes longer than it is; a sparse logical
// array with a dense class. Its other formats (text, the default of its save; binary; gzip; HDF5)
// are refused with what they are.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMatDataset } from '../../lib/data/dataset';
import { denseData, parseMat, readMat, type MatVariable } from '../../lib/data/mat';
import { rejectsWithDataError } from '../helpers/data-errors';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'octave');
const fixture = (name: string) => path.join(FIXTURES, name);

function byName(vars: MatVariable[]): Record<string, MatVariable> {
  return Object.fromEntries(vars.map((v) => [v.name, v]));
}

/** The X of make_fixtures.m, row by row. */
const X6 = [
  [1.5, -2, 0.25],
  [3, 4e-3, -1e10],
  [0, 1, 2],
  [Math.PI, Math.E, -0],
  [1e-300, 7, 8],
  [9, 10, 11],
];
const columnMajor = (rows: number[][]) => rows[0].flatMap((_, j) => rows.map((r) => r[j]));
const float32RowMajor = (rows: number[][]) => Array.from(Float32Array.from(rows.flat()));

describe('Octave -v7 and -v6 files of numbers load as Octave holds them', () => {
  it('double X and Y, compressed (-v7, with Octave in the header)', async () => {
    const m = await readMat(fixture('dense-v7.mat'));
    expect(m.header).toMatch(/^MATLAB 5\.0 MAT-file, written by Octave 7\.3\.0, /);
    const v = byName(m.variables);
    expect(v.X).toMatchObject({ className: 'double', dims: [6, 3] });
    expect(Array.from(v.X.data!)).toEqual(columnMajor(X6));
    const d = await loadMatDataset(fixture('dense-v7.mat'));
    expect([d.samples, d.features]).toEqual([6, 3]);
    expect(Array.from(d.X)).toEqual(float32RowMajor(X6));
    expect(Array.from(d.y)).toEqual([0, 1, 0, 1, 2, 2]);
    expect(d.labels).toEqual([1, 2, 3]);
  });

  it('single fea, int32 gnd and a logical beside them, uncompressed (-v6)', async () => {
    const v = byName((await readMat(fixture('fea-gnd-v6.mat'))).variables);
    expect(v.fea.className).toBe('single');
    expect(v.gnd).toMatchObject({ className: 'int32', dims: [6, 1] });
    expect(v.flags).toMatchObject({ className: 'logical', dims: [1, 3] });
    expect(Array.from(v.flags.data!)).toEqual([1, 0, 1]);
    const d = await loadMatDataset(fixture('fea-gnd-v6.mat'));
    expect(Array.from(d.X)).toEqual(float32RowMajor(X6)); // single(1e-300) is 0, as float32
    expect(d.labels).toEqual([10, 20, 30]);
    expect(Array.from(d.y)).toEqual([0, 1, 0, 1, 2, 2]);
  });

  it('int8 features at their limits, uint8 labels 0-based', async () => {
    const d = await loadMatDataset(fixture('int-v6.mat'));
    expect(Array.from(d.X)).toEqual([-128, 2, 3, 127, 5, 6]);
    expect(d.labels).toEqual([0, 1]);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
  });

  it('data and label, the label a range (0:5)', async () => {
    const label = byName((await readMat(fixture('range-label-v7.mat'))).variables).label;
    expect(label).toMatchObject({ className: 'double', dims: [1, 6] });
    const d = await loadMatDataset(fixture('range-label-v7.mat'));
    expect(Array.from(d.X)).toEqual(float32RowMajor(X6));
    expect(d.labels).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a sparse X and a row vector Y', async () => {
    const d = await loadMatDataset(fixture('sparse-v7.mat'));
    const dense = [
      [1.5, 0, 0, 0],
      [0, 0, 4e-3, 0],
      [-2, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 3, 0, 0],
      [0, 0, 1e10, 0],
    ];
    expect(Array.from(d.X)).toEqual(float32RowMajor(dense));
    expect(Array.from(d.y)).toEqual([0, 1, 0, 1, 2, 2]);
  });
});

describe("Octave's char arrays", () => {
  it('reads cellstr labels and strings, whose characters Octave saves as miUTF16', async () => {
    const m = await readMat(fixture('cellstr-v7.mat'));
    const v = byName(m.variables);
    expect(v.note).toMatchObject({ className: 'char', dims: [1, 5], text: 'naïve', lines: ['naïve'] });
    const d = await loadMatDataset(fixture('cellstr-v7.mat'));
    expect(d.labelNames).toEqual(['bird', 'cat', 'dog', 'horse']);
    expect(Array.from(d.y)).toEqual([1, 2, 0, 1, 3, 2]);
    expect(Array.from(d.X)).toEqual(float32RowMajor(X6));
  });

  it('reads non-ASCII cellstr labels as UTF-16, a character beyond the BMP as a surrogate pair (-v6)', async () => {
    const cells = byName((await readMat(fixture('cellstr-unicode-v6.mat'))).variables).Y.cells!;
    expect(cells.map((c) => c.text)).toEqual(['café', 'dogs', '日本', 'café', '😀', 'dogs']);
    expect(cells[4].dims).toEqual([1, 2]); // Octave's dims count UTF-16 code units
    const d = await loadMatDataset(fixture('cellstr-unicode-v6.mat'));
    expect(d.labelNames).toEqual(['café', 'dogs', '日本', '😀']);
    expect(Array.from(d.y)).toEqual([0, 1, 2, 0, 3, 1]);
  });

  it('reads a char matrix of one byte per element (non-ASCII rows padded by bytes), keeping café and cafè apart', async () => {
    const y = byName((await readMat(fixture('charmatrix-unicode-v7.mat'))).variables).Y;
    expect(y).toMatchObject({ className: 'char', dims: [6, 6] });
    // Each row is 6 bytes: 'café' takes 5 and a space.
    expect(y.lines).toEqual(['café ', 'cafè ', 'café ', 'dogs  ', 'über ', 'naïve']);
    const d = await loadMatDataset(fixture('charmatrix-unicode-v7.mat'));
    expect(d.labelNames).toEqual(['cafè', 'café', 'dogs', 'naïve', 'über']);
    expect(Array.from(d.y)).toEqual([1, 0, 1, 2, 4, 3]);
  });

  it('reads a char matrix of 3 characters over 3 rows, which Octave declares 4 bytes longer than it is', async () => {
    for (const name of ['short-chars-v6.mat', 'short-chars-v7.mat']) {
      const v = byName((await readMat(fixture(name))).variables);
      expect(v.Y).toMatchObject({ className: 'char', dims: [3, 1], lines: ['a', 'b', 'a'] });
      // In the -v6 file, X follows Y where Y really ends.
      expect(Array.from(v.X.data!)).toEqual([1, 3, 5, 2, 4, 6]);
      const d = await loadMatDataset(fixture(name));
      expect(d.labelNames).toEqual(['a', 'b']);
      expect(Array.from(d.y)).toEqual([0, 1, 0]);
      expect(Array.from(d.X)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('reads the same from bytes (parseMat) as from the path', async () => {
    for (const name of ['cellstr-v7.mat', 'charmatrix-unicode-v7.mat', 'short-chars-v6.mat']) {
      expect(parseMat(readFileSync(fixture(name))).variables).toEqual((await readMat(fixture(name))).variables);
    }
  });
});

describe("Octave's sparse logical array", () => {
  it('reads it as sparse: Octave saves it with a dense class (uint8, logical) but the parts of a sparse array', async () => {
    const x = byName((await readMat(fixture('sparse-logical-v7.mat'))).variables).X;
    expect(x).toMatchObject({ className: 'sparse', dims: [6, 4] });
    const nonzero = [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
    expect(Array.from(denseData(x))).toEqual(columnMajor(nonzero));
    const d = await loadMatDataset(fixture('sparse-logical-v7.mat'));
    expect(Array.from(d.X)).toEqual(nonzero.flat());
  });
});

describe('Octave files that are refused', () => {
  const SAVE_V7 = 'in Octave, save a MAT-file with -v7 (save -v7 data.mat X Y)';

  it.each([
    ['text.mat', "it is in Octave's text format, which Octave's save writes unless told otherwise"],
    ['binary.mat', "it is in Octave's binary format (save -binary)"],
    ['zip.mat', "it is gzip-compressed (as Octave's save -zip writes)"],
    ['v6-zip.mat', "it is gzip-compressed (as Octave's save -zip writes)"],
  ])('%s: says what it is and how to save a MAT-file', async (name, what) => {
    const file = fixture(name);
    expect(await rejectsWithDataError(file, () => loadMatDataset(file))).toBe(`${file}: not a MAT-file: ${what}; ${SAVE_V7}`);
    expect(() => parseMat(readFileSync(file), file)).toThrow(`${file}: not a MAT-file: ${what}; ${SAVE_V7}`);
  });

  it('-v4: as any Level 4 file', async () => {
    const file = fixture('v4.mat');
    expect(await rejectsWithDataError(file, () => loadMatDataset(file))).toBe(
      `${file}: MAT v4 (Level 4) files are not supported; save with format='5' (scipy) or -v6/-v7 (MATLAB)`,
    );
  });

  it("-hdf5 (Octave's own HDF5 layout, not MATLAB's v7.3): one line naming the file", async () => {
    const file = fixture('hdf5.mat');
    expect(await rejectsWithDataError(file, () => loadMatDataset(file))).toBe(
      `${file}: an HDF5 file in Octave's own layout (save -hdf5), not MATLAB's v7.3; in Octave, save a MAT-file with -v7 (save -v7 data.mat X Y)`,
    );
  });

  it('complex X, and X and Y inside a struct, as for MATLAB files', async () => {
    const complex = fixture('complex-v7.mat');
    expect(await rejectsWithDataError(complex, () => loadMatDataset(complex))).toBe(
      `${complex}: X (variable "X") is complex; npset needs real features. To use the real part alone, save np.real(X) with scipy or real(X) in MATLAB`,
    );
    const struct = fixture('struct-v7.mat');
    expect(await rejectsWithDataError(struct, () => loadMatDataset(struct))).toMatch(
      /the file holds "s" struct 1x1\..* The fields of structs and the contents of cells \("s"\) are not searched: .*MATLAB: save\(f, '-struct', 's'\)/,
    );
  });
});

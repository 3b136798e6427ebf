// Findings of an interoperability sweep against scipy's savemat: files the loader cannot read must say
// what to do (Level 4 files, X and Y inside a struct, complex or empty labels), limits must name the
// command-line flag, and a sparse X must load exactly as scipy's toarray() then astype(float32).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { datasetFromMatFile, featuresFromMatFile, loadMatDataset, type Dataset, type MatDatasetOptions } from '../../lib/data/dataset';
import { parseMat, readMat, type MatFile } from '../../lib/data/mat';
import { cellstrSpec, concat, matrixSpec, writeMat, type VarSpec } from '../helpers/mat-writer';
import { dataError, rejectsWithDataError } from '../helpers/data-errors';

const dir = mkdtempSync(path.join(tmpdir(), 'npset-mat-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const ROWS = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]];
const X = matrixSpec('X', ROWS);
const Y: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, 2, 1, 2] };

function load(vars: VarSpec[], options?: MatDatasetOptions): Dataset {
  return datasetFromMatFile(parseMat(writeMat(vars)), 'test', options);
}

const V4_MESSAGE = "MAT v4 (Level 4) files are not supported; save with format='5' (scipy) or -v6/-v7 (MATLAB)";
const NOT_V5 = 'not a MAT v5 file: bad endian indicator in the header (expected "IM" or "MI")';
const TEXT_HINT = '; it looks like text: a CSV/TSV file is read as one when it is named .csv, .tsv or .txt (loadCsvDataset)';

/** One Level 4 variable as scipy's savemat(format='4') writes it: header, NUL-terminated name, float64 values. */
function v4Variable(name: string, rows: number, cols: number, le: boolean, header: Partial<Record<'type' | 'imagf' | 'namlen', number>> = {}): Uint8Array {
  const nameBytes = Uint8Array.from([...name, '\0'], (c) => c.charCodeAt(0));
  const imagf = header.imagf ?? 0;
  const out = new Uint8Array(20 + nameBytes.length + rows * cols * 8 * (imagf + 1));
  const dv = new DataView(out.buffer);
  // MOPT: M = 0 little-endian, 1 big-endian; O = 0; P = 0 double; T = 0 full matrix.
  const fields = [header.type ?? (le ? 0 : 1000), rows, cols, imagf, header.namlen ?? nameBytes.length];
  fields.forEach((v, i) => dv.setInt32(i * 4, v, le));
  out.set(nameBytes, 20);
  for (let i = 0; i < rows * cols * (imagf + 1); i++) dv.setFloat64(20 + nameBytes.length + i * 8, i + 1, le);
  return out;
}

describe('MAT Level 4 files', () => {
  it('names a Level 4 file, either byte order, short or long, in memory or on disk', async () => {
    for (const le of [true, false]) {
      const small = v4Variable('x', 1, 2, le); // 38 bytes: shorter than a v5 header
      const big = concat([v4Variable('X', 20, 3, le), v4Variable('Y', 20, 1, le)]); // the data goes past 128 bytes
      const complex = v4Variable('z', 2, 2, le, { imagf: 1 });
      for (const bytes of [small, big, complex]) expect(dataError(() => parseMat(bytes, 'a.mat'))).toBe(`a.mat: ${V4_MESSAGE}`);
      for (const [name, bytes] of [['small.mat', small], ['big.mat', big]] as const) {
        const file = writeFile(`${le ? 'le' : 'be'}-${name}`, bytes);
        expect(await rejectsWithDataError(file, () => readMat(file))).toBe(`${file}: ${V4_MESSAGE}`);
        expect(await rejectsWithDataError(file, () => loadMatDataset(file))).toBe(`${file}: ${V4_MESSAGE}`);
      }
    }
    // Text (T = 1) and sparse (T = 2) variables, single (P = 1) and uint8 (P = 5) values.
    for (const type of [1, 2, 10, 51]) expect(dataError(() => parseMat(v4Variable('c', 2, 3, true, { type })))).toBe(V4_MESSAGE);
  });

  it('claims only a consistent header: other bytes keep the v5 messages', () => {
    const negativeRows = () => {
      const bytes = v4Variable('x', 2, 2, true);
      new DataView(bytes.buffer).setInt32(4, -1, true);
      return bytes;
    };
    const padded = (bytes: Uint8Array) => concat([bytes, new Uint8Array(Math.max(0, 128 - bytes.length))]);
    const bad = [
      v4Variable('x', 2, 2, true, { type: 100 }), // O = 1
      v4Variable('x', 2, 2, true, { type: 60 }), // P = 6
      v4Variable('x', 2, 2, true, { type: 3 }), // T = 3
      v4Variable('x', 2, 2, true, { type: 5000 }), // M = 5
      v4Variable('x', 2, 2, true, { imagf: 2 }),
      v4Variable('x', 2, 2, true, { namlen: 0 }),
      v4Variable('x', 2, 2, true, { namlen: 1 }), // the name's last byte is 'x', not NUL
      negativeRows(),
    ];
    for (const bytes of bad) expect(dataError(() => parseMat(padded(bytes)))).toBe(NOT_V5);
    // Values that do not fit in the file: a header alone, or a cut one.
    const cut = v4Variable('x', 4, 4, true).subarray(0, 60);
    expect(dataError(() => parseMat(cut))).toBe('file too short for a MAT-file header (60 of 128 bytes)');
    expect(dataError(() => parseMat(new Uint8Array(200).fill(0x41)))).toBe(`${NOT_V5}${TEXT_HINT}`);
    // 128 zero bytes: type 0 and 0x0 dims, but no name.
    expect(dataError(() => parseMat(new Uint8Array(128)))).toBe(NOT_V5);
    // A v5 file is still read.
    expect(parseMat(writeMat([X])).variables[0].name).toBe('X');
  });
});

describe('the maxDenseBytes message names the command-line flag', () => {
  it('says --max-dense-bytes, for the reader and for the features', () => {
    const flag = /raise the maxDenseBytes option \(--max-dense-bytes on the command line\)/;
    expect(dataError(() => parseMat(writeMat([X, Y]), 'x.mat', { maxDenseBytes: 95 }))).toMatch(flag);
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([X, Y])), 'd', { maxDenseBytes: 47 }))).toMatch(flag);
  });
});

describe('X and Y inside a struct or a cell', () => {
  const struct: VarSpec = { kind: 'struct', name: 's', fields: [X, Y] };
  const cell: VarSpec = { kind: 'cell', name: 'c', cells: [X, Y] };

  it('says that fields and cells are not searched, and how to save them at the top level', () => {
    expect(dataError(() => load([struct]))).toBe(
      'cannot tell which variables hold the features and the labels; the file holds "s" struct 1x1. Tried X and Y, then ' +
        'fea/gnd, data/label, data/labels, features/labels, inputs/targets (any case), then the only 2-D numeric matrix with ' +
        'the only label vector (numbers, a char matrix or a cell array of strings) of one entry per row: there is none ' +
        '(a numeric or sparse array with two dims > 1). The fields of structs and the contents of cells ("s") are not searched: ' +
        "save X and Y as top-level variables (scipy: savemat(f, {'X': X, 'Y': y}); MATLAB: save(f, '-struct', 's')). " +
        'Name them with the x and y options of loadMatDataset (--x-var NAME --y-var NAME on the command line)',
    );
    expect(dataError(() => load([cell]))).toContain(
      "contents of cells (\"c\") are not searched: save X and Y as top-level variables (scipy: savemat(f, {'X': X, 'Y': y}); MATLAB: save(f, 'X', 'Y')). ",
    );
    // X found, Y inside a struct; X inside a struct, Y found; features alone.
    const yInside: VarSpec = { kind: 'struct', name: 'meta', fields: [Y] };
    expect(dataError(() => load([X, yInside]))).toContain("(\"meta\") are not searched: save X and Y as top-level variables (scipy: savemat(f, {'X': X, 'Y': y}); MATLAB: save(f, '-struct', 'meta'))");
    expect(dataError(() => load([Y, { kind: 'struct', name: 'd', fields: [X] }]))).toContain('("d") are not searched');
    expect(dataError(() => featuresFromMatFile(parseMat(writeMat([struct])), 'f'))).toContain(
      "(\"s\") are not searched: save X as a top-level variable (scipy: savemat(f, {'X': X}); MATLAB: save(f, '-struct', 's')). ",
    );
  });

  it('says nothing of it when the file holds no struct and no cell but strings', () => {
    const labels = cellstrSpec('names', ['a', 'b', 'a', 'b']);
    for (const vars of [[Y], [Y, labels], [matrixSpec('A', ROWS), matrixSpec('B', ROWS), Y]]) {
      expect(dataError(() => load(vars))).not.toMatch(/not searched/);
    }
  });
});

describe('complex X or Y', () => {
  it('is refused, with how to save the real part, and whether its imaginary part is all zero', () => {
    const zero = 'Its imaginary part is all zero: save the real part, np.real(X) with scipy or real(X) in MATLAB';
    const some = 'To use the real part alone, save np.real(X) with scipy or real(X) in MATLAB';
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const complexX = (imag: number[], storedAs?: 'single' | 'int16'): VarSpec => ({ kind: 'numeric', name: 'X', dims: [4, 3], values, imag, storedAs });
    const zeros = new Array<number>(12).fill(0);
    for (const endian of ['le', 'be'] as const) {
      const msg = (vars: VarSpec[]) => dataError(() => datasetFromMatFile(parseMat(writeMat(vars, { endian })), 'd'));
      expect(msg([complexX(zeros), Y])).toBe(`X (variable "X") is complex; npset needs real features. ${zero}`);
      // -0 is zero too, in either byte order and width.
      expect(msg([complexX(zeros.map(() => -0), 'single'), Y])).toBe(`X (variable "X") is complex; npset needs real features. ${zero}`);
      expect(msg([complexX([...zeros.slice(1), 1], 'int16'), Y])).toBe(`X (variable "X") is complex; npset needs real features. ${some}`);
      expect(msg([complexX([...zeros.slice(1), 2 ** -1074]), Y])).toContain(some);
    }
    const sparse = (pi: number[]): VarSpec => ({ kind: 'sparse', name: 'fea', rows: 4, cols: 2, ir: [0, 3], jc: [0, 1, 2], pr: [1, 2], pi });
    const gnd: VarSpec = { ...Y, name: 'gnd' };
    expect(dataError(() => load([sparse([0, -0]), gnd]))).toBe(
      'X (variable "fea") is complex; npset needs real features. Its imaginary part is all zero: save the real part, np.real(fea) with scipy or real(fea) in MATLAB',
    );
    expect(dataError(() => load([sparse([0, 3]), gnd]))).toContain('To use the real part alone, save np.real(fea)');
    expect(dataError(() => load([X, { ...Y, imag: [0, 0, 0, 0] }]))).toBe(
      'Y (variable "Y") is complex; labels must be real. Its imaginary part is all zero: save the real part, np.real(Y) with scipy or real(Y) in MATLAB',
    );
    // readMat says so too, and only for complex arrays.
    const mat = parseMat(writeMat([complexX(zeros), { ...Y, imag: [0, 1, 0, 0] }, X]));
    expect(mat.variables.map((v) => v.imaginaryZero)).toEqual([true, false, undefined]);
  });
});

describe('messages about the labels', () => {
  it('counts one label and one row in the singular', () => {
    const one: VarSpec = { kind: 'numeric', name: 'Y', dims: [1, 1], values: [1] };
    expect(dataError(() => load([X, one]))).toBe('Y has 1 label but X has 4 rows (samples)');
    const row = matrixSpec('X', [[1, 2, 3]]);
    expect(dataError(() => load([row, { kind: 'numeric', name: 'Y', dims: [2, 1], values: [1, 2] }]))).toBe('Y has 2 labels but X has 1 row (sample)');
  });

  it('says that an empty Y is empty, numbers or text', () => {
    const rows4 = 'it needs a label for each of the 4 rows of X';
    expect(dataError(() => load([X, { kind: 'numeric', name: 'Y', dims: [0, 0], values: [] }]))).toBe(`Y (variable "Y") is empty (0x0); ${rows4}`);
    expect(dataError(() => load([X, { kind: 'numeric', name: 'Y', dims: [1, 0], values: [] }]))).toBe(`Y (variable "Y") is empty (1x0); ${rows4}`);
    expect(dataError(() => load([X, { kind: 'sparse', name: 'Y', rows: 0, cols: 0, ir: [], jc: [0], pr: [] }]))).toBe(`Y (variable "Y") is empty (0x0); ${rows4}`);
    expect(dataError(() => load([X, cellstrSpec('Y', [], [0, 0])]))).toBe(`Y (variable "Y") is empty (0x0); ${rows4}`);
    expect(dataError(() => load([X, { kind: 'char', name: 'Y', rows: [], dims: [0, 0] }]))).toBe(`Y (variable "Y") is empty (0x0); ${rows4}`);
  });

  it('says that a 1xN char array, N the rows of X, is one label, not one per character', () => {
    expect(dataError(() => load([X, { kind: 'char', name: 'Y', rows: ['abba'] }]))).toBe(
      'Y has 1 label (a 1x4 char array is one label, not one per character: save a char matrix with one row per label, ' +
        'or a cell array of strings) but X has 4 rows (samples)',
    );
    // Two rows, or a row of another length than X's rows: the usual hint.
    expect(dataError(() => load([X, { kind: 'char', name: 'Y', rows: ['ab', 'ba'] }]))).toBe(
      'Y has 2 labels (a char Y holds a label per row) but X has 4 rows (samples)',
    );
    expect(dataError(() => load([X, { kind: 'char', name: 'Y', rows: ['about'] }]))).toBe(
      'Y has 1 label (a char Y holds a label per row) but X has 4 rows (samples)',
    );
  });
});

describe('a sparse X', () => {
  /** X of `rows` x `cols` from column-major (ir, jc, pr), with labels 1, 2, ... */
  function sparseX(rows: number, cols: number, ir: number[], jc: number[], pr: number[]): MatFile {
    const labels: VarSpec = { kind: 'numeric', name: 'Y', dims: [rows, 1], values: Array.from({ length: rows }, (_, i) => (i % 2) + 1) };
    return parseMat(writeMat([{ kind: 'sparse', name: 'X', rows, cols, ir, jc, pr }, labels]));
  }
  const X32 = (m: MatFile) => Array.from(datasetFromMatFile(m, 'd').X);

  it('sums duplicate entries in float64, in the order stored, and rounds once to float32', () => {
    const half = 2 ** -24; // half a float32 ulp of 1: added one at a time to a float32 1, each is lost
    // Column 0: row 1 three times (unsorted, with row 0 after it); column 1: row 0 twice; 3e38 twice overflows float32 alone.
    const m = sparseX(2, 2, [1, 1, 0, 1, 0, 0], [0, 4, 6], [1, half, 5, half, 3e38, -3e38]);
    expect(X32(m)).toEqual([5, 0, Math.fround(1 + 2 * half), 0]);
    expect(X32(sparseX(2, 1, [1, 1, 1], [0, 3], [3e38, 3e38, -3e38]))).toEqual([0, Math.fround(3e38)]);
  });

  it('keeps -0 out, and reports non-finite values by position, the first in row-major order', () => {
    const zeros = X32(sparseX(2, 2, [0, 1, 1, 0], [0, 2, 4], [-0, -0, -0, -0]));
    expect(zeros.map((v) => Object.is(v, -0))).toEqual([false, false, false, false]);
    // NaN at (1, 0) and twice at (0, 1); 1e39 overflows float32 at (1, 1).
    expect(dataError(() => datasetFromMatFile(sparseX(2, 2, [1, 0, 0, 1], [0, 1, 4], [NaN, NaN, 2, 1e39]), 'd'))).toBe(
      'X has 3 non-finite values (NaN, Inf or beyond float32 range); the first (NaN) is at row 1, column 2 (1-based)',
    );
    expect(dataError(() => datasetFromMatFile(sparseX(3, 1, [2, 1], [0, 2], [Infinity, 1]), 'd'))).toBe(
      'X has 1 non-finite value (NaN, Inf or beyond float32 range); the first (Infinity) is at row 3, column 1 (1-based)',
    );
  });

  it('reads the values of a hand-built matrix as numbers only', () => {
    const m = sparseX(2, 1, [0], [0, 1], [5]);
    const x = m.variables[0];
    const bad = { ...m, variables: [{ ...x, sparse: { ...x.sparse!, pr: ['5'] as unknown as Float64Array } }, m.variables[1]] };
    expect(() => datasetFromMatFile(bad, 'd')).toThrow(
      new ValidationError('Expected a number for X (variable "X").sparse.pr[0] but received "5"'),
    );
  });
});

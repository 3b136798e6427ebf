import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, ValidationError } from '../../lib/errors';
import { datasetFromArrays, datasetFromMatFile, loadMatDataset, validateDataset, type Dataset } from '../../lib/data/dataset';
import { parseMat } from '../../lib/data/mat';
import { concat, matHeader, matrixSpec, variableElement, writeMat, type Endian, type VarSpec } from '../helpers/mat-writer';

const ROWS = [
  [1, -2, 3],
  [4, 5, -6],
  [7, 8, 9],
  [-10, 11, 12],
];
const LABELS = [2, -1, 2, 5];

const X = (storedAs: 'int16' | 'double' = 'int16') => matrixSpec('X', ROWS, storedAs);
const Ycol = (name = 'Y'): VarSpec => ({ kind: 'numeric', name, dims: [4, 1], values: LABELS, storedAs: 'int8' });

function fromVars(vars: VarSpec[], options?: { x?: string; y?: string }, endian: Endian = 'le'): Dataset {
  return datasetFromMatFile(parseMat(writeMat(vars, { endian })), 'test', options);
}

function expectDataError(fn: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataFormatError);
  expect((error as Error).message).toMatch(pattern);
}

function expectLoaded(d: Dataset): void {
  expect(d.samples).toBe(4);
  expect(d.features).toBe(3);
  expect(Array.from(d.X)).toEqual(ROWS.flat()); // row-major
  expect(d.labels).toEqual([-1, 2, 5]);
  expect(d.classes).toBe(3);
  expect(Array.from(d.y)).toEqual([1, 0, 1, 2]);
  expect(d.X).toBeInstanceOf(Float32Array);
  expect(d.y).toBeInstanceOf(Int32Array);
  validateDataset(d);
}

describe('datasetFromMatFile', () => {
  it('converts column-major X to row-major and maps labels in ascending order', () => {
    for (const endian of ['le', 'be'] as Endian[]) expectLoaded(fromVars([X(), Ycol()], undefined, endian));
  });

  it('accepts Y before X, Y as a row vector, extra variables, and a sparse X', () => {
    const yRow: VarSpec = { kind: 'numeric', name: 'Y', dims: [1, 4], values: LABELS, storedAs: 'double' };
    expectLoaded(fromVars([Ycol(), { kind: 'char', name: 'info', rows: ['x'] }, X('double')]));
    expectLoaded(fromVars([matrixSpec('extra', [[1]]), yRow, X()]));
    // ROWS as a sparse matrix (every entry is nonzero): list them column by column.
    const ir: number[] = [];
    const jc = [0];
    const pr: number[] = [];
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 4; i++) {
        ir.push(i);
        pr.push(ROWS[i][j]);
      }
      jc.push(ir.length);
    }
    const sparseX: VarSpec = { kind: 'sparse', name: 'X', rows: 4, cols: 3, ir, jc, pr, storedAs: 'int8' };
    expectLoaded(fromVars([sparseX, Ycol()], undefined, 'be'));
    const mostlyZero: VarSpec = { kind: 'sparse', name: 'X', rows: 4, cols: 2, ir: [3], jc: [0, 0, 1], pr: [2.5] };
    const d = fromVars([mostlyZero, Ycol()]);
    expect(Array.from(d.X)).toEqual([0, 0, 0, 0, 0, 0, 0, 2.5]);
  });

  it('finds variables case-sensitively first, then case-insensitively, or by the names given', () => {
    expectLoaded(fromVars([{ ...X(), name: 'x' }, Ycol('y')]));
    const decoy = matrixSpec('x', [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expectLoaded(fromVars([decoy, X(), Ycol()]));
    expectLoaded(fromVars([{ ...X(), name: 'data' }, Ycol('target')], { x: 'data', y: 'target' }));
    expectDataError(() => fromVars([{ ...X(), name: 'Data' }, { ...X(), name: 'DATA' }, Ycol()], { x: 'data' }), /ambiguous/);
  });

  it('names the variables it found when X or Y is missing', () => {
    expectDataError(
      () => fromVars([Ycol(), matrixSpec('Z', [[1]])]),
      /cannot tell which variable holds the features for the labels "Y" .*the file holds "Y" double 4x1, "Z" double 1x1\./,
    );
    expectDataError(() => fromVars([X()]), /cannot tell which variable holds the labels .*the file holds "X" double 4x3\./);
    expectDataError(() => datasetFromMatFile(parseMat(matHeader()), 'e'), /cannot tell which variables .*the file holds no variables\./);
  });

  it('accepts N-D X with trailing singleton dims but not a real 3-D X', () => {
    const values = [0, 1, 2].flatMap((j) => ROWS.map((r) => r[j])); // column-major
    expectLoaded(fromVars([{ kind: 'numeric', name: 'X', dims: [4, 3, 1], values, storedAs: 'int16' }, Ycol()]));
    const cube: VarSpec = { kind: 'numeric', name: 'X', dims: [2, 3, 2], values, storedAs: 'int16' };
    expectDataError(() => fromVars([cube, Ycol()]), /must be a 2-D matrix but has dims 2x3x2/);
  });

  it('rejects a length mismatch, hinting at a transposed X', () => {
    const y3: VarSpec = { kind: 'numeric', name: 'Y', dims: [3, 1], values: [1, 2, 1] };
    expectDataError(() => fromVars([X(), y3]), /Y has 3 labels but X has 4 rows \(samples\); is X stored features x samples\?/);
    const y5: VarSpec = { kind: 'numeric', name: 'Y', dims: [5, 1], values: [1, 2, 1, 2, 1] };
    expectDataError(() => fromVars([X(), y5]), /Y has 5 labels but X has 4 rows \(samples\)$/);
  });

  it('rejects a continuous Y (regression data) but keeps many whole-number or few fractional classes', () => {
    const rows = (n: number) => matrixSpec('X', Array.from({ length: n }, (_, i) => [i % 7, i % 5]), 'double');
    const y = (values: number[]): VarSpec => ({ kind: 'numeric', name: 'Y', dims: [values.length, 1], values });
    const n = 30;
    expectDataError(() => fromVars([rows(n), y(Array.from({ length: n }, (_, i) => i + 0.25))]), /Y looks continuous: 30 distinct values in 30 samples, not all whole \(such as 0\.25\)/);
    expect(fromVars([rows(n), y(Array.from({ length: n }, (_, i) => i))]).classes).toBe(30); // whole numbers: classes
    expect(fromVars([rows(n), y(Array.from({ length: n }, (_, i) => (i % 3) + 0.5))]).classes).toBe(3); // few values
    expect(fromVars([rows(n), y(Array.from({ length: n }, (_, i) => (i % 10) / 2))]).classes).toBe(10); // 10 at most
  });

  it('rejects non-finite labels and X values, naming the count and position', () => {
    const yNaN: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, 2, NaN, 1] };
    expectDataError(() => fromVars([X(), yNaN]), /non-finite label \(NaN\) at position 3/);
    const yInf: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, -Infinity, 2, 1] };
    expectDataError(() => fromVars([X(), yInf]), /non-finite label \(-Infinity\) at position 2/);
    const bad = ROWS.map((r) => r.slice());
    bad[2][1] = NaN;
    bad[3][0] = Infinity;
    bad[3][2] = 1e39; // finite in float64, Infinity in float32
    expectDataError(
      () => fromVars([matrixSpec('X', bad, 'double'), Ycol()]),
      /X has 3 non-finite values .* the first \(NaN\) is at row 3, column 2 \(1-based\)/,
    );
  });

  it('rejects X or Y of the wrong kind', () => {
    expectDataError(() => fromVars([{ kind: 'cell', name: 'X', cells: [] }, Ycol()]), /must be a 2-D matrix|is a cell array/);
    expectDataError(() => fromVars([{ kind: 'char', name: 'X', rows: ['abc', 'def', 'ghi', 'jkl'] }, Ycol()]), /char array, not numeric/);
    expectDataError(() => fromVars([X(), matrixSpec('Y', [[1, 2], [3, 4]])]), /Y \(variable "Y"\) must be a vector but has dims 2x2/);
    expectDataError(() => fromVars([matrixSpec('X', []), Ycol()]), /is empty/);
  });

  it('throws DataFormatError for every truncation of a two-variable file', () => {
    for (const compress of [false, true]) {
      const file = writeMat([Ycol(), X()], { compress, endian: 'be' });
      for (let cut = 0; cut < file.length; cut++) {
        expect(() => datasetFromMatFile(parseMat(file.subarray(0, cut)), 'cut')).toThrow(DataFormatError);
      }
      expectLoaded(datasetFromMatFile(parseMat(file), 'whole'));
    }
  });
});

describe('loadMatDataset', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npset-ds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file and names the dataset after it', async () => {
    const file = path.join(dir, 'my-data.mat');
    writeFileSync(file, concat([matHeader(), variableElement(Ycol(), { compress: true }), variableElement(X(), { compress: true })]));
    const d = await loadMatDataset(file);
    expect(d.name).toBe('my-data');
    expectLoaded(d);
  });

  it('labels errors with the path and validates options', async () => {
    const file = path.join(dir, 'noy.mat');
    writeFileSync(file, writeMat([X()]));
    await expect(loadMatDataset(file)).rejects.toThrow(`${file}: cannot tell which variable holds the labels`);
    await expect(loadMatDataset(path.join(dir, 'nope.mat'))).rejects.toBeInstanceOf(DataFormatError);
    await expect(loadMatDataset(file, { z: 'a' } as never)).rejects.toThrow(/unknown option "z"/);
    await expect(loadMatDataset(file, { x: '' })).rejects.toBeInstanceOf(ValidationError);
    await expect(loadMatDataset(42 as unknown as string)).rejects.toThrow(/Expected a non-empty string for path but received 42/);
  });
});

describe('datasetFromArrays', () => {
  it('builds from rows or from a row-major Float32Array', () => {
    const a = datasetFromArrays('rows', ROWS, LABELS);
    expectLoaded(a);
    expect(a.name).toBe('rows');
    const flat = Float32Array.from(ROWS.flat());
    const b = datasetFromArrays('flat', flat, Int32Array.from(LABELS), 3);
    expectLoaded(b);
    expect(b.X).not.toBe(flat); // a copy: the caller's array may change later
    expectLoaded(datasetFromArrays('inferred', flat, LABELS));
  });

  it('rejects inconsistent input with ValidationError', () => {
    expect(() => datasetFromArrays('a', ROWS, [1, 2, 3])).toThrow(ValidationError);
    expect(() => datasetFromArrays('a', [[1, 2], [3]], [1, 2])).toThrow(/Expected an array of 2 numbers for X\[1\]/);
    expect(() => datasetFromArrays('a', new Float32Array(7), [1, 2, 3, 4], 2)).toThrow(/samples x features/);
    expect(() => datasetFromArrays('a', new Float32Array(7), [1, 2])).toThrow(ValidationError);
    expect(() => datasetFromArrays('a', ROWS, [1, NaN, 2, 3])).toThrow(/Expected a finite number for y\[1\] but received NaN/);
    expect(() => datasetFromArrays('a', [[1], [NaN]], [1, 2])).toThrow(/finite numbers for X\[1\]\[0\] but received NaN/);
    expect(() => datasetFromArrays('a', ROWS, [])).toThrow(ValidationError);
    expect(() => datasetFromArrays('', ROWS, LABELS)).toThrow(ValidationError);
    expect(() => datasetFromArrays('a', 'x' as unknown as number[][], LABELS)).toThrow(ValidationError);
  });

  it('refuses cells of X that are not numbers instead of coercing them', () => {
    // A Float32Array store would turn null, '' and ' ' into 0, true into 1, '7' into 7 and [5] into 5.
    const cases: [unknown, string][] = [
      [null, 'null'],
      ['', '""'],
      [' ', '" "'],
      [true, 'true'],
      ['7', '"7"'],
      [[5], 'an array of length 1'],
      [1n, '1n'],
      [undefined, 'undefined'],
      [{}, 'an object'],
    ];
    for (const [cell, shown] of cases) {
      const rows: unknown[][] = ROWS.map((r) => [...r]);
      rows[3][2] = cell;
      let error: unknown;
      try {
        datasetFromArrays('a', rows as number[][], LABELS);
      } catch (e) {
        error = e;
      }
      expect(error, String(cell)).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toBe(`Expected a finite number for X[3][2] but received ${shown}`);
    }
    // Numbers, -0 and numbers beyond float32 are still told apart as before.
    expect(Array.from(datasetFromArrays('a', [[-0, 1.5], [2, 3]], [0, 1]).X)).toEqual([-0, 1.5, 2, 3]);
    expect(() => datasetFromArrays('a', [[1e39, 1], [2, 3]], [0, 1])).toThrow(/finite numbers for X\[0\]\[0\] but received Infinity/);
  });
});

describe('validateDataset', () => {
  const good = () => datasetFromArrays('g', ROWS, LABELS);
  it('accepts a consistent dataset and rejects broken ones', () => {
    expect(validateDataset(good())).toBeTruthy();
    const cases: [Partial<Dataset>, RegExp][] = [
      [{ X: new Float32Array(11) }, /dataset\.X/],
      [{ y: Int32Array.from([0, 1, 3, 0]) }, /class index in \[0, 2\] for dataset\.y\[2\]/],
      [{ y: new Int32Array(3) }, /dataset\.y/],
      [{ labels: [2, -1, 5] }, /ascending order for dataset\.labels\[1\]/],
      [{ labels: [1, 2] }, /array of 3 labels/],
      [{ classes: 0 }, /dataset\.classes/],
      [{ samples: 2.5 }, /dataset\.samples/],
      [{ name: '' }, /dataset\.name/],
    ];
    for (const [patch, pattern] of cases) expect(() => validateDataset({ ...good(), ...patch })).toThrow(pattern);
    const d = good();
    d.X[5] = NaN;
    expect(() => validateDataset(d)).toThrow(/received NaN at sample 1, feature 2/);
    expect(() => validateDataset(null as unknown as Dataset)).toThrow(ValidationError);
  });
});

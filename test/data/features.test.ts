/**
 * loadCsvFeatures and loadMatFeatures: files without labels (new data to predict), read by the labelled
 * loaders' own code into { name, X, samples, features }: every CSV column a feature, the MAT features
 * variable chosen as for a dataset (X, then fea, data, features, inputs, then the only 2-D matrix); the
 * same limits and one-line DataFormatErrors naming the file, line and column.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as pkg from '../../lib';
import { loadCsvDataset, loadCsvFeatures, type CsvFeaturesOptions } from '../../lib/data/csv';
import { featuresFromMatFile, loadMatDataset, loadMatFeatures, type FeatureSet, type MatFeaturesOptions } from '../../lib/data/dataset';
import * as data from '../../lib/data';
import { parseMat } from '../../lib/data/mat';
import { ValidationError } from '../../lib/errors';
import { loadFeatureData } from '../../lib/experiment/prepare';
import { dataError, rejectsWithDataError } from '../helpers/data-errors';
import { cellstrSpec, matrixSpec, writeMat, type VarSpec } from '../helpers/mat-writer';
import { tempFiles } from '../helpers/temp-files';

const { dir, write } = tempFiles('npset-features-');

const rows = (d: FeatureSet) => Array.from({ length: d.samples }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)));

/** A FeatureSet and nothing more (no labels made up), holding `expected` as float32. */
function expectFeatures(d: FeatureSet, expected: number[][], name?: string): void {
  // No labels made up: the fields of a FeatureSet only (the names of a header's columns when there is one).
  expect(Object.keys(d).filter((k) => k !== 'featureNames').sort()).toEqual(['X', 'features', 'name', 'samples']);
  if (d.featureNames !== undefined) expect(d.featureNames).toHaveLength(d.features);
  expect(d.X).toBeInstanceOf(Float32Array);
  expect([d.samples, d.features]).toEqual([expected.length, expected[0].length]);
  expect(rows(d)).toEqual(expected.map((row) => row.map((v) => Math.fround(v))));
  if (name !== undefined) expect(d.name).toBe(name);
}

const csv = (name: string, text: string, options?: CsvFeaturesOptions) => loadCsvFeatures(write(name, text), options);
/** loadCsvFeatures must reject with a one-line DataFormatError naming the file; the message after "file: ". */
async function csvError(name: string, text: string | Uint8Array, options?: CsvFeaturesOptions): Promise<string> {
  const file = write(name, text);
  return (await rejectsWithDataError(file, () => loadCsvFeatures(file, options))).slice(file.length + 2);
}

/** 6 samples of 3 features. */
const ROWS = Array.from({ length: 6 }, (_, i) => [i, (i * 5) % 7, 2 - i * 0.5]);
/** `r` as float32 values. */
const f32 = (r: number[][]) => r.map((row) => row.map((v) => Math.fround(v)));
/** A second matrix of the same shape, ROWS x 10, to tell which one was taken. */
const decoy = (name: string): VarSpec => matrixSpec(name, ROWS.map((r) => r.map((v) => v * 10)));

describe('loadCsvFeatures: every column is a feature', () => {
  it('reads an all-numeric file without header: the first row is a sample, the last column a feature', async () => {
    const d = await csv('new.csv', '1,2,3\n4,5,6\n-7.5,8e-1,9\n');
    expectFeatures(d, [[1, 2, 3], [4, 5, 6], [-7.5, 0.8, 9]], 'new');
    expect(data.loadCsvFeatures).toBe(loadCsvFeatures);
    expect(pkg.loadCsvFeatures).toBe(loadCsvFeatures);
  });

  it('gives the features of the labelled file with its label column left out, header or not', async () => {
    const labelled = await loadCsvDataset(write('l.csv', `a,b,c,y\n${ROWS.map((r, i) => `${r.join(',')},${i % 2}`).join('\n')}\n`));
    for (const text of [`a,b,c\n${ROWS.map((r) => r.join(',')).join('\n')}\n`, `${ROWS.map((r) => r.join(',')).join('\n')}\n`]) {
      const d = await csv('u.csv', text);
      expect(d.X).toEqual(labelled.X);
      expect([d.samples, d.features]).toEqual([labelled.samples, labelled.features]);
    }
  });

  it('reads a single column as one feature, TSV and semicolons, and ignores a delimiter ending every line', async () => {
    expectFeatures(await csv('one.csv', '1\n2\n3\n'), [[1], [2], [3]]);
    expectFeatures(await csv('one-h.csv', 'width\n2\n3\n'), [[2], [3]]);
    expectFeatures(await csv('t.tsv', 'a\tb\n1\t2\n'), [[1, 2]]);
    expectFeatures(await csv('s.csv', '1;2\n3;4\n'), [[1, 2], [3, 4]]);
    expectFeatures(await csv('trail.csv', '1,2,\n3,4,\n'), [[1, 2], [3, 4]]);
    expectFeatures(await csv('trail1.csv', '1,\n3,\n'), [[1], [3]]);
    expect(await csvError('trail-bad.csv', '1,2,\n3,4,\n5,6,7\n')).toMatch(/^Expected an empty cell for line 3, column 3 \(the first lines end with a delimiter/);
  });
});

describe('loadCsvFeatures: the header rule without a label column', () => {
  it('takes line 1 as a header when all its cells are names or markers and a name stands above a number', async () => {
    expectFeatures(await csv('h.csv', 'len,width\n5.1,3.5\n'), [[5.1, 3.5]]);
    expectFeatures(await csv('h-na.csv', 'len,NA\n5.1,3.5\n'), [[5.1, 3.5]]);
    // All names, but only above text or missing values: no header, so that line 1 is reported.
    expect(await csvError('h-text.csv', 'len,width\nx,?\n')).toBe('Expected a finite number for line 1, column 1 but received "len"');
  });

  it('takes pandas\' default names 0, 1, ..., n-1 (3 columns or more) for a header', async () => {
    expectFeatures(await csv('pandas.csv', '0,1,2\n5,6,7\n8,9,10\n'), [[5, 6, 7], [8, 9, 10]]);
    // Two columns, or numbers that are not the column indices as written: a sample.
    expectFeatures(await csv('two.csv', '0,1\n5,6\n'), [[0, 1], [5, 6]]);
    expectFeatures(await csv('other.csv', '0,1,3\n5,6,7\n'), [[0, 1, 3], [5, 6, 7]]);
    expectFeatures(await csv('dec.csv', '0.0,1,2\n5,6,7\n'), [[0, 1, 2], [5, 6, 7]]);
    expect(await csvError('pandas-only.csv', '0,1,2\n')).toBe('the file has a header (line 1) but no data rows');
  });

  it('takes a typo or a missing value among numbers on line 1 for an error on line 1, not a header', async () => {
    expect(await csvError('typo.csv', '0.5x,1\n2,3\n')).toBe('Expected a finite number for line 1, column 1 but received "0.5x"');
    expect(await csvError('miss.csv', '1,NA\n2,3\n')).toBe('Expected a finite number for line 1, column 2 but received "NA"');
  });

  it('follows header: true or false', async () => {
    expectFeatures(await csv('ht.csv', '1,2\n3,4\n', { header: true }), [[3, 4]]);
    expect(await csvError('hf.csv', 'a,b\n3,4\n', { header: false })).toBe('Expected a finite number for line 1, column 1 but received "a"');
  });
});

describe('loadCsvFeatures: bad files and options', () => {
  it('refuses an empty file, blank lines only, a header without rows, ragged rows', async () => {
    expect(await csvError('empty.csv', '')).toBe('the file is empty: no rows');
    expect(await csvError('blank.csv', '\n \r\n')).toBe('the file is empty: no rows');
    expect(await csvError('head.csv', 'a,b\n')).toBe('the file has a header (line 1) but no data rows');
    expect(await csvError('r1.csv', 'a,b,c\n1,2,3\n4,5\n')).toBe('Expected 3 columns (as on line 1) for line 3 but received 2');
    expect(await csvError('r2.csv', '1,2\n\n3,4,5\n')).toBe('Expected 2 columns (as on line 1) for line 3 but received 3');
  });

  it('refuses NaN, empty, text, infinite and out-of-range cells, naming line and column (by header name)', async () => {
    expect(await csvError('nan.csv', 'a,b\n1,NaN\n')).toBe('Expected a finite number for line 2, column 2 ("b") but received "NaN"');
    expect(await csvError('nan2.csv', '1,2\n3,nan\n')).toBe('Expected a finite number for line 2, column 2 but received "nan"');
    expect(await csvError('e.csv', '1,2\n,4\n')).toBe('Expected a finite number for line 2, column 1 but received an empty cell');
    expect(await csvError('inf.csv', '1,2\n3,Infinity\n')).toMatch(/^Expected a finite number for line 2, column 2 but received "Infinity"$/);
    expect(await csvError('big.csv', '1,2\n3,1e39\n')).toMatch(/^Expected a finite number within float32 range .* for line 2, column 2 but received "1e39"$/);
    expect(await csvError('latin1.csv', Buffer.from([0x31, 0x2c, 0x32, 0x0a, 0x33, 0x2c, 0xe9, 0x0a]))).toMatch(/^Expected UTF-8 text for line 2/);
  });

  it('keeps the limits: maxFileBytes, and maxDenseBytes counting the float32 features only', async () => {
    const text = 'a,b\n1,2\n3,4\n';
    expect(await csvError('f.csv', text, { maxFileBytes: 10 })).toMatch(/^cannot read the file: it has 12 bytes, over the maxFileBytes limit of 10 bytes/);
    // 2 rows of 2 features: 16 bytes, no labels.
    expect((await csv('ok.csv', text, { maxDenseBytes: 16 })).samples).toBe(2);
    expect(await csvError('d.csv', text, { maxDenseBytes: 15 })).toBe(
      'cannot hold the float32 features of 2 rows of 2 features (up to line 3): it needs 16 bytes, over the maxDenseBytes limit of 15 bytes; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
    const d = path.join(dir, 'adir');
    mkdirSync(d);
    expect((await rejectsWithDataError(d, () => loadCsvFeatures(d))).slice(d.length + 2)).toBe('cannot read the file: it is a directory, not a regular file');
  });

  it('validates its options, and has no label option', async () => {
    const nowhere = path.join(dir, 'nowhere.csv');
    const bad = async (options: unknown, pattern: RegExp) => {
      const e = await loadCsvFeatures(nowhere, options as CsvFeaturesOptions).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(pattern);
    };
    await bad({ label: 2 }, /^Expected only the options header, delimiter, maxDenseBytes, maxFileBytes for options but received the unknown option "label"$/);
    await bad({ header: 'yes' }, /^Expected a boolean for options.header/);
    await bad({ delimiter: ' ' }, /options.delimiter/);
    await bad({ maxDenseBytes: 0 }, /options.maxDenseBytes/);
    await expect(loadCsvFeatures('')).rejects.toThrow(ValidationError);
  });
});

describe('loadMatFeatures: the features variable, no labels needed', () => {
  const mat = (vars: VarSpec[], name = 'm.mat') => write(name, writeMat(vars));

  it('reads X alone, fea alone, a single matrix of any name, and X beside labels (which it ignores)', async () => {
    expectFeatures(await loadMatFeatures(mat([matrixSpec('X', ROWS)], 'new.mat')), ROWS, 'new');
    expectFeatures(await loadMatFeatures(mat([matrixSpec('fea', ROWS)])), ROWS);
    expectFeatures(await loadMatFeatures(mat([matrixSpec('Inputs', ROWS)])), ROWS);
    expectFeatures(await loadMatFeatures(mat([matrixSpec('samples_2024', ROWS), { kind: 'numeric', name: 'n', dims: [1, 1], values: [6] }])), ROWS);
    // Labels that loadMatDataset refuses (a length that is no row count) do not matter here.
    const y = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, 2, 1, 2] } as VarSpec;
    const file = mat([matrixSpec('X', ROWS), y]);
    await expect(loadMatDataset(file)).rejects.toThrow(/Y has 4 labels but X has 6 rows/);
    expectFeatures(await loadMatFeatures(file), ROWS);
    expect(data.loadMatFeatures).toBe(loadMatFeatures);
    expect(pkg.loadMatFeatures).toBe(loadMatFeatures);
    expect(pkg.featuresFromMatFile).toBe(featuresFromMatFile);
  });

  it('gives the features of the labelled file: X of X/Y, fea of fea/gnd, a sparse X', async () => {
    const labels: VarSpec = { kind: 'numeric', name: 'gnd', dims: [6, 1], values: [1, 2, 1, 2, 1, 2] };
    const file = mat([matrixSpec('fea', ROWS), labels]);
    expect((await loadMatFeatures(file)).X).toEqual((await loadMatDataset(file)).X);
    const sparse: VarSpec = { kind: 'sparse', name: 'data', rows: 4, cols: 3, ir: [0, 3], jc: [0, 1, 1, 2], pr: [5, 7] };
    expectFeatures(featuresFromMatFile(parseMat(writeMat([sparse])), 's'), [[5, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 7]], 's');
  });

  it('takes X first, then the pairs\' features names (numeric), then the only matrix; the x option names it', async () => {
    const d = (vars: VarSpec[], options?: MatFeaturesOptions) => rows(featuresFromMatFile(parseMat(writeMat(vars)), 't', options));
    expect(d([decoy('fea'), matrixSpec('x', ROWS)])).toEqual(f32(ROWS));
    expect(d([decoy('B'), matrixSpec('FEA', ROWS)])).toEqual(f32(ROWS));
    expect(d([cellstrSpec('data', ['a', 'b']), matrixSpec('A', ROWS)])).toEqual(f32(ROWS));
    expect(d([matrixSpec('A', ROWS), decoy('B')], { x: 'A' })).toEqual(f32(ROWS));
    expect(d([matrixSpec('A', ROWS), decoy('B')], { x: 'a' })).toEqual(f32(ROWS));
  });

  it('refuses when it cannot tell, a named variable that is missing, and a bad X, listing the variables', async () => {
    const two = mat([matrixSpec('A', ROWS), decoy('B')], 'two.mat');
    expect(await rejectsWithDataError(two, () => loadMatFeatures(two))).toBe(
      `${two}: cannot tell which variable holds the features; the file holds "A" double 6x3, "B" double 6x3. ` +
        'Tried X, then fea, data, features, inputs (any case), then the only 2-D numeric matrix: there are 2 ("A", "B"). ' +
        'Name it with the x option of loadMatFeatures (--x-var NAME on the command line)',
    );
    const none = mat([{ kind: 'numeric', name: 'v', dims: [1, 6], values: [1, 2, 3, 4, 5, 6] }], 'none.mat');
    expect(await rejectsWithDataError(none, () => loadMatFeatures(none))).toMatch(/the only 2-D numeric matrix: there is none/);
    expect(await rejectsWithDataError(two, () => loadMatFeatures(two, { x: 'C' }))).toBe(`${two}: no variable "C" (found: "A" double 6x3, "B" double 6x3)`);
    const file = (vars: VarSpec[]) => parseMat(writeMat(vars));
    expect(dataError(() => featuresFromMatFile(file([cellstrSpec('X', ['a', 'b'])]), 't', undefined, 'c.mat'))).toBe('c.mat: X (variable "X") is a cell array, not numeric');
    const nan = ROWS.map((r, i) => (i === 2 ? [r[0], NaN, r[2]] : r));
    expect(dataError(() => featuresFromMatFile(file([matrixSpec('X', nan)]), 't'))).toBe(
      'X has 1 non-finite value (NaN, Inf or beyond float32 range); the first (NaN) is at row 3, column 2 (1-based)',
    );
    const empty: VarSpec = { kind: 'numeric', name: 'X', dims: [0, 3], values: [] };
    expect(dataError(() => featuresFromMatFile(file([empty]), 't'))).toBe('X (variable "X") is empty (0x3)');
    const cube: VarSpec = { kind: 'numeric', name: 'X', dims: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] };
    expect(dataError(() => featuresFromMatFile(file([cube]), 't'))).toBe('X (variable "X") must be a 2-D matrix but has dims 2x2x2');
  });

  it('keeps maxDenseBytes (the float32 features) and validates its options, which have no y', async () => {
    const f = parseMat(writeMat([matrixSpec('X', ROWS)]));
    expect(featuresFromMatFile(f, 'd', { maxDenseBytes: 72 }).samples).toBe(6);
    expect(dataError(() => featuresFromMatFile(f, 'd', { maxDenseBytes: 71 }, 'd.mat'))).toBe(
      'd.mat: cannot make the float32 features of X (6x3): it needs 72 bytes, over the maxDenseBytes limit of 71 bytes; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
    expect(() => featuresFromMatFile(f, 'd', { y: 'Y' } as MatFeaturesOptions)).toThrow(
      new ValidationError('Expected only the options x, maxDenseBytes for options but received the unknown option "y"'),
    );
    await expect(loadMatFeatures(path.join(dir, 'nowhere.mat'), { x: 3 } as never)).rejects.toThrow(ValidationError);
  });
});

describe('loadFeatureData: the features loader by extension', () => {
  it('reads .csv/.tsv/.txt with loadCsvFeatures, anything else with loadMatFeatures (matX its x); matX is for MAT-files only', async () => {
    expectFeatures(await loadFeatureData(write('a.TXT', '1,2\n3,4\n')), [[1, 2], [3, 4]]);
    const m = write('a.mat', writeMat([matrixSpec('A', ROWS), decoy('B')]));
    expectFeatures(await loadFeatureData(m, { matX: 'B' }), ROWS.map((r) => r.map((v) => v * 10)));
    const c = write('b.csv', '1,2\n');
    await expect(loadFeatureData(c, { matX: 'A' })).rejects.toThrow(
      new ValidationError(`Expected a MAT-file (matX is for MAT-files only) but received ${JSON.stringify(c)}`),
    );
  });
});

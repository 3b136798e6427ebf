// loadCsvDataset: CSV / TSV files read as a stream into the same Dataset as loadMatDataset, with the
// label column by name, index or default; and every malformed file refused with a one-line
// DataFormatError that names the file (and, for bad cells, the line and the column).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDataset, type CsvDatasetOptions } from '../../lib/data/csv';
import { datasetFromMatFile, validateDataset, type Dataset } from '../../lib/data/dataset';
import { loadCsvDataset as exported } from '../../lib/data';
import { parseMat } from '../../lib/data/mat';
import { ValidationError } from '../../lib/errors';
import { rejectsWithDataError } from '../helpers/data-errors';
import { isCsvFile, loadData, prepareData } from '../../lib/experiment/prepare';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

const dir = mkdtempSync(path.join(tmpdir(), 'npset-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** Writes `text` to a fresh file named `name` (its extension matters) in the temp dir; returns its path. */
function write(name: string, text: string | Buffer): string {
  const sub = path.join(dir, String(counter++));
  mkdirSync(sub);
  const file = path.join(sub, name);
  writeFileSync(file, text);
  return file;
}

async function load(name: string, text: string | Buffer, options?: CsvDatasetOptions): Promise<Dataset> {
  const d = await loadCsvDataset(write(name, text), options);
  validateDataset(d);
  return d;
}

/** loadCsvDataset must reject with a one-line DataFormatError naming the file; returns the message after "file: ". */
async function loadError(file: string, options?: CsvDatasetOptions): Promise<string> {
  return (await rejectsWithDataError(file, () => loadCsvDataset(file, options))).slice(file.length + 2);
}

const errorOf = (name: string, text: string | Buffer, options?: CsvDatasetOptions) => loadError(write(name, text), options);

const rows = (d: Dataset) => Array.from({ length: d.samples }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)));

describe('loadCsvDataset: good files', () => {
  it('reads a header, numeric features and the last column as numeric labels, in ascending order', async () => {
    const d = await load('iris.csv', 'a,b,class\n1,2,5\n3.5,-4,-1\n.5,6e2,5\n7,8,2\n');
    expect(d.name).toBe('iris');
    expect([d.samples, d.features, d.classes]).toEqual([4, 2, 3]);
    expect(rows(d)).toEqual([[1, 2], [3.5, -4], [0.5, 600], [7, 8]]);
    expect(d.X).toBeInstanceOf(Float32Array);
    expect(d.y).toBeInstanceOf(Int32Array);
    expect(d.labels).toEqual([-1, 2, 5]);
    expect(Array.from(d.y)).toEqual([2, 0, 2, 1]);
    expect(d.labelNames).toBeUndefined();
    expect(exported).toBe(loadCsvDataset);
  });

  it('maps numeric labels to classes exactly as loadMatDataset does', async () => {
    const X = [[1, -2, 3], [4, 5, -6], [7, 8, 9], [-10, 11, 12], [0, 0, 1]];
    const Y = [2, -1, 2, 5, 0];
    const mat = datasetFromMatFile(parseMat(writeMat([matrixSpec('X', X), matrixSpec('Y', Y.map((v) => [v]))])), 'm');
    const d = await load('m.csv', X.map((r, i) => `${r.join(',')},${Y[i]}`).join('\n'));
    expect(d.labels).toEqual(mat.labels);
    expect(Array.from(d.y)).toEqual(Array.from(mat.y));
    expect(Array.from(d.X)).toEqual(Array.from(mat.X));
  });

  it('detects a file without header: the first row is a sample', async () => {
    const d = await load('nohead.csv', '1,2,0\n3,4,1\n');
    expect(d.samples).toBe(2);
    expect(rows(d)).toEqual([[1, 2], [3, 4]]);
  });

  it('takes a numeric first row as the header when told (header: true), and a text label on it does not make a header', async () => {
    expect((await load('h.csv', '10,20,30\n1,2,0\n3,4,1\n', { header: true })).samples).toBe(2);
    // Only the feature cells decide: "label" is in the label column, so this first row is data.
    const d = await load('h2.csv', '1,2,label\n3,4,other\n');
    expect(d.samples).toBe(2);
    expect(d.labelNames).toEqual(['label', 'other']);
  });

  it('finds the label column by name (exact, else case-insensitive) or by 0-based index', async () => {
    const text = 'Species,len,width\nb,1,2\na,3,4\nb,5,6\n';
    for (const label of ['Species', 'species', 0]) {
      const d = await load('named.csv', text, { label });
      expect(d.features).toBe(2);
      expect(rows(d)).toEqual([[1, 2], [3, 4], [5, 6]]);
      expect(d.labelNames).toEqual(['a', 'b']);
      expect(Array.from(d.y)).toEqual([1, 0, 1]);
    }
    const middle = await load('mid.csv', 'x,y,z\n1,7,2\n3,8,4\n', { label: 1 });
    expect(rows(middle)).toEqual([[1, 2], [3, 4]]);
    expect(middle.labels).toEqual([7, 8]);
    // An exact match wins over case-insensitive ones.
    const exact = await load('exact.csv', 'Y,y,f\n1,5,0\n2,6,0\n', { label: 'y' });
    expect(exact.labels).toEqual([5, 6]);
    expect(rows(exact)).toEqual([[1, 0], [2, 0]]);
  });

  it('maps text labels to classes in sorted order, named in labelNames', async () => {
    const d = await load('s.csv', 'f,label\n1,versicolor\n2,setosa\n3,virginica\n4,setosa\n5,Zeta\n');
    expect(d.labelNames).toEqual(['Zeta', 'setosa', 'versicolor', 'virginica']);
    expect(d.labels).toEqual([0, 1, 2, 3]);
    expect(d.classes).toBe(4);
    expect(Array.from(d.y)).toEqual([2, 1, 3, 1, 0]);
    // validateDataset checks labelNames when present: one string per class.
    expect(() => validateDataset({ ...d, labelNames: ['a'] })).toThrow(/Expected an array of 4 label names for dataset.labelNames/);
    expect(() => validateDataset({ ...d, labelNames: ['a', 'b', 'c', 4 as unknown as string] })).toThrow(/for dataset.labelNames\[3\]/);
  });

  it('takes labels as text as soon as one is not a number, and numbers that double cannot tell apart as text', async () => {
    const mixed = await load('mixed.csv', '1,10\n2,9\n3,x\n');
    expect(mixed.labelNames).toEqual(['10', '9', 'x']);
    const big = await load('big.csv', '1,9007199254740993\n2,9007199254740992\n');
    expect(big.labelNames).toEqual(['9007199254740992', '9007199254740993']);
    expect(big.classes).toBe(2);
    // Numbers: 1 and 1.0 are one label, and so are -0 and 0.
    const same = await load('same.csv', '1,1\n2,1.0\n3,-0\n4,0\n5,+1e0\n');
    expect(same.labels).toEqual([0, 1]);
    expect(Array.from(same.y)).toEqual([1, 1, 0, 0, 1]);
  });

  it('reads quoted fields: delimiters, quotes and line breaks inside them, quoted numbers', async () => {
    const d = await load('q.csv', '"len, cm","width",label\n"1.5",2,"a, ""quoted"" label"\n3,"4","two\nlines"\n');
    expect(rows(d)).toEqual([[1.5, 2], [3, 4]]);
    expect(d.labelNames).toEqual(['a, "quoted" label', 'two\nlines']);
    const named = await load('qn.csv', 'x,"len, cm"\n1,a\n2,b\n', { label: 'len, cm' });
    expect(rows(named)).toEqual([[1], [2]]);
    expect(named.labelNames).toEqual(['a', 'b']);
  });

  it('reads CRLF line endings, a byte order mark, blank lines and no final newline', async () => {
    const d = await load('crlf.csv', '\ufeffa,b,label\r\n1,2,x\r\n\r\n   \r\n3,4,y');
    expect(rows(d)).toEqual([[1, 2], [3, 4]]);
    expect(d.labelNames).toEqual(['x', 'y']);
    expect((await load('bomlabel.csv', '\ufefflabel,a\nx,1\ny,2\n', { label: 'label' })).labelNames).toEqual(['x', 'y']);
  });

  it('reads TSV: tab for .tsv files, detected in other files', async () => {
    const text = 'sepal length\tsepal width\tclass\n1\t2\tiris a\n3\t4\tiris b\n';
    for (const name of ['t.tsv', 't.txt', 't.csv']) {
      const d = await load(name, text);
      expect(rows(d)).toEqual([[1, 2], [3, 4]]);
      expect(d.labelNames).toEqual(['iris a', 'iris b']);
    }
    // A .tsv file is split on tabs only, whatever its first line holds.
    expect(rows(await load('commas.tsv', 'a,b\tc\n1\t0\n2\t1\n'))).toEqual([[1], [2]]);
  });

  it('reads semicolon-separated files (detected, or given), and "|" when given', async () => {
    const d = await load('semi.csv', 'a;b;c\n1;2;0\n3;4;1\n');
    expect(rows(d)).toEqual([[1, 2], [3, 4]]);
    expect((await load('semi.txt', '1;2;0\n3;4;1\n', { delimiter: ';' })).samples).toBe(2);
    expect(rows(await load('pipe.txt', 'a|b|c\n1|2|0\n3|4|1\n', { delimiter: '|' }))).toEqual([[1, 2], [3, 4]]);
    // The delimiter is the one found most often on the first line, quotes aside.
    const quoted = await load('quoted.csv', 'x;"a,b,c";y\n1;2;0\n3;4;1\n');
    expect(rows(quoted)).toEqual([[1, 2], [3, 4]]);
  });

  it('streams a file larger than the read chunks into exact values', async () => {
    const n = 6000;
    const f = 12;
    const lines = ['label,' + Array.from({ length: f }, (_, j) => `f${j}`).join(',')];
    for (let i = 0; i < n; i++) lines.push(`${i % 7},` + Array.from({ length: f }, (_, j) => (i * f + j) * 0.25).join(','));
    const d = await load('big.csv', lines.join('\n'), { label: 'label' });
    expect([d.samples, d.features, d.classes]).toEqual([n, f, 7]);
    expect(d.X.length).toBe(n * f);
    for (let k = 0; k < n * f; k += 997) expect(d.X[k]).toBe(k * 0.25);
    expect(d.X[n * f - 1]).toBe((n * f - 1) * 0.25);
    expect(d.y[n - 1]).toBe((n - 1) % 7);
  });
});

describe('loadCsvDataset: bad files', () => {
  it('refuses a feature cell that is empty, NaN, text, hexadecimal, infinite or beyond float32, naming line and column', async () => {
    expect(await errorOf('e.csv', '1,2,0\n3,,1\n')).toBe('Expected a finite number for line 2, column 2 but received an empty cell');
    expect(await errorOf('n.csv', '1,2,0\nNaN,4,1\n')).toBe('Expected a finite number for line 2, column 1 but received "NaN"');
    expect(await errorOf('a.csv', 'len,width,label\n1,2,x\n\n3,abc,y\n')).toBe(
      'Expected a finite number for line 4, column 2 ("width") but received "abc"',
    );
    expect(await errorOf('h.csv', '1,2,0\n0x10,4,1\n')).toMatch(/for line 2, column 1 but received "0x10"$/);
    expect(await errorOf('i.csv', '1,2,0\n3,Infinity,1\n')).toMatch(/for line 2, column 2 but received "Infinity"$/);
    expect(await errorOf('o.csv', '1,2,0\n3,1e39,1\n')).toBe(
      'Expected a finite number within float32 range (magnitude < 3.4e38) for line 2, column 2 but received "1e39"',
    );
    // With a header, a text cell on the first row makes it the header; told there is none, it is an error.
    expect(await errorOf('x.csv', 'a,b,c\n1,2,3\n', { header: false })).toBe('Expected a finite number for line 1, column 1 but received "a"');
  });

  it('refuses an empty label', async () => {
    expect(await errorOf('l.csv', 'a,b,class\n1,2,x\n3,4,""\n')).toBe(
      'Expected a label for line 3, column 3 ("class") but received an empty cell',
    );
  });

  it('refuses ragged rows, with fewer or more columns than the first', async () => {
    expect(await errorOf('r1.csv', 'a,b,c\n1,2,3\n4,5\n')).toBe('Expected 3 columns (as on line 1) for line 3 but received 2');
    expect(await errorOf('r2.csv', '\r\n1,2,3\r\n4,5,6,7\r\n')).toBe('Expected 3 columns (as on line 2) for line 3 but received 4');
  });

  it('refuses an empty file, a file of blank lines, a header-only file and a single column', async () => {
    expect(await errorOf('empty.csv', '')).toBe('the file is empty: no rows');
    expect(await errorOf('blank.csv', '\n  \r\n\n')).toBe('the file is empty: no rows');
    expect(await errorOf('head.csv', 'a,b,label\n')).toBe('the file has a header (line 1) but no data rows');
    expect(await errorOf('one.csv', '1\n2\n3\n')).toBe(
      'Expected at least 2 columns (features and a label) for line 1 but received 1 with the delimiter ","',
    );
    expect(await errorOf('one.tsv', '1,2\n3,4\n')).toMatch(/received 1 with the delimiter tab$/);
  });

  it('refuses a label column that the file does not have', async () => {
    expect(await errorOf('n.csv', 'a,b,c\n1,2,3\n', { label: 'd' })).toBe('no column "d" for the label in the header on line 1 (found: "a", "b", "c")');
    const wide = `${Array.from({ length: 20 }, (_, j) => `c${j}`).join(',')}\n`;
    expect(await errorOf('w.csv', wide, { label: 'x' })).toMatch(/\(found: "c0", .*"c11", \.\.\. \(20 in all\)\)$/);
    expect(await errorOf('amb2.csv', 'Yy,yY,f\n1,2,3\n', { label: 'yy' })).toBe(
      'the label column "yy" is ambiguous: columns 1, 2 of the header on line 1 match it',
    );
    expect(await errorOf('i.csv', '1,2,3\n', { label: 3 })).toBe('the label column 3 (0-based) is beyond the 3 columns of line 1 (indices 0 to 2)');
  });

  it('reports CSV syntax errors (an unclosed quote) as DataFormatError', async () => {
    expect(await errorOf('q.csv', 'a,b\n1,"2\n3,4\n')).toMatch(/^cannot parse the file as CSV: Quote Not Closed/);
    expect(await errorOf('q2.csv', 'a,b\n1,"2"x\n')).toMatch(/^cannot parse the file as CSV: /);
  });

  it('reads regular files only, within maxFileBytes, and builds no more than maxDenseBytes', async () => {
    expect(await loadError(dir)).toBe('cannot read the file: it is a directory, not a regular file');
    const missing = path.join(dir, 'missing.csv');
    expect(await loadError(missing)).toMatch(/^cannot read the file: ENOENT/);
    if (process.platform !== 'win32') {
      const fifo = path.join(dir, 'pipe.csv');
      let made = true;
      try {
        execFileSync('mkfifo', [fifo]);
      } catch {
        made = false; // no mkfifo here
      }
      if (made) expect(await loadError(fifo)).toBe('cannot read the file: it is a FIFO (named pipe), not a regular file');
    }
    const text = 'a,b,label\n1,2,0\n3,4,1\n';
    expect(await errorOf('f.csv', text, { maxFileBytes: 10 })).toBe(
      `cannot read the file: it has ${text.length} bytes, over the maxFileBytes limit of 10 bytes; ` +
        'if the data really is that large, raise the maxFileBytes option',
    );
    // 2 rows of 2 features and a label: 2 x (2 x 4 + 4) = 24 bytes, plus 2 label texts at 64 + 2 bytes.
    expect((await load('ok.csv', text, { maxDenseBytes: 24 + 2 * 66 })).samples).toBe(2);
    expect(await errorOf('d.csv', text, { maxDenseBytes: 24 + 2 * 66 - 1 })).toMatch(
      /^cannot hold the float32 features and the labels of 2 rows of 2 features \(up to line 3\), with 2 distinct labels: it needs 156 bytes, over the maxDenseBytes limit of 155 bytes; if the data really is that large, raise the maxDenseBytes option$/,
    );
    const many = `${Array.from({ length: 5000 }, (_, i) => `${i},0`).join('\n')}\n`;
    expect(await errorOf('many.csv', many, { maxDenseBytes: 1000 * 8 })).toMatch(/^cannot hold the float32 features and the labels of \d+ rows of 1 features \(up to line \d+\)/);
  });

  it('validates its options before any I/O', async () => {
    const nowhere = path.join(dir, 'nowhere.csv');
    const bad = async (options: unknown, pattern: RegExp) => {
      const e = await loadCsvDataset(nowhere, options as CsvDatasetOptions).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(pattern);
    };
    await bad({ label: 'x', header: false }, /^Expected a 0-based column index for options.label with options.header false .* but received "x"$/);
    await bad({ label: -1 }, /^Expected an integer >= 0 .*for options.label but received -1$/);
    await bad({ label: 1.5 }, /for options.label but received 1.5$/);
    await bad({ label: '' }, /^Expected a column name or a 0-based column index for options.label but received ""$/);
    await bad({ header: 'yes' }, /^Expected a boolean for options.header/);
    await bad({ delimiter: ' ' }, /^Expected one of ",", ";", "\\t", "\|" for options.delimiter but received " "$/);
    await bad({ maxDenseBytes: 0 }, /options.maxDenseBytes/);
    await bad({ maxFileBytes: -5 }, /options.maxFileBytes/);
    await bad({ labels: 'x' }, /unknown option "labels"/);
    await bad(null, /^Expected an options object for options but received null$/);
    await expect(loadCsvDataset('' as string)).rejects.toThrow(ValidationError);
  });
});

describe('loadData and prepareData: the loader by extension', () => {
  it('reads .csv, .tsv and .txt (any case) as CSV, anything else as a MAT-file', async () => {
    expect(['a.csv', 'b.TSV', 'c.Txt', 'dir.csv/d.CSV'].map(isCsvFile)).toEqual([true, true, true, true]);
    expect(['a.mat', 'b', 'c.csv.mat', 'd.dat'].map(isCsvFile)).toEqual([false, false, false, false]);
    const upper = write('UP.CSV', 'f,label\n1,a\n2,b\n');
    expect((await loadData(upper)).labelNames).toEqual(['a', 'b']);
    const mat = write('m.mat', Buffer.from(writeMat([matrixSpec('X', [[1], [2]]), matrixSpec('Y', [[3], [4]])])));
    expect((await loadData(mat)).labels).toEqual([3, 4]);
    // A CSV file named .mat goes to the MAT reader, which says so.
    const text = write('text.mat', '1,2\n3,4\n');
    await expect(loadData(text)).rejects.toThrow(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*MAT`));
  });

  it('passes labelColumn to the CSV loader only', async () => {
    const csv = write('p.csv', 'label,f\n' + Array.from({ length: 12 }, (_, i) => `${i % 2 ? 'odd' : 'even'},${i}`).join('\n'));
    const d = await loadData(csv, { labelColumn: 'label' });
    expect(d.labelNames).toEqual(['even', 'odd']);
    const p = await prepareData({ file: csv, labelColumn: 0, seed: 1 });
    expect([p.name, p.features, p.classes, p.train.samples + p.test.samples]).toEqual(['p', 1, 2, 12]);
    expect(p.train.labelNames).toEqual(['even', 'odd']);
    await expect(loadData(path.join(dir, 'x.mat'), { labelColumn: 0 })).rejects.toThrow(
      /^Expected a \.csv, \.tsv or \.txt file \(labelColumn is for CSV\/TSV files only\) but received ".*x\.mat"$/,
    );
    await expect(loadData(undefined, { labelColumn: 'y' })).rejects.toThrow(ValidationError);
  });
});

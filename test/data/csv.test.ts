// loadCsvDataset: CSV / TSV files read as a stream into the same Dataset as loadMatDataset, with the
// label column by name, index or default; and every malformed file refused with a one-line
// DataFormatError that names the file (and, for bad cells, the line and the column).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCsvDataset, type CsvDatasetOptions } from '../../lib/data/csv';
import { datasetFromMatFile, validateDataset, type Dataset } from '../../lib/data/dataset';
import { loadCsvDataset as exported } from '../../lib/data';
import { parseMat } from '../../lib/data/mat';
import { ValidationError } from '../../lib/errors';
import { makeFifo } from '../helpers/temp-files';
import { loaderKit } from '../helpers/data-errors';
import { isCsvFile, loadData, prepareData } from '../../lib/experiment/prepare';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

const { dir, write, load, loadError } = loaderKit<CsvDatasetOptions>('npset-csv-', loadCsvDataset);

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
    // "label" is a name, but above text on line 2: this first row is data, with text labels.
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

  it('refuses an empty label, whatever the other labels', async () => {
    expect(await errorOf('l.csv', 'a,b,class\n1,2,x\n3,4,""\n')).toBe(
      'Expected a label for line 3, column 3 ("class") but received an empty cell',
    );
    expect(await errorOf('ln.csv', 'a,b,class\n1,2,0\n3,4, \n5,6,1\n')).toBe(
      'Expected a label for line 3, column 3 ("class") but received an empty cell',
    );
  });

  it('refuses a missing-value marker among numeric labels, naming its first line; among text labels it is a class', async () => {
    for (const marker of ['NA', 'n/a', '?', 'NaN', 'null', 'None', '-', '#N/A']) {
      const text = `x,y,price\n1,2,3.5\n3,4,${marker}\n5,6,1\n7,8,${marker}\n`;
      expect(await errorOf('na.csv', text)).toBe(
        `Expected a label for line 3, column 3 ("price") but received ${JSON.stringify(marker)}, a missing value ` +
          '(the other labels are numbers): remove the rows without a label, or fill them in',
      );
    }
    // Without a header, on line 1; and a regression target with one "NA" is refused as such, not 101 classes.
    expect(await errorOf('na1.csv', '1,2,NA\n3,4,1\n')).toMatch(/^Expected a label for line 1, column 3 but received "NA", a missing value/);
    const price = (i: number) => (((i * 7919) % 1000) / 7 + 0.5).toFixed(2);
    const regression = `x,price\n${Array.from({ length: 100 }, (_, i) => `${i},${price(i)}`).join('\n')}\n0,NA\n`;
    expect(await errorOf('regression.csv', regression)).toMatch(/^Expected a label for line 102, column 2 \("price"\) but received "NA", a missing value/);
    // Text labels keep "NA" (North America) and "?" as classes; labels that are all markers are texts too.
    const continents = await load('continents.csv', 'pop,area,continent\n1,2,EU\n3,4,NA\n5,6,AS\n7,8,NA\n9,9,?\n');
    expect([continents.labelNames, Array.from(continents.y)]).toEqual([['?', 'AS', 'EU', 'NA'], [2, 3, 1, 3, 0]]);
    expect((await load('allna.csv', '1,NA\n2,?\n')).labelNames).toEqual(['?', 'NA']);
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
    // In this loader's words since csv-interop.test.ts: 1-based lines and columns.
    expect(await errorOf('q.csv', 'a,b\n1,"2\n3,4\n')).toMatch(/^Expected a closing quote for the quoted cell on line 2, column 2 but received the end of the file/);
    expect(await errorOf('q2.csv', 'a,b\n1,"2"x\n')).toMatch(/^Expected a delimiter or the end of the line after a quoted cell's closing quote for line 2, column 2 /);
  });

  it('reads regular files only, within maxFileBytes, and builds no more than maxDenseBytes', async () => {
    expect(await loadError(dir)).toBe('cannot read the file: it is a directory, not a regular file');
    const missing = path.join(dir, 'missing.csv');
    expect(await loadError(missing)).toMatch(/^cannot read the file: ENOENT/);
    const fifo = path.join(dir, 'pipe.csv');
    if (makeFifo(fifo)) expect(await loadError(fifo)).toBe('cannot read the file: it is a FIFO (named pipe), not a regular file');
    const text = 'a,b,label\n1,2,0\n3,4,1\n';
    expect(await errorOf('f.csv', text, { maxFileBytes: 10 })).toBe(
      `cannot read the file: it has ${text.length} bytes, over the maxFileBytes limit of 10 bytes; ` +
        'if the data really is that large, raise the maxFileBytes option',
    );
    // 2 rows of 2 features and a label: 2 x (2 x 4 + 4) = 24 bytes, plus 2 label texts at 64 + 2 bytes.
    expect((await load('ok.csv', text, { maxDenseBytes: 24 + 2 * 66 })).samples).toBe(2);
    expect(await errorOf('d.csv', text, { maxDenseBytes: 24 + 2 * 66 - 1 })).toMatch(
      /^cannot hold the float32 features and the labels of 2 rows of 2 features \(up to line 3\), with 2 distinct labels: it needs 156 bytes, over the maxDenseBytes limit of 155 bytes; if the data really is that large, raise the maxDenseBytes option \(--max-dense-bytes on the command line\)$/,
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

describe('loadCsvDataset: header detection from the first two rows', () => {
  it('takes line 1 as a header when its label name stands above a number, or all its feature cells are names', async () => {
    const named = await load('named.csv', 'len,width,class\n1,2,5\n3,4,2\n');
    expect([named.samples, named.labels]).toEqual([2, [2, 5]]);
    const text = await load('text.csv', 'len,width,species\n1,2,setosa\n3,4,virginica\n');
    expect([text.samples, text.labelNames]).toEqual([2, ['setosa', 'virginica']]);
    // pandas' DataFrame(X).to_csv(index=False) with a "target" column: numeric feature names, and the
    // name of the label column above a number decides; the labels stay numbers (10 after 2).
    const pandas = await load('pandas.csv', '0,1,2,3,target\n5.1,3.5,1.4,0.2,1\n4.9,3,1.4,0.2,10\n6.3,3.3,6,2.5,2\n');
    expect([pandas.samples, pandas.features, pandas.labels, pandas.labelNames]).toEqual([3, 4, [1, 2, 10], undefined]);
    expect(rows(pandas)[0]).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    // With the index too (to_csv() writes an empty name above it): refused since csv-interop.test.ts, as a row
    // index would silently be feature 1. And with the label column given by index.
    expect(await errorOf('index.csv', ',0,1,target\n0,1.5,2,1\n1,3,4,2\n')).toMatch(/^Expected a column name for line 1, column 1 \(the header\) but received an empty cell: the first column looks like a row index/);
    const first = await load('first.csv', 'target,0,1\n1,2,3\n2,4,5\n', { label: 0 });
    expect([first.samples, first.labels, rows(first)]).toEqual([2, [1, 2], [[2, 3], [4, 5]]]);
    // A number in a notation the loader refuses still shows the header above it, and is reported on its line.
    expect(await errorOf('euro.csv', 'a;b;label\n1,5;2,5;x\n')).toBe(`Expected a finite number for line 2, column 1 ("a") but received "1,5" (a decimal comma? npset reads decimal points only; re-save with '.' as the decimal separator)`);
    // pandas' to_csv() with the index (an empty name, a missing-value marker) and text names above text labels: a header, refused for its index.
    expect(await errorOf('indextext.csv', ',len,width,species\n0,1,2,setosa\n1,3,4,virginica\n')).toMatch(/^Expected a column name for line 1, column 1 /);
    // Numeric and text feature names above numeric labels: the label name decides.
    expect(rows(await load('mixednames.csv', 'size,2019,2020,target\n4,5.1,3.5,1\n6,4.9,3,2\n'))).toEqual([[4, 5.1, 3.5], [6, 4.9, 3]].map((r) => r.map(Math.fround)));
  });

  it('takes a typo in a feature cell of line 1 for an error on line 1, as on line 2, not for a header', async () => {
    for (const typo of ['0.5x', '\u22121.5', '1 234', '1..5', 'O.5']) {
      for (const labels of [['0', '1', '0'], ['setosa', 'virginica', 'setosa']]) {
        const text = `${typo},2,${labels[0]}\n1,2,${labels[1]}\n3,4,${labels[2]}\n`;
        expect(await errorOf('typo1.csv', text)).toBe(`Expected a finite number for line 1, column 1 but received ${JSON.stringify(typo)}`);
        const second = `5,6,${labels[0]}\n${typo},2,${labels[1]}\n3,4,${labels[2]}\n`;
        expect(await errorOf('typo2.csv', second)).toBe(`Expected a finite number for line 2, column 1 but received ${JSON.stringify(typo)}`);
      }
    }
    // Beside a missing value too, and on the only row.
    expect(await errorOf('typomissing.csv', '1,NA,0.5x,0\n1,2,3,1\n')).toBe('Expected a finite number for line 1, column 2 but received "NA"');
    expect(await errorOf('typoone.csv', '0.5x,2,0\n')).toBe('Expected a finite number for line 1, column 1 but received "0.5x"');
    // Numeric and text feature names above text labels are a documented case for header: true.
    const mixed = 'size,2019,2020,species\n4,5.1,3.5,setosa\n6,4.9,3,virginica\n';
    expect(await errorOf('mixed.csv', mixed)).toBe('Expected a finite number for line 1, column 1 but received "size"');
    expect((await load('mixed.csv', mixed, { header: true })).labelNames).toEqual(['setosa', 'virginica']);
  });

  it('takes line 1 as data when no name on it stands above a number: numbers, text labels, missing values', async () => {
    expect(rows(await load('numbers.csv', '1,2,0\n3,4,1\n'))).toEqual([[1, 2], [3, 4]]);
    const text = await load('textlabels.csv', '1,2,setosa\n3,4,virginica\n5,6,setosa\n');
    expect([text.samples, text.labelNames]).toEqual([3, ['setosa', 'virginica']]);
    // A missing value on line 1 is an error for line 1, as on any other line: not a header that drops a sample.
    for (const missing of ['?', 'NA', 'n/a', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '-', '#N/A', '<NA>', 'missing']) {
      expect(await errorOf('missing.csv', `1,${missing},0\n3,4,1\n5,6,0\n`)).toBe(
        `Expected a finite number for line 1, column 2 but received ${JSON.stringify(missing)}`,
      );
    }
    expect(await errorOf('empty.csv', '1,,0\n3,4,1\n')).toBe('Expected a finite number for line 1, column 2 but received an empty cell');
    // So are numbers in notations the loader does not take: they are no column names.
    for (const value of ['Infinity', '-inf', '0x10', '1,5']) {
      const hint = value === '1,5' ? " (a decimal comma? npset reads decimal points only; re-save with '.' as the decimal separator)" : '';
      expect(await errorOf('notation.csv', `1;${value};0\n3;4;1\n`)).toBe(`Expected a finite number for line 1, column 2 but received ${JSON.stringify(value)}${hint}`);
    }
    // An ID-like text column without a header: its line 2 is text too, so line 1 is data, and refused.
    expect(await errorOf('ids.csv', 'id1,1,2,0\nid2,3,4,1\n')).toBe('Expected a finite number for line 1, column 1 but received "id1"');
    // With a header, the same column fails on line 2.
    expect(await errorOf('idshead.csv', 'id,a,b,label\nid1,1,2,0\n')).toBe('Expected a finite number for line 2, column 1 ("id") but received "id1"');
  });

  it('decides a single row by its feature cells: names (and missing-value markers) only make it a header', async () => {
    const one = await load('one.csv', '1,2,0\n');
    expect([one.samples, rows(one)]).toEqual([1, [[1, 2]]]);
    expect((await load('onetext.csv', '1,2,setosa\n')).labelNames).toEqual(['setosa']);
    expect(await errorOf('onehead.csv', 'a,b,label\n')).toBe('the file has a header (line 1) but no data rows');
    expect(await errorOf('onemissing.csv', '1,NA,0\n')).toBe('Expected a finite number for line 1, column 2 but received "NA"');
    expect(await errorOf('onemarker.csv', ',a,label\n')).toBe('the file has a header (line 1) but no data rows');
    expect(await errorOf('onemixed.csv', 'a,1,label\n')).toBe('Expected a finite number for line 1, column 1 but received "a"');
  });

  it('follows header: true or false, and a label given by name, over the detection', async () => {
    // Numeric feature names above text labels cannot be told from data (documented): header: true says it.
    const ambiguous = '0,1,species\n5.1,3.5,setosa\n4.9,3,virginica\n';
    expect((await load('amb.csv', ambiguous)).labelNames).toEqual(['setosa', 'species', 'virginica']);
    const told = await load('amb.csv', ambiguous, { header: true });
    expect([told.samples, told.labelNames]).toEqual([2, ['setosa', 'virginica']]);
    expect((await load('byname.csv', ambiguous, { label: 'species' })).samples).toBe(2);
    const data = await load('nohead.csv', '0,1,target\n5,3,1\n4,3,2\n', { header: false });
    expect([data.samples, data.labelNames]).toEqual([3, ['1', '2', 'target']]);
    expect((await load('onehead.csv', '1,2,0\n', { header: true }).catch((e: Error) => e.message))).toMatch(/has a header \(line 1\) but no data rows$/);
  });
});

describe('loadCsvDataset: trailing delimiters, line numbers, encodings, continuous labels, long lines', () => {
  it('ignores a delimiter that ends every line, and says so when a later row puts something there', async () => {
    for (const text of ['a,b,label,\n1,2,x,\n3,4,y,\n', '1,2,x,\r\n3,4,y,\r\n', 'a;b;label;\n1;2;x;\n3;4;y;']) {
      const d = await load('trailing.csv', text);
      expect([d.features, rows(d), d.labelNames]).toEqual([2, [[1, 2], [3, 4]], ['x', 'y']]);
    }
    expect(await errorOf('late.csv', 'a,b,label,\n1,2,x,\n3,4,y,7\n')).toBe(
      'Expected an empty cell for line 3, column 4 (the first lines end with a delimiter, taken as an empty last column, which is ignored) but received "7"',
    );
    // Asked for as the label, the empty column stays, and is refused as labels.
    expect(await errorOf('asked.csv', 'a,b,c,\n1,2,3,\n', { label: 3 })).toBe('Expected a label for line 2, column 4 ("") but received an empty cell');
    // An empty last name above labels is a label column without a name; two columns keep both.
    expect((await load('noname.csv', 'a,b,\n1,2,x\n3,4,y\n')).labelNames).toEqual(['x', 'y']);
    expect(await errorOf('two.csv', '1,\n2,\n')).toBe('Expected a label for line 1, column 2 but received an empty cell');
  });

  it('names the line a record starts on, with quoted line breaks, CRLF and blank lines before it', async () => {
    expect(await errorOf('multi.csv', 'a,b,label\n"1\n\n",2,x\n3,4,y\n')).toBe('Expected a finite number for line 2, column 1 ("a") but received "1\\n\\n"');
    // Lines: 1 header, 2-3 a record, 4 blank, 5-7 a record, 8 the bad cell.
    expect(await errorOf('crlf.csv', 'a,b,label\r\n1,2,"x\r\ny"\r\n\r\n3,4,"p\r\nq\r\nr"\r\n5,z,w\r\n')).toBe(
      'Expected a finite number for line 8, column 2 ("b") but received "z"',
    );
    // Blank lines of mixed endings before the first record.
    expect(await errorOf('mixed.csv', '\n\n  \r\n1,2,0\r\n3,x,1\r\n')).toBe('Expected a finite number for line 5, column 2 but received "x"');
    expect(await errorOf('ragged.csv', '\n1,2,"a\nb"\n3,4\n')).toBe('Expected 3 columns (as on line 2) for line 4 but received 2');
    // Every line ending ends a record, whichever came first (csv-parse kept the first one it found).
    expect(rows(await load('lfcr.csv', 'a,b,label\n1,2,x\r3,4,y\r'))).toEqual([[1, 2], [3, 4]]);
    const many = `a,label\n${Array.from({ length: 3000 }, (_, i) => `${i},"l\r\n${i % 3}"`).join('\r\n')}\r\n1,\r\n`;
    expect(await errorOf('many.csv', many)).toBe('Expected a label for line 6002, column 2 ("label") but received an empty cell');
  });

  it('refuses bytes that are not UTF-8 (a Latin-1 file), naming the line, instead of merging labels', async () => {
    const latin1 = Buffer.from('a,b,label\n1,2,caf\xe9\n3,4,caf\xe8\n5,6,tea\n', 'latin1');
    expect(await errorOf('latin1.csv', latin1)).toBe(
      'Expected UTF-8 text for line 2 but received the byte 0xE9 (byte 17 of the file), not valid UTF-8 there: ' +
        'save the file as UTF-8 (it may be Latin-1 or Windows-1252)',
    );
    // A Windows-1252 en dash in a header name; a character cut short by the end of the file.
    expect(await errorOf('cp1252.csv', Buffer.from('len \x96 cm,label\n1,a\n', 'latin1'))).toMatch(/^Expected UTF-8 text for line 1 but received the byte 0x96 \(byte 4 /);
    expect(await errorOf('cut.csv', Buffer.concat([Buffer.from('a,label\n1,x\n2,caf'), Buffer.from([0xc3])]))).toMatch(/^Expected UTF-8 text for line 3 but received the byte 0xC3 \(byte 17 /);
    // Overlong forms and surrogates are not UTF-8 either.
    expect(await errorOf('overlong.csv', Buffer.concat([Buffer.from('a,label\n1,'), Buffer.from([0xc0, 0xaf]), Buffer.from('\n')]))).toMatch(/line 2 but received the byte 0xC0 /);
    expect(await errorOf('surrogate.csv', Buffer.concat([Buffer.from('a,label\n1,'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]))).toMatch(/line 2 but received the byte 0xED /);
    // Far into the file, past the read chunks, CRLF lines counted once.
    const body = Array.from({ length: 20000 }, (_, i) => `${i},c${i % 2}`).join('\r\n');
    expect(await errorOf('far.csv', Buffer.concat([Buffer.from(`a,label\r\n${body}\r\n7,`), Buffer.from([0xff]), Buffer.from('\r\n')]))).toMatch(
      /^Expected UTF-8 text for line 20002 but received the byte 0xFF /,
    );
  });

  it('reads UTF-8 whatever the read chunks cut, and UTF-16 with a byte order mark, keeping distinct labels apart', async () => {
    // The 2-, 3- and 4-byte characters cut at every place by the 64 KiB read chunks.
    for (const c of ['é', '€', '😀']) {
      for (let k = 1; k < Buffer.byteLength(c); k++) {
        const head = 'a,label\n1,x\n';
        const filler = `2,${'y'.repeat(65536 - k - head.length - 5)}\n`; // then "3," and the character
        const text = `${head}${filler}3,${c}\n4,caf\u00e8\n5,\ufffd\n`;
        expect(Buffer.from(text).indexOf(Buffer.from(c))).toBe(65536 - k);
        const d = await load('cut.csv', text);
        expect(d.labelNames).toEqual(['caf\u00e8', 'x', 'y'.repeat(filler.length - 3), c, '\ufffd'].sort());
      }
    }
    const utf16 = Buffer.from('\ufeffa,b,label\r\n1,2,caf\u00e9\r\n3,4,caf\u00e8\r\n5,6,caf\u00e9\r\n', 'utf16le');
    const d = await load('utf16.csv', utf16);
    expect([d.samples, d.labelNames, Array.from(d.y)]).toEqual([3, ['caf\u00e8', 'caf\u00e9'], [1, 0, 1]]);
  });

  it('names UTF-16 that it does not read: big-endian, or without a byte order mark', async () => {
    const expected = 'Expected UTF-8 text (or UTF-16 little-endian with a byte order mark, FF FE) but received UTF-16 ';
    const tail = ': only these two are read; save the file as UTF-8';
    const text = 'a,b,label\r\n1,2,caf\u00e9\r\n3,4,tea\r\n'; // 30 characters, none beyond U+00FF: a zero byte in each
    expect(await errorOf('be.csv', Buffer.from(`\ufeff${text}`, 'utf16le').swap16())).toBe(
      `${expected}big-endian (the file starts with the byte order mark FE FF)${tail}`,
    );
    expect(await errorOf('le.csv', Buffer.from(text, 'utf16le'))).toBe(
      `${expected}little-endian without a byte order mark (30 of its first 60 bytes are zero, at odd offsets)${tail}`,
    );
    expect(await errorOf('nobom.csv', Buffer.from(text, 'utf16le').swap16())).toBe(
      `${expected}big-endian without a byte order mark (30 of its first 60 bytes are zero, at even offsets)${tail}`,
    );
    // Only the first 1024 bytes are counted.
    const long = `a,label\n${Array.from({ length: 200 }, (_, i) => `${i},x`).join('\n')}\n`;
    expect(await errorOf('long.csv', Buffer.from(long, 'utf16le'))).toMatch(/little-endian without a byte order mark \(512 of its first 1024 bytes/);
    // Zero bytes at both parities are no UTF-16, nor are a few in UTF-8: both are binary.
    expect(await errorOf('zeros.csv', Buffer.alloc(100))).toMatch(/^Expected text for line 1 but received the byte 0x00 \(byte 0 of the file\): not a text file/);
    // A NUL byte in the first 4 KiB makes a file binary since csv-interop.test.ts (it was read into a label before).
    expect(await errorOf('nul.csv', 'a,label\n1,x\u0000y\n2,z\n')).toBe(
      'Expected text for line 2 but received the byte 0x00 (byte 11 of the file): not a text file: it holds NUL bytes',
    );
  });

  it('refuses a continuous label column (regression data), and keeps whole-number or text labels however many', async () => {
    const price = (i: number) => (((i * 7919) % 1000) / 7 + 0.5).toFixed(5);
    const regression = `x,price\n${Array.from({ length: 300 }, (_, i) => `${i},${price(i)}`).join('\n')}\n`;
    expect(await errorOf('regression.csv', regression)).toBe(
      `Expected class labels for column 2 ("price") but received 300 distinct numbers in 300 rows, not all whole (such as "${price(0)}"): ` +
        'a continuous target, as for regression, cannot be classified; choose the column of the classes as the label, or bin the values into classes',
    );
    const file = (n: number, label: (i: number) => string) => Array.from({ length: n }, (_, i) => `${i},${label(i)}`).join('\n');
    // More than 10 distinct values and more than half the rows, not all whole: refused; one fewer row or value: accepted.
    expect(await errorOf('eleven.csv', file(21, (i) => `${i % 11}.5`))).toMatch(/^Expected class labels for column 2 but received 11 distinct numbers in 21 rows/);
    expect((await load('ten.csv', file(10, (i) => `${i}.5`))).classes).toBe(10);
    expect((await load('half.csv', file(22, (i) => `${i % 11}.5`))).classes).toBe(11);
    // Whole numbers, written 1.0 or 1e0 too, are classes: here 300 of a sample each.
    expect((await load('whole.csv', file(300, (i) => `${i}.0`))).classes).toBe(300);
    expect((await load('few.csv', file(300, (i) => ['0.5', '1.5', '2.5'][i % 3]))).labels).toEqual([0.5, 1.5, 2.5]);
    // 1000 text classes of 2 samples each.
    const text = await load('text.csv', file(2000, (i) => `class ${i % 1000}`));
    expect([text.classes, text.samples]).toEqual([1000, 2000]);
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

describe('featureNames', () => {
  it('come from a header of names, without the label column; none without a header or with pandas 0..n-1', async () => {
    const named = await loadCsvDataset(write('n.csv', 'a,species,b\n1,x,2\n3,y,4\n'), { label: 'species' });
    expect(named.featureNames).toEqual(['a', 'b']);
    expect(validateDataset(named)).toBe(named);
    const { subset } = await import('../../lib/data/split');
    expect(subset(named, [1]).featureNames).toEqual(['a', 'b']);
    expect((await loadCsvDataset(write('h.csv', '1,2,x\n3,4,y\n'))).featureNames).toBeUndefined();
    expect((await loadCsvDataset(write('p.csv', '0,1,2\n1,2,x\n3,4,y\n'))).featureNames).toBeUndefined();
    expect(() => validateDataset({ ...named, featureNames: ['a'] })).toThrow(/featureNames/);
  });
});

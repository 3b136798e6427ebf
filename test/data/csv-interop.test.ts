// The CSV loaders on files as other tools write them (findings of an interoperability sweep): Excel's
// decimal commas and `sep=` line, pandas' and R's row index, numpy's '#' header and space-separated
// files, csv-parse's syntax errors in the loader's words, numbers beyond float64 and binary files.
// Each case failed (or read wrong data silently) before its fix.
import { describe, expect, it } from 'vitest';
import { loadCsvDataset, loadCsvFeatures, type CsvDatasetOptions, type CsvFeaturesOptions } from '../../lib/data/csv';
import { detectDelimiter } from '../../lib/data/csv-head';
import { validateDataset, type Dataset, type FeatureSet } from '../../lib/data/dataset';
import { rejectsWithDataError } from '../helpers/data-errors';
import { tempFiles } from '../helpers/temp-files';

const { write } = tempFiles('npset-csv-interop-');

async function load(name: string, text: string | Buffer, options?: CsvDatasetOptions): Promise<Dataset> {
  const d = await loadCsvDataset(write(name, text), options);
  validateDataset(d);
  return d;
}

const features = (name: string, text: string | Buffer, options?: CsvFeaturesOptions): Promise<FeatureSet> => loadCsvFeatures(write(name, text), options);

/** The one-line DataFormatError message of loading `text` (after "file: "). */
async function errorOf(name: string, text: string | Buffer, options?: CsvDatasetOptions): Promise<string> {
  const file = write(name, text);
  return (await rejectsWithDataError(file, () => loadCsvDataset(file, options))).slice(file.length + 2);
}

async function featuresError(name: string, text: string | Buffer, options?: CsvFeaturesOptions): Promise<string> {
  const file = write(name, text);
  return (await rejectsWithDataError(file, () => loadCsvFeatures(file, options))).slice(file.length + 2);
}

const rows = (d: FeatureSet) => Array.from({ length: d.samples }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)));
const f32 = (r: number[][]) => r.map((row) => row.map(Math.fround));

const DECIMAL_COMMA = " (a decimal comma? npset reads decimal points only; re-save with '.' as the decimal separator)";

describe('decimal commas (Excel in some locales: ";"-delimited, "1,5")', () => {
  it('reads "1,5;0" as ";"-delimited and refuses the decimal comma, not labels "5;0" under features 1, 2, 3', async () => {
    expect(await errorOf('dc.csv', '1,5;0\n2,25;1\n3,75;0\n')).toBe(`Expected a finite number for line 1, column 1 but received "1,5"${DECIMAL_COMMA}`);
    expect(await errorOf('dc2.csv', '1,5;2,25;a\r\n3,0;-4,5;b\r\n')).toBe(`Expected a finite number for line 1, column 1 but received "1,5"${DECIMAL_COMMA}`);
    expect(detectDelimiter('1,5;0\n2,25;1\n')).toBe(';');
    // A ',' beside a tab on every line is a decimal comma too.
    expect(detectDelimiter('1,5\t0\n2,25\t1\n')).toBe('\t');
  });

  it('names a decimal comma, thousands separators, and decimal commas split by an explicit "," delimiter', async () => {
    expect(await errorOf('head.csv', 'x1;x2;cls\n1,5;2;a\n')).toBe(`Expected a finite number for line 2, column 1 ("x1") but received "1,5"${DECIMAL_COMMA}`);
    expect(await errorOf('thousands.csv', 'a,b,c\n1,"1,234",0\n')).toBe(
      'Expected a finite number for line 2, column 2 ("b") but received "1,234" (a thousands separator, or a decimal comma? ' +
        "npset reads decimal points only; re-save with '.' as the decimal separator and no thousands separator)",
    );
    expect(await errorOf('split.csv', '1,5;2,25;a\n3,0;-4,5;b\n', { delimiter: ',' })).toBe(
      'Expected a finite number for line 1, column 2 but received "5;2" (decimal commas in a \';\'-delimited file? ' +
        "npset reads decimal points only; re-save with '.' as the decimal separator, or give the delimiter)",
    );
  });

  it('does not guess for one decimal-comma column without labels: two integer columns', async () => {
    const d = await features('one.csv', '1,5\n2,25\n3,75\n');
    expect([d.samples, d.features, rows(d)]).toEqual([3, 2, [[1, 5], [2, 25], [3, 75]]]);
  });

  it('detects the delimiter from several lines: a ";" in the header names only does not win', async () => {
    // Line 1 alone has more ';' than ','; every line has one ','.
    const d = await load('names.csv', 'a;b;c,label\n1,x\n2,y\n');
    expect([d.samples, d.features, d.featureNames, d.labelNames]).toEqual([2, 1, ['a;b;c'], ['x', 'y']]);
    // ',' on every line beside ';' on some: ','.
    expect(detectDelimiter('a,b,label\n1,2,x;y\n3,4,z\n')).toBe(',');
    // Quoted delimiters do not count, nor does the last line of a cut head.
    expect(detectDelimiter('"a;b";"c;d"\n1;2\n3,4', false)).toBe(';');
  });
});

const ROW_INDEX =
  'Expected a column name for line 1, column 1 (the header) but received an empty cell: the first column looks like a row index written by ' +
  'pandas (to_csv without index=False) or R (write.csv without row.names = FALSE); re-save the file without it, or give the column a name if it really is a feature';

describe('a row index column (pandas to_csv(), R write.csv)', () => {
  it('refuses pandas\' index, for datasets and features, rather than make it feature 1', async () => {
    const pandas = ',sepal length,sepal width,label\n0,0.1,0.2,setosa\n1,0.3,0.4,virginica\n';
    expect(await errorOf('pd.csv', pandas)).toBe(ROW_INDEX);
    expect(await featuresError('pdf.csv', ',a,b\n0,0.1,0.2\n1,0.3,0.4\n')).toBe(ROW_INDEX);
    expect(await errorOf('pdh.csv', pandas, { header: true })).toBe(ROW_INDEX);
  });

  it('refuses R\'s row names ("" above "1", "2", ...)', async () => {
    expect(await errorOf('r.csv', '"","x1","x2","cls"\n"1",1.5,2.25,"a"\n"2",3,-4.5,"b"\n')).toBe(ROW_INDEX);
  });

  it('keeps the other cases: pandas\' all-numeric default header, a named first column, a header alone', async () => {
    expect(await errorOf('pdnum.csv', ',0,1,2,3\n0,0.1,-0.1,0.6,0\n1,0.1,1e-05,0.3,1\n')).toBe(
      'Expected a finite number for line 1, column 1 but received an empty cell',
    );
    expect((await load('named.csv', 'id,a,label\n0,0.1,x\n1,0.2,y\n')).featureNames).toEqual(['id', 'a']);
    expect(await errorOf('alone.csv', ',a,label\n')).toBe('the file has a header (line 1) but no data rows');
    // An empty name elsewhere is no index.
    expect((await load('mid.csv', 'a,,label\n1,2,x\n3,4,y\n')).featureNames).toEqual(['a', '']);
  });
});

describe("leading '#' comment lines (numpy's savetxt)", () => {
  const data = '1,2,3,0\n4,5,6,1\n';

  it("takes the last one as the header when it has the first row's cells, for any delimiter", async () => {
    const d = await load('np.csv', `# a,b,c,label\n${data}`);
    expect([d.samples, d.featureNames, d.labels, rows(d)]).toEqual([2, ['a', 'b', 'c'], [0, 1], [[1, 2, 3], [4, 5, 6]]]);
    expect((await load('semi.csv', '# a;b;c;label\n1;2;3;0\n4;5;6;1\n')).featureNames).toEqual(['a', 'b', 'c']);
    expect((await load('tab.csv', '#a\tb\tc\tlabel\n1\t2\t3\t0\n4\t5\t6\t1\n')).featureNames).toEqual(['a', 'b', 'c']);
    expect((await features('f.csv', '# x,y\n1,2\n3,4\n')).featureNames).toEqual(['x', 'y']);
    expect((await load('byname.csv', `# a,b,c,label\n${data}`, { label: 'a' })).labels).toEqual([1, 4]);
    // With a byte order mark, UTF-8 or UTF-16 (which csv-parse decodes by its mark, kept).
    expect((await load('bom.csv', `\ufeff# a,b,c,label\n${data}`)).featureNames).toEqual(['a', 'b', 'c']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`# a,b,c,label\r\n${data}`, 'utf16le')]);
    expect((await load('utf16.csv', utf16)).featureNames).toEqual(['a', 'b', 'c']);
  });

  it('skips free-text comments, and the header one when told header: false', async () => {
    const d = await load('free.csv', `# generated by numpy 2.x, seed 0\n${data}`);
    expect([d.samples, d.featureNames]).toEqual([2, undefined]);
    const quoted = await load('quote.csv', `# say "hi\n\n# and more\n${data}`); // a quote in a comment is no cell
    expect(quoted.samples).toBe(2);
    const off = await load('off.csv', `# a,b,c,label\n${data}`, { header: false });
    expect([off.samples, off.featureNames]).toEqual([2, undefined]);
  });

  it("reports lines as the file's, and a '#' line among the rows as a row", async () => {
    expect(await errorOf('lines.csv', '# one\n\n# a,b,label\n\n1,2,0\n3,x,1\n')).toBe('Expected a finite number for line 6, column 2 ("b") but received "x"');
    expect(await errorOf('later.csv', '# a,b,label\n1,2,0\n# 3,4,1\n')).toBe('Expected a finite number for line 3, column 1 ("a") but received "# 3"');
    expect(await errorOf('ragged.csv', '# c\n1,2,0\n3,4\n')).toBe('Expected 3 columns (as on line 2) for line 3 but received 2');
    expect(await errorOf('only.csv', '# nothing but a comment\n')).toBe('the file is empty: no rows');
  });
});

const SPACES =
  "but received fields separated by spaces: space-separated files (numpy's savetxt and R's write.table default) are not read; " +
  "re-save the file with ',' (or tab) as the delimiter";

describe('space-separated files (numpy savetxt, R write.table)', () => {
  it('refuses them as such, with or without a header or comment', async () => {
    expect(await errorOf('np.txt', '1.0e-01 2.5e+00 0.0e+00\n3.0e-01 4.5e+00 1.0e+00\n')).toBe(
      `Expected a delimiter (",", ";", tab or "|") for line 1 ${SPACES}`,
    );
    expect(await errorOf('r.txt', '"x1" "x2" "cls"\n"1" 1.5 2.25 "a"\n')).toBe(`Expected a delimiter (",", ";", tab or "|") for line 1 ${SPACES}`);
    expect(await featuresError('npc.txt', '# a b label\n1 2 0\n3 4 1\n')).toBe(`Expected a delimiter (",", ";", tab or "|") for line 2 ${SPACES}`);
  });

  it('still reads one column whose name holds a space, and cells padded with spaces', async () => {
    const d = await features('one.csv', 'sepal length\n5.1\n4.9\n');
    expect([d.samples, d.features, d.featureNames]).toEqual([2, 1, ['sepal length']]);
    expect((await load('pad.csv', 'a , b , label\n 1 , 2 , x\n')).featureNames).toEqual(['a', 'b']);
  });
});

describe("csv-parse's syntax errors in the loader's words", () => {
  it('a quote inside an unquoted cell', async () => {
    expect(await errorOf('mid.csv', 'x1,x2,cls\n1,2,ab"c\n3,4,b\n')).toBe(
      'Expected a quote only around a whole cell for line 2, column 3 but received a \'"\' inside an unquoted cell after "ab": ' +
        'quote the whole cell and double the quote inside it ("ab""c" for ab"c)',
    );
  });

  it('a quote not closed: the line it opens on, not the end of the file', async () => {
    expect(await errorOf('open.csv', 'x1,x2,cls\n1,2,"open\n3,4,b\n')).toBe(
      'Expected a closing quote for the quoted cell on line 2, column 3 but received the end of the file: close the quote, and double the quotes inside the cell',
    );
    // After a quoted CRLF (counted twice by csv-parse), blank lines and leading comments.
    expect(await errorOf('crlf.csv', '# c\r\na,b\r\n1,"x\r\ny"\r\n\r\n3,"4\r\n')).toMatch(/^Expected a closing quote for the quoted cell on line 6, column 2 /);
    // Many rows before it in the same chunk.
    const many = `a,b\n${'1,"x\r\ny"\n'.repeat(1000)}3,"4\n`;
    expect(await errorOf('many.csv', many)).toMatch(/^Expected a closing quote for the quoted cell on line 2002, column 2 /);
  });

  it('text after a closing quote', async () => {
    expect(await errorOf('close.csv', 'a,b\r\n"x\r\ny",1\r\n3,"4"z\r\n')).toBe(
      'Expected a delimiter or the end of the line after a quoted cell\'s closing quote for line 4, column 2 but received more text: ' +
        'quote the whole cell and double the quotes inside it ("ab""c" for ab"c)',
    );
  });
});

describe('numbers beyond float64, binary files, Excel\'s sep= line', () => {
  it('refuses 1e400 as beyond float32, as 1e39', async () => {
    for (const v of ['1e400', '-1e400', '9'.repeat(400)]) {
      expect(await errorOf('big.csv', `a,b,c\n1,${v},0\n`)).toBe(
        `Expected a finite number within float32 range (magnitude < 3.4e38) for line 2, column 2 ("b") but received ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`,
      );
    }
  });

  it('calls a file with a NUL byte in its first 4 KiB binary', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(await errorOf('img.csv', png)).toBe('Expected text for line 3 but received the byte 0x00 (byte 8 of the file): not a text file: it holds NUL bytes');
    expect(await featuresError('nul.csv', 'a,b\n1,2\u0000\n3,4\n')).toMatch(/^Expected text for line 2 but received the byte 0x00 \(byte 7 of the file\): not a text file/);
  });

  it('takes the delimiter from a sep= line 1 and skips it; an option that disagrees is an error', async () => {
    const text = 'sep=;\r\nx1;x2;cls\r\n1.5;2.25;a\r\n3.0;-4.5;b\r\n';
    const d = await load('sep.csv', text);
    expect([d.samples, d.featureNames, rows(d), d.labelNames]).toEqual([2, ['x1', 'x2'], f32([[1.5, 2.25], [3, -4.5]]), ['a', 'b']]);
    expect((await load('agree.csv', text, { delimiter: ';' })).samples).toBe(2);
    expect(await errorOf('disagree.csv', text, { delimiter: ',' })).toBe('Expected ";" for options.delimiter (--delimiter on the command line), as line 1 ("sep=;") names, but received ","');
    expect((await load('tsv.tsv', `\ufeffsep=,\n1,2,0\n3,4,1\n`)).samples).toBe(2); // over the .tsv extension
    expect((await features('tab.csv', 'sep=\t\n1\t2\n3\t4\n')).features).toBe(2);
    expect(await errorOf('bad.csv', 'sep=:\n1:2:0\n')).toBe('Expected one of ",", ";", tab or "|" for the delimiter that line 1 ("sep=:") names but received ":"');
    expect(await errorOf('line.csv', 'sep=;\nx1;x2;cls\n1;y;a\n')).toBe('Expected a finite number for line 3, column 2 ("x2") but received "y"');
  });
});

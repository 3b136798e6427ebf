// loadLibsvmDataset and loadLibsvmFeatures: LIBSVM / SVMlight files read in chunks into the same Dataset as
// the MAT and CSV loaders (values checked exactly against dense references), 0/1-based indices, `features`,
// every malformed line refused with a one-line DataFormatError naming the file and the line, the
// maxDenseBytes limit before any dense allocation, and the wiring by extension in loadData / prepareData.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibsvmDataset, loadLibsvmFeatures, looksLikeLibsvm, type LibsvmDatasetOptions } from '../../lib/data/libsvm';
import * as data from '../../lib/data';
import * as api from '../../lib';
import { loadMatDataset } from '../../lib/data/dataset';
import { ValidationError } from '../../lib/errors';
import { isLibsvmFile, loadData, loadFeatureData, prepareData } from '../../lib/experiment/prepare';
import { makeFifo } from '../helpers/temp-files';
import { loaderKit, rejectsWithDataError } from '../helpers/data-errors';
import { dataDir, hasDataDir } from '../helpers/data-dir';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

const { dir, write, load, loadError } = loaderKit<LibsvmDatasetOptions>('npset-libsvm-', loadLibsvmDataset);

const errorOf = (text: string | Buffer, options?: LibsvmDatasetOptions) => loadError(write('bad.svm', text), options);

const rows = (d: { X: Float32Array; samples: number; features: number }) =>
  Array.from({ length: d.samples }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)));

/** A dense reference written as LIBSVM lines: zeros left out, 1-based (or 0-based) indices, values as `text` writes them. */
function svmLines(X: number[][], labels: string[], zeroBased = false, text: (v: number) => string = String): string[] {
  return X.map((row, i) => [labels[i], ...row.flatMap((v, j) => (v === 0 ? [] : [`${j + (zeroBased ? 0 : 1)}:${text(v)}`]))].join(' '));
}

describe('loadLibsvmDataset: good files', () => {
  it('reads labels and index:value pairs, zeros left out, exactly as a dense reference (float32)', async () => {
    const X = [
      [0.1, 0, -2.5e2, 0, 1e-3],
      [0, 0, 0, 0, 0],
      [3, 0.3333333333333333, 0, 7, 0],
      [0, 1234567.891, 0, -0.000001, 9.5],
    ];
    const d = await load('small.svm', `${svmLines(X, ['+1', '-1', '3', '2.0']).join('\n')}\n`);
    expect(d.name).toBe('small');
    expect([d.samples, d.features, d.classes]).toEqual([4, 5, 4]);
    expect(d.X).toBeInstanceOf(Float32Array);
    expect(rows(d)).toEqual(X.map((r) => r.map(Math.fround)));
    expect(d.labels).toEqual([-1, 1, 2, 3]);
    expect(Array.from(d.y)).toEqual([1, 0, 3, 2]);
    expect(d.labelNames).toBeUndefined();
    expect(d.featureNames).toBeUndefined();
  });

  it('reads values in every decimal notation exactly as Math.fround(Number(text))', async () => {
    // The short-decimal fast path and Number() must agree: plain, signed, exponent, long and odd forms.
    const texts = ['5', '+5', '-5', '5.', '.5', '-.5', '0.1', '-0', '0.000', '1e0', '2.5E+4', '-1.25e-3', '123456789012345',
      '1234567890123456', '0.1234567890123456789', '3.4028234663852886e38', '1e-50', '007', '00.50', '999999999999999.9'];
    let seed = 7;
    for (let k = 0; k < 300; k++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const digits = 1 + (seed % 17);
      const v = ((seed / 2 ** 31) - 0.5) * 10 ** ((seed % 9) - 4);
      texts.push(v.toPrecision(digits), v.toFixed(seed % 12), v.toExponential(seed % 15));
    }
    const line = `1 ${texts.map((t, j) => `${j + 1}:${t}`).join(' ')}`;
    const d = await load('notation.svm', `${line}\n-1 1:1\n`);
    expect(Array.from(d.X.subarray(0, texts.length))).toEqual(texts.map((t) => Math.fround(Number(t))));
    expect(Object.is(d.X[7], -0)).toBe(true); // '-0' kept as written
  });

  it('detects 0-based indices when some index is 0 (auto), else reads 1-based; zeroBased true/false override', async () => {
    const zero = await load('zero.svm', '1 0:1 2:3\n2 1:5\n');
    expect(rows(zero)).toEqual([[1, 0, 3], [0, 5, 0]]);
    const one = await load('one.svm', '1 1:1 3:3\n2 2:5\n');
    expect(rows(one)).toEqual([[1, 0, 3], [0, 5, 0]]);
    // The same file read 0-based: feature 0 exists, unused.
    const forced = await load('forced.svm', '1 1:1 3:3\n2 2:5\n', { zeroBased: true });
    expect(rows(forced)).toEqual([[0, 1, 0, 3], [0, 0, 5, 0]]);
    expect(rows(await load('auto.svm', '1 1:1 3:3\n2 2:5\n', { zeroBased: 'auto' }))).toEqual(rows(one));
    expect(rows(await load('no.svm', '1 1:1 3:3\n2 2:5\n', { zeroBased: false }))).toEqual(rows(one));
    // An index 0 on a late line decides for the whole file.
    const late = await load('late.svm', '1 1:1\n2 2:2\n1 0:9\n');
    expect(rows(late)).toEqual([[0, 1, 0], [0, 0, 2], [9, 0, 0]]);
    // The base read is recorded, for a later file of the same model (npset predict).
    expect([zero, one, forced, late].map((d) => d.libsvmZeroBased)).toEqual([true, false, true, true]);
  });

  it('takes `features` for files that leave out the last features (a test file), 1- or 0-based', async () => {
    const d = await load('few.svm', '1 1:1 2:2\n-1 2:4\n', { features: 5 });
    expect(rows(d)).toEqual([[1, 2, 0, 0, 0], [0, 4, 0, 0, 0]]);
    // 1-based: the index `features` is the last feature.
    expect(rows(await load('last.svm', '1 5:1\n-1 1:1\n', { features: 5 }))).toEqual([[0, 0, 0, 0, 1], [1, 0, 0, 0, 0]]);
    expect(rows(await load('z.svm', '1 0:1 4:2\n-1 1:1\n', { features: 5 }))).toEqual([[1, 0, 0, 0, 2], [0, 1, 0, 0, 0]]);
    expect(rows(await load('zt.svm', '1 4:2\n-1 1:1\n', { features: 5, zeroBased: true }))).toEqual([[0, 0, 0, 0, 2], [0, 1, 0, 0, 0]]);
    // Samples with no pairs at all: zero rows, of `features` features.
    expect(rows(await load('labels-only.svm', '1\n-1\n', { features: 2 }))).toEqual([[0, 0], [0, 0]]);
  });

  it('skips comments, blank lines, a BOM and qid:, and takes CRLF, tabs, trailing spaces and no final newline', async () => {
    const text = [
      '\ufeff# Generated by dump_svmlight_file from scikit-learn',
      '# Column indices are one-based',
      '',
      '+1 qid:3 1:0.5 3:-1   # a comment after the pairs',
      '   ',
      '-1\tqid:3\t2:2\t\t4:1e1 \t ',
      '#',
      '1e0 qid:-4 4:8#comment right after a value',
      '2',
    ].join('\r\n');
    const d = await load('mixed.svm', text);
    expect(rows(d)).toEqual([[0.5, 0, -1, 0], [0, 2, 0, 10], [0, 0, 0, 8], [0, 0, 0, 0]]);
    expect(d.labels).toEqual([-1, 1, 2]);
    expect(Array.from(d.y)).toEqual([1, 0, 1, 2]);
    // The same lines with LF only read the same.
    expect(rows(await load('lf.svm', text.replace(/\r\n/g, '\n')))).toEqual(rows(d));
  });

  it('reads numeric labels: +1 is 1, 1e0 is 1, -0 is 0; whole labels of any count; few fractional ones', async () => {
    const d = await load('labels.svm', '+1 1:1\n1e0 1:2\n1.0 1:3\n-0 1:4\n0 1:5\n');
    expect(d.labels).toEqual([0, 1]);
    expect(Array.from(d.y)).toEqual([1, 1, 1, 0, 0]);
    const many = Array.from({ length: 40 }, (_, i) => `${i} 1:${i}`).join('\n');
    expect((await load('many.svm', many)).classes).toBe(40);
    // 10 fractional labels, or 11 in twice as many samples: classes, not a continuous target.
    const ten = Array.from({ length: 20 }, (_, i) => `${(i % 10) + 0.5} 1:1`).join('\n');
    expect((await load('ten.svm', ten)).labels).toEqual(Array.from({ length: 10 }, (_, i) => i + 0.5));
    const eleven = Array.from({ length: 22 }, (_, i) => `${(i % 11) + 0.5} 1:1`).join('\n');
    expect((await load('eleven.svm', eleven)).classes).toBe(11);
  });

  it('reads lines cut across chunks, a UTF-8 comment character among them, and counts lines past them', async () => {
    // 1 MiB chunks: a comment whose 2-byte 'é' straddles the first chunk boundary, then 3000 rows of 60 features.
    const head = '# caf';
    const filler = `#${'x'.repeat(2 ** 20 - head.length - 1 - 2)}\n`; // ends 1 byte before the boundary
    const X = Array.from({ length: 3000 }, (_, i) => Array.from({ length: 60 }, (_, j) => ((i * 7 + j * 13) % 11 === 0 ? 0 : ((i * 31 + j) % 97) / 8 - 6)));
    const body = svmLines(X, X.map((_, i) => String(i % 3)));
    const text = `${filler}${head}\u00e9 done\n${body.join('\n')}\n`;
    expect(Buffer.byteLength(`${filler}${head}`)).toBe(2 ** 20 - 1);
    const d = await load('big.svm', text);
    expect(rows(d)).toEqual(X);
    expect(d.labels).toEqual([0, 1, 2]);
    // Line numbers past the boundary: a bad value on the 2500th row, line 2 + 2500.
    const bad = [...body];
    bad[2499] = '1 1:1 2:oops';
    const message = await errorOf(`${filler}${head}\u00e9\n${bad.join('\n')}\n`);
    expect(message).toBe('line 2502: expected a finite number for index 2 but received "oops"');
  });
});

describe('loadLibsvmFeatures', () => {
  it('reads the features without reading the labels; lines may have none', async () => {
    const f = await loadLibsvmFeatures(write('new.svm', '1,3 1:1 3:2\ncat 2:5\n1:7 2:8\n'));
    expect(f).toEqual({ name: 'new', X: new Float32Array([1, 0, 2, 0, 5, 0, 7, 8, 0]), samples: 3, features: 3, libsvmZeroBased: false });
    const wide = await loadLibsvmFeatures(write('w.svm', '0 1:1\n'), { features: 4 });
    expect(rows(wide)).toEqual([[1, 0, 0, 0]]);
    const file = write('f.svm', '1 2:1 1:3\n');
    expect(await rejectsWithDataError(file, () => loadLibsvmFeatures(file))).toBe(
      `${file}: line 1: expected indices in strictly ascending order but received 1 after 2`,
    );
  });
});

describe('loadLibsvmDataset: malformed files, each refused with its line', () => {
  /** Lines 1-11 are good (a comment, a blank line, 9 samples); the bad one is line 12. */
  const GOOD = ['# head', '', ...Array.from({ length: 9 }, (_, i) => `${i % 2} 1:${i} 2:1`)];
  const at12 = (bad: string, options?: LibsvmDatasetOptions) => errorOf(`${[...GOOD, bad, '1 1:1'].join('\n')}\n`, options);

  it('pairs that are not index:value', async () => {
    expect(await at12('1 3-0.5')).toBe('line 12: expected index:value but received "3-0.5"');
    expect(await at12('1 1:1 3:')).toBe('line 12: expected index:value but received "3:"');
    expect(await at12('1 :5')).toBe('line 12: expected index:value but received ":5"');
    expect(await at12('1 2:1 3')).toBe('line 12: expected index:value but received "3"');
  });

  it('indices: not ascending, repeated, negative, not integers, 0 when 1-based, too large', async () => {
    expect(await at12('1 3:1 2:1')).toBe('line 12: expected indices in strictly ascending order but received 2 after 3');
    expect(await at12('1 2:1 2:3')).toBe('line 12: expected indices in strictly ascending order but received 2 twice');
    expect(await at12('1 -3:0.5')).toBe('line 12: expected a non-negative integer index but received "-3" (in "-3:0.5")');
    expect(await at12('1 1.5:2')).toBe('line 12: expected a non-negative integer index but received "1.5" (in "1.5:2")');
    expect(await at12('1 a:2')).toBe('line 12: expected a non-negative integer index but received "a" (in "a:2")');
    expect(await at12('1 0:2', { zeroBased: false })).toBe('line 12: expected indices from 1 (1-based, as zeroBased: false asks) but received 0');
    expect(await at12('1 99999999999:1')).toBe('line 12: expected an index of at most 4294967295 but received "99999999999"');
    expect(await at12('1 6:1', { features: 5 })).toBe('line 12: expected an index of at most 5 (the number of features is 5) but received 6');
    expect(await at12('1 5:1', { features: 5, zeroBased: true })).toBe('line 12: expected an index of at most 4 (the number of features is 5) but received 5');
    // 'auto' with `features`: an index equal to it is refused once an index 0 (on a later line) makes the file 0-based.
    expect(await errorOf('1 5:1\n1 2:1\n-1 0:1\n', { features: 5 })).toBe(
      'line 1: expected an index of at most 4 (the number of features is 5, and the indices are 0-based: index 0 is on line 3) but received 5',
    );
  });

  it('values: NaN, Inf, not numbers, hexadecimal, beyond float32 or float64', async () => {
    for (const v of ['nan', 'NaN', 'inf', '-Infinity', 'abc', '0x10', '1,5', '1e', '--1', '.', '1:2']) {
      expect(await at12(`1 2:${v}`)).toBe(`line 12: expected a finite number for index 2 but received ${JSON.stringify(v)}`);
    }
    for (const v of ['1e39', '-3.5e38', '1e400']) {
      expect(await at12(`1 2:${v}`)).toBe(`line 12: expected a value within float32 range (magnitude < 3.4e38) for index 2 but received "${v}"`);
    }
  });

  it('labels: not numbers, multi-label, missing, beyond 2^53, and qid: in the wrong form or place', async () => {
    expect(await at12('cat 1:1')).toBe('line 12: expected a numeric label but received "cat"');
    expect(await at12('nan 1:1')).toBe('line 12: expected a numeric label but received "nan"');
    expect(await at12('0x1 1:1')).toBe('line 12: expected a numeric label but received "0x1"');
    expect(await at12('1,3 1:1')).toBe('line 12: expected one numeric label but received "1,3": multi-label data (labels separated by commas) is not supported');
    expect(await at12('1:0.5 2:1')).toBe('line 12: expected a label first (each line starts with one) but received "1:0.5", an index:value pair');
    expect(await at12('9007199254740993 1:1')).toBe('line 12: expected a label of magnitude below 2^53 (exact in a double) but received "9007199254740993"');
    expect(await at12('1 qid:x 1:1')).toBe('line 12: expected qid:<integer> but received "qid:x"');
    expect(await at12('1 1:1 qid:3')).toBe('line 12: expected index:value (a qid:<integer> comes right after the label) but received "qid:3"');
  });

  it('a continuous target, as the CSV loader refuses one', async () => {
    const text = Array.from({ length: 30 }, (_, i) => `${i < 3 ? i : (i * 1.37).toFixed(2)} 1:${i}`).join('\n');
    expect(await errorOf(text)).toBe(
      'expected class labels but received 30 distinct numbers in 30 samples, not all whole (such as 4.11 on line 4): ' +
        'a continuous target, as for regression, cannot be classified; bin the values into classes',
    );
  });

  it('empty files, files without samples or without features', async () => {
    expect(await errorOf('')).toBe('the file is empty: no samples');
    expect(await errorOf(' \n\r\n\t\n')).toBe('the file is empty: no samples');
    expect(await errorOf('# only\n\n# comments\n')).toBe('no samples: its 3 lines are comments or blank');
    expect(await errorOf('#')).toBe('no samples: its 1 line is a comment');
    expect(await errorOf('1\n-1 # no pairs\n')).toBe('no features: no line has an index:value pair (pass features to read such a file)');
  });

  it('reads regular files only', async () => {
    expect(await loadError(dir)).toBe('cannot read the file: it is a directory, not a regular file');
    expect(await loadError(path.join(dir, 'missing.svm'))).toMatch(/^cannot read the file: ENOENT/);
    const fifo = path.join(dir, 'pipe.svm');
    if (makeFifo(fifo)) expect(await loadError(fifo)).toBe('cannot read the file: it is a FIFO (named pipe), not a regular file');
  });
});

describe('loadLibsvmDataset: maxDenseBytes', () => {
  const LIMIT = 'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)';

  it('holds the dense float32 features up to the limit and refuses them one byte over', async () => {
    // 2 samples of 3 features: 24 bytes.
    const text = '1 1:1 3:2\n-1 2:1\n';
    expect((await load('ok.svm', text, { maxDenseBytes: 24 })).features).toBe(3);
    expect(await errorOf(text, { maxDenseBytes: 23 })).toBe(
      `cannot hold the float32 features of 2 samples of 3 features (up to line 2): it needs 24 bytes, over the maxDenseBytes limit of 23 bytes; ${LIMIT}`,
    );
    // With `features`, from that number: 2 x 10 x 4 = 80 bytes.
    expect(await errorOf(text, { maxDenseBytes: 79, features: 10 })).toBe(
      `cannot hold the float32 features of 2 samples of 10 features (up to line 2): it needs 80 bytes, over the maxDenseBytes limit of 79 bytes; ${LIMIT}`,
    );
  });

  it('refuses an index of 2000000000 on line 1, before reading on and without allocating its dense X', async () => {
    const before = process.memoryUsage().arrayBuffers;
    // The rest of line 1 and line 2 are malformed: refused at that pair, the loader never reads them.
    const message = await errorOf('1 1:1 2000000000:1 oops\nnot a line\n');
    expect(message).toBe(
      `cannot hold the float32 features of 1 sample of 2000000000 features (up to line 1): it needs 7.5 GiB (8000000000 bytes), over the maxDenseBytes limit of 1.0 GiB; ${LIMIT}`,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });
});

describe('loadLibsvmDataset: options', () => {
  it('are validated like the other loaders', async () => {
    const file = write('o.svm', '1 1:1\n');
    const bad: [unknown, string][] = [
      [{ feature: 3 }, 'Expected only the options features, zeroBased, maxDenseBytes for options but received the unknown option "feature"'],
      [{ features: 0 }, 'Expected an integer >= 1 and <= 4294967296 for options.features but received 0'],
      [{ features: 1.5 }, 'Expected an integer >= 1 and <= 4294967296 for options.features but received 1.5'],
      [{ zeroBased: 'yes' }, 'Expected true, false or "auto" for options.zeroBased but received "yes"'],
      [{ maxDenseBytes: 0 }, 'Expected an integer >= 1 for options.maxDenseBytes but received 0'],
      [null, 'Expected an options object for options but received null'],
    ];
    for (const [options, message] of bad) {
      await expect(loadLibsvmDataset(file, options as LibsvmDatasetOptions)).rejects.toThrow(new ValidationError(message));
      await expect(loadLibsvmFeatures(file, options as LibsvmDatasetOptions)).rejects.toThrow(new ValidationError(message));
    }
    await expect(loadLibsvmDataset('')).rejects.toThrow(new ValidationError('Expected a non-empty string for path but received ""'));
  });

  it('are exported from the package with the loaders', () => {
    expect(data.loadLibsvmDataset).toBe(loadLibsvmDataset);
    expect(api.loadLibsvmFeatures).toBe(loadLibsvmFeatures);
  });
});

describe('LIBSVM files named otherwise (the LIBSVM datasets page: a9a, a9a.t): the other loaders say what they look like', () => {
  const lines = Array.from({ length: 20 }, (_, i) => `${i % 2 ? '+1' : '-1'} ${1 + (i % 3)}:1 ${5 + i}:0.25 # row ${i}`).join('\n');
  const hint = 'it looks like a LIBSVM file (label index:value ...), which is read as one when it is named .svm, .libsvm or .svmlight';

  it('looksLikeLibsvm: label (or none), qid and pairs; not numbers or text separated by spaces', () => {
    expect(looksLikeLibsvm('+1 3:1 11:1\n-1 5:0.5\n')).toBe(true);
    expect(looksLikeLibsvm('# header\n\n2 qid:3 1:1e-3 7:-2\r\n3:1 4:2\n')).toBe(true);
    expect(looksLikeLibsvm('1 3:1\n-1 5:0.', true)).toBe(true); // a cut last line is left out
    expect(looksLikeLibsvm('1 2 3\n4 5 6\n')).toBe(false);
    expect(looksLikeLibsvm('a b\n')).toBe(false);
    expect(looksLikeLibsvm('1,2:3\n')).toBe(false);
    expect(looksLikeLibsvm('\n# only comments\n')).toBe(false);
  });

  it('the MAT loader (any other extension), short and long files', async () => {
    for (const [name, text] of [['a9a.t', lines], ['short', '+1 3:1\n']] as const) {
      const file = write(name, text);
      expect(await rejectsWithDataError(file, () => loadData(file))).toMatch(new RegExp(`: .*; ${hint.replace(/[.()]/g, '\\$&')} \\(loadLibsvmDataset\\)$`));
    }
  });

  it('the CSV loader (.txt), which refuses space-separated fields', async () => {
    const file = write('a9a.txt', lines);
    expect(await rejectsWithDataError(file, () => loadData(file))).toBe(
      `${file}: Expected a delimiter (",", ";", tab or "|") for line 1 but received fields separated by spaces: ${hint}`,
    );
  });
});

describe('loadData, loadFeatureData and prepareData: LIBSVM files by extension', () => {
  it('read .svm, .libsvm and .svmlight (any case) with the LIBSVM loader, other files as before', async () => {
    expect(['a.svm', 'b.LIBSVM', 'c.SvmLight', 'dir.svm/d.svm'].map(isLibsvmFile)).toEqual([true, true, true, true]);
    expect(['a.mat', 'a.svm.mat', 'b.csv', 'c', 'd.svmx'].map(isLibsvmFile)).toEqual([false, false, false, false, false]);
    for (const name of ['a.svm', 'b.LIBSVM', 'c.SvmLight']) {
      const d = await loadData(write(name, '1 1:1\n2 2:1\n'));
      expect([d.samples, d.features, d.labels]).toEqual([2, 2, [1, 2]]);
    }
    // A LIBSVM text under another extension still goes to the MAT reader, which refuses it.
    const text = write('text.mat', '1 1:1\n2 2:1\n');
    await expect(loadData(text)).rejects.toThrow(/MAT/);
    const p = await prepareData({ file: write('p.svm', Array.from({ length: 12 }, (_, i) => `${i % 2} ${1 + (i % 3)}:${i}`).join('\n')), seed: 1 });
    expect([p.name, p.features, p.classes, p.train.samples + p.test.samples]).toEqual(['p', 3, 2, 12]);
    const f = await loadFeatureData(write('f.svm', '1 3:1\n'), { libsvmFeatures: 4 });
    expect(rows(f)).toEqual([[0, 0, 1, 0]]);
    expect((await loadData(write('w.svm', '1 1:1\n'), { libsvmFeatures: 3, maxDenseBytes: 12 })).features).toBe(3);
    await expect(loadData(write('w.svm', '1 1:1\n'), { libsvmFeatures: 3, maxDenseBytes: 11 })).rejects.toThrow(/cannot hold the float32 features of 1 sample of 3 features/);
  });

  it('refuse the options of the other loaders with a LIBSVM file, and libsvmFeatures with others', async () => {
    const svm = write('o.svm', '1 1:1\n');
    await expect(loadData(svm, { labelColumn: 0 })).rejects.toThrow(
      /^Expected a \.csv, \.tsv or \.txt file \(labelColumn is for CSV\/TSV files only\) but received ".*o\.svm"$/,
    );
    await expect(loadData(svm, { csvHeader: true })).rejects.toThrow(/^Expected a \.csv, \.tsv or \.txt file \(csvHeader is for CSV\/TSV files only\)/);
    await expect(loadFeatureData(svm, { csvDelimiter: ';' })).rejects.toThrow(/^Expected a \.csv, \.tsv or \.txt file \(csvDelimiter is for CSV\/TSV files only\)/);
    await expect(loadData(svm, { matX: 'X' })).rejects.toThrow(/^Expected a MAT-file \(matX is for MAT-files only\) but received ".*o\.svm"$/);
    await expect(loadData(svm, { matY: 'Y' })).rejects.toThrow(/^Expected a MAT-file \(matY is for MAT-files only\)/);
    await expect(loadFeatureData(svm, { matX: 'X' })).rejects.toThrow(/^Expected a MAT-file \(matX is for MAT-files only\)/);
    const mat = write('m.mat', Buffer.from(writeMat([matrixSpec('X', [[1], [2]]), matrixSpec('Y', [[3], [4]])])));
    const csv = write('c.csv', 'a,label\n1,x\n2,y\n');
    for (const file of [mat, csv]) {
      await expect(loadData(file, { libsvmFeatures: 2 })).rejects.toThrow(
        new RegExp(`^Expected a \\.svm, \\.libsvm or \\.svmlight file \\(libsvmFeatures is for LIBSVM files only\\) but received ".*${path.basename(file)}"$`),
      );
      await expect(loadFeatureData(file, { libsvmFeatures: 2 })).rejects.toThrow(ValidationError);
    }
    await expect(loadData(undefined, { libsvmFeatures: 2 })).rejects.toThrow(/but received no file$/);
    await expect(loadData(svm, { libsvmFeatures: 0 })).rejects.toThrow(new ValidationError('Expected an integer >= 1 for libsvmFeatures but received 0'));
  });
});

describe.skipIf(!hasDataDir())('round trip: madelon.mat written as scikit-learn writes LIBSVM', () => {
  it('loads with exactly the same X, y and labels', async () => {
    const mat = await loadMatDataset(path.join(dataDir(), 'asu', 'madelon.mat'));
    const f = mat.features;
    // dump_svmlight_file(X, y, f, zero_based=False, comment=...): its header, 1-based indices, zeros left
    // out, values in a round-trip notation (String() is the shortest that reads back to the same double).
    const lines = ['# Generated by dump_svmlight_file from scikit-learn 1.5.0', '# Column indices are one-based', '# madelon'];
    for (let i = 0; i < mat.samples; i++) {
      const parts = [String(mat.labels[mat.y[i]])];
      for (let j = 0; j < f; j++) {
        const v = mat.X[i * f + j];
        if (v !== 0) parts.push(`${j + 1}:${v}`);
      }
      lines.push(parts.join(' '));
    }
    const file = path.join(dir, 'madelon.svm');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const t0 = performance.now();
    const d = await loadLibsvmDataset(file);
    const ms = performance.now() - t0;
    expect([d.name, d.samples, d.features, d.classes]).toEqual(['madelon', 2600, 500, 2]);
    expect(Buffer.from(d.X.buffer).equals(Buffer.from(mat.X.buffer, mat.X.byteOffset, mat.X.byteLength))).toBe(true);
    expect(d.y).toEqual(mat.y);
    expect(d.labels).toEqual(mat.labels);
    expect(d.labels).toEqual([-1, 1]);
    expect(ms).toBeLessThan(20_000); // about 0.1-0.4 s here; a generous bound for slow CI
  });
});

/**
 * `npset train` and `npset bench` on CSV/TSV files: --data picks the loader by extension, --label-column
 * chooses the label column of a CSV file (and is refused with a MAT-file or without --data), and a bad
 * CSV file gives one "npset: ..." line and exit code 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
const SAMPLES = 60;

let tmp: string;
const file = (name: string) => path.join(tmp, name);

cliTempDir('npset-cli-csv-', (dir) => {
  tmp = dir;
  // 60 samples of 4 features, 3 text classes of 20, the label last (flowers.csv) or first (first.tsv).
  const rows = Array.from({ length: SAMPLES }, (_, i) => {
    const c = i % 3;
    return { x: [c + 0.1 * (i % 7), 2 * c - 0.05 * (i % 5), (i * 7) % 11, c * c], label: SPECIES[c] };
  });
  writeFileSync(file('flowers.csv'), ['sepal_len,sepal_wid,petal_len,petal_wid,species', ...rows.map((r) => `${r.x.join(',')},${r.label}`)].join('\r\n'));
  writeFileSync(file('first.tsv'), ['species\ta\tb\tc\td', ...rows.map((r) => `${r.label}\t${r.x.join('\t')}`)].join('\n'));
  writeFileSync(file('bad.csv'), 'a,b,label\n1,2,x\n3,,y\n');
  // pandas' DataFrame(X).to_csv(index=False) with a numeric "target": feature names 0..3, classes 1, 2 and 10.
  writeFileSync(file('pandas.csv'), ['0,1,2,3,target', ...rows.map((r, i) => `${r.x.join(',')},${[1, 2, 10][i % 3]}`)].join('\n'));
  writeFileSync(file('latin1.csv'), Buffer.from('a,b,label\n1,2,caf\xe9\n3,4,caf\xe8\n', 'latin1'));
  writeFileSync(file('regression.csv'), ['a,price', ...rows.map((r, i) => `${r.x[0]},${(i * 1.37).toFixed(2)}`)].join('\n'));
  writeFileSync(file('one-class.csv'), 'a,label\n1,setosa\n2,setosa\n3,setosa\n');
  writeFileSync(file('good.mat'), writeMat([matrixSpec('X', [[1, 2], [3, 4], [5, 6], [7, 8]]), matrixSpec('Y', [[1], [2], [1], [2]])]));
});

const train = (...args: string[]) => runCli(['train', '--hidden', '8', '--epochs', '2', '--threads', '1', ...args]);

describe('npset train --data FILE.csv', () => {
  it('trains on a CSV file and reports its name and shape', async () => {
    const { json, result } = await runJson(['train', '--data', file('flowers.csv'), '--hidden', '8', '--epochs', '2', '--threads', '1']);
    expect(result.stderr).toBe('');
    expect(json.dataset).toBe('flowers');
    expect(json.layers).toEqual([4, 8, 3]);
    expect((json.trainSamples as number) + (json.testSamples as number)).toBe(SAMPLES);
    expect(json.testSamples).toBe(SAMPLES / 3);
    expect(json.epochs).toBe(2);
    // Test metrics name the classes by their text.
    expect((json.testMetrics as { perClass: { label: string }[] }).perClass.map((c) => c.label)).toEqual(SPECIES);
  });

  it('takes --label-column by name or 0-based index (here a TSV file with the label first)', async () => {
    for (const column of ['species', '0']) {
      const { json } = await runJson(['train', '--data', file('first.tsv'), '--label-column', column, '--hidden', '8', '--epochs', '1', '--threads', '1']);
      expect(json.dataset).toBe('first');
      expect(json.layers).toEqual([4, 8, 3]);
    }
  });

  it('prints the dataset line with its shape', async () => {
    const r = await train('--data', file('flowers.csv'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SET-MLP on flowers: 40 train \/ 20 test samples, 4 features, 3 classes, hidden 8$/m);
  });

  it('a bad CSV file: one npset line naming the file, the line and the column; exit code 2', async () => {
    const r = await train('--data', file('bad.csv'));
    expectUsageError(r, /^npset: .*bad\.csv: Expected a finite number for line 3, column 2 \("b"\) but received an empty cell$/);
  });

  it('detects a header of numeric feature names above numeric labels (pandas), without an extra class', async () => {
    const { json } = await runJson(['train', '--data', file('pandas.csv'), '--hidden', '8', '--epochs', '1', '--threads', '1']);
    expect(json.layers).toEqual([4, 8, 3]);
    expect((json.trainSamples as number) + (json.testSamples as number)).toBe(SAMPLES);
  });

  it('a file that is not UTF-8, or whose labels are continuous: one npset line, exit code 2', async () => {
    expectUsageError(
      await train('--data', file('latin1.csv')),
      /^npset: .*latin1\.csv: Expected UTF-8 text for line 2 but received the byte 0xE9 \(byte 17 of the file\), not valid UTF-8 there: /,
    );
    expectUsageError(
      await train('--data', file('regression.csv')),
      /^npset: .*regression\.csv: Expected class labels for column 2 \("price"\) but received 60 distinct numbers in 60 rows, not all whole/,
    );
  });

  it('a CSV file of one class names its label', async () => {
    expectUsageError(await train('--data', file('one-class.csv')), /at least 2 classes for --data but received ".*one-class\.csv", whose 3 samples all have the label "setosa"$/);
  });

  it('--label-column that the file does not have', async () => {
    expectUsageError(await train('--data', file('flowers.csv'), '--label-column', 'kind'), /flowers\.csv: no column "kind" for the label in the header on line 1 \(found: "sepal_len", /);
    expectUsageError(await train('--data', file('flowers.csv'), '--label-column', '5'), /the label column 5 \(0-based\) is beyond the 5 columns of line 1/);
  });

  it('--label-column is refused with a MAT-file, without --data, and when negative or empty', async () => {
    expectUsageError(
      await train('--data', file('good.mat'), '--label-column', '0'),
      /^npset: Expected a \.csv, \.tsv or \.txt --data file for --label-column "0" but received --data ".*good\.mat"$/,
    );
    expectUsageError(await train('--label-column', 'species'), /for --label-column "species" but received no --data/);
    expectUsageError(await train('--data', file('flowers.csv'), '--label-column', '-1'), /Expected an integer >= 0 .*for --label-column but received -1$/);
    expectUsageError(await train('--data', file('flowers.csv'), '--label-column', ' '), /Expected a column name or a 0-based column index for --label-column/);
  });

  it('a .mat file is still read as a MAT-file', async () => {
    const { json } = await runJson(['train', '--data', file('good.mat'), '--hidden', '4', '--epochs', '1', '--threads', '1']);
    expect(json.dataset).toBe('good');
    expect(json.layers).toEqual([2, 4, 2]);
  });
});

describe('npset bench --data FILE.csv', () => {
  it('runs on the file\'s samples, with --label-column', async () => {
    const { json } = await runJson([
      'bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense',
      '--data', file('first.tsv'), '--label-column', 'species', '--layers', '4,16,3',
    ]);
    expect(json.samples).toBe(SAMPLES);
    expect(json.layers).toEqual([4, 16, 3]);
  });

  it('refuses --label-column with a MAT-file, and a bad CSV file', async () => {
    const bench = (...args: string[]) => runCli(['bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--no-dense', ...args]);
    expectUsageError(await bench('--data', file('good.mat'), '--label-column', '1'), /--data file for --label-column "1" but received --data ".*good\.mat"$/);
    expectUsageError(await bench('--data', file('bad.csv')), /bad\.csv: Expected a finite number for line 3, column 2/);
  });
});

describe('--header and --no-header', () => {
  it('decide line 1 of a CSV file where detection cannot (numeric feature names above text labels)', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 3) % 7},${SPECIES[i % 2]}`);
    writeFileSync(file('numeric-names.csv'), ['2019,2020,species', ...rows].join('\n'));
    const detected = (await runJson(['train', '--data', file('numeric-names.csv'), '--hidden', '8', '--epochs', '1', '--threads', '1'])).json;
    expect((detected.layers as number[]).at(-1)).toBe(3); // "species" taken for a class of the first sample
    const forced = (await runJson(['train', '--data', file('numeric-names.csv'), '--header', '--hidden', '8', '--epochs', '1', '--threads', '1'])).json;
    expect((forced.layers as number[]).at(-1)).toBe(2);
    expect((forced.trainSamples as number) + (forced.testSamples as number)).toBe(40);
    // --no-header keeps a first line that detection would take for a header.
    const off = await runCli(['train', '--data', file('flowers.csv'), '--no-header', '--hidden', '8', '--epochs', '1', '--threads', '1']);
    expect(off.status).toBe(2);
    expect(off.stderr).toMatch(/line 1/);
  });

  it('are refused without a CSV/TSV --data file', async () => {
    expectUsageError(await runCli(['train', '--header', '--epochs', '1']), /Expected a \.csv, \.tsv or \.txt --data file for --header but received no --data/);
    expectUsageError(await runCli(['train', '--data', file('good.mat'), '--no-header', '--epochs', '1']), /for --no-header but received --data .*good\.mat/);
  });
});

/**
 * Bad values and bad data files, reported in the words of the CLI flag and of the data file (not the API's
 * internal names such as config.epsilon, layers[1], y or options.testSize), with exit code 2 and before
 * anything is printed or built.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError as expectUsage, runCli, runJson, type CliResult } from '../helpers/cli';
import { SMALL_X, matrixSpec, smallMat, writeMat } from '../helpers/mat-writer';

const FLOAT32_MAX = '3.4028234663852886e+38';
const INTERNAL = /config\.|trainConfig\.|layers\[|options\.|\bfor y\b|Invalid typed array/;

let tmp: string;
let good: string; // 12 samples, 3 features, 3 classes of 4
let oneSample: string;
let oneClass: string;
cliTempDir('npset-cli-input-', (dir) => {
  tmp = dir;
  good = path.join(tmp, 'good.mat');
  writeFileSync(good, smallMat());
  oneSample = path.join(tmp, 'one-sample.mat');
  writeFileSync(oneSample, writeMat([matrixSpec('X', [[1, 2, 3]]), matrixSpec('Y', [[1]])]));
  oneClass = path.join(tmp, 'one-class.mat');
  writeFileSync(oneClass, writeMat([matrixSpec('X', [...SMALL_X]), matrixSpec('Y', SMALL_X.map(() => [7]))]));
});

// Checked before the header line: nothing on stdout; in the CLI's words, not the API's.
function expectUsageError(r: CliResult, pattern: RegExp): void {
  expectUsage(r, pattern, INTERNAL);
  expect(r.stderr).toMatch(/^npset: Expected /);
}

const train = (...args: string[]) => runCli(['train', '--epochs', '1', '--hidden', '5', '--threads', '1', ...args]);

describe('npset train: flags checked by the parser with their true bounds', () => {
  it('--epsilon 1e39 and --lr 1e39: the bound is the largest 32-bit float', async () => {
    expectUsageError(await train('--epsilon', '1e39'), new RegExp(`<= ${FLOAT32_MAX.replace(/[.+]/g, '\\$&')} for --epsilon but received 1e\\+39`));
    expectUsageError(await train('--lr', '1e39'), /<= 3\.4028234663852886e\+38 for --lr but received 1e\+39/);
  });

  it('--lr 0x10, --epsilon 0b11, --zeta 0o1: decimal notation only (not hexadecimal, binary or octal)', async () => {
    expectUsageError(await train('--lr', '0x10'), /Expected a finite number > 0 and <= 3\.4028234663852886e\+38 for --lr but received "0x10"$/);
    expectUsageError(await train('--epsilon', '0b11'), /for --epsilon but received "0b11"$/);
    expectUsageError(await train('--zeta', '0o1'), /Expected a finite number >= 0 and <= 1 for --zeta but received "0o1"$/);
  });

  it('--seed 2^53: the message states the 2^53 - 1 maximum and echoes what was typed', async () => {
    expectUsageError(await train('--seed', '9007199254740992'), /Expected an integer >= 0 and <= 9007199254740991 for --seed but received 9007199254740992$/);
    expectUsageError(await train('--seed', '18446744073709551615'), /<= 9007199254740991 for --seed but received "18446744073709551615"$/);
    expectUsageError(await train('--beta', '9007199254740993'), /<= 9007199254740991 for --beta but received "9007199254740993"$/);
  });

  it('--hidden 2147483648: at most 2147483647 neurons per layer', async () => {
    expectUsageError(await train('--hidden', '2147483648'), /Expected an integer >= 1 and <= 2147483647 for --hidden but received 2147483648/);
  });

  it('--hidden with more layers than the core takes', async () => {
    expectUsageError(await train('--hidden', Array(4095).fill('2').join(',')), /at most 4094 sizes for --hidden but received 4095/);
  });

  it('--hidden 2147483647: more connections than a layer can hold, naming --hidden and --epsilon', async () => {
    expectUsageError(await train('--hidden', '2147483647'), /fewer than 4294967295 connections per layer for --hidden and --epsilon/);
  });

  it('--epochs 1000001: at most 1000000', async () => {
    expectUsageError(await train('--epochs', '1000001'), /Expected an integer >= 1 and <= 1000000 for --epochs but received 1000001/);
  });

  it('--data "" is an error, not the built-in synthetic data', async () => {
    expectUsageError(await train('--data', ''), /for --data but received ""/);
  });
});

describe('npset train: data files a classifier cannot use', () => {
  it('a file of 1 sample', async () => {
    const r = await train('--data', oneSample);
    expectUsageError(r, /at least 2 samples .*for --data but received ".*one-sample\.mat", which has 1 sample$/);
  });

  it('a file of 1 class names its label', async () => {
    const r = await train('--data', oneClass);
    expectUsageError(r, /at least 2 classes for --data but received ".*one-class\.mat", whose 12 samples all have the label 7$/);
  });

  it('--test-fraction 0.9 on 12 samples names --test-fraction and the fractions possible', async () => {
    const r = await train('--data', good, '--test-fraction', '0.9');
    expectUsageError(r, /Expected a number > 0 and <= 0\.75 for --test-fraction on ".*good\.mat" \(12 samples in 3 classes.*\) but received 0\.9/);
  });

  it('the largest fraction it names is accepted', async () => {
    const { json } = await runJson(['train', '--epochs', '1', '--hidden', '5', '--threads', '1', '--data', good, '--test-fraction', '0.75']);
    expect(json.testSamples).toBe(9);
    expect(json.trainSamples).toBe(3);
  });
});

describe('npset bench: --samples, --layers and --data', () => {
  const bench = (...args: string[]) => runCli(['bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--no-dense', ...args]);

  it('--samples too large for memory: a bound, not "Invalid typed array length"', async () => {
    const r = await bench('--layers', '50,50,2', '--samples', '99999999999');
    expectUsageError(r, /Expected an integer >= 1 and <= \d+ for --samples \(synthetic data of 50 features.*\) but received 99999999999/);
  });

  it('--epsilon 1e39 on bench too', async () => {
    expectUsageError(await bench('--layers', '50,50,2', '--epsilon', '1e39'), /for --epsilon but received 1e\+39/);
  });

  it('--threads with a repeated count: refused, naming it (speedup would be against itself)', async () => {
    expectUsageError(await bench('--layers', '50,50,2', '--threads', '2,1,2'), /Expected distinct thread counts \(2 given more than once\) for --threads but received "2,1,2"$/);
    expectUsageError(await bench('--layers', '50,50,2', '--threads', '1,1'), /\(1 given more than once\) for --threads/);
  });

  it('--layers with one size, or fewer than 2 classes', async () => {
    expectUsageError(await bench('--layers', '50'), /at least 2 sizes .* for --layers but received "50"/);
    expectUsageError(await bench('--layers', '50,1'), /for --layers but received "50,1"/);
  });

  it('--data with --layers that do not match the file: says what the file implies', async () => {
    const r = await bench('--data', good, '--layers', '50,50,2');
    expectUsageError(r, /start with 3 and end with 3 for --layers with --data ".*good\.mat" \(its features and classes; e\.g\. --layers 3,50,3\) but received "50,50,2"/);
  });

  it('--data with --samples is an error, not silently ignored', async () => {
    expectUsageError(await bench('--data', good, '--layers', '3,50,3', '--samples', '5'), /no --samples with --data ".*good\.mat", whose 12 samples are used, but received 5/);
  });

  it('--data of one class', async () => {
    expectUsageError(await bench('--data', oneClass, '--layers', '3,50,2'), /at least 2 classes for --data/);
  });

  it('--data with matching --layers runs on the file\'s samples', async () => {
    const { json } = await runJson(['bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--no-dense', '--data', good, '--layers', '3,20,3']);
    expect(json.layers).toEqual([3, 20, 3]);
    expect(json.samples).toBe(12);
  });
});

describe('npset reproduce --epochs', () => {
  it('1000001 is refused by the parser', async () => {
    const r = await runCli(['reproduce', '--epochs', '1000001', '--data-dir', tmp]);
    expectUsageError(r, /Expected an integer >= 1 and <= 1000000 for --epochs but received 1000001/);
  });
});

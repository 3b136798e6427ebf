/**
 * --delimiter and --max-dense-bytes: the loader options the API always had (delimiter, maxDenseBytes), on the
 * command line of train, predict and bench, checked in the flag's words before anything is read.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteSize, delimiter } from '../../lib/cli/args';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { smallMat } from '../helpers/mat-writer';

let tmp: string;
let pipe: string; // "|"-separated, which detection does not try
let mat: string;
cliTempDir('npset-cli-read-flags-', (dir) => {
  tmp = dir;
  pipe = path.join(tmp, 'pipe.csv');
  const rows = Array.from({ length: 12 }, (_, i) => `${i / 4}|${(i * 7) % 5}|${i % 3 === 0 ? 'a' : 'b'}`);
  writeFileSync(pipe, `x1|x2|label\n${rows.join('\n')}\n`);
  mat = path.join(tmp, 'small.mat');
  writeFileSync(mat, smallMat());
});

describe('--delimiter', () => {
  it('reads a "|" file, which is not detected, as two features and a label', async () => {
    const { json } = await runJson(['train', '--data', pipe, '--delimiter', '|', '--hidden', '4,4', '--epochs', '1']);
    expect(json.layers).toEqual([2, 4, 4, 2]);
    const detected = await runCli(['train', '--data', pipe, '--hidden', '4,4', '--epochs', '1']);
    expectUsageError(detected, /at least 2 columns/);
  });

  it('takes tab by name, and refuses other characters and MAT-files in its own words', async () => {
    expect(delimiter('--delimiter')('tab')).toBe('\t');
    expect(delimiter('--delimiter')(';')).toBe(';');
    expect(() => delimiter('--delimiter')('x')).toThrow('Expected one of ",", ";", "|" or tab for --delimiter but received "x"');
    const r = await runCli(['train', '--data', mat, '--delimiter', 'tab']);
    expectUsageError(r, /^npset: Expected a \.csv, \.tsv or \.txt --data file for --delimiter "tab" but received --data ".*small\.mat"$/);
    expect(r.status).toBe(2);
  });

  it('reaches predict too, for labelled files and with --no-labels', async () => {
    const model = path.join(tmp, 'm.npset');
    await runJson(['train', '--data', pipe, '--delimiter', '|', '--hidden', '4,4', '--epochs', '1', '--save-model', model]);
    const { json } = await runJson(['predict', '--model', model, '--data', pipe, '--delimiter', '|']);
    expect(json.samples).toBe(12);
    const features = path.join(tmp, 'features.csv');
    writeFileSync(features, 'x1|x2\n0.5|1\n1|2\n');
    const none = await runJson(['predict', '--model', model, '--data', features, '--delimiter', '|', '--no-labels']);
    expect(none.json.samples).toBe(2);
  });
});

describe('--max-dense-bytes', () => {
  it('parses sizes with binary units, and refuses anything else', () => {
    const size = byteSize('--max-dense-bytes', { min: 1 });
    expect(size('2048')).toBe(2048);
    expect(size('4GiB')).toBe(4 * 2 ** 30);
    expect(size('1.5g')).toBe(1.5 * 2 ** 30);
    expect(size(' 64 K ')).toBe(65536);
    expect(size('4GB')).toBe(4e9);
    expect(size('250mb')).toBe(250e6);
    for (const bad of ['', '1.5Q', '-1', '1e9', 'GiB', '0', '4GBs']) expect(() => size(bad), bad).toThrow(/for --max-dense-bytes but received/);
  });

  it('is the loader limit: below the data it refuses the file, naming the flag', async () => {
    const r = await runCli(['train', '--data', mat, '--max-dense-bytes', '16', '--epochs', '1']);
    expectUsageError(r, /over the maxDenseBytes limit of 16 bytes.*--max-dense-bytes on the command line/);
    const { json } = await runJson(['train', '--data', mat, '--max-dense-bytes', '1M', '--hidden', '4,4', '--epochs', '1']);
    expect(json.epochs).toBe(1);
  });
});

/**
 * Findings of a new user's walk through the CLI (2026-11-29): values given without a flag, a saved model
 * never confirmed, an output file's missing folder, reproduce runs too short for the pruning schedule, the
 * progress line before any run, Windows paths and MAT-files named .csv. Each printed something unhelpful.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { epochNotes } from '../../lib/cli/reproduce';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { smallMat } from '../helpers/mat-writer';

let tmp: string;
let mat: string;
cliTempDir('npset-cli-ux-', (dir) => {
  tmp = dir;
  mat = path.join(dir, 'small.mat');
  writeFileSync(mat, smallMat());
});

describe('a value without its flag', () => {
  it('is named, with the fix: commas for a list, --data for a file, --model for a model', async () => {
    expectUsageError(
      await runCli(['train', '--data', mat, '--hidden', '300', '300']),
      /^npset: Expected a flag before each value for npset train but received "300" on its own: a list is one value, with commas: --hidden 300,300$/,
    );
    expectUsageError(await runCli(['train', mat]), /received ".*small\.mat" on its own: give the data file as --data .*small\.mat$/);
    // Before commander's "required option '--model <file>' not specified", which the user did give.
    expectUsageError(await runCli(['predict', 'lung.npset', mat]), /for npset predict but received "lung\.npset" on its own: give the model as --model lung\.npset$/);
    expectUsageError(await runCli(['train', '--json', 'extra']), /received "extra" on its own: see npset train --help$/);
    expectUsageError(await runCli(['bench', '--threads', '1', '2']), /a list is one value, with commas: --threads 1,2$/);
  });

  it('a flag of another command, or with the command left out, is named as such', async () => {
    expectUsageError(await runCli(['--data', mat]), /^npset: Expected a command before --data but received none: npset train --data .*small\.mat \(see npset --help\)$/);
    // commander suggested "--header" for this one.
    expectUsageError(await runCli(['bench', '--workload', 'custom', '--hidden', '30']), /^npset: Expected an option of npset bench but received --hidden, an option of npset train \(see npset bench --help\)$/);
    expectUsageError(await runCli(['train', '--out=x.csv']), /received --out, an option of npset predict, npset reproduce and npset bench \(see npset train --help\)$/);
    expectUsageError(await runCli(['train', '--epoch', '3']), /unknown option '--epoch' \(Did you mean --epochs\?\)/);
    // commander printed the whole help, exit code 2, without a word on why.
    expectUsageError(await runCli(['help', 'nonsense']), /^npset: Expected a command for npset help \(train, predict, reproduce, bench\) but received "nonsense"$/);
    expect((await runCli(['help', 'train'])).status).toBe(0);
  });

  it('leaves flags with values, --flag=value and --help alone', async () => {
    const { json } = await runJson(['train', '--data', mat, '--epochs=1', '--hidden', '4', '--lr', '0.01']);
    expect(json.epochs).toBe(1);
    expect((await runCli(['train', 'stray', '--help'])).status).toBe(0);
  });
});

describe('npset train --save-model', () => {
  it('confirms the file in the summary and in the JSON, and makes its missing folder', async () => {
    const model = path.join(tmp, 'new', 'folder', 'm.npset');
    const r = await runCli(['train', '--data', mat, '--epochs', '1', '--hidden', '4', '--save-model', model]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`saved model       ${model}`);
    // The best epoch's accuracy says it was picked on the very split it is measured on.
    expect(r.stdout).toMatch(/^test accuracy {5}\d+\.\d\d% \(last epoch\), \d+\.\d\d% \(best, epoch 1, picked on the test split itself\)$/m);
    const { json } = await runJson(['train', '--data', mat, '--epochs', '1', '--hidden', '4', '--save-model', model]);
    expect(json.savedModel).toBe(model);
    const { json: none } = await runJson(['train', '--data', mat, '--epochs', '1', '--hidden', '4']);
    expect(none).not.toHaveProperty('savedModel');
    // A file where the folder should be is still an error.
    const blocker = path.join(tmp, 'blocker');
    writeFileSync(blocker, 'x');
    expectUsageError(await runCli(['train', '--data', mat, '--epochs', '1', '--save-model', path.join(blocker, 'm.npset')]), /blocker is not a directory$/);
  });
});

describe('npset train notes', () => {
  it('header names that repeat: predict can match those columns by position only', async () => {
    const dup = path.join(tmp, 'dup.csv');
    writeFileSync(dup, 'a,a,b,label\n' + Array.from({ length: 12 }, (_, i) => `${(i * 5) % 7},${i % 3},${i % 5},${i % 2 ? 'x' : 'y'}`).join('\n') + '\n');
    const r = await runCli(['train', '--data', dup, '--epochs', '1', '--hidden', '4']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('npset: note: the header names a column more than once ("a"): npset predict cannot tell such columns apart by name, so a file must have them in this order\n');
    const plain = path.join(tmp, 'plain.csv');
    writeFileSync(plain, 'a,c,b,label\n' + Array.from({ length: 12 }, (_, i) => `${(i * 5) % 7},${i % 3},${i % 5},${i % 2 ? 'x' : 'y'}`).join('\n') + '\n');
    expect((await runCli(['train', '--data', plain, '--epochs', '1', '--hidden', '4'])).stderr).toBe('');
  });
});

describe('npset predict on the file the model was trained on', () => {
  it('says that the accuracy counts the training samples, and gives the held-out one', async () => {
    const model = path.join(tmp, 'own.npset');
    const { json: trained } = await runJson(['train', '--data', mat, '--epochs', '2', '--hidden', '4', '--save-model', model]);
    const r = await runCli(['predict', '--model', model, '--data', mat]);
    expect(r.status, r.stderr).toBe(0);
    const pct = (100 * (trained.testAccuracy as number)).toFixed(2);
    expect(r.stdout).toContain(
      `note       the model was trained on ${trained.trainSamples as number} samples of small: an accuracy on that file counts them too; on its ${trained.testSamples as number} held-out test samples it scored ${pct}%\n`,
    );
    const { json } = await runJson(['predict', '--model', model, '--data', mat]);
    expect(json.trainedOn).toEqual({ dataset: 'small', trainSamples: trained.trainSamples, testSamples: trained.testSamples, seed: trained.seed, testAccuracy: trained.testAccuracy });
    // Another file: no such note.
    const other = path.join(tmp, 'other.mat');
    writeFileSync(other, readFileSync(mat));
    const { json: elsewhere } = await runJson(['predict', '--model', model, '--data', other]);
    expect(elsewhere).not.toHaveProperty('trainedOn');
  });
});

describe('npset reproduce', () => {
  it('notes runs that end before the first or the last pruning of the paper, when an NPSET method runs', () => {
    expect(epochNotes(10, ['set', 'npset'])).toEqual(["--epochs 10 ends before NPSET's first pruning (epoch 11): no neuron will be pruned, so the NPSET methods train as SET"]);
    expect(epochNotes(30, ['npset-1st'])).toEqual(["--epochs 30 ends before NPSET's last pruning (epoch 51): 20 of the 41 prunings will run, so NPSET's neurons and parameters are not the paper's"]);
    expect(epochNotes(51, ['npset'])).toEqual([]);
    expect(epochNotes(2, ['set'])).toEqual([]);
  });
});

describe('file names', () => {
  it('a Windows path that does not exist here gets a hint about the separator', async () => {
    expectUsageError(await runCli(['train', '--data', 'C:\\data\\lung.mat']), /ENOENT.*\(folders are separated by '\/' here, not '\\'\)$/);
  });

  it('a MAT-file named .csv is said to look like one', async () => {
    const renamed = path.join(tmp, 'renamed.csv');
    writeFileSync(renamed, readFileSync(mat));
    expectUsageError(await runCli(['train', '--data', renamed]), /holds NUL bytes; it looks like a MAT-file, which is read as one when its name does not end in \.csv, \.tsv or \.txt$/);
    expect(existsSync(renamed)).toBe(true);
  });
});

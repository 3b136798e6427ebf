/**
 * `npset train` and `npset bench` on MAT-files whose variables are not X and Y: --x-var and --y-var name
 * them (and are refused with a CSV file or without --data); text labels; an ambiguous file gives one
 * "npset: ..." line that says how to choose, and exit code 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { cellstrSpec, matrixSpec, writeMat } from '../helpers/mat-writer';

const SAMPLES = 30;
const CLASSES = ['ALL', 'AML', 'MLL'];

let tmp: string;
const file = (name: string) => path.join(tmp, name);

cliTempDir('npset-cli-matvars-', (dir) => {
  tmp = dir;
  const rows = Array.from({ length: SAMPLES }, (_, i) => [i % 3, (i * 7) % 5, (i % 3) * 2 - (i % 4)]);
  const decoy = rows.map((r) => r.map((v) => v + 1));
  const labels = rows.map((_, i) => CLASSES[i % 3]);
  // Two matrices and two label vectors: nothing can be chosen without the flags.
  writeFileSync(
    file('expr.mat'),
    writeMat([matrixSpec('train_x', rows), matrixSpec('raw', decoy), cellstrSpec('diagnosis', labels), cellstrSpec('batch', labels.map((_, i) => `b${i % 2}`))], { compress: true }),
  );
  writeFileSync(file('flowers.csv'), ['a,b,label', ...rows.map((r, i) => `${r[0]},${r[1]},${labels[i]}`)].join('\n'));
});

const train = (...args: string[]) => runCli(['train', '--hidden', '8', '--epochs', '1', '--threads', '1', ...args]);

describe('npset train --x-var NAME --y-var NAME', () => {
  it('trains on the named variables, with text labels', async () => {
    const { json } = await runJson(['train', '--data', file('expr.mat'), '--x-var', 'train_x', '--y-var', 'diagnosis', '--hidden', '8', '--epochs', '1', '--threads', '1']);
    expect(json.dataset).toBe('expr');
    expect(json.layers).toEqual([3, 8, 3]);
    // The other label vector (2 classes) with the same features.
    const { json: other } = await runJson(['train', '--data', file('expr.mat'), '--x-var', 'TRAIN_X', '--y-var', 'batch', '--hidden', '8', '--epochs', '1', '--threads', '1']);
    expect(other.layers).toEqual([3, 8, 2]);
  });

  it('without them, an ambiguous file is one line that lists the variables and names the flags', async () => {
    expectUsageError(
      await train('--data', file('expr.mat')),
      /expr\.mat: cannot tell which variables hold the features and the labels; the file holds "train_x" double 30x3, "raw" double 30x3, "diagnosis" cell 30x1, "batch" cell 30x1\. .*--x-var NAME --y-var NAME on the command line\)$/,
    );
    expectUsageError(await train('--data', file('expr.mat'), '--x-var', 'raw'), /cannot tell which variable holds the labels .*\(--y-var NAME on the command line\)$/);
  });

  it('--x-var and --y-var naming one variable (in any case): the labels would be a feature', async () => {
    expectUsageError(
      await train('--data', file('expr.mat'), '--x-var', 'train_x', '--y-var', 'TRAIN_X'),
      /expr\.mat: the x and y options \(--x-var and --y-var\) both name the variable "train_x"; the features and the labels must be different variables$/,
    );
  });

  it('a variable the file does not have', async () => {
    expectUsageError(await train('--data', file('expr.mat'), '--x-var', 'fea', '--y-var', 'diagnosis'), /expr\.mat: no variable "fea" \(found: "train_x" double 30x3, /);
  });

  it('refuses --x-var and --y-var with a CSV file, without --data, and empty', async () => {
    expectUsageError(
      await train('--data', file('flowers.csv'), '--x-var', 'A'),
      /^npset: Expected a MAT-file as --data for --x-var "A" but received --data ".*flowers\.csv", a CSV\/TSV file \(use --label-column\)$/,
    );
    expectUsageError(await train('--y-var', 'gnd'), /Expected a MAT-file as --data for --y-var "gnd" but received no --data \(the built-in synthetic data\)$/);
    expectUsageError(await train('--data', file('expr.mat'), '--x-var', ' '), /Expected a non-empty variable name for --x-var/);
  });
});

describe('npset bench --x-var NAME --y-var NAME', () => {
  it('runs on the named variables, and refuses them with a CSV file', async () => {
    const bench = ['bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense'];
    const { json } = await runJson([...bench, '--data', file('expr.mat'), '--x-var', 'train_x', '--y-var', 'diagnosis', '--layers', '3,16,3']);
    expect(json.samples).toBe(SAMPLES);
    expect(json.layers).toEqual([3, 16, 3]);
    expectUsageError(await runCli([...bench, '--data', file('flowers.csv'), '--y-var', 'label']), /for --y-var "label" but received --data ".*flowers\.csv"/);
  });
});

/** npset predict on a file of features only, given without --no-labels: the error says to add it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli } from '../helpers/cli';

let tmp: string;
cliTempDir('npset-predict-hint-', (dir) => (tmp = dir));

/** n rows of `features` decimals (not whole), and a text label column when labelled. */
function csv(file: string, n: number, features: number, labelled: boolean): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: features }, (_, j) => (((i * 7 + j * 13) % 97) / 9.7 + 0.01).toFixed(3));
    if (labelled) r.push(i % 2 ? 'yes' : 'no');
    rows.push(r.join(','));
  }
  const p = path.join(tmp, file);
  writeFileSync(p, `${rows.join('\n')}\n`);
  return p;
}

describe('npset predict without --no-labels on features only', () => {
  let model: string;
  beforeAll(async () => {
    model = path.join(tmp, 'm.npset');
    const r = await runCli(['train', '--data', csv('train.csv', 40, 5, true), '--hidden', '8', '--epochs', '2', '--threads', '1', '--save-model', model]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('a last column of decimals read as labels: the continuous-target error suggests --no-labels', async () => {
    expectUsageError(await runCli(['predict', '--model', model, '--data', csv('new.csv', 40, 5, false)]), /continuous target.*\(if the file holds features only, without labels, add --no-labels\)$/);
  });

  it('a file one feature short of the model once its last column is taken as labels: the same hint', async () => {
    // Whole numbers in the last column pass as class labels; the features are then one short.
    const p = path.join(tmp, 'ints.csv');
    writeFileSync(p, Array.from({ length: 20 }, (_, i) => `${i % 3},${i % 5},${i % 7},${i % 2},${i % 4}`).join('\n') + '\n');
    expectUsageError(await runCli(['predict', '--model', model, '--data', p]), /Expected 5 features \(the model's inputs\) for --data but received .*ints\.csv with 4 features \(if the file holds features only, without labels, add --no-labels\)$/);
    const ok = await runCli(['predict', '--model', model, '--data', p, '--no-labels', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
  });
});

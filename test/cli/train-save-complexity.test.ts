// F13 cli/train.ts saveModel(): the check that leaves out feature names too long for the model file's header
// built JSON.stringify(featureNames) in one string; a header name of 95 million control characters (6 characters
// each as JSON) passed the file's limits but made that check throw "Invalid string length" after training, so
// the trained model was not saved. Whatever the names, training must not end without the model it was asked
// to save: saved (names left out), or refused before any training.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cliTempDir, runCli } from '../helpers/cli';

let tmp: string;
cliTempDir('npset-train-save-complexity-', (dir) => (tmp = dir));

it('F13: --save-model with a header name of 95,000,000 control characters', async () => {
  const data = path.join(tmp, 'names.csv');
  const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n');
  writeFileSync(data, `a,${'\x01'.repeat(95e6)},label\n${rows}\n`);
  const model = path.join(tmp, 'm.npset');
  const r = await runCli(['train', '--data', data, '--epochs', '1', '--hidden', '4', '--threads', '1', '--save-model', model]);
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/Invalid string length/);
  if (r.status === 0) expect(existsSync(model)).toBe(true);
  else {
    expect(r.status).toBe(2);
    expect(r.stdout).not.toMatch(/^epoch /m); // refused before training
  }
});

/** npset train --validation-fraction and --patience: the held-out split, its best epoch, early stopping. */
import { describe, expect, it } from 'vitest';
import { settingNotes } from '../../lib/cli/train';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';

cliTempDir('npset-cli-val-', () => {});

const BASE = ['train', '--hidden', '40,40', '--threads', '1', '--seed', '1'];

describe('npset train --validation-fraction', () => {
  it('holds out part of the training split and reports the best epoch by it, with the test accuracy there', async () => {
    const { json } = await runJson([...BASE, '--epochs', '6', '--validation-fraction', '0.25']);
    // The synthetic data: 600 samples, 200 test; 100 of the 400 others held out.
    expect(json).toMatchObject({ trainSamples: 300, validationSamples: 100, testSamples: 200, epochs: 6 });
    const val = json.validationAccuracyPerEpoch as number[];
    const loss = json.validationLossPerEpoch as number[];
    const test = json.testAccuracyPerEpoch as number[];
    expect(val).toHaveLength(6);
    expect(loss).toHaveLength(6);
    const best = json.bestValidationEpoch as number;
    expect(val[best]).toBe(Math.max(...val));
    expect(json.bestValidationAccuracy).toBe(val[best]);
    expect(json.testAccuracyAtBestValidation).toBe(test[best]);
    expect(json).not.toHaveProperty('earlyStopEpoch');
  });

  it('shows the split on the first line, val on each epoch line and the best epoch in the summary', async () => {
    const r = await runCli([...BASE, '--epochs', '3', '--validation-fraction', '0.25']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/: 300 train \/ 100 validation \/ 200 test samples, /);
    const epochs = r.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    expect(epochs).toHaveLength(3);
    for (const l of epochs) expect(l).toMatch(/ train \d+\.\d\d% {2}val \d+\.\d\d% {2}test \d+\.\d\d% /);
    expect(r.stdout).toMatch(/\nvalidation {8}\d+\.\d\d% \(best, epoch [1-3]; 100 samples\), test accuracy there \d+\.\d\d%\n/);
    expect(r.stdout).not.toMatch(/early stop/);
  });

  it('--patience stops the run and says so; without --validation-fraction the split is as before', async () => {
    const { json } = await runJson([...BASE, '--epochs', '200', '--lr', '0.05', '--validation-fraction', '0.25', '--patience', '2']);
    const stop = json.earlyStopEpoch as number;
    expect(stop).toBeLessThan(199);
    expect(stop - (json.bestValidationEpoch as number)).toBe(2);
    expect(json.testAccuracyPerEpoch as number[]).toHaveLength(stop + 1);
    expect((json.settings as Record<string, unknown>).patience).toBe(2);
    const text = await runCli([...BASE, '--epochs', '200', '--lr', '0.05', '--validation-fraction', '0.25', '--patience', '2']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain(`\nearly stop        after epoch ${stop + 1} of 200: 2 epochs without a better validation epoch\n`);
    const { json: plain } = await runJson([...BASE, '--epochs', '1']);
    expect(plain).toMatchObject({ trainSamples: 400, testSamples: 200 });
    expect(plain).not.toHaveProperty('validationAccuracyPerEpoch');
  });

  it('refuses --patience without --validation-fraction, and fractions out of range, with one npset: line', async () => {
    expectUsageError(
      await runCli([...BASE, '--patience', '3']),
      /^npset: Expected --validation-fraction with --patience 3 \(the split whose accuracy it watches\) but received none$/,
    );
    expectUsageError(await runCli([...BASE, '--validation-fraction', '1']), /--validation-fraction/);
    expectUsageError(await runCli([...BASE, '--patience', '0', '--validation-fraction', '0.2']), /--patience/);
    expectUsageError(
      await runCli([...BASE, '--validation-fraction', '0.999']),
      /^npset: Expected a number > 0 and <= 0\.99\d* \(the test split leaves 400 training samples in 2 classes, of which at most 398 can be validation samples so that every class keeps a training sample\) for --validation-fraction but received 0\.999$/,
    );
  });
});

describe('npset train notes on --patience', () => {
  const flags = { method: 'set', epochs: 20, beta: 10, gamma: 40, threads: 0 } as Parameters<typeof settingNotes>[0];
  const none = () => false;
  it('says when patience cannot end the run before --epochs (NPSET: not before the last pruning)', () => {
    expect(settingNotes({ ...flags, patience: 18 }, none, 2)).toEqual([]);
    expect(settingNotes({ ...flags, patience: 19 }, none, 2)).toEqual(['--patience 19 cannot end training before --epochs 20']);
    expect(settingNotes({ ...flags, method: 'npset', epochs: 60, patience: 3 }, none, 2)).toEqual([]);
    expect(settingNotes({ ...flags, method: 'npset', epochs: 51, patience: 3 }, none, 2)).toEqual([
      '--patience 3 cannot end training before --epochs 51 (--method npset trains at least to its last pruning, epoch 51)',
    ]);
  });
});

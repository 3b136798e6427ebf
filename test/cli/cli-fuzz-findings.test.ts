/**
 * Findings of a fuzzing of the CLI (2026-11-29), one test each: a bench model too big for the machine refused
 * before its synthetic data is made; a held-out outlier that overflows once standardised named by its place; a
 * rate just below 1 that float32 rounds to 1; --method npset-2nd with one hidden layer; label names too long for
 * the model file refused before training; a directory given as --save-model; predict's --no-labels hint not
 * triggered by a feature column named "label".
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli } from '../helpers/cli';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

/** 12 samples of one feature in thousandths, two classes, and sample 5 at 3e38. */
function outlierCsv(): string {
  const rows = Array.from({ length: 12 }, (_, i) => `${i === 5 ? '3e38' : (i % 5) * 0.001},${i % 2 ? 'x' : 'y'}`);
  return ['a,label', ...rows].join('\n');
}

/** 30 samples: features a, b and n, and the class names in a column named "label". */
function labelNamedFeature(): string {
  const rows = Array.from({ length: 30 }, (_, i) => {
    const c = i % 3;
    return `${c + Math.sin(i)},${Math.cos(i * 3)},${['s', 't', 'u'][c]},${Math.sin(i * 7)}`;
  });
  return ['a,b,label,n', ...rows].join('\n');
}

cliTempDir('npset-cli-fuzz-findings-', (dir) => {
  tmp = dir;
  writeFileSync(file('outlier.csv'), outlierCsv());
  writeFileSync(file('named.csv'), labelNamedFeature());
  // Two labels of 4.5 million characters each: 9 MB of label names, more than half the model file's header.
  const long = (c: string) => c.repeat(4_500_000);
  writeFileSync(file('long-labels.csv'), ['a,label', ...Array.from({ length: 6 }, (_, i) => `${i},${long(i % 2 ? 'p' : 'q')}`)].join('\n'));
});

describe('npset CLI: findings of the fuzzing', () => {
  it('bench refuses at once a model bigger than the machine, before making its synthetic data', async () => {
    const r = await runCli(['bench', '--workload', 'custom', '--layers', '2147483647,2', '--samples', '1', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense']);
    expectUsageError(r, /Expected a model that fits in this machine's .* GiB of memory for --layers and --epsilon but received layers 2147483647-2 at epsilon 20, which need about/);
  });

  it('train names a held-out outlier that leaves float32 once standardised, before training', async () => {
    const seeds = [0, 1, 2, 3, 4, 5];
    const results = await Promise.all(seeds.map((seed) => runCli(['train', '--data', file('outlier.csv'), '--epochs', '1', '--hidden', '5', '--threads', '1', '--seed', String(seed)])));
    let refused = 0;
    for (const r of results) {
      if (r.status === 0) continue;
      expectUsageError(r, /once standardised with the training split's mean and scale for outlier, sample 5, feature 0 \(from 0\) but received 3\.0000000054977558e\+38/);
      expect(r.stdout).toBe('');
      refused++;
    }
    // The outlier lands in the test split for some seeds (then refused), in training for others (then it trains).
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(seeds.length);
  });

  it('a momentum, weight decay or dropout that float32 rounds to 1 is refused by its flag, before any output', async () => {
    for (const flag of ['--momentum', '--weight-decay', '--dropout']) {
      const r = await runCli(['train', '--epochs', '1', '--hidden', '10', '--threads', '1', flag, '0.99999999999']);
      expectUsageError(r, new RegExp(`< 1 once rounded to float32 \\(it rounds to 1\\) for ${flag} but received 0\\.99999999999`));
      expect(r.stdout).toBe('');
    }
  });

  it('--method npset-2nd needs two hidden sizes: said before the data is read', async () => {
    const r = await runCli(['train', '--epochs', '1', '--hidden', '10', '--threads', '1', '--method', 'npset-2nd']);
    expectUsageError(r, /Expected at least 2 hidden sizes for --hidden with --method npset-2nd \(it prunes the second hidden layer\) but received 10/);
    expect(r.stdout).toBe('');
  });

  it('label names too long for the model file are refused before training, with --save-model only', async () => {
    const r = await runCli(['train', '--data', file('long-labels.csv'), '--epochs', '1', '--hidden', '5', '--threads', '1', '--save-model', file('m.npset')]);
    expectUsageError(r, /Expected label names of at most 8388608 bytes in all .* for --save-model but received 2 label names of 9000\d+ bytes in --data/);
    expect(r.stdout).toBe('');
  });

  it('a directory as --save-model is named as such', async () => {
    expectUsageError(await runCli(['train', '--epochs', '1', '--hidden', '5', '--save-model', tmp]), new RegExp(`Expected a file path for --save-model but received "${tmp}", which is a directory`));
    expectUsageError(await runCli(['train', '--epochs', '1', '--hidden', '5', '--save-model', file('new/')]), /for --save-model but received ".*new\/", which names a directory \(it ends with \/\)/);
  });

  it('predict does not offer --no-labels for a bad cell of a feature column named "label"', async () => {
    const model = file('named.npset');
    const t = await runCli(['train', '--data', file('named.csv'), '--label-column', 'label', '--epochs', '1', '--hidden', '5', '--threads', '1', '--save-model', model]);
    expect(t.status, t.stderr).toBe(0);
    // --label-column n makes "label" (text) a feature: its first cell is refused, and the file does have labels.
    const r = await runCli(['predict', '--model', model, '--data', file('named.csv'), '--label-column', 'n']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^npset: .*column 3 \("label"\)/m);
    expect(r.stderr).not.toContain('--no-labels');
  });
});

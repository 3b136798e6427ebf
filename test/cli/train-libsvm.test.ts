/**
 * `npset train`, `predict` and `bench` on LIBSVM files (.svm, .libsvm, .svmlight): --data picks the loader by
 * extension; predict reads a test file with the model's inputs as its features, so that a file whose largest
 * index is below them loads (and one beyond them is refused); CSV and MAT flags are refused with a LIBSVM
 * file; a bad file gives one "npset: ..." line naming the line, and exit code 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

const LABELS = ['-1', '+1', '2'];

/** 90 samples of 6 features in 3 overlapping blobs (deterministic), about a third of the values zero. */
function blobRows(n: number): { x: number[]; c: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    const x = Array.from({ length: 6 }, (_, j) => {
      const v = (j === c ? 1.5 : 0) + Math.round(Math.sin(i * 12.9898 + j * 78.233) * 1000) / 1000;
      return (i + j) % 3 === 0 ? 0 : v;
    });
    return { x, c };
  });
}

/** A LIBSVM line: the label (if any), then the nonzero values, 1-based (`base` 0: 0-based, as scikit-learn writes). */
const svmLine = (x: number[], label?: string, base = 1) =>
  [...(label === undefined ? [] : [label]), ...x.flatMap((v, j) => (v === 0 ? [] : [`${j + base}:${v}`]))].join(' ');

cliTempDir('npset-cli-libsvm-', (dir) => {
  tmp = dir;
  const rows = blobRows(90);
  writeFileSync(file('blobs.svm'), `# training data\n${rows.map((r) => svmLine(r.x, LABELS[r.c])).join('\n')}\n`);
  writeFileSync(file('upper.LIBSVM'), rows.map((r) => svmLine(r.x, LABELS[r.c])).join('\r\n'));
  // Test data: the first 30 samples without their features 5 and 6 (largest index 4, the model has 6 inputs),
  // as LIBSVM with labels, without labels, and as the same dense table in CSV (features 5 and 6 zero).
  const test = rows.slice(0, 30).map((r) => ({ x: r.x.map((v, j) => (j >= 4 ? 0 : v)), c: r.c }));
  writeFileSync(file('test.svmlight'), `${test.map((r) => svmLine(r.x, LABELS[r.c])).join('\n')}\n`);
  writeFileSync(file('new.svm'), `${test.map((r) => svmLine(r.x)).join('\n')}\n`);
  writeFileSync(file('test.csv'), `${test.map((r) => [...r.x, Number(LABELS[r.c])].join(',')).join('\n')}\n`);
  writeFileSync(file('wide.svm'), '1 1:0.5 7:1\n');
  // 0-based (scikit-learn's dump_svmlight_file default): the training file uses index 0, this test file does
  // not (its feature 1 zeroed), so 'auto' alone would read it 1-based, every feature shifted by one.
  writeFileSync(file('zero.svm'), `${rows.map((r) => svmLine(r.x, LABELS[r.c], 0)).join('\n')}\n`);
  const noFirst = test.map((r) => ({ x: r.x.map((v, j) => (j === 0 ? 0 : v)), c: r.c }));
  writeFileSync(file('zero-test.svm'), `${noFirst.map((r) => svmLine(r.x, LABELS[r.c], 0)).join('\n')}\n`);
  writeFileSync(file('zero-test.csv'), `${noFirst.map((r) => [...r.x, Number(LABELS[r.c])].join(',')).join('\n')}\n`);
  writeFileSync(file('one30.svm'), `${rows.slice(0, 30).map((r) => svmLine(r.x, LABELS[r.c])).join('\n')}\n`);
  writeFileSync(file('zero30.svm'), `${rows.slice(0, 30).map((r) => svmLine(r.x, LABELS[r.c], 0)).join('\n')}\n`);
  writeFileSync(file('bad.svm'), '# a comment\n\n1 1:0.5 2:1\n-1 3:1 2:1\n');
});

const train = (...args: string[]) => runCli(['train', '--hidden', '8', '--epochs', '2', '--threads', '1', ...args]);
const TRAIN = ['train', '--hidden', '16', '--epochs', '4', '--threads', '1', '--seed', '3', '--json'];

describe('npset train --data FILE.svm', () => {
  it('trains on a LIBSVM file and reports its name and shape', async () => {
    const { json, result } = await runJson(['train', '--data', file('blobs.svm'), '--hidden', '8', '--epochs', '2', '--threads', '1']);
    expect(result.stderr).toBe('');
    expect(json.dataset).toBe('blobs');
    expect(json.layers).toEqual([6, 8, 3]);
    expect((json.trainSamples as number) + (json.testSamples as number)).toBe(90);
    expect((json.testMetrics as { perClass: { label: number }[] }).perClass.map((c) => c.label)).toEqual([-1, 1, 2]);
    const r = await train('--data', file('upper.LIBSVM'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SET-MLP on upper: 60 train \/ 30 test samples, 6 features, 3 classes, hidden 8$/m);
  });

  it('a bad LIBSVM file: one npset line naming the file and the line; exit code 2', async () => {
    expectUsageError(await train('--data', file('bad.svm')), /^npset: .*bad\.svm: line 4: expected indices in strictly ascending order but received 2 after 3$/);
  });

  it('refuses the CSV and MAT flags with a LIBSVM file', async () => {
    expectUsageError(
      await train('--data', file('blobs.svm'), '--x-var', 'X'),
      /^npset: Expected a MAT-file as --data for --x-var "X" but received --data ".*blobs\.svm", a LIBSVM file$/,
    );
    expectUsageError(await train('--data', file('blobs.svm'), '--y-var', 'Y'), /for --y-var "Y" but received --data ".*blobs\.svm", a LIBSVM file$/);
    expectUsageError(await train('--data', file('blobs.svm'), '--label-column', '0'), /^npset: Expected a \.csv, \.tsv or \.txt --data file for --label-column "0" but received --data ".*blobs\.svm"$/);
    expectUsageError(await train('--data', file('blobs.svm'), '--header'), /for --header but received --data ".*blobs\.svm"$/);
    expectUsageError(await train('--data', file('blobs.svm'), '--delimiter', ';'), /for --delimiter ";" but received --data ".*blobs\.svm"$/);
  });

  it('--libsvm-base: a 0-based file that never uses index 0 reads 1-based under auto, as scikit-learn; 0 forces it', async () => {
    const auto = (await runJson([...TRAIN, '--data', file('zero-test.svm')])).json;
    const zero = (await runJson([...TRAIN, '--data', file('zero-test.svm'), '--libsvm-base', '0', '--save-model', file('forced.npset')])).json;
    // zero-test.svm uses the 0-based indices 1 to 3 (features 1-3 of 0-5): 3 features read 1-based, 4 read 0-based.
    expect((auto.layers as number[])[0]).toBe(3);
    expect((zero.layers as number[])[0]).toBe(4);
    // The JSON says which base was read.
    expect([auto.libsvmZeroBased, zero.libsvmZeroBased]).toEqual([false, true]);
    // The model records the base read with: predict reads the same file 0-based without the flag, not as auto would.
    const predict = async (...args: string[]) => (await runJson(['predict', '--model', file('forced.npset'), '--data', file('zero-test.svm'), ...args])).json;
    const [recorded, forced, autoRead] = [await predict(), await predict('--libsvm-base', '0'), await predict('--libsvm-base', 'auto')];
    expect(recorded.samples).toBe(30);
    expect(recorded.predicted).toEqual(forced.predicted);
    expect(autoRead.predicted).not.toEqual(recorded.predicted);
    expectUsageError(await train('--data', file('zero.svm'), '--libsvm-base', '1'), /zero\.svm: line \d+: expected indices from 1 \(1-based, as --libsvm-base 1 asks\) but received 0$/);
  });

  it('--libsvm-base: a bad value, or a file that is not LIBSVM, is a usage error', async () => {
    expectUsageError(await train('--data', file('blobs.svm'), '--libsvm-base', '2'), /^npset: Expected one of 0, 1, auto for --libsvm-base but received "2"$/m);
    for (const command of ['train', 'predict', 'bench']) {
      const args = command === 'predict' ? ['--model', file('none.npset')] : command === 'bench' ? ['--workload', 'custom', '--layers', '6,4,3'] : [];
      expectUsageError(
        await runCli([command, ...args, '--data', file('test.csv'), '--libsvm-base', '0']),
        /^npset: Expected a \.svm, \.libsvm or \.svmlight --data file for --libsvm-base 0 but received --data ".*test\.csv"$/m,
      );
    }
    expectUsageError(await train('--libsvm-base', 'auto'), /for --libsvm-base auto but received no --data \(the built-in synthetic data\)$/m);
  });

  it('names the format in the --data help of train, predict and bench', async () => {
    for (const command of ['train', 'predict', 'bench']) {
      const r = await runCli([command, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/--data <file> .*\.svm\/\.libsvm\/\.svmlight/);
    }
  });
});

describe('npset predict on LIBSVM files', () => {
  beforeAll(async () => {
    await runJson([...TRAIN, '--data', file('blobs.svm'), '--save-model', file('blobs.npset')]);
  });

  it('reads a test file with fewer features than the model (largest index 4 of 6) as the same dense data in CSV', async () => {
    const svm = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('test.svmlight')])).json;
    const csv = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('test.csv')])).json;
    expect(svm.samples).toBe(30);
    expect(svm.matchedBy).toBe('value');
    expect(svm.predicted).toEqual(csv.predicted);
    expect([svm.accuracy, svm.correct]).toEqual([csv.accuracy, csv.correct]);
    expect(new Set(svm.predicted as number[]).size).toBeGreaterThan(1);
    // Without labels (lines start with their first pair): the same predictions.
    const none = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('new.svm'), '--no-labels'])).json;
    expect(none.accuracy).toBeNull();
    expect(none.predicted).toEqual(svm.predicted);
  });

  it('refuses a file with an index beyond the model\'s inputs, saying so', async () => {
    const message = /^npset: .*wide\.svm: line 1: expected an index of at most 6 \(the number of features is 6\) but received 7 \(the model's inputs: the file has more features than the model was trained on\)$/;
    expectUsageError(await runCli(['predict', '--model', file('blobs.npset'), '--data', file('wide.svm')]), message);
    expectUsageError(await runCli(['predict', '--model', file('blobs.npset'), '--data', file('wide.svm'), '--no-labels']), message);
  });

  it('reads a test file with the index base of the training file, which the model file records', async () => {
    await runJson([...TRAIN, '--data', file('zero.svm'), '--save-model', file('zero.npset')]);
    const svm = (await runJson(['predict', '--model', file('zero.npset'), '--data', file('zero-test.svm')])).json;
    const csv = (await runJson(['predict', '--model', file('zero.npset'), '--data', file('zero-test.csv')])).json;
    expect(svm.samples).toBe(30);
    expect(svm.predicted).toEqual(csv.predicted);
    expect([svm.accuracy, svm.correct]).toEqual([csv.accuracy, csv.correct]);
    const none = (await runJson(['predict', '--model', file('zero.npset'), '--data', file('zero-test.svm'), '--no-labels'])).json;
    expect(none.predicted).toEqual(svm.predicted);
  });

  it('a file indexed from the other base than the training file: the message says which the model needs', async () => {
    // blobs.npset was trained 1-based; zero-test.svm has index 0 on some line.
    const oneBased = await runCli(['predict', '--model', file('blobs.npset'), '--data', file('zero.svm')]);
    expectUsageError(oneBased, /zero\.svm: line \d+: expected indices from 1 \(1-based\) but received 0 \(the model was trained on a 1-based LIBSVM file, so indices are read from 1: --libsvm-base 0 reads a file indexed from 0\)$/);
    // zero.npset was trained 0-based (6 features, 0..5); blobs.svm is 1-based and uses index 6.
    await runJson([...TRAIN, '--data', file('zero.svm'), '--save-model', file('zero2.npset')]);
    const zeroBased = await runCli(['predict', '--model', file('zero2.npset'), '--data', file('blobs.svm')]);
    expectUsageError(zeroBased, /received 6 \(the model's inputs: .*\) \(the model was trained on a 0-based LIBSVM file, so indices are read from 0: --libsvm-base 1 reads a file indexed from 1\)$/);
  });

  it('--libsvm-base reads a test file of the other base than the model\'s, or auto', async () => {
    // The same 30 samples 1-based and 0-based (index 0 on some lines) predict alike from a 1-based model.
    const one = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('one30.svm')])).json;
    const zero = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('zero30.svm'), '--libsvm-base', '0'])).json;
    const auto = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('zero30.svm'), '--libsvm-base', 'auto'])).json;
    expect(one.samples).toBe(30);
    expect(zero.predicted).toEqual(one.predicted);
    expect([zero.accuracy, zero.correct]).toEqual([one.accuracy, one.correct]);
    expect(auto.predicted).toEqual(one.predicted);
    const none = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('zero30.svm'), '--libsvm-base', '0', '--no-labels'])).json;
    expect(none.predicted).toEqual(one.predicted);
    // Forced 1-based, an index 0 is refused in the flag's words, without the model's hint.
    expectUsageError(
      await runCli(['predict', '--model', file('blobs.npset'), '--data', file('zero30.svm'), '--libsvm-base', '1']),
      /zero30\.svm: line \d+: expected indices from 1 \(1-based, as --libsvm-base 1 asks\) but received 0$/,
    );
    // Forced 0-based, a 1-based file's last index is one past the model's inputs: the hint names the flag.
    expectUsageError(
      await runCli(['predict', '--model', file('blobs.npset'), '--data', file('one30.svm'), '--libsvm-base', '0']),
      /one30\.svm: line \d+: expected an index of at most 5 \(the number of features is 6\) but received 6 \(the model's inputs: .*\) \(read 0-based, as --libsvm-base 0 asks: --libsvm-base 1 reads a file indexed from 1\)$/,
    );
  });

  it('a file without labels read with labels: the hint to add --no-labels', async () => {
    expectUsageError(
      await runCli(['predict', '--model', file('blobs.npset'), '--data', file('new.svm')]),
      /new\.svm: line 1: expected a label first \(each line starts with one\) but received ".*", an index:value pair \(if the file holds features only, without labels, add --no-labels\)$/,
    );
  });
});

describe('npset bench --data FILE.svm', () => {
  it('runs on the file\'s samples', async () => {
    const { json } = await runJson([
      'bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense', '--data', file('blobs.svm'), '--layers', '6,16,3',
    ]);
    expect(json.samples).toBe(90);
    expect(json.layers).toEqual([6, 16, 3]);
  });

  it('reads the file with --libsvm-base', async () => {
    const bench = async (...args: string[]) =>
      (await runJson(['bench', '--workload', 'custom', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense', '--data', file('zero-test.svm'), ...args])).json;
    expect(((await bench()).layers as number[])[0]).toBe(3);
    expect(((await bench('--libsvm-base', '0')).layers as number[])[0]).toBe(4);
  });
});

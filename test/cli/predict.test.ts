/**
 * `npset train --save-model` and `npset predict`: the saved model, applied to the training file, reproduces
 * the accuracies train reported; labels are matched by name (text) or value (numbers), also for files holding
 * only some classes or classes the model never saw; bad arguments fail before any work, with exit code 2.
 * `npset predict --no-labels` on files of features only gives the predictions of the labelled file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

const SPECIES = ['setosa', 'versicolor', 'virginica'];
let tmp: string;
const file = (name: string) => path.join(tmp, name);

/** 90 samples of 5 features in 3 overlapping blobs (deterministic). */
function blobRows(n: number): { x: number[]; c: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    const x = Array.from({ length: 5 }, (_, j) => (j === c ? 1.5 : 0) + Math.sin(i * 12.9898 + j * 78.233) * 1.2);
    return { x, c };
  });
}

cliTempDir('npset-cli-predict-', (dir) => {
  tmp = dir;
  const rows = blobRows(90);
  writeFileSync(file('flowers.csv'), ['a,b,c,d,e,species', ...rows.map((r) => `${r.x.join(',')},${SPECIES[r.c]}`)].join('\n'));
  // The same features with numeric labels 10, 20, 30, as a MAT-file; and the samples of class 20 only, and a file with a label 40.
  const mat = (rs: typeof rows, label: (r: (typeof rows)[number]) => number) =>
    writeMat([matrixSpec('X', rs.map((r) => r.x)), matrixSpec('Y', rs.map((r) => [label(r)]))]);
  writeFileSync(file('blobs.mat'), mat(rows, (r) => 10 * (r.c + 1)));
  writeFileSync(file('class20.mat'), mat(rows.filter((r) => r.c === 1), () => 20));
  writeFileSync(file('with40.mat'), mat(rows, (r) => (r.c === 2 ? 40 : 10 * (r.c + 1))));
  writeFileSync(file('six.mat'), writeMat([matrixSpec('X', rows.map((r) => [...r.x, 0])), matrixSpec('Y', rows.map((r) => [r.c]))]));
  writeFileSync(file('not-a-model.npset'), 'hello');
  // The same features without labels: CSV with a header, without one, with pandas' 0..4; MAT-files of X only,
  // fea only, a single matrix of another name (beside a scalar), and two matrices (to choose with --x-var).
  const features = rows.map((r) => r.x.join(','));
  writeFileSync(file('new-header.csv'), ['a,b,c,d,e', ...features].join('\n'));
  writeFileSync(file('new-plain.csv'), `${features.join('\r\n')}\r\n`);
  writeFileSync(file('new-pandas.csv'), ['0,1,2,3,4', ...features].join('\n'));
  writeFileSync(file('new-x.mat'), writeMat([matrixSpec('X', rows.map((r) => r.x))]));
  writeFileSync(file('new-fea.mat'), writeMat([matrixSpec('fea', rows.map((r) => r.x))], { compress: true }));
  writeFileSync(file('new-odd.mat'), writeMat([matrixSpec('scan_2024', rows.map((r) => r.x)), matrixSpec('n', [[90]])]));
  writeFileSync(file('new-two.mat'), writeMat([matrixSpec('A', rows.map((r) => r.x.map((v) => v * 100))), matrixSpec('B', rows.map((r) => r.x))]));
  writeFileSync(file('new-six.csv'), rows.map((r) => [...r.x, 0].join(',')).join('\n'));
});

const TRAIN = ['train', '--hidden', '16,16', '--epochs', '4', '--threads', '1', '--seed', '3', '--json'];

describe('npset train --save-model, then npset predict', () => {
  let trained: Record<string, unknown>;
  beforeAll(async () => {
    ({ json: trained } = await runJson([...TRAIN, '--data', file('flowers.csv'), '--save-model', file('flowers.npset')]));
    await runJson([...TRAIN, '--data', file('blobs.mat'), '--save-model', file('blobs.npset')]);
  });

  it('on the training file: the accuracy of the last epoch over train and test samples, labels matched by name', async () => {
    expect(existsSync(file('flowers.npset'))).toBe(true);
    const { json, result } = await runJson(['predict', '--model', file('flowers.npset'), '--data', file('flowers.csv'), '--out', file('p.csv')]);
    expect(result.stderr).toBe('');
    const n = (trained.trainSamples as number) + (trained.testSamples as number);
    const correct = Math.round((trained.trainAccuracy as number) * (trained.trainSamples as number) + (trained.testAccuracy as number) * (trained.testSamples as number));
    expect(json).toMatchObject({ samples: n, correct, matchedBy: 'name', standardized: true, unknownLabels: 0 });
    expect(json.accuracy).toBeCloseTo(correct / n, 12);
    const metrics = json.metrics as { samples: number; correct: number; confusion: number[][]; perClass: { label: string; support: number }[] };
    expect(metrics).toMatchObject({ samples: n, correct });
    expect(metrics.perClass.map((c) => [c.label, c.support])).toEqual(SPECIES.map((name) => [name, n / 3]));
    expect(json.layers).toEqual(trained.layers);
    const predicted = json.predicted as string[];
    expect(predicted).toHaveLength(n);
    expect(new Set(predicted).size).toBeGreaterThan(1);
    for (const p of predicted) expect(SPECIES).toContain(p);
    const lines = readFileSync(file('p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('sample,predicted,actual,p(setosa),p(versicolor),p(virginica)');
    expect(lines).toHaveLength(n + 1);
    const first = lines[1].split(',');
    expect(first[1]).toBe(predicted[0]);
    expect(first[2]).toBe('setosa');
    expect(first.slice(3).map(Number).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('matches numeric labels by value: a file with one class, or with a class the model never saw', async () => {
    const all = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('blobs.mat')])).json;
    expect(all.matchedBy).toBe('value');
    for (const p of all.predicted as number[]) expect([10, 20, 30]).toContain(p);
    const only = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('class20.mat')])).json;
    const expected = (all.predicted as number[]).filter((_, i) => i % 3 === 1);
    expect(only.predicted).toEqual(expected);
    expect(only.correct).toBe(expected.filter((p) => p === 20).length);
    const r = await runCli(['predict', '--model', file('blobs.npset'), '--data', file('with40.mat')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note +30 samples have a label the model was not trained on \(counted as wrong\)/);
    expect(r.stdout).toMatch(/metrics +balanced accuracy .*, macro F1 .* \(samples with known labels\)/);
    const j = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('with40.mat')])).json;
    expect((j.metrics as { samples: number }).samples).toBe(60);
  });

  it('refuses bad arguments with one line and exit code 2, before any work', async () => {
    expectUsageError(await runCli(['predict', '--data', file('blobs.mat')]), /required option '--model <file>'/);
    expectUsageError(await runCli(['predict', '--model', file('not-a-model.npset'), '--data', file('blobs.mat')]), /not-a-model.npset: not an npset model file/);
    expectUsageError(await runCli(['predict', '--model', file('missing.npset'), '--data', file('blobs.mat')]), /missing.npset: cannot read the file: ENOENT/);
    expectUsageError(await runCli(['predict', '--model', file('blobs.npset'), '--data', file('six.mat')]), /Expected 5 features \(the model's inputs\) for --data but received .*six.mat with 6 features$/);
    expectUsageError(await runCli(['predict', '--model', file('blobs.npset'), '--data', file('blobs.mat'), '--out', tmp]), /--out .* is a directory/);
    expectUsageError(await runCli(['predict', '--model', file('blobs.npset'), '--data', file('flowers.csv'), '--x-var', 'A']), /Expected a MAT-file as --data for --x-var/);
    // A missing folder is made (test/cli/ux-findings); a file in its place is refused.
    const r = await runCli([...TRAIN, '--data', file('blobs.mat'), '--save-model', `${file('six.mat')}/m.npset`]);
    expectUsageError(r, /--save-model .*six\.mat is not a directory/);
  });
});

describe('npset predict --no-labels: files of features only', () => {
  const predict = async (model: string, data: string, ...more: string[]) =>
    (await runJson(['predict', '--model', file(model), '--data', file(data), ...more])).json;
  let flowers: Record<string, unknown>;
  let blobs: Record<string, unknown>;
  beforeAll(async () => {
    await runJson([...TRAIN, '--data', file('flowers.csv'), '--save-model', file('nl-flowers.npset')]);
    await runJson([...TRAIN, '--data', file('blobs.mat'), '--save-model', file('nl-blobs.npset')]);
    flowers = await predict('nl-flowers.npset', 'flowers.csv');
    blobs = await predict('nl-blobs.npset', 'blobs.mat');
  });

  it('CSV with a header, without one, or with pandas\' 0..n-1: the predictions of the labelled file', async () => {
    expect(new Set(flowers.predicted as string[]).size).toBeGreaterThan(1);
    for (const data of ['new-header.csv', 'new-plain.csv', 'new-pandas.csv']) {
      const json = await predict('nl-flowers.npset', data, '--no-labels');
      expect(json.samples, data).toBe(90);
      expect(json.predicted, data).toEqual(flowers.predicted);
    }
  });

  it('MAT-files of X only, fea only, or a single matrix of another name; --x-var chooses among two', async () => {
    expect(new Set(blobs.predicted as number[]).size).toBeGreaterThan(1);
    for (const data of ['new-x.mat', 'new-fea.mat', 'new-odd.mat']) {
      expect((await predict('nl-blobs.npset', data, '--no-labels')).predicted, data).toEqual(blobs.predicted);
    }
    expect((await predict('nl-blobs.npset', 'new-two.mat', '--no-labels', '--x-var', 'B')).predicted).toEqual(blobs.predicted);
    // A labelled MAT-file read without its labels: its X, the same predictions.
    expect((await predict('nl-blobs.npset', 'blobs.mat', '--no-labels')).predicted).toEqual(blobs.predicted);
  });

  it('--json: the same keys as with labels, the comparison all null', async () => {
    const json = await predict('nl-flowers.npset', 'new-header.csv', '--no-labels');
    // flowers.csv is the model's own training file: its result alone says so (trainedOn).
    expect(Object.keys(json)).toEqual(Object.keys(flowers).filter((k) => k !== 'trainedOn'));
    expect(json).toMatchObject({
      data: file('new-header.csv'), samples: 90, standardized: true, layers: flowers.layers, connections: flowers.connections,
      accuracy: null, correct: null, unknownLabels: null, matchedBy: null, metrics: null,
    });
  });

  it('the summary has no accuracy; --out has no actual column, and otherwise the rows of the labelled file', async () => {
    const r = await runCli(['predict', '--model', file('nl-flowers.npset'), '--data', file('new-plain.csv'), '--no-labels', '--out', file('nl.csv')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^model +.*nl-flowers\.npset: layers 5-\d+-\d+-3, [\d,]+ connections$/);
    expect(lines[1]).toMatch(/^data +.*new-plain\.csv: 90 samples, standardised as in training, no labels$/);
    expect(lines[2]).toBe(`written    ${file('nl.csv')}`);
    // A file name with a line break is quoted: the summary keeps one line per item.
    const odd = await runCli(['predict', '--model', file('nl-flowers.npset'), '--data', file('new-plain.csv'), '--no-labels', '--out', file('n\nl.csv')]);
    expect(odd.stdout.trim().split('\n')[2]).toBe(`written    ${JSON.stringify(file('n\nl.csv'))}`);
    await runCli(['predict', '--model', file('nl-flowers.npset'), '--data', file('flowers.csv'), '--out', file('l.csv')]);
    const unlabelled = readFileSync(file('nl.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const labelled = readFileSync(file('l.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(unlabelled[0]).toEqual(['sample', 'predicted', 'p(setosa)', 'p(versicolor)', 'p(virginica)']);
    expect(unlabelled).toEqual(labelled.map((row) => row.filter((_, j) => j !== 2)));
    const bare = await runCli(['predict', '--model', file('nl-blobs.npset'), '--data', file('new-x.mat'), '--no-labels']);
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.stdout).not.toMatch(/accuracy|metrics/);
    expect(bare.stdout).toMatch(/\nnote +no labels to compare with: --out FILE writes the predictions, --json prints them\n$/);
  });

  it('refuses --label-column and --y-var with --no-labels, and features that do not fit the model, with exit code 2', async () => {
    const base = (model: string, data: string) => ['predict', '--model', file(model), '--data', file(data), '--no-labels'];
    expectUsageError(
      await runCli([...base('nl-flowers.npset', 'new-header.csv'), '--label-column', 'species']),
      /^npset: Expected no --label-column with --no-labels \(the --data file has no labels\) but received --label-column "species"$/,
    );
    expectUsageError(
      await runCli([...base('nl-flowers.npset', 'new-header.csv'), '--label-column', '5']),
      /Expected no --label-column with --no-labels .* but received --label-column "5"$/,
    );
    expectUsageError(
      await runCli([...base('nl-blobs.npset', 'blobs.mat'), '--y-var', 'Y']),
      /^npset: Expected no --y-var with --no-labels \(the --data file has no labels\) but received --y-var "Y"$/,
    );
    expectUsageError(await runCli([...base('nl-blobs.npset', 'new-two.mat')]), /new-two\.mat: cannot tell which variable holds the features; .*--x-var NAME/);
    expectUsageError(await runCli([...base('nl-blobs.npset', 'new-x.mat'), '--x-var', 'Z']), /new-x\.mat: no variable "Z" \(found: "X" double 90x5\)/);
    expectUsageError(
      await runCli(base('nl-flowers.npset', 'new-six.csv')),
      /Expected 5 features \(the model's inputs\) for --data but received .*new-six\.csv with 6/,
    );
    // A labelled CSV file given with --no-labels: its label column is read as a feature, and refused.
    expectUsageError(
      await runCli(base('nl-flowers.npset', 'flowers.csv')),
      /flowers\.csv: Expected a finite number for line 2, column 6 \("species"\) but received "setosa"$/,
    );
  });
});

describe('more classes than a confusion matrix is built for', () => {
  it('train saves the model and reports no test metrics; predict reports none either', async () => {
    const k = 4097;
    const rows = Array.from({ length: 2 * k }, (_, i) => `${(i * 7) % 13},${(i * 3) % 11},c${i % k}`);
    writeFileSync(file('many.csv'), ['a,b,label', ...rows].join('\n'));
    const trained = await runJson(['train', '--data', file('many.csv'), '--hidden', '4', '--epochs', '1', '--threads', '1', '--save-model', file('many.npset')]);
    expect(trained.json.testMetrics).toBeNull();
    expect(existsSync(file('many.npset'))).toBe(true);
    const summary = await runCli(['train', '--data', file('many.csv'), '--hidden', '4', '--epochs', '1', '--threads', '1']);
    expect(summary.stdout).toMatch(/test metrics +none \(more than 4096 classes\)/);
    const predicted = (await runJson(['predict', '--model', file('many.npset'), '--data', file('many.csv')])).json;
    expect(predicted.metrics).toBeNull();
    expect(predicted.samples).toBe(2 * k);
  });
});

describe('predict --no-labels --header', () => {
  it('reads a numbers-only header as a header only when told', async () => {
    const rows = blobRows(90).map((r) => r.x.join(','));
    writeFileSync(file('years.csv'), ['2019,2020,2021,2022,2023', ...rows].join('\n'));
    const guessed = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('years.csv'), '--no-labels'])).json;
    expect(guessed.samples).toBe(91); // detection takes the line of numbers for a sample
    const told = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('years.csv'), '--no-labels', '--header'])).json;
    expect(told.samples).toBe(90);
    const labelled = (await runJson(['predict', '--model', file('blobs.npset'), '--data', file('blobs.mat')])).json;
    expect(told.predicted).toEqual(labelled.predicted);
  });
});

describe('columns matched by header name', () => {
  it('reorders a CSV file whose columns come in another order, refuses other columns, and goes by position without names', async () => {
    const rows = blobRows(90);
    const cols = ['a', 'b', 'c', 'd', 'e'];
    const perm = [3, 0, 4, 1, 2];
    const csv = (order: number[], names: string[]) =>
      [[...order.map((j) => names[j]), 'species'].join(','), ...rows.map((r) => `${order.map((j) => r.x[j]).join(',')},${SPECIES[r.c]}`)].join('\n');
    writeFileSync(file('named.csv'), csv([0, 1, 2, 3, 4], cols));
    writeFileSync(file('shuffled.csv'), csv(perm, cols));
    writeFileSync(file('renamed.csv'), csv([0, 1, 2, 3, 4], ['a', 'b', 'c', 'd', 'z']));
    await runJson([...TRAIN, '--data', file('named.csv'), '--save-model', file('named.npset')]);
    const same = (await runJson(['predict', '--model', file('named.npset'), '--data', file('named.csv')])).json;
    expect(same.columns).toBe('name');
    const shuffled = (await runJson(['predict', '--model', file('named.npset'), '--data', file('shuffled.csv')])).json;
    expect(shuffled.columns).toBe('reordered');
    expect(shuffled.predicted).toEqual(same.predicted);
    expect(shuffled.correct).toBe(same.correct);
    expectUsageError(
      await runCli(['predict', '--model', file('named.npset'), '--data', file('renamed.csv')]),
      /Expected the 5 columns the model was trained on \(by header name\) for --data but received .*renamed\.csv, whose header has 5: missing "e"; not in the model "z"/,
    );
    // A MAT-file has no column names: by position (blobs.mat holds the same features in the model's order).
    const mat = (await runJson(['predict', '--model', file('named.npset'), '--data', file('blobs.mat')])).json;
    expect(mat.columns).toBe('position');
    expect(mat.predicted).toEqual(same.predicted.map(() => expect.anything()));
  });
});

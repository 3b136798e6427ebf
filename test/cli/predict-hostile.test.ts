/**
 * `npset predict` on files whose labels are of another kind than the model's (numbers written as text, text
 * where the model knows numbers, numbers where it knows names): labels are matched by what they say, never
 * by position; and an --out that cannot be written leaves no temporary file behind.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliTempDir, expectUsageError, ROOT, runCli, runJson } from '../helpers/cli';
import { cellstrSpec, matrixSpec, writeMat } from '../helpers/mat-writer';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

/** 90 samples of 5 features in 3 overlapping blobs, class i % 3 (deterministic). */
const rows = Array.from({ length: 90 }, (_, i) =>
  Array.from({ length: 5 }, (_, j) => (j === i % 3 ? 1.5 : 0) + Math.sin(i * 12.9898 + j * 78.233) * 1.2),
);
const classOf = (i: number) => i % 3;
/** The same features with the labels `names[class]`, numbers or texts. */
function mat(names: (number | string)[]): Uint8Array {
  const labels = rows.map((_, i) => names[classOf(i)]);
  return writeMat([
    matrixSpec('X', rows),
    typeof names[0] === 'number' ? matrixSpec('Y', labels.map((l) => [l as number])) : cellstrSpec('Y', labels as string[]),
  ]);
}

cliTempDir('npset-cli-predict-hostile-', (dir) => {
  tmp = dir;
  // 5 < 10 < 20 as numbers, but "10" < "20" < "5" as texts: matching by position would pair 5 with "10".
  writeFileSync(file('num.mat'), mat([5, 10, 20]));
  writeFileSync(file('num-as-text.mat'), mat(['5', '10', '20']));
  writeFileSync(file('words.mat'), mat(['alpha', 'beta', 'gamma']));
  writeFileSync(file('indices.mat'), mat([0, 1, 2]));
  writeFileSync(file('digits-text.mat'), mat(['1', '2', '3']));
  writeFileSync(file('digits.mat'), mat([1, 2, 3]));
});

const TRAIN = ['train', '--hidden', '16', '--epochs', '4', '--threads', '1', '--seed', '3'];
const predict = async (model: string, data: string) => (await runJson(['predict', '--model', file(model), '--data', file(data)])).json;

describe('npset predict matches labels of another kind by what they say', () => {
  beforeAll(async () => {
    for (const [data, model] of [['num.mat', 'num.npset'], ['words.mat', 'words.npset'], ['digits-text.mat', 'digits-text.npset']]) {
      await runJson([...TRAIN, '--data', file(data), '--save-model', file(model)]);
    }
  });

  it('numbers written as text ("5", "10", "20") match a model of numeric labels by value', async () => {
    const byNumber = await predict('num.npset', 'num.mat');
    const byText = await predict('num.npset', 'num-as-text.mat');
    expect(byText).toMatchObject({ matchedBy: 'value', correct: byNumber.correct, unknownLabels: 0 });
    expect(byText.predicted).toEqual(byNumber.predicted);
  });

  it('words match nothing in a model of numeric labels: every sample is unknown, none is counted correct', async () => {
    const r = await predict('num.npset', 'words.mat');
    expect(r).toMatchObject({ correct: 0, unknownLabels: 90, accuracy: 0 });
    expect(r.matchedBy).not.toBe('index');
  });

  it('numbers match a model of text labels by name: 0, 1, 2 are not its classes, "1" is 1', async () => {
    const r = await predict('words.npset', 'indices.mat');
    expect(r).toMatchObject({ matchedBy: 'name', correct: 0, unknownLabels: 90 });
    const byText = await predict('digits-text.npset', 'digits-text.mat');
    const byNumber = await predict('digits-text.npset', 'digits.mat');
    expect(byText.matchedBy).toBe('name');
    expect(byNumber).toMatchObject({ matchedBy: 'name', correct: byText.correct, unknownLabels: 0 });
  });
});

describe('npset predict --out that cannot be written', () => {
  it.runIf(process.platform === 'linux')('names the file and leaves no temporary file (a file size limit: EFBIG)', () => {
    const out = file('limited.csv');
    // A 4 KiB file size limit with SIGXFSZ ignored: the write fails with EFBIG instead of killing the process.
    const args = ['predict', '--model', file('num.npset'), '--data', file('num.mat'), '--out', out].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `ulimit -f 4; trap '' XFSZ; exec '${process.execPath}' '${CLI}' ${args}`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^npset: cannot write .*limited\\.csv \\(--out\\): EFBIG`));
    expect(readdirSync(tmp).filter((f) => f.startsWith('limited.csv'))).toEqual([]);
  });
});

describe('outputs that are the command\'s own inputs', () => {
  it('refuses --out that is --data or --model, and --save-model that is --data (also through a link), before any work', async () => {
    const data = readFileSync(file('num.mat'));
    const model = readFileSync(file('num.npset'));
    symlinkSync(file('num.mat'), file('link-to-data.mat'));
    const base = ['predict', '--model', file('num.npset'), '--data', file('num.mat'), '--out'];
    expectUsageError(await runCli([...base, file('num.mat')]), /Expected a file other than --data for --out but received .*num\.mat", which is the --data file itself/);
    expectUsageError(await runCli([...base, file('link-to-data.mat')]), /Expected a file other than --data for --out .*which is the --data file itself/);
    expectUsageError(await runCli([...base, file('num.npset')]), /Expected a file other than --model for --out .*which is the --model file itself/);
    const train = [...TRAIN, '--data', file('num.mat'), '--save-model', file('num.mat')];
    expectUsageError(await runCli(train), /Expected a file other than --data for --save-model .*which is the --data file itself/);
    expect(readFileSync(file('num.mat')).equals(data)).toBe(true);
    expect(readFileSync(file('num.npset')).equals(model)).toBe(true);
  });
});

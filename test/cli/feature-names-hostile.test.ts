/**
 * Feature names (a CSV header's column names, saved with a model, matched by npset predict) under hostile inputs:
 * a header of 100k columns in another order is reordered in about the time the same order takes (not quadratic),
 * a header of names too long for the model file's header still leaves train --save-model with a model (names left
 * out, predict by position), and a model file whose saved featureNames are malformed is a ModelFileError.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparseMLP } from '../../lib/model';
import { cliTempDir, runCli, runJson } from '../helpers/cli';
import { modelFileError, withHeader } from '../helpers/model-file';
import { expectValidationError } from '../model/helpers';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

cliTempDir('npset-cli-feature-names-', (dir) => {
  tmp = dir;
});

describe('predict: columns matched by name', () => {
  it('reorders 100k columns by name (a wide file in reverse order gives the same predictions)', async () => {
    const F = 100_000;
    const names = Array.from({ length: F }, (_, j) => `f${j}`);
    const m = await SparseMLP.create({ layers: [F, 4, 2], threads: 1, seed: 1 });
    await m.save(file('wide.npset'), { featureNames: names, labels: [0, 1] });
    m.dispose();
    const rows = Array.from({ length: 3 }, (_, i) => Array.from({ length: F }, (_, j) => ((i * 7 + j) % 11) / 10));
    writeFileSync(file('wide-same.csv'), [names.join(','), ...rows.map((r) => r.join(','))].join('\n'));
    const rev = [...names.keys()].reverse();
    writeFileSync(file('wide-reversed.csv'), [rev.map((j) => names[j]).join(','), ...rows.map((r) => rev.map((j) => r[j]).join(','))].join('\n'));
    const same = (await runJson(['predict', '--model', file('wide.npset'), '--data', file('wide-same.csv'), '--no-labels', '--threads', '1'])).json;
    expect(same.columns).toBe('name');
    const r = await runCli(['predict', '--model', file('wide.npset'), '--data', file('wide-reversed.csv'), '--no-labels', '--threads', '1', '--json'], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const reversed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(reversed.columns).toBe('reordered');
    expect(reversed.predicted).toEqual(same.predicted);
  }, 90_000);
});

describe('train --save-model: feature names', () => {
  it('a header of names too long for the model file header: the model is saved without them (note on stderr), predict goes by position', async () => {
    const F = 40_000;
    const names = Array.from({ length: F }, (_, j) => `gene_${String(j).padStart(6, '0')}_${'x'.repeat(420)}`); // ~17 MB as JSON
    const rows = Array.from({ length: 12 }, (_, i) => `${Array.from({ length: F }, (_, j) => (i * 7 + j) % 5).join(',')},${i % 2}`);
    writeFileSync(file('long-names.csv'), [`${names.join(',')},label`, ...rows].join('\n'));
    const args = ['train', '--data', file('long-names.csv'), '--hidden', '4', '--epochs', '1', '--threads', '1', '--json', '--save-model', file('long-names.npset')];
    const r = await runCli(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: the 40000 feature names of the header are not saved .*match columns by position/);
    expect(existsSync(file('long-names.npset'))).toBe(true);
    const m = await SparseMLP.load(file('long-names.npset'));
    expect(m.saved?.featureNames).toBeNull();
    m.dispose();
    const p = (await runJson(['predict', '--model', file('long-names.npset'), '--data', file('long-names.csv'), '--threads', '1'])).json;
    expect(p.columns).toBe('position');
  }, 90_000);
});

describe('saved featureNames', () => {
  it('save refuses names of the wrong count or kind; load refuses a file whose names are malformed (ModelFileError)', async () => {
    const m = await SparseMLP.create({ layers: [3, 4, 2], threads: 1, seed: 1 });
    await expectValidationError(() => m.save(file('bad.npset'), { featureNames: ['a', 'b'] }), /array of 3 names .*featureNames/);
    await expectValidationError(() => m.save(file('bad.npset'), { featureNames: ['a', 2, 'c'] as unknown as string[] }), /string .*featureNames\[1\]/);
    await m.save(file('named.npset'), { featureNames: ['a', 'a', 'c'] }); // a header may repeat a name
    m.dispose();
    const good = readFileSync(file('named.npset'));
    const forged = (v: unknown) => withHeader(good, (h) => ((h.extras as Record<string, unknown>).featureNames = v));
    for (const [v, why] of [
      [['a', 'b'], /saved featureNames is not valid.*array of 3 names/],
      [['a', 'b', 'c', 'd'], /saved featureNames is not valid.*array of 3 names/],
      [['a', 7, 'c'], /saved featureNames is not valid.*featureNames\[1\]/],
      [['a', null, 'c'], /saved featureNames is not valid.*featureNames\[1\]/],
      ['abc', /saved featureNames is not valid/],
      [{ 0: 'a', 1: 'b', 2: 'c', length: 3 }, /saved featureNames is not valid/],
    ] as const) {
      expect((await modelFileError(file('forged.npset'), forged(v))).message).toMatch(why);
    }
    const back = await SparseMLP.load(file('named.npset'));
    expect(back.saved?.featureNames).toEqual(['a', 'a', 'c']);
    back.dispose();
  });
});

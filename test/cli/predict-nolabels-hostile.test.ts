/**
 * `npset train` then `npset predict --no-labels` on pandas' files of a frame without column names (found by a
 * hostile test round): `DataFrame(np.c_[X, y]).to_csv(index=False)` starts with 0,1,...,n-1 over every column,
 * labels included, and the same frame without y with 0,1,...,n-2. Both are headers: the labelled file used to
 * give a model a made-up class (the header's last cell) trained on a made-up sample, which --no-labels, reading
 * the features file's header as one, then predicted as a class no sample has.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, runCli, runJson } from '../helpers/cli';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

/** 60 samples of 4 features in 2 overlapping blobs, class i % 2 (deterministic). */
const rows = Array.from({ length: 60 }, (_, i) => Array.from({ length: 4 }, (_, j) => (j === i % 2 ? 1.5 : 0) + Math.sin(i * 12.9898 + j * 78.233)));

cliTempDir('npset-cli-predict-nolabels-hostile-', (dir) => {
  tmp = dir;
  writeFileSync(file('pandas.csv'), ['0,1,2,3,4', ...rows.map((r, i) => `${r.join(',')},${i % 2}`)].join('\n'));
  writeFileSync(file('pandas-new.csv'), ['0,1,2,3', ...rows.map((r) => r.join(','))].join('\n'));
});

describe('pandas\' unnamed columns, labelled for train and without labels for predict --no-labels', () => {
  it('trains on 60 samples of 2 classes, and --no-labels predicts the same 60 samples as with labels', async () => {
    const TRAIN = ['train', '--data', file('pandas.csv'), '--hidden', '8', '--epochs', '2', '--threads', '1', '--seed', '1'];
    const { json: trained } = await runJson([...TRAIN, '--save-model', file('p.npset')]);
    expect(trained.testMetrics).toMatchObject({ perClass: [{ label: 0 }, { label: 1 }] });
    const withLabels = (await runJson(['predict', '--model', file('p.npset'), '--data', file('pandas.csv')])).json;
    expect([withLabels.samples, withLabels.unknownLabels, withLabels.layers]).toEqual([60, 0, [4, 8, 2]]);
    const r = await runCli(['predict', '--model', file('p.npset'), '--data', file('pandas-new.csv'), '--no-labels', '--out', file('out.csv'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect([json.samples, json.matchedBy, json.predicted]).toEqual([60, null, withLabels.predicted]);
    const out = readFileSync(file('out.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('sample,predicted,p(0),p(1)');
    expect(out).toHaveLength(61);
  });
});

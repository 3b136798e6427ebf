/** The note for a feature that holds the row numbers: an index or id column saved with the data. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexColumnNote } from '../../lib/cli/checks';
import type { Dataset } from '../../lib/data';
import { cliTempDir, runCli } from '../helpers/cli';

let tmp: string;
cliTempDir('npset-index-note-', (dir) => (tmp = dir));

/** A dataset of `columns` (one array per feature), two classes. */
function data(columns: number[][], featureNames?: string[]): Dataset {
  const samples = columns[0].length;
  const features = columns.length;
  const X = new Float32Array(samples * features);
  columns.forEach((c, f) => c.forEach((v, i) => (X[i * features + f] = v)));
  const y = Int32Array.from({ length: samples }, (_, i) => i % 2);
  return { name: 'd', X, samples, features, y, classes: 2, labels: [0, 1], ...(featureNames ? { featureNames } : {}) };
}

const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
const noise = (n: number) => Array.from({ length: n }, (_, i) => (i * 7) % 5);

describe('indexColumnNote', () => {
  it('names a feature holding 0..n-1 or 1..n in order, by its header name when there is one', () => {
    expect(indexColumnNote(data([noise(12), rows(12, 1)]))).toBe(
      'feature 1 holds the row numbers 1..12, in order: if it is a row index or an id saved with the data, it is no feature; remove that column from the file',
    );
    expect(indexColumnNote(data([rows(10, 0), noise(10)], ['id', 'x']))).toMatch(/^feature 0 \("id"\) holds the row numbers 0\.\.9, in order/);
  });
  it('says nothing for other columns, shuffled row numbers, other starts, or fewer than 10 samples', () => {
    expect(indexColumnNote(data([noise(12), noise(12)]))).toBeNull();
    const shuffled = rows(12, 1);
    [shuffled[3], shuffled[4]] = [shuffled[4], shuffled[3]];
    expect(indexColumnNote(data([shuffled]))).toBeNull();
    expect(indexColumnNote(data([rows(12, 2)]))).toBeNull();
    expect(indexColumnNote(data([rows(9, 1)]))).toBeNull();
    expect(indexColumnNote(data([[...rows(11, 1), 13]]))).toBeNull();
  });
});

describe('npset train on a file with an id column', () => {
  it('prints the note on stderr and still trains', async () => {
    const file = path.join(tmp, 'ids.csv');
    const lines = ['id,a,b,label', ...rows(30, 1).map((i) => `${i},${(i * 7) % 5},${(i * 3) % 4},${i % 2 ? 'x' : 'y'}`)];
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['train', '--data', file, '--hidden', '8', '--epochs', '1', '--threads', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^npset: note: feature 0 \("id"\) holds the row numbers 1\.\.30, in order: .*remove that column from the file$/m);
    expect(JSON.parse(r.stdout).layers).toEqual([3, 8, 2]);
  });
});

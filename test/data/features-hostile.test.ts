/**
 * loadCsvFeatures against loadCsvDataset (found by a hostile test round): the features of a labelled file
 * and the same file without its label column must load to the same X, with the same header decision where
 * the rules can tell it. pandas' default header of a frame without column names, `0,1,...,n-1` over every
 * column (the labels' included), is a header for both loaders: the labelled one read it as a sample, with a
 * made-up class n-1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDataset, loadCsvFeatures } from '../../lib/data/csv';

const dir = mkdtempSync(path.join(tmpdir(), 'npset-features-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(name: string, content: string): string {
  const sub = path.join(dir, String(counter++));
  mkdirSync(sub);
  const file = path.join(sub, name);
  writeFileSync(file, content);
  return file;
}

/** Features 6 x 3 and labels 0/1. */
const X = Array.from({ length: 6 }, (_, i) => [i + 0.5, (i * 5) % 7, 2 - i * 0.25]);
const y = X.map((_, i) => i % 2);
const lines = (withLabels: boolean) => X.map((r, i) => (withLabels ? [...r, y[i]] : r).join(','));

/** The labelled file (`labelled` header) and the same without its last column (`features` header). */
async function both(labelledHeader: string | undefined, featuresHeader: string | undefined) {
  const withHeader = (h: string | undefined, body: string[]) => `${h === undefined ? '' : `${h}\n`}${body.join('\n')}\n`;
  const labelled = await loadCsvDataset(write('l.csv', withHeader(labelledHeader, lines(true))));
  const features = await loadCsvFeatures(write('f.csv', withHeader(featuresHeader, lines(false))));
  return { labelled, features };
}

describe('loadCsvDataset and loadCsvFeatures decide the header alike', () => {
  it('pandas\' DataFrame(np.c_[X, y]).to_csv(index=False): 0,1,2,3 over all columns is a header, not a sample of class 3', async () => {
    const { labelled, features } = await both('0,1,2,3', '0,1,2');
    expect(features.samples).toBe(6);
    expect([labelled.samples, labelled.classes, labelled.labels]).toEqual([6, 2, [0, 1]]);
    expect(labelled.X).toEqual(features.X);
  });

  it('the same with a delimiter ending every line, and with text labels', async () => {
    const trailing = await loadCsvDataset(write('t.csv', `0,1,2,3,\n${lines(true).map((l) => `${l},`).join('\n')}\n`));
    expect([trailing.samples, trailing.labels]).toEqual([6, [0, 1]]);
    const text = await loadCsvDataset(write('s.csv', `0,1,2,3\n${X.map((r, i) => `${r.join(',')},${['setosa', 'virginica'][y[i]]}`).join('\n')}\n`));
    expect([text.samples, text.labelNames]).toEqual([6, ['setosa', 'virginica']]);
  });

  it('names, no header, and pandas\' names with a named label column give the same X', async () => {
    for (const [l, f] of [['a,b,c,y', 'a,b,c'], [undefined, undefined], ['0,1,2,target', '0,1,2'], ['a,NA,c,y', 'a,NA,c']] as const) {
      const { labelled, features } = await both(l, f);
      expect([labelled.samples, features.samples], String(l)).toEqual([6, 6]);
      expect(labelled.X, String(l)).toEqual(features.X);
    }
  });
});

// Inputs of user-controlled size that must give a short, clear error rather than an unbounded message or a
// RangeError of the engine.
//   F9  csv.ts RowBuilder.column(): a header name is put whole (JSON.stringify) into every error about its
//       column: a name of a million characters makes a message of a million characters (and one of ~90 million
//       control characters "Invalid string length", reported as "cannot read the file").
//   F10 csv.ts findColumn(): the label name asked for is quoted whole in its "no column" error.
//   F11 dataset.ts datasetFromArrays(): new Float32Array(samples * features) before the rows are checked, with
//       `features` from the caller ("Invalid typed array length", a RangeError).
//   F12 synthetic.ts makeSyntheticDataset(): new Float32Array(samples * features) unchecked.
//   F18 split.ts allocateTest() (public): no check of its arguments.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, ValidationError } from '../../lib/errors';
import { loadCsvDataset } from '../../lib/data/csv';
import { datasetFromArrays } from '../../lib/data/dataset';
import { makeSyntheticDataset } from '../../lib/data/synthetic';
import { allocateTest } from '../../lib/data/split';

const dir = mkdtempSync(path.join(tmpdir(), 'npset-input-complexity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(file: string, options?: Parameters<typeof loadCsvDataset>[1]): Promise<Error> {
  try {
    await loadCsvDataset(file, options);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the load to fail');
}

describe('CSV errors name long columns briefly', () => {
  it('F9: a bad cell under a header name of 1,000,000 characters', async () => {
    const file = path.join(dir, 'long-name.csv');
    writeFileSync(file, `a,${'b'.repeat(1_000_000)},label\n1,x,0\n2,3,1\n`);
    const e = await loadError(file);
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message).toMatch(/line 2/);
    expect(e.message.length).toBeLessThan(2000);
  });

  it('F10: a label column name of 1,000,000 characters that the header lacks', async () => {
    const file = path.join(dir, 'short-header.csv');
    writeFileSync(file, 'a,b,label\n1,2,0\n2,3,1\n');
    const e = await loadError(file, { label: 'L'.repeat(1_000_000) });
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e.message.length).toBeLessThan(2000);
  });
});

describe('sizes from the caller are checked before allocating', () => {
  it('F11: datasetFromArrays with features 2^40 for rows of one value', () => {
    expect(() => datasetFromArrays('d', [[1], [2]], [0, 1], 2 ** 40)).toThrow(ValidationError);
  });

  it('F12: makeSyntheticDataset of 10^6 x 10^6 values', () => {
    expect(() => makeSyntheticDataset({ samples: 1e6, features: 1e6 })).toThrow(ValidationError);
  });
});

describe('allocateTest checks its arguments (public API)', () => {
  it('F18: class sizes past Int32 sample indices, or a bad test size, are refused (the loop ran 2^39 rounds)', () => {
    expect(() => allocateTest([2 ** 40, 1], 2 ** 39)).toThrow(ValidationError);
    expect(() => allocateTest([2 ** 30, 2 ** 30], 5)).toThrow(/class sizes summing to at most 2147483647/);
    expect(() => allocateTest([3, 4], 8)).toThrow(ValidationError);
    expect(() => allocateTest([3, -1], 1)).toThrow(ValidationError);
    expect(() => allocateTest('34' as unknown as number[], 1)).toThrow(ValidationError);
    expect(Array.from(allocateTest([3, 4], 3))).toEqual([1, 2]);
  });
});

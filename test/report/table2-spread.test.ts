/**
 * Table 2 with a single seed: there is no spread, so the markdown shows the mean alone (no "± 0.00") and
 * table2.csv leaves std empty, as for the Mean rows; with two seeds or more, "mean ± std" as before, even
 * when the std is 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Method } from '../../lib/experiment/methods';
import { findPaperDataset, type PaperDataset } from '../../lib/experiment/paper';
import { PAPER_METHODS } from '../../lib/experiment/reproduce';
import type { RunResult } from '../../lib/experiment/run';
import { hasSpread, table2Rows, writeTables } from '../../lib/report/paper-report';
import { fakeRun } from '../helpers/run-settings';

const LUNG = findPaperDataset('lung_discrete')!;
const YALE = findPaperDataset('Yale')!;

const run = (p: PaperDataset, method: Method, maxTestAccuracy: number, seed = 1): RunResult =>
  fakeRun(p, method, maxTestAccuracy, 1000, 100, seed);

const out = mkdtempSync(path.join(tmpdir(), 'npset-table2-spread-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Table 2 with one seed', () => {
  const runs = [run(LUNG, 'set', 0.92), run(LUNG, 'npset', 0.9), run(YALE, 'set', 0.7)];

  it('shows the mean alone in table2.md, with no "± 0.00"', () => {
    writeTables(out, runs, [LUNG, YALE], PAPER_METHODS);
    const md = readFileSync(path.join(out, 'table2.md'), 'utf8');
    expect(md).not.toContain('±');
    expect(md).toMatch(/\| Lung-discrete \| SET-MLP\s+\|\s+92\.00 \|/);
    expect(md).toMatch(/\| Yale\s+\| SET-MLP\s+\|\s+70\.00 \|/);
  });

  it('leaves table2.csv\'s std empty, as for a Mean row, never 0 or NaN', () => {
    writeTables(out, runs, [LUNG, YALE], PAPER_METHODS);
    const csv = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('dataset,method,mean,std,paper,diff');
    expect(csv.slice(1)).toEqual(['Lung-discrete,set,92,,88,4', 'Lung-discrete,npset,90,,88,2', 'Yale,set,70,,70.91,-0.91']);
    expect(csv.join('\n')).not.toMatch(/NaN/);
  });

  it('keeps the row\'s std at 0 (the sample std of one value) but reports no spread', () => {
    const [row] = table2Rows([run(LUNG, 'set', 0.92)], [LUNG], ['set']);
    expect(row.std).toBe(0);
    expect(hasSpread(row)).toBe(false);
  });
});

describe('Table 2 with two seeds', () => {
  it('shows "mean ± std", also when the std is 0, and writes the std to the CSV', () => {
    const runs = [run(LUNG, 'set', 0.8, 1), run(LUNG, 'set', 0.9, 2), run(LUNG, 'npset', 0.88, 1), run(LUNG, 'npset', 0.88, 2)];
    writeTables(out, runs, [LUNG], PAPER_METHODS);
    const md = readFileSync(path.join(out, 'table2.md'), 'utf8');
    expect(md).toContain('85.00 ± 7.07');
    expect(md).toContain('88.00 ± 0.00');
    const csv = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(csv.slice(1)).toEqual(['Lung-discrete,set,85,7.07,88,-3', 'Lung-discrete,npset,88,0,88,0']);
    // The per-method Mean rows have no spread either way.
    expect(md).toMatch(/\| Mean\s+\| SET-MLP\s+\|\s+85\.00 \|/);
  });
});

/**
 * Unit tests of the reproduction's tables (lib/report/paper-report.ts) on hand-made RunResult objects:
 * mean / sample std over seeds, the paper's numbers and differences, per-method means over datasets,
 * Table 3's sizes and compression rates, and rows left out when a method has no runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Method } from '../../lib/experiment/methods';
import { findPaperDataset, type PaperDataset } from '../../lib/experiment/paper';
import { PAPER_METHODS } from '../../lib/experiment/reproduce';
import type { RunResult } from '../../lib/experiment/run';
import { pairedWithSet, table2Means, table2Rows, table3Rows, writeTables } from '../../lib/report/paper-report';
import { fakeRun } from '../helpers/run-settings';

const LUNG = findPaperDataset('lung_discrete')!;
const YALE = findPaperDataset('Yale')!;
const MADELON = findPaperDataset('madelon')!;


const run = (p: PaperDataset, method: Method, maxTestAccuracy: number, params: number, neurons: number, seed = 1): RunResult =>
  fakeRun(p, method, maxTestAccuracy, params, neurons, seed);

const round2 = (x: number) => Math.round(x * 100) / 100;

describe('pairedWithSet', () => {
  it('averages (method - SET-MLP) over runs of the same dataset and seed, with the standard error', () => {
    const runs = [
      run(LUNG, 'set', 0.8, 1, 1, 1), run(LUNG, 'set', 0.9, 1, 1, 2), run(YALE, 'set', 0.7, 1, 1, 1),
      run(LUNG, 'npset', 0.85, 1, 1, 1), run(LUNG, 'npset', 0.86, 1, 1, 2), run(YALE, 'npset', 0.65, 1, 1, 1),
      // No SET-MLP run of Yale seed 2: this one has no pair.
      run(YALE, 'npset', 0.99, 1, 1, 2),
      run(MADELON, 'direct-set', 0.6, 1, 1, 1),
    ];
    const rows = pairedWithSet(runs, ['set', 'npset', 'direct-set', 'direct-fc']);
    expect(rows.map((r) => r.method)).toEqual(['npset']);
    const diffs = [5, -4, -5];
    const m = diffs.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(diffs.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    expect(rows[0].pairs).toBe(3);
    expect(rows[0].meanDiff).toBeCloseTo(round2(m), 10);
    expect(rows[0].stdError).toBeCloseTo(round2(sd / Math.sqrt(3)), 10);
    const one = pairedWithSet([run(LUNG, 'set', 0.5, 1, 1, 1), run(LUNG, 'npset-1st', 0.75, 1, 1, 1)], ['npset-1st']);
    expect(one).toEqual([{ method: 'npset-1st', pairs: 1, meanDiff: 25, stdError: NaN }]);
  });
});

describe('table2Rows', () => {
  it('averages 100 * maxTestAccuracy over seeds (sample std) and subtracts the paper\'s Table 2 number', () => {
    const runs = [run(LUNG, 'set', 0.8, 13000, 925, 1), run(LUNG, 'set', 0.9, 14000, 925, 2), run(LUNG, 'set', 0.76, 13500, 925, 3)];
    const rows = table2Rows(runs, [LUNG], ['set']);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    const accs = [80, 90, 76];
    const m = (80 + 90 + 76) / 3;
    const sd = Math.sqrt(accs.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    expect(r.dataset).toBe('Lung-discrete');
    expect(r.method).toBe('set');
    expect(r.seeds).toBe(3);
    expect(r.mean).toBeCloseTo(round2(m), 10);
    expect(r.std).toBeCloseTo(round2(sd), 10);
    expect(r.paper).toBe(88);
    expect(r.diff).toBeCloseTo(round2(m - 88), 10);
    expect(r.params).toBe(13500);
    expect(r.neurons).toBe(925);
  });

  it('gives std 0 for a single seed and a positive diff when ours is higher', () => {
    const rows = table2Rows([run(LUNG, 'direct-fc', 0.92, 168693, 879)], [LUNG], ['direct-fc']);
    expect(rows).toEqual([
      { dataset: 'Lung-discrete', method: 'direct-fc', mean: 92, std: 0, seeds: 1, paper: 80, diff: 12, params: 168693, neurons: 879 },
    ]);
  });

  it('rounds the mean of params and neurons over seeds', () => {
    const rows = table2Rows([run(LUNG, 'npset', 0.8, 2000, 450, 1), run(LUNG, 'npset', 0.8, 2003, 455, 2)], [LUNG], ['npset']);
    expect(rows[0].params).toBe(2002); // 2001.5 rounds up
    expect(rows[0].neurons).toBe(453); // 452.5 rounds up
  });

  it('uses each method\'s own paper number and keeps the order datasets x methods', () => {
    const runs = PAPER_METHODS.flatMap((m) => [run(YALE, m, 0.7, 1000, 1000), run(LUNG, m, 0.8, 1000, 900)]);
    const rows = table2Rows(runs, [LUNG, YALE], PAPER_METHODS);
    expect(rows.map((r) => `${r.dataset}/${r.method}`)).toEqual([
      ...PAPER_METHODS.map((m) => `Lung-discrete/${m}`),
      ...PAPER_METHODS.map((m) => `Yale/${m}`),
    ]);
    expect(rows.filter((r) => r.dataset === 'Lung-discrete').map((r) => r.paper)).toEqual([88, 88, 88, 84, 88, 80]);
    expect(rows.filter((r) => r.dataset === 'Yale').map((r) => r.paper)).toEqual([70.91, 74.55, 69.09, 70.91, 69.09, 63.64]);
    for (const r of rows) {
      expect(r.diff).toBeCloseTo(round2(r.mean - r.paper!), 10);
      expect(r.seeds).toBe(1);
    }
  });

  it('leaves out methods and datasets without runs, and ignores runs of datasets not asked for', () => {
    const runs = [run(LUNG, 'set', 0.8, 1, 1), run(LUNG, 'npset', 0.8, 1, 1), run(MADELON, 'set', 0.6, 1, 1)];
    const rows = table2Rows(runs, [LUNG, YALE], PAPER_METHODS);
    expect(rows.map((r) => `${r.dataset}/${r.method}`)).toEqual(['Lung-discrete/set', 'Lung-discrete/npset']);
    expect(table2Rows([], [LUNG], PAPER_METHODS)).toEqual([]);
  });

  it('has no paper number (nor diff) for the Dense-MLP, which is not in Table 2', () => {
    const rows = table2Rows([run(LUNG, 'dense', 0.84, 189600, 925)], [LUNG], ['dense']);
    expect(rows).toHaveLength(1);
    expect(rows[0].paper).toBeNull();
    expect(rows[0].diff).toBeNull();
    expect(rows[0].mean).toBe(84);
  });
});

describe('table2Means', () => {
  it('averages our means and the paper\'s numbers over datasets, per method', () => {
    const runs = [
      run(LUNG, 'set', 0.8, 1, 1, 1),
      run(LUNG, 'set', 0.9, 1, 1, 2),
      run(YALE, 'set', 0.6, 1, 1, 1),
      run(YALE, 'set', 0.7, 1, 1, 2),
      run(LUNG, 'npset', 0.84, 1, 1, 1),
      run(LUNG, 'npset', 0.84, 1, 1, 2),
    ];
    const rows = table2Rows(runs, [LUNG, YALE], PAPER_METHODS);
    const means = table2Means(rows, PAPER_METHODS);
    expect(means.map((r) => r.method)).toEqual(['set', 'npset']);
    const set = means[0];
    expect(set.dataset).toBe('Mean');
    expect(set.mean).toBeCloseTo((85 + 65) / 2, 10);
    expect(set.paper).toBeCloseTo(round2((88 + 70.91) / 2), 10);
    expect(set.diff).toBeCloseTo(round2(75 - round2((88 + 70.91) / 2)), 10);
    expect(set.seeds).toBe(2);
    expect(Number.isNaN(set.std)).toBe(true);
    // npset has runs on Lung-discrete only: the paper's mean is over that dataset only.
    expect(means[1].mean).toBe(84);
    expect(means[1].paper).toBe(88);
    expect(means[1].diff).toBe(-4);
  });

  it('has no paper mean when a row has no paper number', () => {
    const rows = table2Rows([run(LUNG, 'dense', 0.8, 1, 1), run(YALE, 'dense', 0.6, 1, 1)], [LUNG, YALE], ['dense']);
    const [m] = table2Means(rows, ['dense']);
    expect(m.mean).toBe(70);
    expect(m.paper).toBeNull();
    expect(m.diff).toBeNull();
  });

  it('is empty without rows', () => {
    expect(table2Means([], PAPER_METHODS)).toEqual([]);
  });
});

describe('table3Rows', () => {
  it('computes FC sizes from the paper\'s layer sizes and compression rates from the mean SET / NPSET params', () => {
    const runs = [
      run(LUNG, 'set', 0.8, 13000, 925, 1),
      run(LUNG, 'set', 0.8, 14001, 925, 2),
      run(LUNG, 'npset', 0.8, 2400, 457, 1),
      run(LUNG, 'npset', 0.8, 2600, 460, 2),
      run(LUNG, 'direct-fc', 0.8, 99999, 111, 1),
    ];
    const rows = table3Rows(runs, [LUNG]);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    expect(r.dataset).toBe('Lung-discrete');
    expect(r.paramsFC).toBe(325 * 300 + 300 * 300 + 300 * 7);
    expect(r.paramsFC).toBe(189600);
    expect(r.neuronsFC).toBe(325 + 300 + 300);
    expect(r.paramsSET).toBe(13501); // 13500.5 rounded
    expect(r.paramsNPSET).toBe(2500);
    expect(r.neuronsSET).toBe(925);
    expect(r.neuronsNPSET).toBe(459); // 458.5 rounded
    expect(r.compressionSET).toBeCloseTo(Math.round((189600 / 13501) * 10) / 10, 10);
    expect(r.compressionSET).toBeCloseTo(14, 10);
    expect(r.compressionNPSET).toBeCloseTo(75.8, 10);
    expect(r.paper).toEqual({
      paramsFC: 189600, paramsSET: 13446, paramsNPSET: 2447, neuronsFC: 925, neuronsSET: 925, neuronsNPSET: 457, compressionSET: 14, compressionNPSET: 77,
    });
  });

  it('matches the paper\'s FC sizes for every paper dataset', () => {
    for (const p of [LUNG, YALE, MADELON]) {
      const [r] = table3Rows([run(p, 'set', 0.5, 100, 1), run(p, 'npset', 0.5, 50, 1)], [p]);
      expect(r.paramsFC, p.key).toBe(p.table3.paramsFC);
      expect(r.neuronsFC, p.key).toBe(p.table3.neuronsFC);
      expect(r.compressionSET).toBeCloseTo(Math.round((p.table3.paramsFC / 100) * 10) / 10, 10);
      expect(r.compressionNPSET).toBeCloseTo(Math.round((p.table3.paramsFC / 50) * 10) / 10, 10);
    }
  });

  it('leaves out a dataset without SET runs or without NPSET runs', () => {
    const runs = [run(LUNG, 'set', 0.8, 13000, 925), run(YALE, 'npset', 0.7, 8000, 1400), run(MADELON, 'npset-1st', 0.7, 1, 1)];
    expect(table3Rows(runs, [LUNG, YALE, MADELON])).toEqual([]);
    const both = [...runs, run(YALE, 'set', 0.7, 47000, 3024)];
    expect(table3Rows(both, [LUNG, YALE, MADELON]).map((r) => r.dataset)).toEqual(['Yale']);
  });
});

describe('writeTables', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'npset-tables-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes table2.csv with dataset,method,mean,std,paper,diff and table3.csv with the paper beside ours', () => {
    const runs = [
      run(LUNG, 'set', 0.8, 13000, 925, 1),
      run(LUNG, 'set', 0.9, 14000, 925, 2),
      run(LUNG, 'npset', 0.88, 2500, 457, 1),
      run(LUNG, 'npset', 0.88, 2500, 457, 2),
    ];
    const { table2, table3, means, paired } = writeTables(out, runs, [LUNG], PAPER_METHODS);
    expect(paired).toEqual([{ method: 'npset', pairs: 2, meanDiff: 3, stdError: 5 }]);
    expect(table2).toHaveLength(2);
    expect(table3).toHaveLength(1);
    expect(means).toHaveLength(2);
    const t2 = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(t2[0]).toBe('dataset,method,mean,std,paper,diff');
    expect(t2.slice(1)).toEqual(['Lung-discrete,set,85,7.07,88,-3', 'Lung-discrete,npset,88,0,88,0']);
    const t3 = readFileSync(path.join(out, 'table3.csv'), 'utf8').trim().split('\n');
    const header = t3[0].split(',');
    const values = t3[1].split(',');
    const rec = Object.fromEntries(header.map((h, i) => [h, values[i]]));
    expect(rec).toMatchObject({
      dataset: 'Lung-discrete',
      paramsFC: '189600',
      paper_paramsFC: '189600',
      paramsSET: '13500',
      paper_paramsSET: '13446',
      paramsNPSET: '2500',
      paper_paramsNPSET: '2447',
      neuronsNPSET: '457',
      paper_neuronsNPSET: '457',
      paper_compressionNPSET: '77',
    });
    const md2 = readFileSync(path.join(out, 'table2.md'), 'utf8');
    expect(md2).toContain('SET-MLP');
    expect(md2).toContain('| Mean');
    expect(md2).toContain('## Against SET-MLP, paired by dataset and seed');
    expect(md2).toMatch(/\| NPSET-MLP\s+\|\s+2 \|\s+\+3\.00 \|\s+5\.00 \|/);
    expect(readFileSync(path.join(out, 'table3.md'), 'utf8')).toContain('13,500 (13,446)');
  });
});

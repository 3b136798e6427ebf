/**
 * table2.md and table3.md say how their runs were made: a line under the title with the number of seeds
 * (and which) and the epochs per run; table3.md adds a note when the NPSET runs ended before the last
 * pruning step (epochs <= beta + gamma), whose sizes are then not comparable with the paper's. The tables
 * themselves are unchanged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Method } from '../../lib/experiment/methods';
import { findPaperDataset, type PaperDataset } from '../../lib/experiment/paper';
import { PAPER_METHODS } from '../../lib/experiment/reproduce';
import type { RunResult } from '../../lib/experiment/run';
import { seedRanges, table2Markdown, table2Means, table2Rows, table3Markdown, table3Rows, writeTables } from '../../lib/report/paper-report';
import { fakeRun } from '../helpers/run-settings';

const LUNG = findPaperDataset('lung_discrete')!;
const YALE = findPaperDataset('Yale')!;

/** A run of `epochs` epochs with the paper's beta 10 and gamma 40. */
const run = (p: PaperDataset, method: Method, seed: number, epochs: number, acc = 0.9): RunResult => {
  const r = fakeRun(p, method, acc, method === 'npset' ? 2500 : 13500, method === 'npset' ? 457 : 925, seed);
  return { ...r, epochs, settings: { ...r.settings, epochs } };
};
const runsOf = (seeds: number[], epochs: number, datasets = [LUNG]): RunResult[] =>
  datasets.flatMap((p) => seeds.flatMap((s) => [run(p, 'set', s, epochs, 0.8 + s / 100), run(p, 'npset', s, epochs, 0.85 + s / 100)]));

const out = mkdtempSync(path.join(tmpdir(), 'npset-table-provenance-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const read = (f: string) => readFileSync(path.join(out, f), 'utf8');

describe('seedRanges', () => {
  it('writes consecutive seeds as ranges, in ascending order', () => {
    expect(seedRanges([1, 2, 3])).toBe('1-3');
    expect(seedRanges([3, 1, 2, 5, 7, 8])).toBe('1-3, 5, 7-8');
    expect(seedRanges([4])).toBe('4');
  });
});

describe('table2.md and table3.md state the seeds and epochs of their runs', () => {
  it('3 seeds of 100 epochs: one line under each title, the tables byte-identical otherwise', () => {
    const runs = runsOf([1, 2, 3], 100, [LUNG, YALE]);
    writeTables(out, runs, [LUNG, YALE], PAPER_METHODS);
    const t2 = table2Rows(runs, [LUNG, YALE], PAPER_METHODS);
    const t3 = table3Rows(runs, [LUNG, YALE]);
    const md2 = read('table2.md');
    expect(md2.startsWith(
      '# Table 2: maximum test accuracy (%)\n\nMean and standard deviation over 3 seeds (1-3), 100 epochs per run.\n\n' +
        table2Markdown(t2, table2Means(t2, PAPER_METHODS)),
    )).toBe(true);
    expect(read('table3.md')).toBe(
      '# Table 3: parameters, neurons and compression rates (ours, paper in brackets)\n\nMeans over 3 seeds (1-3), 100 epochs per run.\n\n' +
        table3Markdown(t3),
    );
  });

  it('uses the runs\' own seeds and epochs (seeds 2 and 4, 60 epochs)', () => {
    writeTables(out, runsOf([2, 4], 60), [LUNG], PAPER_METHODS);
    expect(read('table2.md')).toContain('\n\nMean and standard deviation over 2 seeds (2, 4), 60 epochs per run.\n\n');
    expect(read('table3.md')).toContain('\n\nMeans over 2 seeds (2, 4), 60 epochs per run.\n\n');
  });

  it('one seed: no standard deviation claimed', () => {
    writeTables(out, runsOf([1], 100), [LUNG], PAPER_METHODS);
    const md2 = read('table2.md');
    expect(md2).toContain('\n\nMaximum test accuracy of 1 seed (1), 100 epochs per run (no standard deviation with one seed).\n\n');
    expect(md2).not.toContain('±');
    expect(read('table3.md')).toContain('\n\nSizes of 1 seed (1), 100 epochs per run.\n\n');
  });

  it('an unfinished reproduction: says that some rows have fewer seeds', () => {
    // Seed 2 of Lung-discrete finished SET only.
    writeTables(out, [...runsOf([1], 100), run(LUNG, 'set', 2, 100)], [LUNG], PAPER_METHODS);
    expect(read('table2.md')).toContain('over 2 seeds (1-2), 100 epochs per run. Some rows have runs of fewer seeds (the reproduction did not finish).');
  });
});

describe('table3.md notes NPSET runs too short for every pruning step', () => {
  const note = /^Note: the runs ended after (\d+) epochs?, before NPSET's last pruning at epoch beta \+ gamma = 50 \(counted from 0; all 41 prunings need 51 epochs or more\), so NPSET's neurons, parameters and compression are not those of the paper's schedule/m;

  it.each([12, 50])('%i epochs: a note under the caption, the table unchanged', (epochs) => {
    const runs = runsOf([1, 2], epochs);
    writeTables(out, runs, [LUNG], PAPER_METHODS);
    const md3 = read('table3.md');
    expect(md3).toMatch(note);
    expect(note.exec(md3)![1]).toBe(String(epochs));
    expect(md3.endsWith(`\n\n${table3Markdown(table3Rows(runs, [LUNG]))}`)).toBe(true);
    // Table 2 gets no such note.
    expect(read('table2.md')).not.toContain('Note:');
  });

  it.each([51, 100])('%i epochs: no note', (epochs) => {
    writeTables(out, runsOf([1, 2], epochs), [LUNG], PAPER_METHODS);
    expect(read('table3.md')).not.toContain('Note:');
  });
});

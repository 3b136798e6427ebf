// Tables and captions of many rows: widths and epoch ranges were taken with Math.max(...list) /
// Math.min(...list), a RangeError (Maximum call stack size exceeded) past ~120,000 arguments.
//   F6 table.ts widths(): Math.max(min, ...cells.map(...)) over the rows (toPlainTable, toMarkdown).
//   F7 paper-report.ts seedsAndEpochs(): Math.min(...epochs) / Math.max(...epochs) over the runs.
import { describe, expect, it } from 'vitest';
import { toMarkdown, toPlainTable } from '../../lib/report/table';
import { renderFacetedLineChart } from '../../lib/report/plot';
import { table2Caption, table3Caption, type Table2Row, type Table3Row } from '../../lib/report/paper-report';
import type { RunResult } from '../../lib/experiment/run';

const ROWS = 300_000;

describe('tables of hundreds of thousands of rows', () => {
  const columns = [
    { key: 'i', header: 'index', align: 'right' as const },
    { key: 'name', header: 'name' },
  ];
  const rows = Array.from({ length: ROWS }, (_, i) => ({ i, name: i === ROWS - 1 ? 'the widest cell' : 'x' }));

  it('F6: toPlainTable pads every row to the widest cell', () => {
    const lines = toPlainTable(columns, rows).trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 2);
    expect(lines[1]).toBe(`${'-'.repeat(String(ROWS - 1).length)}  ${'-'.repeat('the widest cell'.length)}`);
  });

  it('F6: toMarkdown pads every row to the widest cell', () => {
    const lines = toMarkdown(columns, rows).trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 2);
    expect(lines[2]).toBe(`| ${' '.repeat(String(ROWS - 1).length - 1)}0 | x${' '.repeat('the widest cell'.length - 1)} |`);
  });
});

describe('captions over hundreds of thousands of runs', () => {
  const runs = Array.from({ length: ROWS }, (_, i) => ({
    dataset: 'D', method: i % 2 ? 'set' : 'npset', seed: i, maxTestAccuracy: 0.5, params: 10, neurons: 10,
    settings: { epochs: 100 + (i % 3), beta: 10, gamma: 40 },
  })) as unknown as RunResult[];

  it('F7: table2Caption gives the range of epochs', () => {
    const rows = [{ dataset: 'D', method: 'set', seeds: ROWS / 2 }, { dataset: 'D', method: 'npset', seeds: ROWS / 2 }] as Table2Row[];
    expect(table2Caption(runs, rows)).toContain('100-102 epochs per run');
  });

  it('F7: table3Caption gives the range of epochs', () => {
    expect(table3Caption(runs, [{ dataset: 'D' }] as Table3Row[])).toContain('100-102 epochs per run');
  });
});

describe('charts of very many panels', () => {
  it('F16: a repeated title among 100,000 panels is found at once (a list search per panel took seconds)', async () => {
    const panels = Array.from({ length: 100_000 }, (_, i) => ({ title: `p${i}`, series: [{ name: 's', points: [{ x: 0, y: 0 }] }] }));
    panels.push({ title: 'p5', series: [{ name: 's', points: [{ x: 0, y: 0 }] }] });
    await expect(renderFacetedLineChart({ xTitle: 'x', yTitle: 'y', panels })).rejects.toThrow(/unique panel titles .*"p5" twice/);
  });
});

/**
 * `npset reproduce` as a child process, kept small (Lung-discrete only, 12 epochs, 2 seeds, 1 thread):
 * the --json summary against the files it writes, a data directory without the paper's files, a paper
 * file that fails to load, and option errors.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/experiment/run';
import { cliTempDir, runCli, runJson, withoutNotes, type CliResult } from '../helpers/cli';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

const LUNG_FILE = lungFile();
const HAVE_LUNG = hasDataDir() && existsSync(LUNG_FILE);
const METHODS = ['set', 'npset', 'npset-1st', 'npset-2nd', 'direct-set', 'direct-fc'];

let tmp: string;
cliTempDir('npset-cli-reproduce-', (dir) => (tmp = dir));

const lungDir = (name: string): string => lungDataDir(tmp, name);

function csvRecords(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const keys = lines[0].split(',');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

interface Summary {
  out: string;
  datasets: string[];
  failed: { dataset: string; file: string; message: string }[];
  methods: string[];
  seeds: number;
  epochs: number;
  rows: { dataset: string; method: string; mean: number; std: number | null; paper: number | null; params: number; neurons: number }[];
}

describe.skipIf(!HAVE_LUNG)('npset reproduce --json on Lung-discrete', () => {
  let out: string;
  let summary: Summary;
  let run: CliResult;

  beforeAll(async () => {
    out = path.join(tmp, 'out');
    const r = await runJson(['reproduce', '--data-dir', lungDir('data'), '--seeds', '2', '--epochs', '12', '--out', out, '--threads', '1']);
    summary = r.json as unknown as Summary;
    run = r.result;
  });

  it('prints one JSON summary with out, datasets, methods, seeds, epochs and one row per method', () => {
    expect(run.status).toBe(0);
    expect(withoutNotes(run.stderr)).toBe('');
    expect(run.stderr).toMatch(/^npset: note: --epochs 12 ends before NPSET's last pruning \(epoch 51\): 2 of the 41 prunings will run/);
    expect(summary.out).toBe(path.resolve(out));
    expect(summary.datasets).toEqual(['Lung-discrete']);
    expect(summary.methods).toEqual(METHODS);
    expect(summary.seeds).toBe(2);
    expect(summary.epochs).toBe(12);
    expect(summary.failed).toEqual([]);
    expect(summary.rows.map((r) => r.method)).toEqual(METHODS);
    for (const row of summary.rows) {
      expect(Object.keys(row).sort(), row.method).toEqual(['dataset', 'mean', 'method', 'neurons', 'params', 'paper', 'std'].sort());
      expect(row.dataset).toBe('Lung-discrete');
      expect(row.mean).toBeGreaterThanOrEqual(0);
      expect(row.mean).toBeLessThanOrEqual(100);
      expect(row.std).toBeGreaterThanOrEqual(0);
    }
    expect(summary.rows.map((r) => r.paper)).toEqual([88, 88, 88, 84, 88, 80]);
  });

  it('writes every output file', () => {
    for (const f of ['table2.md', 'table2.csv', 'table3.md', 'table3.csv', 'figure1.svg', 'figure2.svg', 'results.json']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    for (const f of ['figure1.svg', 'figure2.svg']) {
      const svg = readFileSync(path.join(out, f), 'utf8');
      expect(svg.startsWith('<svg'), f).toBe(true);
      expect(svg, f).toContain('<path');
    }
  });

  it('agrees with table2.csv and with the runs of results.json', () => {
    const t2 = csvRecords(path.join(out, 'table2.csv'));
    expect(readFileSync(path.join(out, 'table2.csv'), 'utf8').split('\n')[0]).toBe('dataset,method,mean,std,paper,diff');
    const runs = (JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { runs: RunResult[] }).runs;
    expect(runs).toHaveLength(13);
    for (const row of summary.rows) {
      const csv = t2.find((r) => r.method === row.method)!;
      expect(Number(csv.mean), row.method).toBe(row.mean);
      expect(Number(csv.std), row.method).toBe(row.std);
      expect(Number(csv.paper), row.method).toBe(row.paper);
      const rs = runs.filter((r) => r.method === row.method);
      expect(rs.map((r) => r.seed).sort()).toEqual([1, 2]);
      const accMean = (100 * (rs[0].maxTestAccuracy + rs[1].maxTestAccuracy)) / 2;
      expect(row.mean, row.method).toBeCloseTo(Math.round(accMean * 100) / 100, 9);
      expect(Number(csv.diff), row.method).toBeCloseTo(Math.round((accMean - row.paper!) * 100) / 100, 9);
      expect(row.params, row.method).toBe(Math.round((rs[0].params + rs[1].params) / 2));
      expect(row.neurons, row.method).toBe(Math.round((rs[0].neurons + rs[1].neurons) / 2));
    }
    // 12 epochs: prunings at the start of epochs 10 and 11 (300 -> 288 -> 277).
    expect(summary.rows.find((r) => r.method === 'npset')!.neurons).toBe(325 + 277 + 277);
    expect(summary.rows.find((r) => r.method === 'set')!.neurons).toBe(925);
  });
});

describe('npset reproduce with a data directory without the paper\'s files', () => {
  it('exits 2 with one npset: line naming the files it looked for', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'other.mat'), 'x');
    const r = await runCli(['reproduce', '--data-dir', empty, '--out', path.join(tmp, 'out-empty'), '--json']);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npset: /);
    expect(lines[0]).toContain('lung_discrete.mat');
    expect(lines[0]).toContain('madelon.mat');
    // Where such files come from, and how to name another directory.
    expect(lines[0]).toMatch(/ASU feature selection repository, featureselection\.asu\.edu, .*--data-dir/);
    expect(lines[0]).toContain(empty);
    // BUG: findPaperFiles throws a plain NpsetError (code ERR_NPSET_NO_DATASETS), which reportError
    // treats as an unexpected error: "npset: unexpected error: ..." and exit code 1.
    expect(lines[0]).not.toContain('unexpected error');
    expect(r.status).toBe(2);
  });

  it('exits 2 naming a data directory that does not exist', async () => {
    const missing = path.join(tmp, 'missing-dir');
    const r = await runCli(['reproduce', '--data-dir', missing, '--out', path.join(tmp, 'out-missing')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^npset: /);
    expect(r.stderr).toContain(missing);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 on bad options (--seeds 0, unknown --datasets)', async () => {
    const a = await runCli(['reproduce', '--seeds', '0', '--data-dir', tmp]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--seeds');
    const c = await runCli(['reproduce', '--first-seed', '-1', '--data-dir', tmp]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/for --first-seed but received -1/);
    const b = await runCli(['reproduce', '--datasets', 'mnist', '--data-dir', tmp]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('--datasets');
    expect(b.stderr).toContain('mnist');
  });
});

describe.skipIf(!HAVE_LUNG)('npset reproduce with a paper file that fails to load', () => {
  it('names the file on stderr, exits 0 and still tabulates Lung-discrete', async () => {
    const dir = lungDir('data-garbage');
    writeFileSync(path.join(dir, 'Yale.mat'), Buffer.from('garbage, not a MAT-file \x00\xff\x13\x37'.repeat(8), 'latin1'));
    const out = path.join(tmp, 'out-garbage');
    const { json, result } = await runJson([
      'reproduce', '--data-dir', dir, '--seeds', '1', '--epochs', '2', '--out', out, '--threads', '1', '--no-figures',
    ]);
    const summary = json as unknown as Summary;
    expect(result.stderr).toContain('Yale.mat');
    expect(result.stderr).toMatch(/^npset: .*Yale/m);
    expect(summary.datasets).toEqual(['Lung-discrete']);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0].dataset).toBe('Yale');
    expect(summary.failed[0].file).toBe(path.join(dir, 'Yale.mat'));
    expect(summary.rows.map((r) => `${r.dataset}/${r.method}`)).toEqual(METHODS.map((m) => `Lung-discrete/${m}`));
    expect(csvRecords(path.join(out, 'table2.csv')).map((r) => r.dataset)).toEqual(METHODS.map(() => 'Lung-discrete'));
    expect(csvRecords(path.join(out, 'table3.csv')).map((r) => r.dataset)).toEqual(['Lung-discrete']);
    const saved = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { failed: { dataset: string }[]; runs: unknown[] };
    expect(saved.failed.map((f) => f.dataset)).toEqual(['Yale']);
    expect(saved.runs).toHaveLength(6);
    // One seed: no spread. The JSON's std is null and table2.csv's is empty (not 0), and table2.md shows
    // the mean alone (no "± 0.00").
    for (const row of summary.rows) expect(row.std, row.method).toBeNull();
    expect(csvRecords(path.join(out, 'table2.csv')).map((r) => r.std)).toEqual(METHODS.map(() => ''));
    expect(readFileSync(path.join(out, 'table2.md'), 'utf8')).not.toContain('±');
  });
});

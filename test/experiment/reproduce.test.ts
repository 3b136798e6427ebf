/**
 * `reproduce()` (lib/experiment/reproduce.ts) on the real Lung-discrete file, kept small (12 epochs, 2
 * prunings, 2 seeds, 1 thread): the files it writes through the CLI's report callback, Tables 2-3 against
 * results.json and the paper, the runs and their settings, Figure 1, a data directory without paper
 * files, a paper file that fails to load, and results on disk after an abort.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, NpsetError } from '../../lib/errors';
import { findPaperDataset } from '../../lib/experiment/paper';
import {
  FIGURE2_DATASETS,
  PAPER_METHODS,
  reproduce,
  type ReproduceEvent,
  type ReproduceResult,
} from '../../lib/experiment/reproduce';
import type { RunResult } from '../../lib/experiment/run';
import { figure1Svg, figure2Svg, writeTables } from '../../lib/report/paper-report';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

const LUNG_FILE = lungFile();
const HAVE_LUNG = hasDataDir() && existsSync(LUNG_FILE);
const LUNG = findPaperDataset('lung_discrete')!;
const EPOCHS = 12;
const SEEDS = 2;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'npset-reproduce-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const lungDir = (name: string): string => lungDataDir(tmp, name);

/** What lib/cli/reproduce.ts writes after each run (tables) and at the end (figures). */
function writeReport(out: string, calls: boolean[]) {
  return async (r: ReproduceResult, final: boolean): Promise<void> => {
    calls.push(final);
    writeTables(out, r.runs, r.datasets, PAPER_METHODS);
    if (!final) return;
    if (r.figure1) writeFileSync(path.join(out, 'figure1.svg'), await figure1Svg(r.figure1));
    const names = r.datasets.filter((d) => FIGURE2_DATASETS.includes(d.key)).map((d) => d.displayName);
    const fig2 = await figure2Svg(r.runs, names);
    if (fig2) writeFileSync(path.join(out, 'figure2.svg'), fig2);
  };
}

function readCsv(file: string): { header: string; records: Record<string, string>[] } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const keys = lines[0].split(',');
  return { header: lines[0], records: lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v]))) };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Hidden size after the NPSET prunings at the start of epochs beta..beta+gamma that fall within `epochs`. */
function hiddenAfterPruning(n: number, epochs: number, alpha = 0.04, beta = 10, gamma = 40): number {
  for (let e = 0; e < epochs; e++) if (e >= beta && e <= beta + gamma) n -= Math.floor(alpha * n);
  return n;
}

interface ResultsJson {
  settings: Record<string, unknown>;
  seeds: number[];
  failed: unknown[];
  figure1: { removed: number; fraction: number; testAccuracy: number }[] | null;
  runs: RunResult[];
}

describe.skipIf(!HAVE_LUNG)('reproduce() on Lung-discrete (12 epochs, 2 seeds, 1 thread)', () => {
  let out: string;
  let result: ReproduceResult;
  let json: ResultsJson;
  const events: ReproduceEvent[] = [];
  const calls: boolean[] = [];

  beforeAll(async () => {
    out = path.join(tmp, 'out-full');
    result = await reproduce(
      { dataDir: lungDir('data-full'), out, seeds: SEEDS, epochs: EPOCHS, threads: 1, onEvent: (e) => events.push(e) },
      writeReport(out, calls),
    );
    json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;
  });

  it('writes the tables, both figures and results.json', () => {
    for (const f of ['table2.md', 'table2.csv', 'table3.md', 'table3.csv', 'figure1.svg', 'figure2.svg', 'results.json']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temporary file of the atomic writes left
  });

  it('calls the report callback after every run and once more, last, with final = true', () => {
    expect(calls).toHaveLength(2 * 6 + 1 + 1);
    expect(calls.slice(0, -1).every((f) => f === false)).toBe(true);
    expect(calls[calls.length - 1]).toBe(true);
  });

  it('announces the total of runs and counts them as they end', () => {
    expect(events[0]).toEqual({ type: 'start', totalRuns: 13, datasets: ['Lung-discrete'] });
    const ends = events.filter((e): e is Extract<ReproduceEvent, { type: 'run-end' }> => e.type === 'run-end');
    expect(ends.map((e) => e.done)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(ends.every((e) => e.total === 13)).toBe(true);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(13 * EPOCHS);
    expect(events.some((e) => e.type === 'dataset-error')).toBe(false);
  });

  it('results.json holds 2 seeds x 6 methods and one Dense-MLP run, and matches the returned result', () => {
    expect(json.runs).toHaveLength(SEEDS * 6 + 1);
    expect(json.seeds).toEqual([1, 2]);
    expect(json.failed).toEqual([]);
    for (const seed of [1, 2]) {
      const methods = json.runs.filter((r) => r.seed === seed && r.method !== 'dense').map((r) => r.method);
      expect([...methods].sort()).toEqual([...PAPER_METHODS].sort());
    }
    const dense = json.runs.filter((r) => r.method === 'dense');
    expect(dense).toHaveLength(1);
    expect(dense[0].seed).toBe(1);
    expect(dense[0].layers).toEqual([325, 300, 300, 7]);
    expect(dense[0].params).toBe(189600);
    expect(result.runs.map((r) => `${r.method}/${r.seed}`)).toEqual(json.runs.map((r) => `${r.method}/${r.seed}`));
    expect(result.datasets).toEqual([LUNG]);
    expect(result.seeds).toEqual([1, 2]);
  });

  it('records the reproduction\'s settings, the seed and a full history in every run', () => {
    expect(json.settings).toMatchObject({
      epochs: EPOCHS, epsilon: 10, weightDecay: 0, dropout: 0, learningRate: 0.01, momentum: 0.9, batchSize: 8,
      zeta: 0.3, alpha: 0.04, beta: 10, gamma: 40, criterion: 'out-degree', weightInit: 'normal', threads: 1,
    });
    for (const r of json.runs) {
      const tag = `${r.method}/${r.seed}`;
      expect(r.dataset, tag).toBe('Lung-discrete');
      // The sparse methods start from the reference SET code's N(0, 0.1²); the dense ones from He-uniform.
      const weightInit = r.method === 'direct-fc' || r.method === 'dense' ? 'he-uniform' : 'normal';
      expect(r.settings, tag).toMatchObject({ ...json.settings, seed: r.seed, weightInit });
      expect(r.epochs, tag).toBe(EPOCHS);
      expect(r.history, tag).toHaveLength(EPOCHS);
      expect(r.history.map((h) => h.epoch), tag).toEqual(Array.from({ length: EPOCHS }, (_, i) => i));
      expect(r.trainSamples + r.testSamples, tag).toBe(73);
      expect(r.testSamples, tag).toBe(25);
      for (const h of r.history) {
        expect(h.testAccuracy).toBeGreaterThanOrEqual(0);
        expect(h.testAccuracy).toBeLessThanOrEqual(1);
      }
      expect(r.maxTestAccuracy, tag).toBe(Math.max(...r.history.map((h) => h.testAccuracy)));
      expect(r.history[r.maxTestEpoch].testAccuracy, tag).toBe(r.maxTestAccuracy);
      expect(r.testAccuracy, tag).toBe(r.history[EPOCHS - 1].testAccuracy);
      expect(r.history[EPOCHS - 1].neurons, tag).toEqual(r.layers);
      expect(r.neurons, tag).toBe(r.layers.slice(0, -1).reduce((a, b) => a + b, 0));
    }
  });

  it('prunes only within the epochs run: NPSET both hidden layers, 1st / 2nd NPSET one of them', () => {
    const h = hiddenAfterPruning(300, EPOCHS);
    expect(h).toBe(277);
    const layersOf = (m: string) => json.runs.filter((r) => r.method === m).map((r) => r.layers);
    for (const l of layersOf('npset')) expect(l).toEqual([325, h, h, 7]);
    for (const l of layersOf('npset-1st')) expect(l).toEqual([325, h, 300, 7]);
    for (const l of layersOf('npset-2nd')) expect(l).toEqual([325, 300, h, 7]);
    for (const l of layersOf('set')) expect(l).toEqual([325, 300, 300, 7]);
    const npset = json.runs.find((r) => r.method === 'npset')!;
    expect(npset.neuronsPerEpoch).toHaveLength(EPOCHS);
    expect(npset.paramsPerEpoch).toHaveLength(EPOCHS);
    expect(npset.neuronsPerEpoch![9]).toEqual([300, 300]);
    expect(npset.neuronsPerEpoch![EPOCHS - 1]).toEqual([h, h]);
  });

  it('builds direct-SET and direct-FC with the final hidden sizes of the NPSET run of the same seed', () => {
    for (const seed of [1, 2]) {
      const npset = json.runs.find((r) => r.method === 'npset' && r.seed === seed)!;
      const hidden = npset.layers.slice(1, -1);
      for (const m of ['direct-set', 'direct-fc']) {
        const r = json.runs.find((x) => x.method === m && x.seed === seed)!;
        expect(r.settings.hidden, `${m}/${seed}`).toEqual(hidden);
        expect(r.layers, `${m}/${seed}`).toEqual([325, ...hidden, 7]);
      }
      const fc = json.runs.find((x) => x.method === 'direct-fc' && x.seed === seed)!;
      expect(fc.params).toBe(325 * hidden[0] + hidden[0] * hidden[1] + hidden[1] * 7);
      for (const m of ['set', 'npset', 'npset-1st', 'npset-2nd']) {
        expect(json.runs.find((x) => x.method === m && x.seed === seed)!.settings.hidden).toEqual([300, 300]);
      }
    }
  });

  it('table2.csv: one row per method with our mean / std over seeds, the paper\'s number and the difference', () => {
    const { header, records } = readCsv(path.join(out, 'table2.csv'));
    expect(header).toBe('dataset,method,mean,std,paper,diff');
    expect(records.map((r) => r.method)).toEqual([...PAPER_METHODS]);
    const paper: Record<string, number> = { set: 88, npset: 88, 'npset-1st': 88, 'npset-2nd': 84, 'direct-set': 88, 'direct-fc': 80 };
    for (const rec of records) {
      const accs = json.runs.filter((r) => r.method === rec.method).map((r) => 100 * r.maxTestAccuracy);
      expect(accs, rec.method).toHaveLength(SEEDS);
      const m = mean(accs);
      expect(rec.dataset).toBe('Lung-discrete');
      expect(Number(rec.paper), rec.method).toBe(paper[rec.method]);
      expect(Number(rec.mean), rec.method).toBeCloseTo(round(m), 9);
      expect(Number(rec.std), rec.method).toBeCloseTo(round(sampleStd(accs)), 9);
      expect(Number(rec.diff), rec.method).toBeCloseTo(round(m - paper[rec.method]), 9);
    }
    const md = readFileSync(path.join(out, 'table2.md'), 'utf8');
    for (const label of ['SET-MLP', 'NPSET-MLP', '1st NPSET-MLP', '2nd NPSET-MLP', 'Direct SET-MLP', 'Direct FC-MLP', 'Mean']) {
      expect(md, label).toContain(label);
    }
  });

  it('table3.csv: FC sizes, our SET / NPSET sizes from the runs, the paper\'s columns beside ours', () => {
    const { records } = readCsv(path.join(out, 'table3.csv'));
    expect(records).toHaveLength(1);
    const t = Object.fromEntries(Object.entries(records[0]).map(([k, v]) => [k, k === 'dataset' ? v : Number(v)])) as Record<string, number | string>;
    expect(t.dataset).toBe('Lung-discrete');
    expect(t.paramsFC).toBe(325 * 300 + 300 * 300 + 300 * 7);
    expect(t.paramsFC).toBe(189600);
    expect(t.neuronsFC).toBe(925);
    expect(t.neuronsSET).toBe(925);
    const h = hiddenAfterPruning(300, EPOCHS);
    expect(t.neuronsNPSET).toBe(325 + 2 * h);
    const params = (m: string) => Math.round(mean(json.runs.filter((r) => r.method === m).map((r) => r.params)));
    expect(t.paramsSET).toBe(params('set'));
    expect(t.paramsNPSET).toBe(params('npset'));
    expect(t.paramsNPSET as number).toBeLessThan(t.paramsSET as number);
    expect(t.compressionSET).toBeCloseTo(round(189600 / params('set'), 1), 9);
    expect(t.compressionNPSET).toBeCloseTo(round(189600 / params('npset'), 1), 9);
    expect(t).toMatchObject({
      paper_paramsFC: 189600, paper_paramsSET: 13446, paper_paramsNPSET: 2447, paper_neuronsFC: 925,
      paper_neuronsSET: 925, paper_neuronsNPSET: 457, paper_compressionSET: 14, paper_compressionNPSET: 77,
    });
    expect(readFileSync(path.join(out, 'table3.md'), 'utf8')).toContain('(13,446)');
  });

  it('Figure 1 goes from no first-layer neuron removed to all of them, with accuracies in [0, 1]', () => {
    const f = json.figure1!;
    expect(f).not.toBeNull();
    expect(result.figure1).toEqual(f);
    expect(f.length).toBeGreaterThanOrEqual(2);
    expect(f[0]).toMatchObject({ removed: 0, fraction: 0 });
    expect(f[f.length - 1]).toMatchObject({ removed: 300, fraction: 1 });
    for (let i = 0; i < f.length; i++) {
      expect(f[i].testAccuracy).toBeGreaterThanOrEqual(0);
      expect(f[i].testAccuracy).toBeLessThanOrEqual(1);
      expect(f[i].fraction).toBeCloseTo(f[i].removed / 300, 12);
      if (i > 0) expect(f[i].removed).toBeGreaterThan(f[i - 1].removed);
    }
    // Nothing removed: the trained SET-MLP's own final test accuracy (seed 1).
    const set1 = json.runs.find((r) => r.method === 'set' && r.seed === 1)!;
    expect(f[0].testAccuracy).toBe(set1.testAccuracy);
  });

  it('figure1.svg and figure2.svg are SVG charts with lines', () => {
    for (const f of ['figure1.svg', 'figure2.svg']) {
      const svg = readFileSync(path.join(out, f), 'utf8');
      expect(svg.startsWith('<svg'), f).toBe(true);
      expect(svg, f).toContain('<path');
      expect(svg.trimEnd().endsWith('</svg>'), f).toBe(true);
    }
  });
});

describe('reproduce() without the paper\'s files', () => {
  it('rejects with a message naming the files it looked for, and creates no output', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'unrelated.mat'), 'x');
    const out = path.join(tmp, 'out-empty');
    const p = reproduce({ dataDir: empty, out, seeds: 1, epochs: 1, threads: 1 }, async () => {});
    await expect(p).rejects.toBeInstanceOf(NpsetError);
    await expect(p).rejects.toMatchObject({ code: 'ERR_NPSET_NO_DATASETS' });
    await expect(p).rejects.toThrow(/lung_discrete\.mat/);
    await expect(p).rejects.toThrow(/madelon\.mat/);
    await expect(p).rejects.toThrow(/Yale\.mat/);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a data directory that does not exist, naming it', async () => {
    const missing = path.join(tmp, 'no-such-dir');
    await expect(reproduce({ dataDir: missing, out: path.join(tmp, 'out-missing') }, async () => {})).rejects.toThrow(missing);
  });
});

describe.skipIf(!HAVE_LUNG)('reproduce() with a paper file that fails to load', () => {
  it('reports the file by name and still runs and tabulates Lung-discrete', async () => {
    const dir = lungDir('data-garbage');
    writeFileSync(path.join(dir, 'Yale.mat'), Buffer.from('this is not a MAT-file at all, just some garbage bytes \x00\x01\x02'));
    const out = path.join(tmp, 'out-garbage');
    const events: ReproduceEvent[] = [];
    const r = await reproduce(
      { dataDir: dir, out, seeds: 1, epochs: 2, threads: 1, figures: false, onEvent: (e) => events.push(e) },
      writeReport(out, []),
    );
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0].dataset).toBe('Yale');
    expect(path.basename(r.failed[0].file)).toBe('Yale.mat');
    expect(r.failed[0].message.length).toBeGreaterThan(0);
    const err = events.find((e) => e.type === 'dataset-error');
    expect(err).toMatchObject({ type: 'dataset-error', dataset: 'Yale' });
    expect(r.datasets.map((d) => d.displayName)).toEqual(['Lung-discrete']);
    expect(r.runs).toHaveLength(6);
    const json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;
    expect(json.failed).toEqual(r.failed);
    expect(json.figure1).toBeNull();
    const { records } = readCsv(path.join(out, 'table2.csv'));
    expect(records.map((x) => `${x.dataset}/${x.method}`)).toEqual(PAPER_METHODS.map((m) => `Lung-discrete/${m}`));
    expect(readCsv(path.join(out, 'table3.csv')).records.map((x) => x.dataset)).toEqual(['Lung-discrete']);
    // --no-figures: no Dense-MLP run and no Figure 1.
    expect(existsSync(path.join(out, 'figure1.svg'))).toBe(false);
  });
});

describe.skipIf(!HAVE_LUNG)('reproduce() aborted after the first run', () => {
  let out: string;
  let rejection: unknown;
  const calls: boolean[] = [];

  beforeAll(async () => {
    out = path.join(tmp, 'out-abort');
    const controller = new AbortController();
    try {
      await reproduce(
        {
          dataDir: lungDir('data-abort'),
          out,
          seeds: SEEDS,
          epochs: EPOCHS,
          threads: 1,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'run-end') controller.abort();
          },
        },
        writeReport(out, calls),
      );
    } catch (err) {
      rejection = err;
    }
  });

  it('rejects, and results.json on disk already holds the finished run', () => {
    expect(rejection).toBeInstanceOf(Error);
    expect((rejection as Error).name).toBe('AbortError');
    const json = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0]).toMatchObject({ dataset: 'Lung-discrete', method: 'npset', seed: 1 });
    expect(json.runs[0].history).toHaveLength(EPOCHS);
    expect(calls).toEqual([false]);
    const lines = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1].startsWith('Lung-discrete,npset,')).toBe(true);
  });

  it("rejects with npset's AbortError (code ABORT_ERR), which the CLI turns into exit code 130", () => {
    // BUG: reproduce() checks the signal between runs with signal.throwIfAborted(), which throws the
    // signal's reason (a DOMException), not npset's AbortError; lib/cli/errors.ts then reports
    // "npset: unexpected error: This operation was aborted" with exit code 1 instead of 130.
    expect(rejection).toBeInstanceOf(AbortError);
    expect((rejection as AbortError).code).toBe('ABORT_ERR');
  });
});

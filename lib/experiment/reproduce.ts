/**
 * `npset reproduce`: the paper's six methods on every paper dataset found in a directory, over seeds,
 * with results written as runs finish (an interrupted run keeps what finished).
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AbortError, NpsetError, ValidationError } from '../errors';
import { fail } from '../validate';
import { writeChunksAtomic } from '../files';
import type { Dataset } from '../data';
import { loadData, splitAndStandardize, type PreparedData } from './prepare';
import { PAPER_DATASETS, PAPER_HYPERPARAMETERS, type PaperDataset } from './paper';
import { METHOD_SPECS, type Method } from './methods';
import type { WeightInit } from '../model/options';
import { runMethod, type RunResult, type RunSettings } from './run';
import { neuronRemovalCurve, type RemovalPoint } from './figure1';

/** The paper's six methods, in Table 2's order; NPSET runs first because direct-* take its final sizes. */
export const PAPER_METHODS: readonly Method[] = Object.freeze(['set', 'npset', 'npset-1st', 'npset-2nd', 'direct-set', 'direct-fc']);
/** Datasets of Figure 2 (learning curves with the Dense-MLP). */
export const FIGURE2_DATASETS: readonly string[] = Object.freeze(['lung_discrete', 'yale', 'madelon', 'leukemia']);

/** Training settings of the reproduction: the paper's alpha/beta/gamma/epsilon, no explicit regularisation. */
export const REPRODUCE_DEFAULTS = Object.freeze({
  epochs: 100,
  batchSize: 8,
  learningRate: 0.01,
  momentum: 0.9,
  weightDecay: 0,
  dropout: 0,
  zeta: 0.3,
  /**
   * Initial weights of the sparse methods: N(0, 0.1²), as the reference SET code (which the paper's NPSET code is
   * built on) draws them. The dense methods keep He-uniform (their runs stay those of before): from N(0, 0.1²) they
   * diverge sooner at lr 0.01 (Direct FC, seed 1: GLIOMA at epoch 6 instead of 11, Leukemia at 5 instead of never).
   */
  weightInit: 'normal' as WeightInit,
  denseWeightInit: 'he-uniform' as WeightInit,
  seeds: 3,
});

/** The training settings of every reproduction run but its hidden sizes and seed. */
export function reproduceSettings(epochs: number, threads: number): Omit<RunSettings, 'hidden' | 'seed'> {
  return {
    epochs,
    epsilon: PAPER_HYPERPARAMETERS.epsilon,
    zeta: REPRODUCE_DEFAULTS.zeta,
    batchSize: REPRODUCE_DEFAULTS.batchSize,
    learningRate: REPRODUCE_DEFAULTS.learningRate,
    momentum: REPRODUCE_DEFAULTS.momentum,
    weightDecay: REPRODUCE_DEFAULTS.weightDecay,
    dropout: REPRODUCE_DEFAULTS.dropout,
    alpha: PAPER_HYPERPARAMETERS.alpha,
    beta: PAPER_HYPERPARAMETERS.beta,
    gamma: PAPER_HYPERPARAMETERS.gamma,
    criterion: 'out-degree',
    weightInit: REPRODUCE_DEFAULTS.weightInit,
    threads,
  };
}

/** The initial weights of a method in the reproduction: the sparse methods' (the reference's), or He-uniform for the dense ones. */
export function reproduceWeightInit(method: Method): WeightInit {
  return METHOD_SPECS[method].dense ? REPRODUCE_DEFAULTS.denseWeightInit : REPRODUCE_DEFAULTS.weightInit;
}

export interface ReproduceOptions {
  dataDir: string;
  out: string;
  seeds?: number;
  /**
   * Only these of the six methods (default all), run in the paper's order; direct-set and direct-fc need npset
   * (they take its final sizes). Figure 1 needs set, Figure 2 (and its Dense-MLP runs) set and npset.
   */
  methods?: readonly Method[];
  /** The first seed (default 1): the runs use seeds firstSeed .. firstSeed + seeds - 1. */
  firstSeed?: number;
  epochs?: number;
  threads?: number;
  /** Only these datasets (keys, file names or paper names). */
  only?: PaperDataset[];
  /** Figure 1 and Figure 2 (extra Dense-MLP runs). Default true. */
  figures?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: ReproduceEvent) => void;
}

export type ReproduceEvent =
  | { type: 'start'; totalRuns: number; datasets: string[] }
  | { type: 'run-start'; dataset: string; method: Method; seed: number; done: number; total: number }
  | { type: 'epoch'; dataset: string; method: Method; seed: number; epoch: number; epochs: number }
  | { type: 'run-end'; result: RunResult; done: number; total: number }
  | { type: 'dataset-error'; dataset: string; file: string; message: string };

export interface ReproduceResult {
  runs: RunResult[];
  datasets: PaperDataset[];
  failed: { dataset: string; file: string; message: string }[];
  figure1: RemovalPoint[] | null;
  /** The settings of every run but its hidden sizes and seed; the dense methods' weightInit is reproduceWeightInit's (each run records its own). */
  settings: Omit<RunSettings, 'hidden' | 'seed'>;
  seeds: number[];
  /** The methods run (PAPER_METHODS, or the ones asked for), in the paper's order. */
  methods: Method[];
}

/** The methods to run, checked: a subset of PAPER_METHODS, in their order; direct-* only with npset. */
export function reproduceMethods(value: readonly Method[] | undefined, name = 'methods'): Method[] {
  if (value === undefined) return [...PAPER_METHODS];
  if (!Array.isArray(value) || value.length === 0) fail(`a non-empty array of the methods ${PAPER_METHODS.join(', ')}`, name, value);
  for (const m of value) if (!PAPER_METHODS.includes(m)) fail(`one of ${PAPER_METHODS.join(', ')}`, name, m);
  const direct = value.filter((m) => m === 'direct-set' || m === 'direct-fc');
  if (direct.length && !value.includes('npset')) {
    fail(`npset among the methods with ${direct.join(' and ')} (built with the hidden sizes NPSET ends with)`, name, value.join(','));
  }
  return PAPER_METHODS.filter((m) => value.includes(m));
}

/** Paper datasets present in `dir` (matched by file name, case-insensitively). */
export function findPaperFiles(dir: string): { paper: PaperDataset; file: string }[] {
  if (!existsSync(dir)) throw new ValidationError(`Expected a data directory for --data-dir but received ${JSON.stringify(dir)}, which does not exist`);
  if (!statSync(dir).isDirectory()) throw new ValidationError(`Expected a data directory for --data-dir but received ${JSON.stringify(dir)}, which is a file`);
  const files = readdirSync(dir);
  const found: { paper: PaperDataset; file: string }[] = [];
  for (const paper of PAPER_DATASETS) {
    const hit = files.find((f) => f.toLowerCase() === paper.file.toLowerCase());
    if (hit) found.push({ paper, file: join(dir, hit) });
  }
  if (found.length === 0) {
    throw new NpsetError(
      `No dataset of the paper found in ${dir}; looked for ${PAPER_DATASETS.map((p) => p.file).join(', ')} ` +
        '(MAT-files of the ASU feature selection repository, featureselection.asu.edu, that the paper used; --data-dir names the directory)',
      'ERR_NPSET_NO_DATASETS',
    );
  }
  return found;
}

export async function reproduce(o: ReproduceOptions, write: (r: ReproduceResult, final: boolean) => Promise<void>): Promise<ReproduceResult> {
  const seeds = Array.from({ length: o.seeds ?? REPRODUCE_DEFAULTS.seeds }, (_, i) => i + (o.firstSeed ?? 1));
  const methods = reproduceMethods(o.methods);
  const has = (m: Method) => methods.includes(m);
  const figures = o.figures ?? true;
  let found = findPaperFiles(o.dataDir);
  if (o.only) found = found.filter((f) => o.only!.includes(f.paper));
  if (found.length === 0) throw new ValidationError(`Expected at least one of the requested datasets in ${o.dataDir} but received none`);
  mkdirSync(o.out, { recursive: true });

  const base = reproduceSettings(o.epochs ?? REPRODUCE_DEFAULTS.epochs, o.threads ?? 0);
  const result: ReproduceResult = { runs: [], datasets: [], failed: [], figure1: null, settings: base, seeds, methods };
  const denseRuns = (p: PaperDataset) => (figures && has('set') && has('npset') && FIGURE2_DATASETS.includes(p.key) ? 1 : 0);
  const total = found.reduce((n, f) => n + seeds.length * methods.length + denseRuns(f.paper), 0);
  o.onEvent?.({ type: 'start', totalRuns: total, datasets: found.map((f) => f.paper.displayName) });
  let done = 0;

  // results.json and `write` (the tables) after the first run, then as often as their cost allows (the file
  // grows with every run: rewritten after each one, the total work would grow with the square of the runs),
  // and always at the end, or when a run fails or is aborted, with every run finished by then.
  const schedule = new SaveSchedule();
  let saved = 0; // runs in the last save
  let saveFailed = false;
  const save = async (final: boolean) => {
    const runs = result.runs.length;
    try {
      await schedule.time(async () => {
        writeChunksAtomic(
          join(o.out, 'results.json'),
          resultsJsonChunks({ settings: base, seeds, methods, failed: result.failed, figure1: result.figure1, runs: result.runs }),
        );
        await write(result, final);
      });
    } catch (err) {
      saveFailed = true;
      throw err;
    }
    saved = runs;
  };

  try {
    for (const { paper, file } of found) {
      let data: Dataset;
      try {
        data = await loadData(file);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        result.failed.push({ dataset: paper.displayName, file, message });
        o.onEvent?.({ type: 'dataset-error', dataset: paper.displayName, file, message });
        done += seeds.length * methods.length + denseRuns(paper);
        continue;
      }
      data.name = paper.displayName;
      result.datasets.push(paper);
      for (const seed of seeds) {
        const prepared = splitAndStandardize(data, { seed });
        const run = async (method: Method, hidden: number[], keep?: (r: PreparedData) => Parameters<typeof runMethod>[0]['keepModel']) => {
          if (o.signal?.aborted) throw new AbortError('Reproduction was aborted', { cause: o.signal.reason });
          o.onEvent?.({ type: 'run-start', dataset: paper.displayName, method, seed, done, total });
          const r = await runMethod({
            data: prepared,
            method,
            settings: { ...base, hidden, seed, weightInit: reproduceWeightInit(method) },
            signal: o.signal,
            keepModel: keep?.(prepared),
            // The protocol is fixed: a run that diverges (some dense ones do, at lr 0.01) keeps training, as the
            // reference code would, and its result records the epoch (results.json: divergedAtEpoch).
            onDivergence: 'continue',
            onEpoch: (info) => o.onEvent?.({ type: 'epoch', dataset: paper.displayName, method, seed, epoch: info.epoch, epochs: info.epochs }),
          });
          result.runs.push(r);
          done++;
          o.onEvent?.({ type: 'run-end', result: r, done, total });
          if (schedule.due()) await save(false);
          return r;
        };
        // NPSET first: Direct SET and Direct FC take the hidden sizes it ends with.
        const finalHidden = has('npset') ? (await run('npset', paper.hidden)).layers.slice(1, -1) : paper.hidden;
        const figure1 = figures && seed === seeds[0] && paper.key === 'lung_discrete';
        if (has('set')) await run('set', paper.hidden, figure1 ? (p) => async (model) => { result.figure1 = await neuronRemovalCurve(model, p.test); } : undefined);
        if (has('npset-1st')) await run('npset-1st', paper.hidden);
        if (has('npset-2nd')) await run('npset-2nd', paper.hidden);
        if (has('direct-set')) await run('direct-set', finalHidden);
        if (has('direct-fc')) await run('direct-fc', finalHidden);
        if (seed === seeds[0] && denseRuns(paper)) await run('dense', paper.hidden);
      }
    }
  } catch (err) {
    // Interrupted (Ctrl-C) or failed: the runs finished since the last save are kept, unless saving is what
    // failed. The error to report stays the one that stopped the runs.
    if (!saveFailed && result.runs.length > saved) {
      try {
        await save(false);
      } catch {
        // nothing more to keep
      }
    }
    throw err;
  }
  // No run finished (every dataset failed to load): nothing is written, so earlier results in `out` stay.
  if (result.runs.length > 0) await save(true);
  return result;
}

/** What results.json holds, `runs` last. */
export interface ResultsFile {
  settings: Omit<RunSettings, 'hidden' | 'seed'>;
  seeds: number[];
  methods: Method[];
  failed: ReproduceResult['failed'];
  figure1: RemovalPoint[] | null;
  runs: readonly RunResult[];
}

/**
 * results.json, `JSON.stringify(doc, null, 1)` and a newline, in chunks: the keys before `runs`, then one
 * run at a time. The same text, without ever making one string of every run (that string passes JavaScript's
 * longest, about 512 MiB, near 20,000 runs of 100 epochs).
 */
export function* resultsJsonChunks(doc: ResultsFile): Generator<string> {
  const { settings, seeds, methods, failed, figure1, runs } = doc;
  // The keys in results.json's order; "runs": [] last, its "[]" (the same with any indentation) then opened.
  const head = JSON.stringify({ settings, seeds, methods, failed, figure1, runs: [] }, null, 1);
  if (runs.length === 0) {
    yield `${head}\n`;
    return;
  }
  yield head.slice(0, -']\n}'.length);
  for (let i = 0; i < runs.length; i++) {
    // A run as JSON.stringify writes it at the depth of an element of "runs" (two levels down): inside
    // "[\n [\n  " and "\n ]\n]", cut off.
    yield `${i > 0 ? ',' : ''}\n  ${JSON.stringify([[runs[i]]], null, 1).slice(7, -5)}`;
  }
  yield '\n ]\n}\n';
}

/**
 * When reproduce rewrites results.json and the tables: always while a save is cheap (under `cheapMs`),
 * otherwise once the time since the last save is at least `factor` times what that save took, so that saving
 * takes at most about 1 / (factor + 1) of the time however many runs there are. `now` is the clock (ms).
 */
export class SaveSchedule {
  private lastEnd = -Infinity;
  private lastCost = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    readonly factor = 10,
    readonly cheapMs = 25,
  ) {}

  /** Whether a save is due now. */
  due(): boolean {
    return this.lastCost < this.cheapMs || this.now() - this.lastEnd >= this.factor * this.lastCost;
  }

  /** Runs the save `f`, recording when it ended and what it took (also when it fails). */
  async time(f: () => Promise<void>): Promise<void> {
    const start = this.now();
    try {
      await f();
    } finally {
      this.lastEnd = this.now();
      this.lastCost = this.lastEnd - start;
    }
  }
}

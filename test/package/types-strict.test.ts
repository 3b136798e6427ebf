/**
 * The public types under a strict user's settings (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess):
 * every optional field of an options object takes undefined (as the runtime does), the error codes are a union
 * that catches a misspelt code, the types a user must name are exported, readonly arrays are accepted where
 * nothing is changed, and onEpoch's return is typed as what fit honours. One compile of one small program
 * against the sources (lib/index.ts), its own diagnostics only; `// @ts-expect-error` lines must have an error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  BusyError,
  DataFormatError,
  DivergenceError,
  ModelFileError,
  NativeError,
  NpsetError,
  OverflowError,
  ValidationError,
} from '../../lib';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'npset-types-strict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `
import {
  SparseMLP, prepareData, splitAndStandardize, runMethod, makeSyntheticDataset, stratifiedSplit, loadCsvDataset,
  loadCsvFeatures, loadMatDataset, loadMatFeatures, loadLibsvmDataset, loadLibsvmFeatures, readMat, renderLineChart, renderFacetedLineChart, renderScalingChart,
  toMarkdown, learningRateAt, NpsetError, ValidationError, DivergenceError, AbortError, ModelFileError, OverflowError,
  type NpsetErrorCode, type LayerCsr, type TrainEpochResult, type MemoryStats, type CreateOptions, type LoadOptions,
  type EvaluateOptions, type PruneNeuronsOptions, type EvolveOptions, type EvolveResult, type EpochCallbackResult,
  type FitOptions, type FitResult, type TrainOptions, type TrainEpochOptions, type PruningOptions, type ModelOptions,
  type SaveOptions, type PrepareOptions, type PrepareInputOptions, type RunOptions, type RunSettingsInput,
  type CsvDatasetOptions, type CsvFeaturesOptions, type LibsvmDatasetOptions, type LibsvmFeaturesOptions, type MatDatasetOptions, type MatFeaturesOptions, type ParseMatOptions,
  type DenseOptions, type SplitOptions, type SyntheticOptions, type LineSeries, type LineChartOptions,
  type FacetedLineChartOptions, type ScalingChartOptions, type Column, type LearningRateScheduleSpec, type EpochInfo,
  type EpochRecord, type Dataset, type FeatureSet, type ModelData, type PreparedData, type Standardizer,
} from 'NPSET';

// ---- 1. every optional field takes undefined (exactOptionalPropertyTypes) -----------------------------------
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
/** The optional keys of T that refuse undefined: never when every one takes it (else the error names them). */
type RejectsUndefined<T> = { [K in OptionalKeys<T>]-?: { [P in K]: undefined } extends Pick<T, K> ? never : K }[OptionalKeys<T>];
type AllTakeUndefined<T extends never> = T;
type Spec<T extends LearningRateScheduleSpec['type']> = Extract<LearningRateScheduleSpec, { type: T }>;
export type Checks = [
  AllTakeUndefined<RejectsUndefined<FitOptions>>, AllTakeUndefined<RejectsUndefined<TrainOptions>>,
  AllTakeUndefined<RejectsUndefined<TrainEpochOptions>>, AllTakeUndefined<RejectsUndefined<PruningOptions>>,
  AllTakeUndefined<RejectsUndefined<ModelOptions>>, AllTakeUndefined<RejectsUndefined<SaveOptions>>,
  AllTakeUndefined<RejectsUndefined<CreateOptions>>, AllTakeUndefined<RejectsUndefined<LoadOptions>>,
  AllTakeUndefined<RejectsUndefined<EvaluateOptions>>, AllTakeUndefined<RejectsUndefined<PruneNeuronsOptions>>,
  AllTakeUndefined<RejectsUndefined<EvolveOptions>>, AllTakeUndefined<RejectsUndefined<PrepareOptions>>,
  AllTakeUndefined<RejectsUndefined<PrepareInputOptions>>, AllTakeUndefined<RejectsUndefined<RunOptions>>,
  AllTakeUndefined<RejectsUndefined<RunSettingsInput>>, AllTakeUndefined<RejectsUndefined<CsvDatasetOptions>>,
  AllTakeUndefined<RejectsUndefined<CsvFeaturesOptions>>, AllTakeUndefined<RejectsUndefined<MatDatasetOptions>>,
  AllTakeUndefined<RejectsUndefined<MatFeaturesOptions>>, AllTakeUndefined<RejectsUndefined<ParseMatOptions>>,
  AllTakeUndefined<RejectsUndefined<DenseOptions>>, AllTakeUndefined<RejectsUndefined<SplitOptions>>,
  AllTakeUndefined<RejectsUndefined<SyntheticOptions>>, AllTakeUndefined<RejectsUndefined<LineSeries>>,
  AllTakeUndefined<RejectsUndefined<LineChartOptions>>, AllTakeUndefined<RejectsUndefined<FacetedLineChartOptions>>,
  AllTakeUndefined<RejectsUndefined<ScalingChartOptions>>, AllTakeUndefined<RejectsUndefined<Column<{ a: number }>>>,
  AllTakeUndefined<RejectsUndefined<Spec<'constant'>>>, AllTakeUndefined<RejectsUndefined<Spec<'step'>>>,
  AllTakeUndefined<RejectsUndefined<Spec<'exponential'>>>, AllTakeUndefined<RejectsUndefined<Spec<'cosine'>>>,
  AllTakeUndefined<RejectsUndefined<Dataset>>, AllTakeUndefined<RejectsUndefined<FeatureSet>>,
  AllTakeUndefined<RejectsUndefined<ModelData>>, AllTakeUndefined<RejectsUndefined<PreparedData>>,
];

declare const maybe: { n?: number; b?: boolean; s?: string; signal?: AbortSignal; pruning?: PruningOptions };
export async function undefinedFields(model: SparseMLP, data: Dataset, prepared: PreparedData): Promise<void> {
  const fit: FitOptions = { epochs: maybe.n, pruning: maybe.pruning, signal: maybe.signal, validation: undefined, onEpoch: undefined };
  const r: FitResult = await model.fit(data, fit);
  // Resolved options have no undefined left, whatever the user's settings.
  const epochs: number = r.options.epochs;
  const epsilon: number = model.options.epsilon;
  const std: Standardizer = prepared.standardizer; // always set by prepareData and splitAndStandardize
  await SparseMLP.create({ layers: [4, 8, 2], seed: maybe.n, epsilon: undefined }, { signal: maybe.signal });
  await SparseMLP.load('m.npset', { threads: maybe.n, signal: maybe.signal });
  await model.evaluate(data, { batchSize: maybe.n });
  // A dataset's optional names go straight to save.
  const d = await loadCsvDataset('x.csv', { header: maybe.b, label: maybe.s, delimiter: undefined });
  await model.save('m.npset', { labels: d.labels, labelNames: d.labelNames, featureNames: d.featureNames, standardizer: undefined });
  await prepareData({ file: maybe.s, csvHeader: maybe.b, seed: maybe.n, validationFraction: undefined });
  splitAndStandardize(data, { seed: maybe.n, testFraction: undefined });
  await runMethod({ data: prepared, method: 'set', settings: { seed: maybe.n, patience: undefined }, signal: undefined, onEpoch: undefined });
  await loadCsvFeatures('x.csv', { header: maybe.b });
  await loadMatDataset('x.mat', { x: maybe.s, y: maybe.s, maxDenseBytes: maybe.n });
  await loadMatFeatures('x.mat', { x: maybe.s });
  const svm = await loadLibsvmDataset('x.svm', { features: maybe.n, zeroBased: undefined, maxDenseBytes: maybe.n });
  const base: boolean | undefined = svm.libsvmZeroBased;
  await loadLibsvmFeatures('x.svm', { zeroBased: base ?? 'auto' });
  const svmOptions: LibsvmDatasetOptions & LibsvmFeaturesOptions = { zeroBased: maybe.b };
  await readMat('x.mat', { maxInflatedBytes: maybe.n, maxDenseBytes: undefined });
  makeSyntheticDataset({ samples: maybe.n, seed: undefined });
  stratifiedSplit(data.y, { testFraction: maybe.n, seed: undefined });
  learningRateAt({ type: 'step', stepSize: 2, factor: maybe.n, warmupEpochs: undefined }, 0.01, 0, 5);
  await renderLineChart({ xTitle: 'x', yTitle: 'y', title: maybe.s, width: maybe.n, series: [{ name: 'a', points: [{ x: 0, y: 1 }], dash: maybe.b }] });
  void [epochs, epsilon, std];
}

// ---- 2. error codes ------------------------------------------------------------------------------------------
export function describeError(e: unknown): string {
  if (!(e instanceof NpsetError)) return 'other';
  switch (e.code) {
    case 'ERR_NPSET_INVALID_ARGUMENT':
      return 'validation';
    case 'ABORT_ERR':
      return 'aborted';
    // @ts-expect-error a misspelt code is no NpsetErrorCode
    case 'ERR_NPSET_INVLAID_ARGUMENT':
      return 'typo';
    default:
      return e.code;
  }
}
export function exhaustive(code: NpsetErrorCode): string {
  switch (code) {
    case 'ERR_NPSET': case 'ERR_NPSET_INVALID_ARGUMENT': case 'ERR_NPSET_DATA_FORMAT': case 'ERR_NPSET_MODEL_FILE':
    case 'ABORT_ERR': case 'ERR_NPSET_NATIVE': case 'ERR_NPSET_BUSY': case 'ERR_NPSET_DIVERGED': case 'ERR_NPSET_OVERFLOW':
    case 'ERR_NPSET_NO_DATASETS':
      return code;
    default: {
      const none: never = code;
      return none;
    }
  }
}
const invalid: 'ERR_NPSET_INVALID_ARGUMENT' = new ValidationError('x').code;
const diverged: 'ERR_NPSET_DIVERGED' = new DivergenceError(0, NaN).code;
const aborted: 'ABORT_ERR' = new AbortError().code;
const modelFile: 'ERR_NPSET_MODEL_FILE' = new ModelFileError('x', 'f').code;
const overflow: 'ERR_NPSET_OVERFLOW' = new OverflowError('x', 1, 2, 0).code;
// @ts-expect-error a subclass's code is its own literal
const wrong: 'ERR_NPSET_BUSY' = new ValidationError('x').code;
void [invalid, diverged, aborted, modelFile, overflow, wrong];

// ---- 3. named results and options ----------------------------------------------------------------------------
export async function named(model: SparseMLP, data: Dataset): Promise<void> {
  const csr: LayerCsr = model.layer(0);
  const degree0 = (csr.rowPtr[1] ?? 0) - (csr.rowPtr[0] ?? 0);
  const pass: TrainEpochResult = await model.trainEpoch(data, { learningRate: 0.01 }, 0);
  const memory: MemoryStats = model.memory();
  const create: CreateOptions = { signal: AbortSignal.timeout(1000) };
  const load: LoadOptions = { threads: 2 };
  const evaluate: EvaluateOptions = { batchSize: 64 };
  const evolved: EvolveResult = await model.evolve({ zeta: 0.2, epoch: 1 });
  await SparseMLP.create({ layers: [4, 2] }, create);
  await SparseMLP.load('m.npset', load);
  await model.evaluate(data, evaluate);
  void [degree0, pass.timesMs.forward, memory.bytesPerConnection, evolved.added];
}

// ---- 4. readonly inputs --------------------------------------------------------------------------------------
const LAYERS = [325, 300, 300, 7] as const;
const HIDDEN: readonly number[] = [300, 300];
const PRUNED = [1, 2] as const;
const NAMES: readonly string[] = ['a', 'b'];
const POINTS: readonly { x: number; y: number }[] = [{ x: 0, y: 1 }];
const SERIES: readonly LineSeries[] = [{ name: 'a', points: POINTS }];
export async function readonlyInputs(model: SparseMLP, data: Dataset, prepared: PreparedData): Promise<void> {
  await SparseMLP.create({ layers: LAYERS });
  await runMethod({ data: prepared, method: 'npset', settings: { hidden: HIDDEN } });
  await model.fit(data, { pruning: { layers: PRUNED } });
  await model.pruneNeurons({ hiddenLayers: PRUNED });
  await model.save('m.npset', { labelNames: NAMES, featureNames: NAMES, labels: [0, 1] as const });
  await renderLineChart({ xTitle: 'x', yTitle: 'y', series: SERIES, yDomain: [0, 1] as const, dashLabels: ['train', 'test'] as const });
  await renderFacetedLineChart({ xTitle: 'x', yTitle: 'y', panels: [{ title: 'p', series: SERIES }] as const });
  await renderScalingChart({ threads: [1, 2] as const, phases: [{ name: 'p', speedup: [1, 2] as const, efficiency: [1, 1] as const }] });
  toMarkdown([{ key: 'a', header: 'A', align: undefined }] as const, [{ a: 1 }] as const);
  // @ts-expect-error the options hold the sizes as built, frozen
  model.options.layers.push(3);
}

// ---- 5. onEpoch ----------------------------------------------------------------------------------------------
export async function callbacks(model: SparseMLP, data: Dataset, prepared: PreparedData): Promise<void> {
  const seen: EpochInfo[] = [];
  await model.fit(data, { onEpoch: (e) => { seen.push(e); } });
  await model.fit(data, { onEpoch: (e) => e.epoch < 3 });
  await model.fit(data, { onEpoch: async () => false });
  await model.fit(data, { onEpoch: () => undefined });
  const stop: EpochCallbackResult = false;
  void stop;
  // @ts-expect-error 'stop' does not stop a fit: only false does
  await model.fit(data, { onEpoch: (e) => (e.epoch > 2 ? 'stop' : undefined) });
  // @ts-expect-error a number is not looked at either
  await model.fit(data, { onEpoch: (e) => seen.push(e) });
  const records: EpochRecord[] = [];
  await runMethod({ data: prepared, method: 'set', onEpoch: (_info, rec) => { records.push(rec); } });
  await runMethod({ data: prepared, method: 'set', onEpoch: async () => {} });
  // @ts-expect-error runMethod ignores onEpoch's return value (its \`stop\` signal ends a run)
  await runMethod({ data: prepared, method: 'set', onEpoch: () => false });
}
`;

function diagnostics(source: string): string[] {
  const file = path.join(dir, 'strict.ts');
  writeFileSync(file, source.replace("'NPSET'", JSON.stringify(path.join(ROOT, 'lib', 'index').replace(/\\/g, '/'))));
  const program = ts.createProgram([file], {
    strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true, target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true, types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => `${d.start === undefined ? '' : `line ${d.file!.getLineAndCharacterOfPosition(d.start).line + 1}: `}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('public types under strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess', () => {
  it('compile a script that passes undefined, readonly arrays and typed callbacks, and refuse the mistakes marked', () => {
    expect(diagnostics(PROGRAM)).toEqual([]);
  });

  it('NpsetErrorCode names every code the library uses, and each error class carries its own', () => {
    const errors = readFileSync(path.join(ROOT, 'lib', 'errors.ts'), 'utf8');
    const union = errors.slice(errors.indexOf('export type NpsetErrorCode'), errors.indexOf(';', errors.indexOf('export type NpsetErrorCode')));
    const declared = new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]));
    const used = new Set<string>();
    const walk = (d: string): void => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/'(ERR_NPSET\w*|ABORT_ERR)'/g)) used.add(m[1]);
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect([...used].filter((c) => !declared.has(c))).toEqual([]);
    const codes: [NpsetError, string][] = [
      [new ValidationError('x'), 'ERR_NPSET_INVALID_ARGUMENT'],
      [new DataFormatError('x'), 'ERR_NPSET_DATA_FORMAT'],
      [new ModelFileError('x', 'f'), 'ERR_NPSET_MODEL_FILE'],
      [new AbortError(), 'ABORT_ERR'],
      [new NativeError('x'), 'ERR_NPSET_NATIVE'],
      [new BusyError('x'), 'ERR_NPSET_BUSY'],
      [new DivergenceError(0, NaN), 'ERR_NPSET_DIVERGED'],
      [new OverflowError('x', 1, 2, 0), 'ERR_NPSET_OVERFLOW'],
      [new NpsetError('x'), 'ERR_NPSET'],
    ];
    for (const [e, code] of codes) {
      expect(e.code).toBe(code);
      expect(declared.has(code)).toBe(true);
    }
  });
});

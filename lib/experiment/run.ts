/**
 * One training run of one method on prepared data: the unit that `npset train` prints and that
 * `npset reproduce` repeats over datasets, methods and seeds.
 */
import { SparseMLP, type EpochInfo } from '../model';
import {
  FLOAT32_MAX,
  MODEL_DEFAULTS,
  PRUNE_CRITERIA,
  PRUNING_DEFAULTS,
  TRAIN_DEFAULTS,
  WEIGHT_INITS,
  type PruneCriterion,
  type WeightInit,
} from '../model/options';
import { resolveLearningRateSchedule, type LearningRateScheduleSpec } from '../model/schedule';
import { ValidationError } from '../errors';
import { expectInteger, expectNumber, expectOneOf, expectString, fail, orDefault, rejectUnknownKeys } from '../validate';
import { METHODS, METHOD_SPECS, type Method } from './methods';
import type { PreparedData } from './prepare';

/**
 * The settings of one run (RunResult.settings records all of them, checked; runMethod's `settings` takes any of
 * them, the others from RUN_DEFAULTS, those of `npset train`). Epochs are counted from 0.
 */
export interface RunSettings {
  /** Hidden layer sizes (the model is [features, ...hidden, classes]); [] is a model without hidden layers. @default [1000, 1000] */
  hidden: number[];
  /** Epochs to train. @default 100 */
  epochs: number;
  /** Erdős–Rényi sparsity: about epsilon * (n_in + n_out) connections per layer (sparse methods). @default 20 */
  epsilon: number;
  /** SET: fraction of the weights of each sign removed and regrown after each epoch (SET and NPSET methods; 0 for the dense ones). @default 0.3 */
  zeta: number;
  /** Samples per mini-batch. @default 8 */
  batchSize: number;
  /** SGD learning rate (> 0). @default 0.01 */
  learningRate: number;
  /** SGD momentum, in [0, 1). @default 0.9 */
  momentum: number;
  /** L2 weight decay, in [0, 1). @default 0.0002 */
  weightDecay: number;
  /** Dropout rate on the hidden layers, in [0, 1). @default 0 */
  dropout: number;
  /** NPSET: fraction of a layer's neurons removed at each pruning, in [0, 1). @default 0.04 */
  alpha: number;
  /** NPSET: the first epoch (from 0) that prunes. @default 10 */
  beta: number;
  /** NPSET: pruning continues up to epoch beta + gamma inclusive. @default 40 */
  gamma: number;
  /** NPSET: which neurons go first. @default 'out-degree' */
  criterion: PruneCriterion;
  /**
   * Initial weights: 'he-uniform' (fan-in = a sparse layer's mean in-degree), 'xavier-uniform' or 'normal' (N(0, 0.1²),
   * as the reference SET code draws them). @default 'he-uniform'
   */
  weightInit: WeightInit;
  /** Seed of the model's random choices (topology, weights, shuffles, dropout, evolution). @default 0 */
  seed: number;
  /** OpenMP threads; 0 means OMP_NUM_THREADS when it is set, else all cores. @default 0 */
  threads: number;
  /** The rate of each epoch from learningRate (default constant); an object, as settings are recorded as JSON. */
  learningRateSchedule?: LearningRateScheduleSpec;
  /**
   * Early stopping: the run ends once this many epochs have passed without a better validation epoch (higher
   * validation accuracy, or the same with a lower validation loss). Needs data.validation. NPSET methods are
   * not stopped before their last pruning epoch (beta + gamma). Omitted: every epoch runs.
   */
  patience?: number;
}

/**
 * runMethod's `settings`: any of RunSettings, each optional; one left out or given as undefined takes
 * RUN_DEFAULTS' value (no learningRateSchedule or patience). `hidden` may be a readonly array (it is copied).
 */
export type RunSettingsInput = {
  [K in keyof RunSettings]?: (K extends 'hidden' ? readonly number[] : RunSettings[K]) | undefined;
};

/** One epoch of a run (RunResult.history and runMethod's onEpoch); accuracies are fractions in [0, 1]. */
export interface EpochRecord {
  /** The epoch's index, counted from 0. */
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Accuracy on the training split after the epoch's training (evaluation mode). */
  trainAccuracy: number;
  /** Accuracy on the test split after the epoch's training. */
  testAccuracy: number;
  /** Neurons per layer during the epoch: [inputs, hidden..., classes]. */
  neurons: number[];
  /** Connections of all layers during the epoch. */
  params: number;
  /** The epoch's learning rate. */
  learningRate: number;
  /** Accuracy and mean loss on data.validation after the epoch's training (when there is a validation split). */
  validationAccuracy?: number;
  validationLoss?: number;
  /** The epoch's wall-clock time in milliseconds (training, evaluation, evolution and pruning). */
  ms: number;
}

/** What runMethod resolves with: the run's settings, its per-epoch history and its summary. Accuracies are fractions in [0, 1]. */
export interface RunResult {
  /** The dataset's name (PreparedData.name). */
  dataset: string;
  method: Method;
  /** Neurons per layer at the end: [inputs, hidden..., classes]. */
  layers: number[];
  /** Inputs plus hidden neurons at the end (the paper's count). */
  neurons: number;
  /** Connections at the end (the paper's parameter count). */
  params: number;
  /** Test accuracy after the last epoch trained. */
  testAccuracy: number;
  /** The best test accuracy of any epoch (the paper's measure; it picks the epoch on the test split: see testAccuracyAtBestValidation). */
  maxTestAccuracy: number;
  /** The epoch (from 0) of maxTestAccuracy, the first of equals. */
  maxTestEpoch: number;
  /** Training accuracy after the last epoch trained. */
  trainAccuracy: number;
  /** The epochs of the settings (history may hold fewer when the run stopped early). */
  epochs: number;
  /** Each epoch's wall-clock time in milliseconds. */
  epochTimesMs: number[];
  /** The OpenMP threads the model used. */
  threads: number;
  seed: number;
  trainSamples: number;
  testSamples: number;
  /** Every setting, checked, defaults filled in. */
  settings: RunSettings;
  /** Hidden neurons per layer at each epoch (NPSET methods). */
  neuronsPerEpoch?: number[][];
  /** Connections at each epoch (NPSET methods). */
  paramsPerEpoch?: number[];
  /** One record per epoch trained, in order. */
  history: EpochRecord[];
  /** The whole run's wall-clock time in milliseconds, building the model included. */
  totalMs: number;
  /** The first epoch whose training loss was NaN or infinite, when training diverged (onDivergence 'continue'). */
  divergedAtEpoch?: number;
  /** The last epoch trained when `stop` ended the run before `epochs` (history holds epochs 0 to it). */
  stoppedAtEpoch?: number;
  /** With a validation split: its size, the best epoch by it (see settings.patience), and that epoch's accuracies. */
  validationSamples?: number;
  bestValidationEpoch?: number;
  bestValidationAccuracy?: number;
  /** The test accuracy of the best validation epoch: an estimate that, unlike maxTestAccuracy, does not pick on the test split. */
  testAccuracyAtBestValidation?: number;
  /** The last epoch trained when settings.patience ended the run before `epochs`. */
  earlyStopEpoch?: number;
}

/** runMethod's options. Every optional field may be given as undefined (left out). */
export interface RunOptions {
  /** Data from prepareData or splitAndStandardize. */
  data: PreparedData;
  /** One of METHODS. */
  method: Method;
  /** Any of the settings; the others (all, when omitted) are RUN_DEFAULTS'. */
  settings?: RunSettingsInput | undefined;
  /**
   * Called after every epoch with fit's EpochInfo and the run's record of the epoch. Its return value is not
   * used (to end a run early, abort `stop`), so it returns nothing or a Promise of nothing, which is awaited
   * (and its rejection ends the run with it).
   */
  onEpoch?: ((info: EpochInfo, record: EpochRecord) => void | Promise<void>) | undefined;
  /** Aborts the run now (building included): runMethod rejects with an AbortError. */
  signal?: AbortSignal | undefined;
  /** Receives the trained model before it is disposed (figure 1 uses it); a Promise it returns is awaited. */
  keepModel?: ((model: SparseMLP) => void | Promise<void>) | undefined;
  /** What a NaN or infinite training loss does (fit's option; default 'error'). */
  onDivergence?: 'error' | 'continue' | undefined;
  /**
   * A gentler stop than `signal`: once it aborts, the run ends after the epoch in progress and returns the
   * epochs so far, with `stoppedAtEpoch` (keepModel gets the model as it is after that epoch).
   */
  stop?: AbortSignal | undefined;
}

const RUN_KEYS = ['data', 'method', 'settings', 'onEpoch', 'signal', 'keepModel', 'onDivergence', 'stop'] as const;
const SETTING_KEYS = [
  'hidden', 'epochs', 'epsilon', 'zeta', 'batchSize', 'learningRate', 'momentum', 'weightDecay', 'dropout',
  'alpha', 'beta', 'gamma', 'criterion', 'weightInit', 'seed', 'threads', 'learningRateSchedule', 'patience',
] as const;

/**
 * The settings of a run that leaves them out: those of `npset train` (hidden 1000,1000, epsilon 20, the
 * training and pruning defaults of fit, seed 0, all cores). Frozen: runMethod reads it on every call.
 */
export const RUN_DEFAULTS: Readonly<Omit<RunSettings, 'learningRateSchedule'>> = Object.freeze({
  hidden: Object.freeze([1000, 1000]) as number[],
  epochs: TRAIN_DEFAULTS.epochs,
  epsilon: MODEL_DEFAULTS.epsilon,
  zeta: TRAIN_DEFAULTS.zeta,
  batchSize: TRAIN_DEFAULTS.batchSize,
  learningRate: TRAIN_DEFAULTS.learningRate,
  momentum: TRAIN_DEFAULTS.momentum,
  weightDecay: TRAIN_DEFAULTS.weightDecay,
  dropout: TRAIN_DEFAULTS.dropout,
  alpha: PRUNING_DEFAULTS.alpha,
  beta: PRUNING_DEFAULTS.beta,
  gamma: PRUNING_DEFAULTS.gamma,
  criterion: PRUNING_DEFAULTS.criterion,
  weightInit: MODEL_DEFAULTS.weightInit,
  seed: MODEL_DEFAULTS.seed,
  threads: MODEL_DEFAULTS.threads,
});

/**
 * Every setting is checked here, given or from RUN_DEFAULTS, with the bounds SparseMLP.create and fit use: some
 * are passed on only for some methods (alpha for NPSET, zeta for SET), and a bad one should not wait for that.
 * The result has every setting, as results record them.
 */
function checkSettings(value: unknown): RunSettings {
  if (value === undefined) return checkSettings({});
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('a settings object (any of RUN_DEFAULTS\' keys)', 'settings', value);
  const given = value as Record<string, unknown>;
  rejectUnknownKeys('settings', given, SETTING_KEYS);
  // A key given as undefined takes its default, as a left-out one does.
  const o: Record<string, unknown> = { ...RUN_DEFAULTS, hidden: [...RUN_DEFAULTS.hidden] };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) o[k] = v;
  const unit = { min: 0, max: 1, maxExclusive: true };
  const unit32 = { ...unit, float32: true }; // stored as float32 by the addon
  const learningRate = expectNumber('settings.learningRate', o.learningRate, { min: 0, minExclusive: true, max: FLOAT32_MAX });
  return {
    hidden: hiddenSizes(o.hidden),
    epochs: expectInteger('settings.epochs', o.epochs, { min: 1, max: 1_000_000 }),
    epsilon: expectNumber('settings.epsilon', o.epsilon, { min: 0, minExclusive: true, max: FLOAT32_MAX }),
    zeta: expectNumber('settings.zeta', o.zeta, { min: 0, max: 1 }),
    batchSize: expectInteger('settings.batchSize', o.batchSize, { min: 1, max: 65536 }),
    learningRate,
    momentum: expectNumber('settings.momentum', o.momentum, unit32),
    weightDecay: expectNumber('settings.weightDecay', o.weightDecay, unit32),
    dropout: expectNumber('settings.dropout', o.dropout, unit32),
    alpha: expectNumber('settings.alpha', o.alpha, unit),
    beta: expectInteger('settings.beta', o.beta, { min: 0 }),
    gamma: expectInteger('settings.gamma', o.gamma, { min: 0 }),
    criterion: expectOneOf('settings.criterion', o.criterion, PRUNE_CRITERIA),
    weightInit: expectOneOf('settings.weightInit', o.weightInit, WEIGHT_INITS),
    seed: expectInteger('settings.seed', o.seed, { min: 0 }),
    threads: expectInteger('settings.threads', o.threads, { min: 0, max: 4096 }),
    ...(o.learningRateSchedule === undefined ? {} : { learningRateSchedule: scheduleSetting(o.learningRateSchedule, learningRate) }),
    ...(o.patience === undefined ? {} : { patience: expectInteger('settings.patience', o.patience, { min: 1, max: 1_000_000 }) }),
  };
}

/** A schedule object, checked and with its defaults filled in (what results record); no function: settings are JSON. */
function scheduleSetting(value: unknown, learningRate: number): LearningRateScheduleSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('a schedule object { type, ... } (settings are recorded as JSON)', 'settings.learningRateSchedule', value);
  }
  return resolveLearningRateSchedule(value, learningRate, (key) => `settings.learningRateSchedule.${key}`) as LearningRateScheduleSpec;
}

/** Hidden layer sizes; none ([]) is a model without hidden layers, as SparseMLP.create allows. */
function hiddenSizes(value: unknown): number[] {
  if (!Array.isArray(value)) fail('an array of hidden layer sizes (integers >= 1)', 'settings.hidden', value);
  return value.map((v, i) => expectInteger(`settings.hidden[${i}]`, v, { min: 1 }));
}

/** The shape of prepared data; fit checks the values (finite features, class indices) when it trains. */
function checkData(value: unknown): PreparedData {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('prepared data { name, train, test, classes, features }', 'data', value);
  }
  const d = value as Partial<PreparedData>;
  expectString('data.name', d.name);
  const features = expectInteger('data.features', d.features, { min: 1 });
  expectInteger('data.classes', d.classes, { min: 2 });
  for (const part of ['train', 'test', 'validation'] as const) {
    const split = d[part];
    if (part === 'validation' && split === undefined) continue;
    if (split === null || typeof split !== 'object' || ArrayBuffer.isView(split)) {
      fail('a dataset object { X, y, samples, features }', `data.${part}`, split);
    }
    expectInteger(`data.${part}.samples`, split.samples, { min: 1 });
    if (split.features !== features) fail(`${features} features (data.features)`, `data.${part}.features`, split.features);
  }
  return value as PreparedData;
}

/**
 * Builds one of METHODS on prepared data and trains it (SparseMLP.create then fit, evaluating the test split,
 * and data.validation when present, after every epoch), then disposes of the model: the run that `npset train`
 * prints. Settings left out take RUN_DEFAULTS. Rejects with a ValidationError for bad options, an AbortError
 * when `signal` aborts, a DivergenceError when a loss is not finite (unless onDivergence is 'continue').
 */
export async function runMethod(options: RunOptions): Promise<RunResult> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail('an options object', 'runMethod options', options);
  }
  rejectUnknownKeys('runMethod options', options as unknown as Record<string, unknown>, RUN_KEYS);
  const data = checkData(options.data);
  const method = expectOneOf('method', options.method, METHODS);
  const s = checkSettings(options.settings);
  for (const key of ['onEpoch', 'keepModel'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') fail('a function', key, options[key]);
  }
  for (const key of ['signal', 'stop'] as const) {
    if (options[key] !== undefined && !(options[key] instanceof AbortSignal)) fail('an AbortSignal', key, options[key]);
  }
  expectOneOf('onDivergence', orDefault(options.onDivergence, 'error'), ['error', 'continue'] as const);
  if (s.patience !== undefined && data.validation === undefined) {
    throw new ValidationError(`Expected data.validation (prepareData's validationFraction) for settings.patience but received none`);
  }
  const spec = METHOD_SPECS[method];
  // The last epoch, when `stop` ended the run (not when patience did).
  let stoppedAt: number | undefined;
  const started = performance.now();
  // The signal aborts the building too (a network of millions of neurons takes seconds to draw).
  const model = await SparseMLP.create(
    { layers: [data.features, ...s.hidden, data.classes], dense: spec.dense, epsilon: s.epsilon, weightInit: s.weightInit, seed: s.seed, threads: s.threads },
    { signal: options.signal },
  );
  const history: EpochRecord[] = [];
  try {
    const fitted = await model.fit(data.train, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      ...(s.learningRateSchedule ? { learningRateSchedule: s.learningRateSchedule } : {}),
      momentum: s.momentum,
      weightDecay: s.weightDecay,
      dropout: s.dropout,
      zeta: spec.evolve ? s.zeta : 0,
      pruning: spec.prune ? { layers: spec.prune, alpha: s.alpha, beta: s.beta, gamma: s.gamma, criterion: s.criterion } : false,
      // fit measures both before the epoch's topology update and, with patience, stops before it.
      ...(data.validation ? { validation: data.validation } : {}),
      test: data.test,
      ...(s.patience !== undefined ? { earlyStopping: { patience: s.patience } } : {}),
      signal: options.signal,
      onDivergence: orDefault(options.onDivergence, 'error'),
      onEpoch: async (info) => {
        const record: EpochRecord = {
          epoch: info.epoch,
          loss: info.loss,
          trainAccuracy: info.trainAccuracy,
          testAccuracy: info.testAccuracy ?? NaN,
          neurons: info.neurons,
          params: info.connections.reduce((a, b) => a + b, 0),
          learningRate: info.learningRate,
          ...(info.validationAccuracy !== undefined ? { validationAccuracy: info.validationAccuracy, validationLoss: info.validationLoss } : {}),
          ms: info.timesMs.total,
        };
        history.push(record);
        // Awaited: a rejected promise rejects the run instead of going unhandled.
        await options.onEpoch?.(info, record);
        if (!options.stop?.aborted) return undefined;
        stoppedAt = info.epoch;
        return false;
      },
    });
    if (options.keepModel) await options.keepModel(model);
    const topo = model.topology();
    const last = history[history.length - 1];
    let maxTest = 0;
    for (let e = 1; e < history.length; e++) if (history[e].testAccuracy > history[maxTest].testAccuracy) maxTest = e;
    const result: RunResult = {
      dataset: data.name,
      method,
      layers: topo.neurons,
      neurons: topo.neuronCount,
      params: topo.connections,
      testAccuracy: last.testAccuracy,
      maxTestAccuracy: history[maxTest].testAccuracy,
      maxTestEpoch: maxTest,
      trainAccuracy: last.trainAccuracy,
      epochs: s.epochs,
      epochTimesMs: history.map((h) => h.ms),
      threads: model.threads,
      seed: s.seed,
      trainSamples: data.train.samples,
      testSamples: data.test.samples,
      settings: s, // checkSettings' own copy
      history,
      totalMs: performance.now() - started,
    };
    const diverged = history.findIndex((h) => !Number.isFinite(h.loss));
    if (diverged >= 0) result.divergedAtEpoch = diverged;
    if (fitted.stoppedEarly && stoppedAt !== undefined && stoppedAt < s.epochs - 1) result.stoppedAtEpoch = stoppedAt;
    if (fitted.earlyStopEpoch !== undefined) result.earlyStopEpoch = fitted.earlyStopEpoch;
    if (data.validation) result.validationSamples = data.validation.samples;
    if (fitted.bestValidationEpoch !== undefined) {
      const best = history[fitted.bestValidationEpoch];
      result.bestValidationEpoch = best.epoch;
      result.bestValidationAccuracy = best.validationAccuracy;
      result.testAccuracyAtBestValidation = best.testAccuracy;
    }
    if (spec.prune) {
      result.neuronsPerEpoch = history.map((h) => h.neurons.slice(1, -1));
      result.paramsPerEpoch = history.map((h) => h.params);
    }
    return result;
  } finally {
    model.dispose();
  }
}

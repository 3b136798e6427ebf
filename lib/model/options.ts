/**
 * Typed options of SparseMLP with their defaults, validated in TypeScript before anything reaches the
 * native side (which validates again).
 */
import {
  expectBoolean,
  expectInteger,
  expectIntegerArray,
  expectNumber,
  expectOneOf,
  expectOptions,
  fail,
  rejectUnknownKeys,
  withDefaults,
} from '../validate';
import { resolveLearningRateSchedule, type LearningRateSchedule, type ResolvedLearningRateSchedule } from './schedule';

// Every exported constant here is frozen: a write from any importer would change every later create and fit.
export const ACTIVATIONS = Object.freeze(['relu', 'all-relu'] as const);
export const LOSSES = Object.freeze(['cross-entropy', 'mse'] as const);
export const TOPOLOGIES = Object.freeze(['draws', 'bernoulli'] as const);
export const WEIGHT_INITS = Object.freeze(['he-uniform', 'xavier-uniform', 'normal'] as const);
export const REGROW_INITS = Object.freeze(['normal', 'zero', 'he-uniform'] as const);
export const PRUNE_CRITERIA = Object.freeze(['out-degree', 'in-degree', 'in-out', 'strength'] as const);
export const PRUNE_LAYERS = Object.freeze(['all', 'first', 'second'] as const);

export type Activation = (typeof ACTIVATIONS)[number];
export type Loss = (typeof LOSSES)[number];
export type TopologyInit = (typeof TOPOLOGIES)[number];
export type WeightInit = (typeof WEIGHT_INITS)[number];
export type RegrowInit = (typeof REGROW_INITS)[number];
export type PruneCriterion = (typeof PRUNE_CRITERIA)[number];
export type PruneLayers = (typeof PRUNE_LAYERS)[number];

/**
 * How a model is built (SparseMLP.create). Every field but `layers` is optional: left out, or given as
 * undefined, it takes its default from MODEL_DEFAULTS.
 */
export interface ModelOptions {
  /** Neurons per layer: [inputs, hidden..., classes] (at least 2 sizes, at least 2 classes). Required; copied, never changed. */
  layers: readonly number[];
  /** Fully connected (dense) layers instead of sparse ones. @default false */
  dense?: boolean | undefined;
  /** Erdős–Rényi sparsity: about epsilon * (n_in + n_out) connections per layer (> 0). @default 20 */
  epsilon?: number | undefined;
  /** How the sparse topology is drawn: 'draws' (the reference SET way) or 'bernoulli'. @default 'draws' */
  topology?: TopologyInit | undefined;
  /** Initial weights: 'he-uniform' (fan-in = mean in-degree of the sparse layer), 'xavier-uniform' or 'normal'. @default 'he-uniform' */
  weightInit?: WeightInit | undefined;
  /** Hidden activation: 'relu' or 'all-relu'. @default 'relu' */
  activation?: Activation | undefined;
  /** Slope a of All-ReLU for negative inputs (activation 'all-relu' only). @default 0.6 */
  allReluSlope?: number | undefined;
  /** Loss: 'cross-entropy' (softmax output) or 'mse'. @default 'cross-entropy' */
  loss?: Loss | undefined;
  /** Seed of every random choice (topology, weights, shuffles, dropout, evolution); an integer >= 0. @default 0 */
  seed?: number | undefined;
  /** OpenMP threads; 0 means OMP_NUM_THREADS when it is set, else all cores. @default 0 */
  threads?: number | undefined;
}

/** ModelOptions as checked, every default filled in: what `SparseMLP.options` holds. */
export interface ResolvedModelOptions {
  /** The layer sizes the model was built with (not its sizes after pruning: see `topology()`). */
  layers: readonly number[];
  dense: boolean;
  epsilon: number;
  topology: TopologyInit;
  weightInit: WeightInit;
  activation: Activation;
  allReluSlope: number;
  loss: Loss;
  seed: number;
  threads: number;
}

/**
 * NPSET neuron pruning schedule (fit's `pruning`): at the start of each epoch e with beta <= e <= beta + gamma
 * (epochs from 0), floor(alpha * n) neurons of each pruned hidden layer of n neurons are removed. Left out, or
 * given as undefined, a field takes its default from PRUNING_DEFAULTS.
 */
export interface PruningOptions {
  /** Which hidden layers lose neurons: 'all' (NPSET), 'first', 'second', or 1-based indices (copied, never changed). @default 'all' */
  layers?: PruneLayers | readonly number[] | undefined;
  /** Fraction of a layer's neurons removed at each pruning, in [0, 1). @default 0.04 */
  alpha?: number | undefined;
  /** First epoch (from 0) that prunes. @default 10 */
  beta?: number | undefined;
  /** Pruning continues up to epoch beta + gamma inclusive (gamma + 1 pruning epochs). @default 40 */
  gamma?: number | undefined;
  /** Which neurons go first: 'out-degree' (fewest outgoing connections), 'in-degree', 'in-out' or 'strength'. @default 'out-degree' */
  criterion?: PruneCriterion | undefined;
}

/** PruningOptions as checked (FitResult.options.pruning): the pruned hidden layers as sorted 1-based indices. */
export interface ResolvedPruning {
  hiddenLayers: number[];
  alpha: number;
  beta: number;
  gamma: number;
  criterion: PruneCriterion;
}

/**
 * How fit trains (and, for the training-pass fields, trainEpoch). Left out, or given as undefined, a field
 * takes its default from TRAIN_DEFAULTS.
 */
export interface TrainOptions {
  /** Number of epochs, 1 to 1,000,000: epochs 0 .. epochs - 1 (with fit's `initialEpoch`, the schedule's total, not this call's count). @default 100 */
  epochs?: number | undefined;
  /** Samples per mini-batch (1 to 65536). @default 8 */
  batchSize?: number | undefined;
  /** SGD learning rate (> 0): every epoch's rate, or the base rate of `learningRateSchedule`. @default 0.01 */
  learningRate?: number | undefined;
  /** SGD momentum, in [0, 1). @default 0.9 */
  momentum?: number | undefined;
  /** Nesterov momentum instead of the classical one. @default false */
  nesterov?: boolean | undefined;
  /** L2 weight decay per update, in [0, 1): w += v - weightDecay * w. @default 0.0002 */
  weightDecay?: number | undefined;
  /** Dropout rate on the hidden layers during training, in [0, 1); 0 disables. @default 0 */
  dropout?: number | undefined;
  /** Shuffle the training samples every epoch (seeded by the model's seed and the epoch). @default true */
  shuffle?: boolean | undefined;
  /** SET: fraction of the weights of each sign removed and regrown after each epoch, in [0, 1]; 0 disables. @default 0.3 */
  zeta?: number | undefined;
  /** SET: the weights of regrown connections: 'normal' (std regrowScale), 'zero' or 'he-uniform'. @default 'normal' */
  regrowInit?: RegrowInit | undefined;
  /** SET: the standard deviation of 'normal' regrowth (>= 0). @default 0.1 */
  regrowScale?: number | undefined;
  /** NPSET neuron pruning; false, undefined or left out: none (SET). */
  pruning?: PruningOptions | false | undefined;
  /**
   * The rate of each epoch, from `learningRate`: 'constant' (default), 'cosine', { type: 'step' | 'exponential' |
   * 'cosine' | 'constant', ..., warmupEpochs } or a function (epoch, learningRate) => rate (epochs from 0).
   * @default 'constant'
   */
  learningRateSchedule?: LearningRateSchedule | undefined;
}

/** TrainOptions as checked, every default filled in: FitResult.options. */
export interface ResolvedTrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  dropout: number;
  shuffle: boolean;
  zeta: number;
  regrowInit: RegrowInit;
  regrowScale: number;
  /** null: no pruning. */
  pruning: ResolvedPruning | null;
  learningRateSchedule: ResolvedLearningRateSchedule;
}

/** The defaults of ModelOptions (frozen). */
export const MODEL_DEFAULTS = Object.freeze({
  dense: false,
  epsilon: 20,
  topology: 'draws' as TopologyInit,
  weightInit: 'he-uniform' as WeightInit,
  activation: 'relu' as Activation,
  allReluSlope: 0.6,
  loss: 'cross-entropy' as Loss,
  seed: 0,
  threads: 0,
});

/** The defaults of TrainOptions (frozen); pruning is off by default. */
export const TRAIN_DEFAULTS = Object.freeze({
  epochs: 100,
  batchSize: 8,
  learningRate: 0.01,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 0.0002,
  dropout: 0,
  shuffle: true,
  zeta: 0.3,
  regrowInit: 'normal' as RegrowInit,
  regrowScale: 0.1,
  learningRateSchedule: 'constant' as LearningRateSchedule,
});

/** The defaults of PruningOptions (frozen), for a fit given `pruning`. */
export const PRUNING_DEFAULTS = Object.freeze({
  layers: 'all' as PruneLayers,
  alpha: 0.04,
  beta: 10,
  gamma: 40,
  criterion: 'out-degree' as PruneCriterion,
});

const MAX_NEURONS = 2147483647;
/** The native core keeps these numbers as 32-bit floats: the largest finite one. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export function resolveModelOptions(value: unknown): ResolvedModelOptions {
  const o = expectOptions('model options', value);
  rejectUnknownKeys('model options', o, ['layers', ...Object.keys(MODEL_DEFAULTS)]);
  const layers = expectIntegerArray('layers', o.layers, { min: 1, max: MAX_NEURONS });
  if (layers.length < 2) fail('at least 2 layer sizes (inputs and classes)', 'layers', layers);
  if (layers[layers.length - 1] < 2) fail('at least 2 classes', `layers[${layers.length - 1}]`, layers[layers.length - 1]);
  const r = withDefaults(MODEL_DEFAULTS, o) as Required<ModelOptions>;
  return {
    layers: [...layers],
    dense: expectBoolean('dense', r.dense),
    epsilon: expectNumber('epsilon', r.epsilon, { min: 0, minExclusive: true, max: FLOAT32_MAX }),
    topology: expectOneOf('topology', r.topology, TOPOLOGIES),
    weightInit: expectOneOf('weightInit', r.weightInit, WEIGHT_INITS),
    activation: expectOneOf('activation', r.activation, ACTIVATIONS),
    allReluSlope: expectNumber('allReluSlope', r.allReluSlope, { min: 0, max: FLOAT32_MAX }),
    loss: expectOneOf('loss', r.loss, LOSSES),
    seed: expectInteger('seed', r.seed, { min: 0 }),
    threads: expectInteger('threads', r.threads, { min: 0, max: 4096 }),
  };
}

/** 1-based hidden layer indices for a pruning choice, given the number of hidden layers. */
export function prunedLayers(layers: PruneLayers | readonly number[], hidden: number): number[] {
  if (Array.isArray(layers)) {
    const ids = expectIntegerArray('pruning.layers', layers, { min: 1, max: hidden });
    if (new Set(ids).size !== ids.length) fail('distinct hidden layer indices', 'pruning.layers', layers);
    return [...ids].sort((a, b) => a - b);
  }
  // The array form is accepted too: say so, rather than expectOneOf's list of names alone.
  if (typeof layers !== 'string' || !(PRUNE_LAYERS as readonly string[]).includes(layers)) {
    const names = PRUNE_LAYERS.map((c) => JSON.stringify(c)).join(', ');
    fail(`one of ${names} or an array of 1-based hidden layer indices`, 'pruning.layers', layers);
  }
  const which = layers;
  if (which === 'all') return Array.from({ length: hidden }, (_, i) => i + 1);
  const index = which === 'first' ? 1 : 2;
  if (index > hidden) fail(`a model with at least ${index} hidden layers`, `pruning.layers "${which}"`, `${hidden} hidden layers`);
  return [index];
}

/** `otherKeys`: the options of the caller that it takes out of `value` itself (fit's validation, onEpoch, ...), listed in the unknown-option error. */
export function resolveTrainOptions(value: unknown, hiddenLayers: number, otherKeys: readonly string[] = []): ResolvedTrainOptions {
  const o = expectOptions('fit options', value);
  rejectUnknownKeys('fit options', o, [...Object.keys(TRAIN_DEFAULTS), 'pruning', ...otherKeys]);
  const r = withDefaults(TRAIN_DEFAULTS, o) as Required<TrainOptions>;
  const learningRate = expectNumber('learningRate', r.learningRate, { min: 0, minExclusive: true, max: FLOAT32_MAX });
  return {
    epochs: expectInteger('epochs', r.epochs, { min: 1, max: 1_000_000 }),
    batchSize: expectInteger('batchSize', r.batchSize, { min: 1, max: 65536 }),
    learningRate,
    learningRateSchedule: resolveLearningRateSchedule(r.learningRateSchedule, learningRate),
    momentum: expectNumber('momentum', r.momentum, { min: 0, max: 1, maxExclusive: true, float32: true }),
    nesterov: expectBoolean('nesterov', r.nesterov),
    weightDecay: expectNumber('weightDecay', r.weightDecay, { min: 0, max: 1, maxExclusive: true, float32: true }),
    dropout: expectNumber('dropout', r.dropout, { min: 0, max: 1, maxExclusive: true, float32: true }),
    shuffle: expectBoolean('shuffle', r.shuffle),
    zeta: expectNumber('zeta', r.zeta, { min: 0, max: 1 }),
    regrowInit: expectOneOf('regrowInit', r.regrowInit, REGROW_INITS),
    regrowScale: expectNumber('regrowScale', r.regrowScale, { min: 0, max: FLOAT32_MAX }),
    pruning: resolvePruning(o.pruning, hiddenLayers),
  };
}

function resolvePruning(value: unknown, hiddenLayers: number): ResolvedPruning | null {
  if (value === undefined || value === false || value === null) return null;
  const o = expectOptions('pruning', value);
  rejectUnknownKeys('pruning', o, Object.keys(PRUNING_DEFAULTS));
  const r = withDefaults(PRUNING_DEFAULTS, o) as Required<PruningOptions>;
  return {
    hiddenLayers: prunedLayers(r.layers, hiddenLayers),
    alpha: expectNumber('pruning.alpha', r.alpha, { min: 0, max: 1, maxExclusive: true }),
    beta: expectInteger('pruning.beta', r.beta, { min: 0 }),
    gamma: expectInteger('pruning.gamma', r.gamma, { min: 0 }),
    criterion: expectOneOf('pruning.criterion', r.criterion, PRUNE_CRITERIA),
  };
}

/** Whether epoch e (from 0) starts with a pruning step: beta <= e <= beta + gamma. */
export function prunesAt(p: ResolvedPruning | null, epoch: number): boolean {
  return p !== null && epoch >= p.beta && epoch <= p.beta + p.gamma;
}

/**
 * One training run of one method on prepared data: the unit that `npset train` prints and that
 * `npset reproduce` repeats over datasets, methods and seeds.
 */
import { SparseMLP, type EpochInfo } from '../model';
import type { PruneCriterion } from '../model/options';
import { METHOD_SPECS, type Method } from './methods';
import type { PreparedData } from './prepare';

export interface RunSettings {
  hidden: number[];
  epochs: number;
  epsilon: number;
  zeta: number;
  batchSize: number;
  learningRate: number;
  momentum: number;
  weightDecay: number;
  dropout: number;
  alpha: number;
  beta: number;
  gamma: number;
  criterion: PruneCriterion;
  seed: number;
  threads: number;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  neurons: number[];
  params: number;
  ms: number;
}

export interface RunResult {
  dataset: string;
  method: Method;
  /** Neurons per layer at the end: [inputs, hidden..., classes]. */
  layers: number[];
  /** Inputs plus hidden neurons at the end (the paper's count). */
  neurons: number;
  /** Connections at the end (the paper's parameter count). */
  params: number;
  testAccuracy: number;
  maxTestAccuracy: number;
  maxTestEpoch: number;
  trainAccuracy: number;
  epochs: number;
  epochTimesMs: number[];
  threads: number;
  seed: number;
  trainSamples: number;
  testSamples: number;
  settings: RunSettings;
  /** Hidden neurons per layer at each epoch (NPSET methods). */
  neuronsPerEpoch?: number[][];
  /** Connections at each epoch (NPSET methods). */
  paramsPerEpoch?: number[];
  history: EpochRecord[];
  totalMs: number;
  /** The first epoch whose training loss was NaN or infinite, when training diverged (onDivergence 'continue'). */
  divergedAtEpoch?: number;
}

export interface RunOptions {
  data: PreparedData;
  method: Method;
  settings: RunSettings;
  onEpoch?: (info: EpochInfo, record: EpochRecord) => void;
  signal?: AbortSignal;
  /** Receives the trained model before it is disposed (figure 1 uses it). */
  keepModel?: (model: SparseMLP) => Promise<void>;
  /** What a NaN or infinite training loss does (fit's option; default 'error'). */
  onDivergence?: 'error' | 'continue';
}

export async function runMethod(options: RunOptions): Promise<RunResult> {
  const { data, method, settings: s } = options;
  const spec = METHOD_SPECS[method];
  const started = performance.now();
  const model = await SparseMLP.create({
    layers: [data.features, ...s.hidden, data.classes],
    dense: spec.dense,
    epsilon: s.epsilon,
    seed: s.seed,
    threads: s.threads,
  });
  const history: EpochRecord[] = [];
  try {
    await model.fit(data.train, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      momentum: s.momentum,
      weightDecay: s.weightDecay,
      dropout: s.dropout,
      zeta: spec.evolve ? s.zeta : 0,
      pruning: spec.prune ? { layers: spec.prune, alpha: s.alpha, beta: s.beta, gamma: s.gamma, criterion: s.criterion } : false,
      validation: data.test,
      signal: options.signal,
      onDivergence: options.onDivergence ?? 'error',
      onEpoch: (info) => {
        const record: EpochRecord = {
          epoch: info.epoch,
          loss: info.loss,
          trainAccuracy: info.trainAccuracy,
          testAccuracy: info.validationAccuracy ?? NaN,
          neurons: info.neurons,
          params: info.connections.reduce((a, b) => a + b, 0),
          ms: info.timesMs.total,
        };
        history.push(record);
        options.onEpoch?.(info, record);
      },
    });
    if (options.keepModel) await options.keepModel(model);
    const topo = model.topology();
    const last = history[history.length - 1];
    let best = 0;
    for (let e = 1; e < history.length; e++) if (history[e].testAccuracy > history[best].testAccuracy) best = e;
    const result: RunResult = {
      dataset: data.name,
      method,
      layers: topo.neurons,
      neurons: topo.neuronCount,
      params: topo.connections,
      testAccuracy: last.testAccuracy,
      maxTestAccuracy: history[best].testAccuracy,
      maxTestEpoch: best,
      trainAccuracy: last.trainAccuracy,
      epochs: s.epochs,
      epochTimesMs: history.map((h) => h.ms),
      threads: model.threads,
      seed: s.seed,
      trainSamples: data.train.samples,
      testSamples: data.test.samples,
      settings: { ...s, hidden: [...s.hidden] },
      history,
      totalMs: performance.now() - started,
    };
    const diverged = history.findIndex((h) => !Number.isFinite(h.loss));
    if (diverged >= 0) result.divergedAtEpoch = diverged;
    if (spec.prune) {
      result.neuronsPerEpoch = history.map((h) => h.neurons.slice(1, -1));
      result.paramsPerEpoch = history.map((h) => h.params);
    }
    return result;
  } finally {
    model.dispose();
  }
}

/** Settings of one run as the reproduction gives its sparse methods (lib/experiment/reproduce.ts), for tests to vary. */
import type { Method } from '../../lib/experiment/methods';
import type { PaperDataset } from '../../lib/experiment/paper';
import type { RunResult, RunSettings } from '../../lib/experiment/run';

export const RUN_SETTINGS: RunSettings = {
  hidden: [300, 300],
  epochs: 3,
  epsilon: 10,
  zeta: 0.3,
  batchSize: 8,
  learningRate: 0.01,
  momentum: 0.9,
  weightDecay: 0,
  dropout: 0,
  alpha: 0.04,
  beta: 10,
  gamma: 40,
  criterion: 'out-degree',
  weightInit: 'normal',
  seed: 1,
  threads: 1,
};

/** A finished run with only the fields the tables read set to something meaningful. */
export function fakeRun(p: PaperDataset, method: Method, maxTestAccuracy: number, params = 1000, neurons = 100, seed = 1): RunResult {
  return {
    dataset: p.displayName,
    method,
    layers: [p.features, ...p.hidden, p.classes],
    neurons,
    params,
    testAccuracy: maxTestAccuracy,
    maxTestAccuracy,
    maxTestEpoch: 0,
    trainAccuracy: 1,
    epochs: 3,
    epochTimesMs: [1, 1, 1],
    threads: 1,
    seed,
    trainSamples: p.train,
    testSamples: p.test,
    settings: { ...RUN_SETTINGS, seed },
    history: [],
    totalMs: 3,
  };
}

/** Settings of one run as the reproduction uses them (lib/experiment/run.ts), for tests to vary. */
import type { RunSettings } from '../../lib/experiment/run';

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
  seed: 1,
  threads: 1,
};

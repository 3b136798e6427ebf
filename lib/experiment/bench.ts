/**
 * CPU-scaling benchmark: per thread count, the time of each phase of a SET / NPSET epoch (every epoch
 * includes one topology evolution and, for NPSET, one pruning step), useful GFLOP/s, speedup, efficiency,
 * peak memory and bytes per connection; and a dense MLP of the same shape through Eigen where it fits.
 */
import type { Dataset } from '../data';
import { SparseMLP } from '../model';
import { Random } from '../data/random';
import { machineInfo, type MachineInfo } from './machine';

export const WORKLOADS = ['leukemia', 'gisette', 'wide', 'mnist', 'custom'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface WorkloadShape {
  layers: number[];
  samples: number;
  batch: number;
}

/** The named shapes (epsilon 20): leukemia, gisette and wide as measured against the reference SET. */
export const WORKLOAD_SHAPES: Record<Exclude<Workload, 'custom'>, WorkloadShape> = {
  leukemia: { layers: [7070, 7000, 7000, 2], samples: 48, batch: 8 },
  gisette: { layers: [5000, 5000, 5000, 2], samples: 4666, batch: 32 },
  wide: { layers: [5000, 100000, 100000, 2], samples: 4666, batch: 32 },
  mnist: { layers: [784, 1000, 1000, 10], samples: 60000, batch: 128 },
};

export interface BenchOptions {
  workload: Workload;
  layers?: number[];
  samples?: number;
  data?: Dataset;
  method: 'set' | 'npset';
  epsilon: number;
  batch?: number;
  threads: number[];
  epochs: number;
  /** Also time a dense MLP of the same shape (skipped when it would not fit in memory). */
  dense: boolean;
  seed?: number;
  onProgress?: (msg: string) => void;
}

export interface PhaseMs {
  forward: number;
  backward: number;
  update: number;
  evolution: number;
  pruning: number;
}

export interface BenchRow {
  threads: number;
  oversubscribed: boolean;
  epochMs: number;
  phasesMs: PhaseMs;
  gflops: number;
  speedup: number;
  efficiency: number;
  peakRssBytes: number;
  bytesPerConnection: number;
  connections: number;
}

export interface BenchResult {
  workload: string;
  method: string;
  layers: number[];
  samples: number;
  batch: number;
  epsilon: number;
  epochs: number;
  connections: number;
  sgemmGflops: number | null;
  kernels: string | null;
  machine: MachineInfo;
  rows: BenchRow[];
  dense: { epochMs: number; gflops: number; threads: number } | null;
}

/** Standard-normal features and balanced labels of the given shape (timing does not depend on values). */
export function syntheticShape(samples: number, features: number, classes: number, seed = 42): Dataset {
  const rng = new Random(seed);
  const X = new Float32Array(samples * features);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const y = new Int32Array(samples);
  for (let s = 0; s < samples; s++) y[s] = s % classes;
  return { name: 'synthetic', X, y, samples, features, classes, labels: Array.from({ length: classes }, (_, c) => c) };
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Useful work of one epoch: forward and weight gradient 2*connections each, input gradient for all but layer 0. */
export function epochFlops(connections: number[], samples: number): number {
  const all = connections.reduce((a, b) => a + b, 0);
  const notFirst = all - connections[0];
  return 2 * samples * (2 * all + notFirst);
}

async function timeEpochs(model: SparseMLP, data: Dataset, o: BenchOptions, batch: number, dense: boolean) {
  const sum: PhaseMs = { forward: 0, backward: 0, update: 0, evolution: 0, pruning: 0 };
  let flops = 0;
  const hidden = model.topology().neurons.length - 2;
  for (let e = 0; e < o.epochs; e++) {
    if (o.method === 'npset' && !dense) {
      const t0 = performance.now();
      await model.pruneNeurons({ hiddenLayers: Array.from({ length: hidden }, (_, i) => i + 1), alpha: 0.04 });
      sum.pruning += performance.now() - t0;
    }
    flops += epochFlops(model.topology().layers.map((l) => l.connections), data.samples);
    const t = (await model.trainEpoch(data, { batchSize: batch, weightDecay: 0 }, e)).timesMs;
    sum.forward += t.forward;
    sum.backward += t.backward;
    sum.update += t.update;
    if (!dense) {
      const t0 = performance.now();
      await model.evolve({ zeta: 0.3, epoch: e });
      sum.evolution += performance.now() - t0;
    }
  }
  const n = o.epochs;
  const phasesMs: PhaseMs = {
    forward: sum.forward / n,
    backward: sum.backward / n,
    update: sum.update / n,
    evolution: sum.evolution / n,
    pruning: sum.pruning / n,
  };
  const trainMs = sum.forward + sum.backward + sum.update;
  return {
    epochMs: phasesMs.forward + phasesMs.backward + phasesMs.update + phasesMs.evolution + phasesMs.pruning,
    phasesMs,
    gflops: flops / (trainMs * 1e6),
  };
}

export async function runBench(o: BenchOptions, sgemm?: (threads: number) => Promise<number>): Promise<BenchResult> {
  const shape: WorkloadShape =
    o.workload === 'custom'
      ? { layers: o.layers ?? [1000, 1000, 1000, 2], samples: o.samples ?? 1000, batch: o.batch ?? 32 }
      : { ...WORKLOAD_SHAPES[o.workload] };
  if (o.layers) shape.layers = o.layers;
  if (o.samples) shape.samples = o.samples;
  const batch = o.batch ?? shape.batch;
  let data: Dataset;
  if (o.data) {
    data = o.data;
    shape.layers = [data.features, ...shape.layers.slice(1, -1), data.classes];
    shape.samples = data.samples;
  } else if (o.workload === 'mnist' && !o.layers) {
    data = syntheticShape(shape.samples, 784, 10);
  } else {
    data = syntheticShape(shape.samples, shape.layers[0], shape.layers[shape.layers.length - 1]);
  }
  const machine = machineInfo();
  const rows: BenchRow[] = [];
  let connections = 0;
  for (const threads of o.threads) {
    o.onProgress?.(`building ${shape.layers.join('-')} for ${threads} thread${threads === 1 ? '' : 's'}`);
    const model = await SparseMLP.create({ layers: shape.layers, epsilon: o.epsilon, seed: o.seed ?? 1, threads });
    try {
      connections = model.topology().connections;
      o.onProgress?.(`timing ${o.epochs} epoch${o.epochs === 1 ? '' : 's'} on ${threads} thread${threads === 1 ? '' : 's'}`);
      const t = await timeEpochs(model, data, o, batch, false);
      const mem = model.memory();
      const base = rows[0];
      const speedup = base ? base.epochMs / t.epochMs : 1;
      rows.push({
        threads,
        oversubscribed: threads > machine.cores,
        ...t,
        speedup,
        efficiency: base ? speedup / (threads / base.threads) : 1,
        peakRssBytes: peakRss(),
        bytesPerConnection: mem.bytesPerConnection,
        connections: mem.connections,
      });
    } finally {
      model.dispose();
    }
  }
  let dense: BenchResult['dense'] = null;
  const denseParams = shape.layers.slice(1).reduce((a, n, l) => a + n * shape.layers[l], 0);
  // Weights, momentum and gradient in float32: skip what would not fit in half the memory.
  if (o.dense && denseParams * 12 < machine.memoryBytes / 2) {
    const threads = Math.max(...o.threads);
    o.onProgress?.(`timing a dense MLP of the same shape on ${threads} threads`);
    const model = await SparseMLP.create({ layers: shape.layers, dense: true, seed: o.seed ?? 1, threads });
    try {
      const t = await timeEpochs(model, data, o, batch, true);
      dense = { epochMs: t.epochMs, gflops: (6 * data.samples * denseParams) / (t.epochMs * 1e6), threads };
    } finally {
      model.dispose();
    }
  }
  const sg = sgemm ? await sgemm(machine.cores) : null;
  return {
    workload: o.workload,
    method: o.method,
    layers: shape.layers,
    samples: data.samples,
    batch,
    epsilon: o.epsilon,
    epochs: o.epochs,
    connections,
    sgemmGflops: sg,
    kernels: null,
    machine,
    rows,
    dense,
  };
}

/**
 * CPU-scaling benchmark: per thread count, the time of each phase of a SET / NPSET epoch (every epoch
 * includes one topology evolution and, for NPSET, one pruning step), useful GFLOP/s, speedup, efficiency,
 * peak memory and bytes per connection; and a dense MLP of the same shape through Eigen where it fits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Dataset } from '../data';
import { NativeData, SparseMLP } from '../model';
import { Random } from '../data/random';
import { machineInfo, type MachineInfo } from './machine';

export const WORKLOADS = Object.freeze(['leukemia', 'gisette', 'wide', 'mnist', 'custom'] as const);
export type Workload = (typeof WORKLOADS)[number];

export interface WorkloadShape {
  layers: number[];
  samples: number;
  batch: number;
}

/** The named shapes (epsilon 20): leukemia, gisette and wide as measured against the reference SET. */
const shape = (layers: number[], samples: number, batch: number): WorkloadShape =>
  Object.freeze({ layers: Object.freeze(layers) as number[], samples, batch });
export const WORKLOAD_SHAPES: Readonly<Record<Exclude<Workload, 'custom'>, WorkloadShape>> = Object.freeze({
  leukemia: shape([7070, 7000, 7000, 2], 48, 8),
  gisette: shape([5000, 5000, 5000, 2], 4666, 32),
  wide: shape([5000, 100000, 100000, 2], 4666, 32),
  mnist: shape([784, 1000, 1000, 10], 60000, 128),
});

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
  /** Untimed epochs per thread count before the timed ones (first-touch page faults, caches); default 1. */
  warmup?: number;
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
  warmup: number;
  /**
   * Whether the thread counts took turns epoch by epoch (one model each, all alive at once), so that a
   * shared, noisy machine slows every row alike; false when the models would not fit together in memory.
   */
  interleaved: boolean;
  connections: number;
  sgemmGflops: number | null;
  kernels: string | null;
  machine: BenchMachine;
  rows: BenchRow[];
  dense: { epochMs: number; gflops: number; threads: number } | null;
  /** What makes some rows mean less than they seem (a model too small to split, a thread limit). */
  notes: string[];
}

/** The machine as a bench records it: machineInfo() and how busy it was when the bench started. */
export interface BenchMachine extends MachineInfo {
  /**
   * The 1-minute load average (os.loadavg()[0]) when the bench started; null where the system has none
   * (Windows, where Node reports 0).
   */
  loadAverage: number | null;
}

/** The 1-minute load average now, or null where the system has none (Windows). */
export function currentLoadAverage(): number | null {
  return process.platform === 'win32' ? null : loadavg()[0];
}

/**
 * Whether a machine with this 1-minute load average on `cores` cores (availableCores() in lib/native.ts) is too
 * busy for meaningful timings: a load average of half the cores or more. An unknown load (null) is not busy.
 */
export function machineBusy(loadAverage: number | null, cores: number): boolean {
  return loadAverage !== null && Number.isFinite(loadAverage) && loadAverage >= 0.5 * cores;
}

/** The bench note for a busy machine (machineBusy), or null when it is not. */
export function busyMachineNote(loadAverage: number | null, cores: number): string | null {
  if (!machineBusy(loadAverage, cores)) return null;
  return (
    `the machine was busy when the bench started (load average ${loadAverage!.toFixed(2)} on ${cores} core${cores === 1 ? '' : 's'}): ` +
    'other work competed for the cores, so the timings and speedups are noisy'
  );
}

/**
 * Below this many multiply-adds per layer and batch ((connections + outputs) x padded batch), the training
 * kernels run on the calling thread (kMinParallelWork in native/core/src/kernels_impl.hpp).
 */
const MIN_PARALLEL_WORK = 2 ** 18;

/** OMP_THREAD_LIMIT when it is set to a positive integer, else Infinity. */
function threadLimit(): number {
  const limit = Number(process.env.OMP_THREAD_LIMIT);
  return Number.isInteger(limit) && limit >= 1 ? limit : Infinity;
}

function benchNotes(threads: number[], layerWork: number[]): string[] {
  const notes: string[] = [];
  const largest = Math.max(0, ...layerWork);
  if (threads.some((t) => t > 1) && largest < MIN_PARALLEL_WORK) {
    notes.push(
      `no layer reaches the size at which the training kernels split their work between threads (2^18 multiply-adds ` +
        `per layer and batch; the largest here has ${largest}): they run on one thread in every row, so the speedups measure noise`,
    );
  }
  const limit = threadLimit();
  if (threads.some((t) => t > limit)) {
    notes.push(`OMP_THREAD_LIMIT=${limit}: the rows of more than ${limit} thread${limit === 1 ? '' : 's'} ran on ${limit}`);
  }
  return notes;
}

/** Multiply-adds per layer and batch of a model's kernels, as the native core weighs them. */
function layerWork(model: SparseMLP, batch: number): number[] {
  const pb = Math.ceil(batch / 8) * 8;
  return model.topology().layers.map((l) => (l.connections + l.outputs) * pb);
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

/** The process's peak resident memory since the last resetPeakRss (Linux), else since it started. */
function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: the lifetime peak below
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM), so that each thread count has its own.
 * It is the calling process's peak: a script that runs the bench and reads VmHWM afterwards sees the last row's.
 */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not allowed: rows then share the process's peak
  }
}

/** Useful work of one epoch: forward and weight gradient 2*connections each, input gradient for all but layer 0. */
export function epochFlops(connections: number[], samples: number): number {
  const all = connections.reduce((a, b) => a + b, 0);
  const notFirst = all - connections[0];
  return 2 * samples * (2 * all + notFirst);
}

/** Phase times and useful work summed over the timed epochs of one model. */
class EpochTimes {
  readonly sum: PhaseMs = { forward: 0, backward: 0, update: 0, evolution: 0, pruning: 0 };
  flops = 0;
  epochs = 0;

  /** One bench epoch: NPSET pruning (sparse only), training, SET evolution (sparse only). */
  async run(model: SparseMLP, data: NativeData, o: BenchOptions, batch: number, dense: boolean, epoch: number, timed: boolean): Promise<void> {
    let pruning = 0;
    let evolution = 0;
    if (o.method === 'npset' && !dense) {
      const hidden = model.topology().neurons.length - 2;
      const t0 = performance.now();
      await model.pruneNeurons({ hiddenLayers: Array.from({ length: hidden }, (_, i) => i + 1), alpha: 0.04 });
      pruning = performance.now() - t0;
    }
    const flops = epochFlops(model.topology().layers.map((l) => l.connections), data.samples);
    const t = (await model.trainEpoch(data, { batchSize: batch, weightDecay: 0 }, epoch)).timesMs;
    if (!dense) {
      const t0 = performance.now();
      await model.evolve({ zeta: 0.3, epoch });
      evolution = performance.now() - t0;
    }
    if (!timed) return;
    this.sum.forward += t.forward;
    this.sum.backward += t.backward;
    this.sum.update += t.update;
    this.sum.evolution += evolution;
    this.sum.pruning += pruning;
    this.flops += flops;
    this.epochs++;
  }

  result(): { epochMs: number; phasesMs: PhaseMs; gflops: number } {
    const n = Math.max(1, this.epochs);
    const s = this.sum;
    const phasesMs: PhaseMs = {
      forward: s.forward / n,
      backward: s.backward / n,
      update: s.update / n,
      evolution: s.evolution / n,
      pruning: s.pruning / n,
    };
    const trainMs = s.forward + s.backward + s.update;
    return {
      epochMs: phasesMs.forward + phasesMs.backward + phasesMs.update + phasesMs.evolution + phasesMs.pruning,
      phasesMs,
      gflops: this.flops / (trainMs * 1e6),
    };
  }
}

async function timeEpochs(model: SparseMLP, data: NativeData, o: BenchOptions, batch: number, dense: boolean, warmup: number) {
  const times = new EpochTimes();
  for (let e = 0; e < warmup + o.epochs; e++) await times.run(model, data, o, batch, dense, e, e >= warmup);
  return times.result();
}

/** Rough native memory of one sparse model of this shape: connections and per-batch activations. */
/** About the native memory of a sparse model of `layers` (20 bytes a connection) and its batch buffers. */
export function modelBytesEstimate(layers: number[], epsilon: number, batch: number): number {
  let bytes = 0;
  for (let l = 0; l + 1 < layers.length; l++) bytes += Math.min(layers[l] * layers[l + 1], epsilon * (layers[l] + layers[l + 1])) * 20;
  return bytes + layers.reduce((a, n) => a + n, 0) * (Math.ceil(batch / 8) * 8) * 4 * 4;
}

/**
 * The layer sizes, samples and batch that a bench runs: the workload's, or `layers` / `samples` / `batch`
 * where given. With `data`, the samples, the inputs and the classes are the data's: only the hidden sizes
 * (of the workload or of `layers`) are kept. The CLI refuses `--layers` whose first and last sizes differ
 * from the data's, and `--samples` with `--data`, rather than let them be replaced here unnoticed.
 */
export function benchShape(o: Pick<BenchOptions, 'workload' | 'layers' | 'samples' | 'data' | 'batch'>): WorkloadShape {
  const shape: WorkloadShape =
    o.workload === 'custom'
      ? { layers: o.layers ?? [1000, 1000, 1000, 2], samples: o.samples ?? 1000, batch: o.batch ?? 32 }
      : { ...WORKLOAD_SHAPES[o.workload], layers: [...WORKLOAD_SHAPES[o.workload].layers] };
  if (o.layers) shape.layers = [...o.layers];
  if (o.samples) shape.samples = o.samples;
  if (o.batch) shape.batch = o.batch;
  if (o.data) {
    shape.layers = [o.data.features, ...shape.layers.slice(1, -1), o.data.classes];
    shape.samples = o.data.samples;
  }
  return shape;
}

export async function runBench(o: BenchOptions, sgemm?: (threads: number) => Promise<number>): Promise<BenchResult> {
  // Read first, before this bench's own work adds to it.
  const loadAverage = currentLoadAverage();
  const shape = benchShape(o);
  const batch = shape.batch;
  const data: Dataset = o.data ?? syntheticShape(shape.samples, shape.layers[0], shape.layers[shape.layers.length - 1]);
  // Validated and copied once: a plain object would be copied again for every epoch.
  const train = NativeData.from(data);
  const machine: BenchMachine = { ...machineInfo(), loadAverage };
  const warmup = o.warmup ?? 1;
  const seed = o.seed ?? 1;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  // All thread counts take turns epoch by epoch when their models fit in memory together (a quarter of it).
  const interleaved = o.threads.length > 1 && o.threads.length * modelBytesEstimate(shape.layers, o.epsilon, batch) < machine.memoryBytes / 4;
  let connections = 0; // of the initial topology (the same seed and epsilon build the same one for every row)
  let work: number[] = [];
  const effectiveBatch = Math.min(batch, data.samples);
  const timed: { threads: number; times: ReturnType<EpochTimes['result']>; memory: ReturnType<SparseMLP['memory']>; peak: number }[] = [];
  if (interleaved) {
    o.onProgress?.(`building ${shape.layers.join('-')} for ${o.threads.join(', ')} threads`);
    const models: SparseMLP[] = [];
    try {
      for (const threads of o.threads) models.push(await SparseMLP.create({ layers: shape.layers, epsilon: o.epsilon, seed, threads }));
      connections = models[0].topology().connections;
      work = layerWork(models[0], effectiveBatch);
      const times = o.threads.map(() => new EpochTimes());
      for (let e = 0; e < warmup + o.epochs; e++) {
        o.onProgress?.(`${e < warmup ? 'warm-up' : 'timed'} epoch ${e + 1} of ${warmup + o.epochs} on ${o.threads.join(', ')} threads in turn`);
        for (let i = 0; i < models.length; i++) await times[i].run(models[i], train, o, batch, false, e, e >= warmup);
      }
      const peak = peakRss(); // all models alive at once: one peak for every row
      o.threads.forEach((threads, i) => timed.push({ threads, times: times[i].result(), memory: models[i].memory(), peak }));
    } finally {
      for (const m of models) m.dispose();
    }
  } else {
    for (const threads of o.threads) {
      o.onProgress?.(`building ${shape.layers.join('-')} for ${plural(threads, 'thread')}`);
      resetPeakRss();
      const model = await SparseMLP.create({ layers: shape.layers, epsilon: o.epsilon, seed, threads });
      connections = model.topology().connections;
      work = layerWork(model, effectiveBatch);
      try {
        o.onProgress?.(`timing ${plural(o.epochs, 'epoch')} (after ${warmup} warm-up) on ${plural(threads, 'thread')}`);
        const times = await timeEpochs(model, train, o, batch, false, warmup);
        timed.push({ threads, times, memory: model.memory(), peak: peakRss() });
      } finally {
        model.dispose();
      }
    }
  }
  const rows: BenchRow[] = [];
  for (const { threads, times: t, memory: mem, peak } of timed) {
    const base = rows[0];
    const speedup = base ? base.epochMs / t.epochMs : 1;
    rows.push({
      threads,
      // OMP_THREAD_LIMIT caps the threads a row really has.
      oversubscribed: Math.min(threads, threadLimit()) > machine.cores,
      ...t,
      speedup,
      efficiency: base ? speedup / (threads / base.threads) : 1,
      peakRssBytes: peak,
      bytesPerConnection: mem.bytesPerConnection,
      connections: mem.connections,
    });
  }
  let dense: BenchResult['dense'] = null;
  const denseParams = shape.layers.slice(1).reduce((a, n, l) => a + n * shape.layers[l], 0);
  // Weights, momentum and gradient in float32: skip what would not fit in half the memory.
  if (o.dense && denseParams * 12 < machine.memoryBytes / 2) {
    const threads = Math.max(...o.threads);
    o.onProgress?.(`timing a dense MLP of the same shape on ${threads} threads`);
    const model = await SparseMLP.create({ layers: shape.layers, dense: true, seed: o.seed ?? 1, threads });
    try {
      const t = await timeEpochs(model, train, o, batch, true, warmup);
      dense = { epochMs: t.epochMs, gflops: (6 * data.samples * denseParams) / (t.epochMs * 1e6), threads };
    } finally {
      model.dispose();
    }
  }
  train.dispose();
  const sg = sgemm ? await sgemm(machine.cores) : null;
  const busy = busyMachineNote(loadAverage, machine.cores);
  return {
    workload: o.workload,
    method: o.method,
    layers: shape.layers,
    samples: data.samples,
    batch,
    epsilon: o.epsilon,
    epochs: o.epochs,
    warmup,
    interleaved,
    connections,
    sgemmGflops: sg,
    kernels: null,
    machine,
    rows,
    dense,
    notes: [...(busy === null ? [] : [busy]), ...benchNotes(o.threads, work)],
  };
}

/**
 * Loads the native addon (a prebuild from prebuilds/, or a local build in build/Release) and declares
 * its low-level surface. Everything here is internal: the public API is SparseMLP in lib/model.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { NativeError } from './errors';

export interface NativeTimes {
  forward: number;
  backward: number;
  update: number;
  evolution: number;
  pruning: number;
}

export interface NativeEpochResult {
  loss: number;
  accuracy: number;
  samples: number;
  timesMs: NativeTimes;
}

export interface NativeEvalResult {
  loss: number;
  accuracy: number;
  samples: number;
  correct: number;
}

export interface NativeTopology {
  neurons: number[];
  connections: number[];
  sparse: boolean[];
}

/** One weight layer copied out: CSR of W^T, a row per output neuron. */
export interface NativeLayerCsr {
  /** Output neurons (rows). */
  rows: number;
  /** Input neurons (columns). */
  cols: number;
  /** rows + 1 offsets: the connections of row r are rowPtr[r] .. rowPtr[r + 1] - 1 of `col` and `values`. */
  rowPtr: Float64Array;
  /** The input neuron (column) of each connection. */
  col: Int32Array;
  /** The weight of each connection. */
  values: Float32Array;
  /** The bias of each output neuron. */
  bias: Float32Array;
}

/** layerCsr's arrays plus the optimiser state: what a saved model holds per layer (dense: empty rowPtr, col). */
export interface NativeLayerState {
  rows: number;
  cols: number;
  sparse: boolean;
  rowPtr: Float64Array;
  col: Int32Array;
  values: Float32Array;
  /** Empty: zeros (a model saved without its optimiser state). */
  momentum: Float32Array;
  bias: Float32Array;
  biasMomentum: Float32Array;
}

export interface NativeMemory {
  modelBytes: number;
  activationBytes: number;
  connections: number;
}

export interface NativeDataset {
  readonly samples: number;
  readonly features: number;
  readonly disposed: boolean;
  dispose(): void;
}

export interface NativeModel {
  trainEpoch(data: NativeDataset, config: Record<string, unknown>, epoch: number): Promise<NativeEpochResult>;
  evaluate(data: NativeDataset, batchSize?: number): Promise<NativeEvalResult>;
  predict(data: NativeDataset, batchSize?: number): Promise<Float32Array>;
  /** The class of each sample, without the samples x classes probabilities. */
  predict(data: NativeDataset, batchSize: number, classesOnly: true): Promise<Int32Array>;
  evolve(config: Record<string, unknown>, epoch: number): Promise<{ removed: number[]; added: number[]; ms: number }>;
  pruneNeurons(config: Record<string, unknown>): Promise<{ removed: number[][]; ms: number }>;
  clone(): Promise<NativeModel>;
  topology(): NativeTopology;
  layerCsr(layer: number): NativeLayerCsr;
  layerState(layer: number): NativeLayerState;
  memory(): NativeMemory;
  neuronOrder(hidden: number, criterion: string): Int32Array;
  removeNeurons(hidden: number, neurons: Int32Array | number[]): void;
  readonly threads: number;
  setThreads(threads: number): void;
  cancel(): void;
  readonly busy: boolean;
  dispose(): void;
}

export interface NativeAddon {
  createModel(config: Record<string, unknown>): Promise<NativeModel>;
  /** A saved model rebuilt; config.layers are the layers' sizes. The core checks every array. */
  createModelFromState(config: Record<string, unknown>, layers: NativeLayerState[]): Promise<NativeModel>;
  /** Cancels this thread's createModel or createModelFromState job (queued or running): it rejects with an AbortError. */
  cancelCreate(): boolean;
  Dataset: new (x: Float32Array, y: Int32Array | null, samples: number, features: number) => NativeDataset;
  version: string;
  hardwareConcurrency(): number;
  /** The CPUs the process may use, counted over all OpenMP places when binding made them (see availableCores). */
  availableCpus(): number;
  /** Dense single-precision matrix product rate through Eigen (same instruction set as the kernels). */
  sgemmGflops(threads: number): Promise<number>;
  /** The kernel instruction set chosen at run time: avx512, avx2 or generic. */
  kernels: string;
  /** Cancels this thread's queued and running jobs and every later one; with `all`, every thread's (for 'exit'). */
  endJobs(all?: boolean): void;
}

/**
 * libgomp's default wait at a barrier is to spin for 300,000 pause instructions (about 4 ms on a Xeon where
 * a pause takes 14 ns) before sleeping. When another process competes for the cores, the member that a parallel region waits for
 * is often descheduled, and the spinning one holds its core for a whole time slice: measured on 2 cores
 * with two other busy processes, a 2-thread epoch took 4.0 s instead of 0.05 s (bench/contention.sh). 3000 spins (about 0.04 ms)
 * cover the short gaps between the kernels of a batch, so a quiet machine runs as fast as before. Applied
 * only when the user has set neither variable, and only for libgomp's start-up (the addon loads it): the
 * variable is taken out again so that child processes do not inherit it.
 */
const SPIN_COUNT = '3000';

/**
 * libgomp's barrier spin count: the user's GOMP_SPINCOUNT, else npset's when the user set no policy and the
 * addon loads from the main thread (a worker's process.env is its own copy, which libgomp never reads).
 */
export function barrierSpinCount(): string | null {
  const env = process.env;
  return env.GOMP_SPINCOUNT ?? (env.OMP_WAIT_POLICY === undefined && isMainThread ? SPIN_COUNT : null);
}

function loadWithSpinCount<T>(load: () => T): T {
  const env = process.env;
  if (env.GOMP_SPINCOUNT !== undefined || barrierSpinCount() === null) return load(); // the user's, or not ours to set
  env.GOMP_SPINCOUNT = SPIN_COUNT;
  try {
    return load();
  } finally {
    delete env.GOMP_SPINCOUNT;
  }
}

let addon: NativeAddon | undefined;

/** The addon, loaded on first use. */
export function native(): NativeAddon {
  if (addon) return addon;
  const root = path.resolve(__dirname, '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    addon = loadWithSpinCount(() => load(root));
  } catch (err) {
    throw new NativeError(
      `Could not load the npset native addon for ${process.platform}-${process.arch} (Node ${process.version}): ` +
        `${(err as Error).message}. Reinstall npset, or build it from source with a C++17 compiler and CMake ` +
        '(npm rebuild npset).',
      { cause: err },
    );
  }
  // Node waits for its thread pool before the process ends: stop a long job rather than run it to its end.
  // The main thread's exit ends the workers too, so it stops their jobs as well.
  const loaded = addon;
  process.once('exit', () => loaded.endJobs(isMainThread));
  return addon;
}

/**
 * The CPUs this process may use. With OMP_PROC_BIND or OMP_PLACES, libgomp binds the thread that loads it (here
 * the main thread) to the first place, and os.availableParallelism() then counts that place alone; the addon
 * counts the CPUs of all places. Without the addon, os.availableParallelism().
 */
export function availableCores(): number {
  try {
    const n = native().availableCpus();
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // no addon: the operating system's count
  }
  return availableParallelism();
}

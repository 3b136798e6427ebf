/**
 * Loads the native addon (a prebuild from prebuilds/, or a local build in build/Release) and declares
 * its low-level surface. Everything here is internal: the public API is SparseMLP in lib/model.
 */
import * as path from 'node:path';
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

export interface NativeLayerCsr {
  rows: number;
  cols: number;
  rowPtr: Float64Array;
  col: Int32Array;
  values: Float32Array;
  bias: Float32Array;
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
  Dataset: new (x: Float32Array, y: Int32Array | null, samples: number, features: number) => NativeDataset;
  version: string;
  hardwareConcurrency(): number;
  /** Dense single-precision matrix product rate through Eigen (same instruction set as the kernels). */
  sgemmGflops(threads: number): Promise<number>;
  /** The kernel instruction set chosen at run time: avx512, avx2 or generic. */
  kernels: string;
}

let addon: NativeAddon | undefined;

/** The addon, loaded on first use. */
export function native(): NativeAddon {
  if (addon) return addon;
  const root = path.resolve(__dirname, '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    addon = load(root);
  } catch (err) {
    throw new NativeError(
      `Could not load the npset native addon for ${process.platform}-${process.arch} (Node ${process.version}): ` +
        `${(err as Error).message}. Reinstall npset, or build it from source with a C++17 compiler and CMake ` +
        '(npm rebuild npset).',
      { cause: err },
    );
  }
  return addon;
}

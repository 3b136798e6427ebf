/**
 * Loads the raw native addon for the tests in test/native, through node-gyp-build from the repo root
 * (build/Release first, then prebuilds/), and declares its full low-level surface.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

export interface Times {
  forward: number;
  backward: number;
  update: number;
  evolution: number;
  pruning: number;
}

export interface Dataset {
  readonly samples: number;
  readonly features: number;
  readonly hasLabels: boolean;
  readonly disposed: boolean;
  dispose(): void;
}

export interface Model {
  trainEpoch(
    data: Dataset,
    config: Record<string, unknown> | undefined,
    epoch: number,
  ): Promise<{ loss: number; accuracy: number; samples: number; timesMs: Times }>;
  evaluate(data: Dataset, batchSize?: number): Promise<{ loss: number; accuracy: number; samples: number; correct: number }>;
  predict(data: Dataset, batchSize?: number): Promise<Float32Array>;
  evolve(config: Record<string, unknown> | undefined, epoch: number): Promise<{ removed: number[]; added: number[]; ms: number }>;
  pruneNeurons(config: Record<string, unknown> | undefined): Promise<{ removed: number[][]; ms: number }>;
  clone(): Promise<Model>;
  topology(): { neurons: number[]; connections: number[]; sparse: boolean[] };
  layerCsr(layer: number): {
    rows: number;
    cols: number;
    rowPtr: Float64Array;
    col: Int32Array;
    values: Float32Array;
    bias: Float32Array;
  };
  memory(): { modelBytes: number; activationBytes: number; connections: number };
  neuronOrder(hidden: number, criterion?: string): Int32Array;
  removeNeurons(hidden: number, indices: Int32Array | number[]): void;
  readonly threads: number;
  setThreads(n: number): void;
  cancel(): boolean;
  readonly busy: boolean;
  readonly disposed: boolean;
  dispose(): void;
}

export interface Addon {
  Model: new (...args: unknown[]) => Model;
  Dataset: new (x: Float32Array, y: Int32Array | null, samples: number, features: number) => Dataset;
  createModel(config: Record<string, unknown>): Promise<Model>;
  hardwareConcurrency(): number;
  sgemmGflops(threads?: number): Promise<number>;
  kernels: string;
  version: string;
  buildInfo: { version: string; napiVersion: number; openmp: number; kernels: string; compiler: string; debug: boolean };
}

const req = createRequire(__filename);
const load = req('node-gyp-build') as ((dir: string) => unknown) & { resolve(dir: string): string };

/** Path of the binary node-gyp-build picks. */
export const addonPath = load.resolve(repoRoot);
export const addon = load(repoRoot) as Addon;

/** Deterministic pseudo-random data: labels from the signs of two projections (learnable). */
export function randomData(samples: number, features: number, classes: number, seed = 1) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  const x = new Float32Array(samples * features);
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    let a = 0;
    let b = 0;
    for (let f = 0; f < features; f++) {
      const v = rnd();
      x[i * features + f] = v;
      if (f % 2) a += v;
      if (f % 3 === 0) b += v;
    }
    y[i] = ((a > 0 ? 1 : 0) + (b > 0 ? 2 : 0)) % classes;
  }
  return { x, y };
}

export function dataset(samples: number, features: number, classes: number, seed = 1): Dataset {
  const { x, y } = randomData(samples, features, classes, seed);
  return new addon.Dataset(x, y, samples, features);
}

/** Data big enough that one trainEpoch takes about a second on 2 cores. */
export const LONG = { layers: [500, 1000, 1000, 10], samples: 20000 };

export function longDataset(): Dataset {
  const f = LONG.layers[0];
  const x = new Float32Array(LONG.samples * f);
  const y = new Int32Array(LONG.samples);
  let s = 12345;
  for (let i = 0; i < x.length; i++) x[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
  for (let i = 0; i < y.length; i++) y[i] = i % 10;
  return new addon.Dataset(x, y, LONG.samples, f);
}

/** The rejection or exception of a call, for assertions on its type, code and message. */
export async function failure(f: () => unknown): Promise<Error & { code?: string }> {
  try {
    await f();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to fail');
}

export function syncFailure(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the call to throw');
}

/** Validation of labelled data and its conversion to the addon's Dataset (a native copy). */
import { native, type NativeDataset } from '../native';
import { fail, isFloat32Array, isInt32Array, readFields } from '../validate';

/** Row-major samples x features, with class indices (labels may be omitted for predict). */
export interface ModelData {
  /** Row-major samples x features. */
  X: Float32Array;
  /** Class index of each sample (0 .. classes - 1); required to train or evaluate, not to predict. */
  y?: Int32Array | undefined;
  samples: number;
  features: number;
}

/**
 * Checks `data` against a model with `features` inputs and `classes` outputs (`classes` null: any class index
 * >= 0); labels are required when `labels` is true.
 */
export function checkData(name: string, data: unknown, features: number, classes: number | null, labels: boolean): ModelData {
  if (data === null || typeof data !== 'object' || ArrayBuffer.isView(data)) {
    fail('a dataset object { X, y, samples, features }', name, data);
  }
  // Each field read once: a getter cannot hand the addon other arrays than the ones checked.
  const d = readFields(data, ['X', 'y', 'samples', 'features']) as Partial<ModelData>;
  if (!isFloat32Array(d.X)) fail('a Float32Array', `${name}.X`, d.X);
  const samples = d.samples ?? (d.X.length / features);
  if (!Number.isSafeInteger(samples) || samples < 1) fail('an integer >= 1', `${name}.samples`, d.samples);
  if ((d.features ?? features) !== features) fail(`${features} features (the model's inputs)`, `${name}.features`, d.features);
  if (d.X.length !== samples * features) fail(`a Float32Array of length ${samples * features}`, `${name}.X`, d.X);
  for (let i = 0; i < d.X.length; i++) {
    if (!Number.isFinite(d.X[i])) fail('finite feature values', `${name}.X[${i}]`, d.X[i]);
  }
  if (labels) {
    if (!isInt32Array(d.y)) fail('an Int32Array of class indices', `${name}.y`, d.y);
    if (d.y.length !== samples) fail(`an Int32Array of length ${samples}`, `${name}.y`, d.y);
    for (let i = 0; i < d.y.length; i++) {
      if (d.y[i] < 0 || (classes !== null && d.y[i] >= classes)) {
        fail(classes === null ? 'a class index >= 0' : `a class index between 0 and ${classes - 1}`, `${name}.y[${i}]`, d.y[i]);
      }
    }
  }
  return { X: d.X, y: labels ? d.y : undefined, samples, features };
}

/** A native copy of the data: later changes to the arrays do not affect it. */
export function toNative(data: ModelData): NativeDataset {
  return new (native().Dataset)(data.X, data.y ?? null, data.samples, data.features);
}

/**
 * Data validated and copied into native memory once. `fit`, `trainEpoch`, `evaluate`, `predict` and
 * `predictProba` take it in place of a plain `{ X, y, samples, features }` object, which they validate and
 * copy on every call: for a 4666 x 5000 set that costs about as much as an epoch of training, so scripts that
 * call `trainEpoch` or `evaluate` epoch by epoch should convert their data once. Later changes to `X` and `y`
 * do not affect it; `dispose()` frees the copy at once (otherwise the garbage collector does).
 */
export class NativeData {
  readonly samples: number;
  readonly features: number;
  readonly hasLabels: boolean;
  /** The largest class index in `y` (-1 without labels). */
  readonly maxLabel: number;
  /** @internal The addon's copy. */
  readonly handle: NativeDataset;

  private constructor(data: ModelData, maxLabel: number) {
    this.samples = data.samples;
    this.features = data.features;
    this.hasLabels = data.y !== undefined;
    this.maxLabel = maxLabel;
    this.handle = toNative(data);
  }

  /** Validates `data` (finite features, class indices >= 0 when `y` is given) and copies it. */
  static from(data: ModelData, name = 'data'): NativeData {
    // The name goes into messages: a Symbol or an object would fail there with V8's TypeError.
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) fail('a string of 1 to 200 characters', 'name', name);
    if (data instanceof NativeData) fail('a plain dataset object { X, y, samples, features } (a NativeData is used as it is)', name, data);
    if (data === null || typeof data !== 'object') fail('a dataset object { X, y, samples, features }', name, data);
    const features = (data as Partial<ModelData>).features;
    if (!Number.isSafeInteger(features) || (features as number) < 1) fail('an integer >= 1', `${name}.features`, features);
    const labels = (data as Partial<ModelData>).y !== undefined;
    const d = checkData(name, data, features as number, null, labels);
    let maxLabel = -1;
    if (d.y) for (let i = 0; i < d.y.length; i++) if (d.y[i] > maxLabel) maxLabel = d.y[i];
    return new NativeData(d, maxLabel);
  }

  #users = 0;
  #disposed = false;

  /** Whether `dispose()` has been called. */
  get disposed(): boolean {
    return this.#disposed || this.handle.disposed;
  }

  /**
   * Frees the native copy: at once when no call uses it, otherwise when the last call that was given it
   * (running or still queued, say a `fit` in progress) ends. New calls refuse it from now on.
   */
  dispose(): void {
    this.#disposed = true;
    if (this.#users === 0) this.handle.dispose();
  }

  /** @internal Keeps the native copy alive for one call until `release()`. */
  acquire(): NativeDataset {
    this.#users++;
    return this.handle;
  }

  /** @internal */
  release(): void {
    this.#users--;
    if (this.#users === 0 && this.#disposed) this.handle.dispose();
  }
}

/** The addon's dataset for one call, and what to do when that call ends. */
export interface DataLease {
  dataset: NativeDataset;
  release(): void;
}

/**
 * The addon's dataset for `data`, checked against a model with `features` inputs and `classes` outputs: a
 * NativeData as it is (held until `release()`, so that disposing it meanwhile cannot pull it from under a
 * queued job), anything else validated and copied.
 */
export function leaseFor(name: string, data: unknown, features: number, classes: number, labels: boolean): DataLease {
  if (!(data instanceof NativeData)) {
    return { dataset: toNative(checkData(name, data, features, classes, labels)), release: () => undefined };
  }
  if (data.disposed) fail('a NativeData that has not been disposed', name, 'a disposed NativeData');
  if (data.features !== features) fail(`${features} features (the model's inputs)`, `${name}.features`, data.features);
  if (labels && !data.hasLabels) fail('labelled data (y)', name, 'a NativeData without labels');
  if (labels && data.maxLabel >= classes) fail(`class indices between 0 and ${classes - 1}`, `${name}.maxLabel`, data.maxLabel);
  const dataset = data.acquire();
  let held = true;
  return {
    dataset,
    release: () => {
      if (held) data.release();
      held = false;
    },
  };
}

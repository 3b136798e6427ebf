/**
 * What a saved model holds besides its weights, and the mapping between a model's layers and the arrays of
 * its file (model-file.ts). SparseMLP.save and SparseMLP.load use these; nothing here calls the addon.
 */
import type { Standardizer } from '../data/standardize';
import { ValidationError } from '../errors';
import type { NativeLayerState } from '../native';
import { describe, expectBoolean, expectOptions, fail, isFloat64Array, orDefault, rejectUnknownKeys } from '../validate';
import { arrayType, ModelFileError, MODEL_FILE_VERSION, type ArrayType, type StoredArray } from './model-file';
import { resolveModelOptions, type ResolvedModelOptions } from './options';

/**
 * What is saved beside the weights, so that whoever loads the model can prepare data and name classes as in
 * training. A loaded model saved again keeps what it was loaded with (model.saved) for every one of these left
 * out or given as undefined; null leaves one out (drops what a loaded model would carry forward). The arrays
 * are copied, never changed.
 */
export interface SaveOptions {
  /** The per-feature standardisation the model was trained with (`fitStandardizer`): `npset predict` applies it. */
  standardizer?: Standardizer | null | undefined;
  /** The original label of each class index (a dataset's `labels`). */
  labels?: readonly number[] | null | undefined;
  /** The name of each class index (a dataset's `labelNames`). */
  labelNames?: readonly string[] | null | undefined;
  /** The name of each input feature (a CSV dataset's `featureNames`): `npset predict` matches columns by them. */
  featureNames?: readonly string[] | null | undefined;
  /** Anything JSON can hold: dataset name, settings, results. */
  metadata?: unknown;
  /** Keep the optimiser state (momentum), so that training resumes exactly; false halves the file. @default true */
  optimizerState?: boolean | undefined;
}

/** What `SparseMLP.load` found beside the weights (`model.saved`). */
export interface SavedInfo {
  file: string;
  /** The npset version that wrote the file. */
  npsetVersion: string;
  standardizer: Standardizer | null;
  labels: number[] | null;
  labelNames: string[] | null;
  featureNames: string[] | null;
  metadata: unknown;
  /** Whether the file had the optimiser state (else momentum starts at zero). */
  optimizerState: boolean;
}

const SAVE_KEYS = ['standardizer', 'labels', 'labelNames', 'featureNames', 'metadata', 'optimizerState'] as const;
const LAYER_ARRAYS = ['rowPtr', 'col', 'values', 'momentum', 'bias', 'biasMomentum'] as const;
const ARRAY_TYPES: Record<(typeof LAYER_ARRAYS)[number], ArrayType> = {
  rowPtr: 'f64', col: 'i32', values: 'f32', momentum: 'f32', bias: 'f32', biasMomentum: 'f32',
};

function checkStandardizer(name: string, s: unknown, inputs: number): Standardizer {
  const o = expectOptions(name, s);
  for (const key of ['mean', 'scale'] as const) {
    const a = o[key];
    if (!isFloat64Array(a) || a.length !== inputs) fail(`a Float64Array of ${inputs} values (the model's inputs)`, `${name}.${key}`, a);
    const bad = a.findIndex((v) => !Number.isFinite(v) || (key === 'scale' && !(v > 0)));
    if (bad >= 0) fail(key === 'scale' ? 'finite numbers > 0' : 'finite numbers', `${name}.${key}[${bad}]`, a[bad]);
  }
  return { mean: o.mean as Float64Array, scale: o.scale as Float64Array };
}

/** Labels name classes: one that repeats an earlier one (0 and -0 are one) would make two classes one. */
function checkDistinct(name: string, v: readonly (number | string)[]): void {
  const first = new Map<number | string, number>();
  v.forEach((l, i) => {
    const c = first.get(l);
    if (c !== undefined) {
      throw new ValidationError(`Expected distinct labels, one per class, for ${name}[${i}] but received ${describe(l)}, which is ${name}[${c}] too`);
    }
    first.set(l, i);
  });
}

function checkLabels(name: string, v: unknown, classes: number): number[] {
  if (!Array.isArray(v) || v.length !== classes) fail(`an array of ${classes} labels (one per class)`, name, v);
  v.forEach((l: unknown, i) => {
    if (typeof l !== 'number' || !Number.isFinite(l)) fail('a finite number', `${name}[${i}]`, l);
  });
  checkDistinct(name, v as number[]);
  return [...(v as number[])];
}

/** `count` strings, one per class (distinct) or per input feature (names may repeat: a header may). */
function checkNames(name: string, v: unknown, count: number, per: 'class' | 'input feature'): string[] {
  if (!Array.isArray(v) || v.length !== count) fail(`an array of ${count} names (one per ${per})`, name, v);
  v.forEach((l: unknown, i) => {
    if (typeof l !== 'string') fail('a string', `${name}[${i}]`, l);
  });
  if (per === 'class') checkDistinct(name, v as string[]);
  return [...(v as string[])];
}

/** The file's header and arrays for a model's options (sizes now), layer states and save options. */
export function packModel(
  options: ResolvedModelOptions,
  states: NativeLayerState[],
  saveOptions: unknown,
  npsetVersion: string,
  evolvedAfter: number,
): { header: Record<string, unknown>; arrays: [string, StoredArray][] } {
  const o = expectOptions('save options', saveOptions);
  rejectUnknownKeys('save options', o, SAVE_KEYS);
  // removeNeurons may empty a hidden layer (pruning never does); no model can be built with one.
  const empty = options.layers.indexOf(0);
  if (empty > 0) {
    throw new ValidationError(
      `Expected neurons in every hidden layer for save but received a model whose hidden layer ${empty} has 0 neurons ` +
        '(removeNeurons removed them all): no model can be loaded with an empty layer',
    );
  }
  const inputs = options.layers[0];
  const classes = options.layers[options.layers.length - 1];
  const optimizerState = expectBoolean('optimizerState', orDefault(o.optimizerState, true));
  // null, as undefined, leaves one out (save() passes null to drop what a loaded model would carry forward).
  const given = (v: unknown) => v !== undefined && v !== null;
  const standardizer = !given(o.standardizer) ? null : checkStandardizer('standardizer', o.standardizer, inputs);
  const labels = !given(o.labels) ? null : checkLabels('labels', o.labels, classes);
  const labelNames = !given(o.labelNames) ? null : checkNames('labelNames', o.labelNames, classes, 'class');
  const featureNames = !given(o.featureNames) ? null : checkNames('featureNames', o.featureNames, inputs, 'input feature');
  let metadata: unknown = null;
  if (given(o.metadata)) {
    try {
      const text = JSON.stringify(o.metadata);
      metadata = text === undefined ? null : JSON.parse(text);
    } catch (e) {
      throw new ValidationError(`Expected JSON-serialisable data for metadata but received ${describe(o.metadata)}: ${(e as Error).message}`);
    }
  }
  const arrays: [string, StoredArray][] = [];
  states.forEach((s, l) => {
    for (const key of LAYER_ARRAYS) {
      const a = (key === 'momentum' || key === 'biasMomentum') && !optimizerState ? new Float32Array(0) : s[key];
      arrays.push([`layer${l}.${key}`, a]);
    }
  });
  if (standardizer) arrays.push(['standardizer.mean', standardizer.mean], ['standardizer.scale', standardizer.scale]);
  // Threads belong to the machine that loads the model, not to the model.
  const kept: Partial<ResolvedModelOptions> = { ...options };
  delete kept.threads;
  const header = {
    format: 'npset-model',
    version: MODEL_FILE_VERSION,
    npset: npsetVersion,
    options: kept,
    layers: states.map((s) => ({ rows: s.rows, cols: s.cols, sparse: s.sparse, connections: s.col.length || s.rows * s.cols })),
    optimizerState,
    // The epoch after which fit last ran the topology update: a fit resumed from the file does not repeat it.
    evolvedAfter,
    extras: { labels, labelNames, featureNames, metadata, standardizer: standardizer !== null },
  };
  return { header, arrays };
}

/** The model options, layer states and saved extras of a file read by readModelFile, checked. */
export function unpackModel(
  file: string,
  header: Record<string, unknown>,
  arrays: Map<string, StoredArray>,
  threads: number,
): { options: ResolvedModelOptions; layers: NativeLayerState[]; info: SavedInfo; evolvedAfter: number } {
  const bad = (message: string) => new ModelFileError(message, file);
  let options: ResolvedModelOptions;
  try {
    options = resolveModelOptions({ ...(header.options as object), threads });
  } catch (e) {
    throw bad(`the saved model options are not valid: ${(e as Error).message}`);
  }
  const n = options.layers.length - 1;
  if (!Array.isArray(header.layers) || header.layers.length !== n) throw bad(`the header should describe ${n} layers (for layers ${options.layers.join('-')})`);
  const layers = (header.layers as unknown[]).map((entry, l): NativeLayerState => {
    const e = entry as { rows?: unknown; cols?: unknown; sparse?: unknown } | null;
    if (e === null || typeof e !== 'object' || typeof e.sparse !== 'boolean') throw bad(`layer ${l} of the header has no sparse flag`);
    // The two descriptions of the sizes must agree: otherwise an edited options.layers could make a file of a few
    // KB build a model of 10^8 inputs (the arrays of a sparse layer do not grow with its inputs).
    const [rows, cols] = [options.layers[l + 1], options.layers[l]];
    if (e.rows !== rows || e.cols !== cols) {
      throw bad(`layer ${l} of the header is ${describe(e.rows)} x ${describe(e.cols)} (rows x cols), but the options' layers ${options.layers.join('-')} make it ${rows} x ${cols}`);
    }
    const got = (key: (typeof LAYER_ARRAYS)[number]) => {
      const name = `layer${l}.${key}`;
      const a = arrays.get(name);
      if (a === undefined) throw bad(`array ${name} (${ARRAY_TYPES[key]}) is missing`);
      if (arrayType(a) !== ARRAY_TYPES[key]) throw bad(`array ${name} is ${arrayType(a)}, not ${ARRAY_TYPES[key]}`);
      return a;
    };
    const connections = (e as { connections?: unknown }).connections;
    const stored = got('col').length || rows * cols; // a dense layer stores no column indices
    if (connections !== undefined && connections !== stored) {
      throw bad(`layer ${l} of the header says ${describe(connections)} connections, but its arrays hold ${stored}`);
    }
    return {
      rows,
      cols,
      sparse: e.sparse,
      rowPtr: got('rowPtr') as Float64Array,
      col: got('col') as Int32Array,
      values: got('values') as Float32Array,
      momentum: got('momentum') as Float32Array,
      bias: got('bias') as Float32Array,
      biasMomentum: got('biasMomentum') as Float32Array,
    };
  });
  const extras = (header.extras ?? {}) as Record<string, unknown>;
  if (extras === null || typeof extras !== 'object' || Array.isArray(extras)) throw bad(`the header's extras are ${describe(extras)}, not an object`);
  // A flag other than true or false, or arrays without the flag, would leave new data unstandardised unnoticed.
  const hasStandardizerArrays = arrays.has('standardizer.mean') || arrays.has('standardizer.scale');
  if (extras.standardizer !== undefined && typeof extras.standardizer !== 'boolean') {
    throw bad(`the header's extras.standardizer is ${describe(extras.standardizer)}, not true or false`);
  }
  if (extras.standardizer !== true && hasStandardizerArrays) throw bad('the file holds standardizer arrays, but its header says the model has no standardizer');
  const inputs = options.layers[0];
  const classes = options.layers[n];
  const checked = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw bad(`the saved ${what} is not valid: ${(e as Error).message}`);
    }
  };
  const standardizer = extras.standardizer === true
    ? checked('standardizer', () => checkStandardizer('standardizer', { mean: arrays.get('standardizer.mean'), scale: arrays.get('standardizer.scale') }, inputs))
    : null;
  const labels = extras.labels == null ? null : checked('labels', () => checkLabels('labels', extras.labels, classes));
  const labelNames = extras.labelNames == null ? null : checked('labelNames', () => checkNames('labelNames', extras.labelNames, classes, 'class'));
  const featureNames = extras.featureNames == null ? null : checked('featureNames', () => checkNames('featureNames', extras.featureNames, inputs, 'input feature'));
  const evolvedAfter = Number.isSafeInteger(header.evolvedAfter) && (header.evolvedAfter as number) >= -1 ? (header.evolvedAfter as number) : -1;
  return {
    options,
    layers,
    evolvedAfter,
    info: {
      file,
      npsetVersion: typeof header.npset === 'string' ? header.npset : 'unknown',
      standardizer,
      labels,
      labelNames,
      featureNames,
      metadata: extras.metadata ?? null,
      optimizerState: header.optimizerState !== false,
    },
  };
}

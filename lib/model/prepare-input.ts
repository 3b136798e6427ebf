/**
 * New data made ready for a saved model, as it was trained: columns in the model's order (by header name when
 * both have names), the saved standardisation applied, and labels turned into the model's class indices.
 * `npset predict` and `SparseMLP.prototype.prepare` both use it.
 */
import { applyStandardizer, type Dataset, type FeatureSet } from '../data';
import { ValidationError } from '../errors';
import { DECIMAL_NOTATION, expectInteger, expectOptions, expectString, fail, isBuiltInObject, isFloat32Array, isInt32Array, readFields, rejectUnknownKeys } from '../validate';
import type { SavedInfo } from './persist';

/** What prepare needs of a model: its inputs, classes and what was saved with it (null: built, not loaded). */
export interface ModelShape {
  inputs: number;
  classes: number;
  saved: Readonly<SavedInfo> | null;
}

export interface PreparedInput {
  X: Float32Array;
  samples: number;
  features: number;
  /**
   * The model's class index of each sample's label (data with labels only); -1 where the model does not know
   * the label (see `unknownLabels`): evaluate refuses such data, predict ignores `y`.
   */
  y?: Int32Array;
  /**
   * How the columns were matched to the model's inputs: by their header names, in the same order (`name`) or
   * reordered (`reordered`), or by position when the model or the data has no names (`position`).
   */
  columns: 'name' | 'reordered' | 'position';
  /** Whether the saved standardisation was applied. */
  standardized: boolean;
  /** How labels were matched to the model's classes: by name, by value, or by class index (data with labels only). */
  matchedBy?: 'name' | 'value' | 'index';
  /** Samples whose label is none of the model's classes (data with labels only). */
  unknownLabels?: number;
}

export interface PrepareInputOptions {
  /** What messages call the data (default "data"; the CLI says "--data"). */
  name?: string | undefined;
  /** What messages say the data is (default its `name`, else "a dataset"; the CLI gives the file). */
  source?: string | undefined;
}

/** The label of each class of the model: the saved label names, else the saved label values, else the index. */
export function classLabels(model: ModelShape): (string | number)[] {
  return model.saved?.labelNames ?? model.saved?.labels ?? Array.from({ length: model.classes }, (_, c) => c);
}

/** The fields of a feature set or dataset that prepare reads. */
const DATA_KEYS = ['name', 'X', 'y', 'samples', 'features', 'labels', 'labelNames', 'featureNames'] as const;

export function prepareInput(model: ModelShape, given: FeatureSet | Dataset, options: PrepareInputOptions = {}): PreparedInput {
  const o = expectOptions('prepare options', options);
  rejectUnknownKeys('prepare options', o, ['name', 'source']);
  const name = o.name === undefined ? 'data' : expectString('name', o.name);
  if (given === null || typeof given !== 'object' || isBuiltInObject(given)) fail('a dataset { X, samples, features } from a loader', name, given);
  const data = readFields(given, DATA_KEYS) as Partial<Dataset>;
  checkFeatureSet(data, name);
  const source = o.source === undefined ? (typeof data.name === 'string' && data.name ? data.name : 'a dataset') : expectString('source', o.source);
  const { X: ordered, columns } = alignColumns(model, data, name, source);
  if (data.features !== model.inputs) {
    throw new ValidationError(`Expected ${model.inputs} features (the model's inputs) for ${name} but received ${source} with ${data.features} feature${data.features === 1 ? '' : 's'}`);
  }
  const standardizer = model.saved?.standardizer ?? null;
  const X = standardizer ? applyStandardizer(standardizer, ordered, data.samples, data.features) : ordered;
  const out: PreparedInput = { X, samples: data.samples, features: data.features, columns, standardized: standardizer !== null };
  if (data.y !== undefined) {
    const { map, by } = classMap(model, data as Partial<Dataset> & { y: Int32Array }, name);
    const y = new Int32Array(data.samples);
    let unknown = 0;
    for (let i = 0; i < data.samples; i++) {
      y[i] = map[data.y[i]] ?? -1;
      if (y[i] < 0) unknown++;
    }
    Object.assign(out, { y, matchedBy: by, unknownLabels: unknown });
  }
  return out;
}

function checkFeatureSet(d: Partial<Dataset>, name: string): asserts d is FeatureSet & Partial<Dataset> {
  const samples = expectInteger(`${name}.samples`, d.samples, { min: 1 });
  const features = expectInteger(`${name}.features`, d.features, { min: 1 });
  if (!isFloat32Array(d.X) || d.X.length !== samples * features) {
    fail(`a Float32Array of samples x features (${samples} x ${features}) values`, `${name}.X`, d.X);
  }
  const list = (key: 'labels' | 'labelNames' | 'featureNames', kind: 'string' | 'number') => {
    const v = d[key] as unknown;
    if (v === undefined) return;
    if (!Array.isArray(v)) fail(`an array of ${kind}s (as the loaders give)`, `${name}.${key}`, v);
    // A loop, not some(), which skips holes.
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== kind) fail(`a ${kind} (as the loaders give)`, `${name}.${key}[${i}]`, v[i]);
  };
  list('featureNames', 'string');
  list('labelNames', 'string');
  list('labels', 'number');
  if (d.y === undefined) return;
  if (!isInt32Array(d.y) || d.y.length !== samples) fail(`an Int32Array of ${samples} class indices`, `${name}.y`, d.y);
  const classes = d.labelNames?.length ?? d.labels?.length ?? Infinity;
  for (let i = 0; i < samples; i++) {
    if (!(d.y[i] >= 0 && d.y[i] < classes)) fail(classes === Infinity ? 'a class index >= 0' : `a class index between 0 and ${classes - 1}`, `${name}.y[${i}]`, d.y[i]);
  }
}

/**
 * The model's class index of each of the data's classes (-1: unknown to the model). Labels are matched by what
 * they say, also across kinds: a model of text labels takes the data's numbers as text ("1" is 1), a model of
 * numeric labels takes the data's texts that are numbers ("10" is 10; "setosa" is none of its classes). Only a
 * model saved without labels matches by class index.
 */
function classMap(model: ModelShape, data: Partial<Dataset> & { y: Int32Array }, name: string): { map: number[]; by: NonNullable<PreparedInput['matchedBy']> } {
  const saved = model.saved;
  if ((saved?.labelNames || saved?.labels) && !data.labels && !data.labelNames) {
    fail(`the labels of its classes (labels or labelNames, as the loaders give) to match the model's saved labels`, name, 'class indices alone');
  }
  if (saved?.labelNames) {
    const index = new Map(saved.labelNames.map((n, c) => [n, c]));
    const names = data.labelNames ?? data.labels!.map(String);
    return { map: names.map((n) => index.get(n) ?? -1), by: 'name' };
  }
  if (saved?.labels) {
    const index = new Map(saved.labels.map((v, c) => [v, c]));
    const values = data.labelNames ? data.labelNames.map((n) => (DECIMAL_NOTATION.test(n) ? Number(n) : NaN)) : data.labels!;
    return { map: values.map((v) => index.get(v) ?? -1), by: 'value' };
  }
  // By index: the data's class c is the model's class c; an index past the model's classes is unknown (map[c]
  // undefined), so the map needs no entry beyond them (a class index of 2^31 - 1 would otherwise size it).
  const classes = data.labelNames?.length ?? data.labels?.length ?? data.y.reduce((m, v) => Math.max(m, v + 1), 0);
  return { map: Array.from({ length: Math.min(classes, model.classes) }, (_, c) => c), by: 'index' };
}

/**
 * The data's features in the model's input order. When both the model (saved with featureNames, as train
 * --save-model does from a CSV header) and the data have column names, the columns are matched by name, so data
 * whose columns come in another order is reordered, and data with other columns is refused; else by position.
 */
function alignColumns(model: ModelShape, data: FeatureSet, name: string, source: string): { X: Float32Array; columns: PreparedInput['columns'] } {
  const want = model.saved?.featureNames;
  const have = data.featureNames;
  if (!want || !have) return { X: data.X, columns: 'position' };
  if (want.length === have.length && want.every((n, j) => n === have[j])) return { X: data.X, columns: 'name' };
  const at = new Map<string, number>();
  have.forEach((n, j) => (at.has(n) ? at.set(n, -1) : at.set(n, j))); // -1: the name repeats
  const wanted = new Set(want); // not want.includes: quadratic, minutes for 100k columns
  const missing = want.filter((n) => !at.has(n));
  const extra = have.filter((n) => !wanted.has(n));
  const repeated = want.filter((n) => at.get(n) === -1);
  if (missing.length || extra.length || repeated.length || wanted.size !== want.length || have.length !== want.length) {
    const list = (names: string[]) => names.slice(0, 5).map((n) => JSON.stringify(n)).join(', ') + (names.length > 5 ? `, ... (${names.length})` : '');
    const why = [
      missing.length ? `missing ${list(missing)}` : '',
      extra.length ? `not in the model ${list(extra)}` : '',
      repeated.length || wanted.size !== want.length ? 'names that repeat, so columns cannot be matched by name' : '',
    ].filter(Boolean);
    throw new ValidationError(
      `Expected the ${want.length} columns the model was trained on (by header name) for ${name} but received ${source}, whose header has ${have.length}: ${why.join('; ')}`,
    );
  }
  const f = want.length;
  const X = new Float32Array(data.samples * f);
  const from = want.map((n) => at.get(n) as number);
  for (let i = 0; i < data.samples; i++) {
    for (let j = 0; j < f; j++) X[i * f + j] = data.X[i * f + from[j]];
  }
  return { X, columns: 'reordered' };
}

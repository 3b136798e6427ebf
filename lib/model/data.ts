/** Validation of labelled data and its conversion to the addon's Dataset (a native copy). */
import { native, type NativeDataset } from '../native';
import { fail } from '../validate';

/** Row-major samples x features, with class indices (labels may be omitted for predict). */
export interface ModelData {
  X: Float32Array;
  y?: Int32Array;
  samples: number;
  features: number;
}

export function checkData(name: string, data: unknown, features: number, classes: number, labels: boolean): ModelData {
  if (data === null || typeof data !== 'object') fail('a dataset object { X, y, samples, features }', name, data);
  const d = data as Partial<ModelData>;
  if (!(d.X instanceof Float32Array)) fail('a Float32Array', `${name}.X`, d.X);
  const samples = d.samples ?? (d.X.length / features);
  if (!Number.isSafeInteger(samples) || samples < 1) fail('an integer >= 1', `${name}.samples`, d.samples);
  if ((d.features ?? features) !== features) fail(`${features} features (the model's inputs)`, `${name}.features`, d.features);
  if (d.X.length !== samples * features) fail(`a Float32Array of length ${samples * features}`, `${name}.X`, d.X);
  for (let i = 0; i < d.X.length; i++) {
    if (!Number.isFinite(d.X[i])) fail('finite feature values', `${name}.X[${i}]`, d.X[i]);
  }
  if (labels) {
    if (!(d.y instanceof Int32Array)) fail('an Int32Array of class indices', `${name}.y`, d.y);
    if (d.y.length !== samples) fail(`an Int32Array of length ${samples}`, `${name}.y`, d.y);
    for (let i = 0; i < d.y.length; i++) {
      if (d.y[i] < 0 || d.y[i] >= classes) fail(`a class index between 0 and ${classes - 1}`, `${name}.y[${i}]`, d.y[i]);
    }
  }
  return { X: d.X, y: labels ? d.y : undefined, samples, features };
}

/** A native copy of the data: later changes to the arrays do not affect it. */
export function toNative(data: ModelData): NativeDataset {
  return new (native().Dataset)(data.X, data.y ?? null, data.samples, data.features);
}

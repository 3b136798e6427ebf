/**
 * The in-memory dataset every part of npset consumes: row-major float32 features and int32 class
 * indices, built from MAT-files or from plain arrays, and checked for consistency.
 */
import { basename, extname } from 'node:path';
import { DataFormatError, ValidationError } from '../errors';
import { describe, expectInteger, expectOptions, expectString, fail, isBuiltInObject, isFloat32Array, isInt32Array, isNumberTypedArray, rejectUnknownKeys } from '../validate';
import { allocate, DEFAULT_MAX_DENSE_BYTES, denseLimitText, maxDenseOption } from './limits';
import { checkSparseMatrix, denseData, readMatFile, trimDims, type MatFile, type MatVariable } from './mat';
import { dimsText } from './mat-dims';
import { encodeTextLabels, isTextKind, readTextLabels } from './mat-labels';
import { chooseMatFeatures, chooseMatVariables } from './mat-variables';

/** Features without labels: what loadCsvFeatures and loadMatFeatures read, for prediction on new data. */
export interface FeatureSet {
  name: string;
  /** Row-major samples x features. */
  X: Float32Array;
  samples: number;
  features: number;
  /** The name of each feature, from a CSV/TSV header; absent when the file has none (and for MAT-files). */
  featureNames?: string[] | undefined;
  /**
   * LIBSVM files only: whether the indices were read as 0-based (loadLibsvmDataset's `zeroBased`, 'auto'
   * resolved), so that a file read later for the same model can be read the same way.
   */
  libsvmZeroBased?: boolean | undefined;
}

export interface Dataset extends FeatureSet {
  /** Class index of each sample, 0..classes-1. */
  y: Int32Array;
  classes: number;
  /** Original label value of each class index, ascending. */
  labels: number[];
  /**
   * Original label text of each class index, when the labels were not all numbers (a CSV file's
   * "setosa", "versicolor", ...; a MAT-file's char or cell array labels; sorted by code unit):
   * `labels` then holds 0..classes-1. Absent when the labels are numbers (numeric MAT labels,
   * arrays, CSV files with numeric labels).
   */
  labelNames?: string[] | undefined;
}

export interface MatDatasetOptions {
  /**
   * Name of the features variable (exact, else a unique case-insensitive match). Default: X, else
   * the first pair of MAT_NAME_PAIRS (fea/gnd, data/label, data/labels, features/labels,
   * inputs/targets), else the only 2-D numeric matrix (see lib/data/mat-variables.ts).
   */
  x?: string | undefined;
  /**
   * Name of the labels variable: numbers, a char matrix (a label per row, trailing spaces trimmed)
   * or a cell vector of strings; text labels are named in labelNames. Default: Y, else the pair of
   * the features' name, else the only label vector with one entry per row of the features.
   */
  y?: string | undefined;
  /**
   * Upper bound, in bytes, on the arrays of numbers made from sizes the file declares (default
   * DEFAULT_MAX_DENSE_BYTES, 1 GiB). loadMatDataset gives it to readMat, which refuses any numeric
   * variable whose values take more as float64 (8 bytes a value, whatever the stored type: a uint8 X
   * takes 8x its size in the file), from its dims, before inflating or decoding it. What is built from
   * X and Y must then fit it together: the features as float32 (4 bytes a value; dense or a copy of a
   * sparse X) plus, for a sparse Y, its dense labels (8 bytes each). Without it, a small file could
   * make us allocate gigabytes: a sparse matrix's declared size is bounded by nothing in the file,
   * and a compressed array of zeros by little.
   */
  maxDenseBytes?: number | undefined;
}

/**
 * What loadMatFeatures takes: MatDatasetOptions without the labels. `x` names the features variable;
 * default: X, else the first of the pairs' features names (fea, data, features, inputs; any case) that
 * is numeric, else the only 2-D numeric matrix (both dims > 1), whatever its name.
 * `maxDenseBytes` bounds the float32 features (or the dense copy of a sparse X), as for loadMatDataset.
 */
export type MatFeaturesOptions = Pick<MatDatasetOptions, 'x' | 'maxDenseBytes'>;

const DATASET_KEYS = ['x', 'y', 'maxDenseBytes'] as const;
const FEATURES_KEYS = ['x', 'maxDenseBytes'] as const;

/**
 * Load a dataset from a MAT-file (v5-v7, or v7.3 read through h5wasm) holding a samples x features matrix and a label vector (numbers
 * or text); the variables are chosen as MatDatasetOptions.x and .y say.
 */
export async function loadMatDataset(path: string, options?: MatDatasetOptions): Promise<Dataset> {
  expectString('path', path);
  const opts = matOptions(options, DATASET_KEYS);
  // Lenient: a large v7.3 variable that is not chosen is not read (see readMatFile).
  const mat = await readMatFile(path, { maxDenseBytes: opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES }, true);
  return datasetFromMatFile(mat, basename(path, extname(path)), opts, path);
}

/**
 * Load the features only (no labels needed, none read) from a MAT-file (v5-v7 or v7.3): a samples x features matrix,
 * chosen as MatFeaturesOptions.x says; the same checks and limits as loadMatDataset's features.
 */
export async function loadMatFeatures(path: string, options?: MatFeaturesOptions): Promise<FeatureSet> {
  expectString('path', path);
  const opts = matOptions(options, FEATURES_KEYS);
  // Lenient: a large v7.3 variable that is not chosen is not read (see readMatFile).
  const mat = await readMatFile(path, { maxDenseBytes: opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES }, true);
  return featuresFromMatFile(mat, basename(path, extname(path)), opts, path);
}

/** The features of an already parsed MAT-file, as loadMatFeatures. `file` only labels error messages. */
export function featuresFromMatFile(mat: MatFile, name: string, options?: MatFeaturesOptions, file?: string): FeatureSet {
  expectString('name', name);
  const opts = matOptions(options, FEATURES_KEYS);
  const xVar = expectRead(chooseMatFeatures(mat, opts.x, file), file);
  const err = (message: string) => new DataFormatError(message, file);
  const [samples, features] = featureDims(xVar, err);
  const X = readFeatures(xVar, samples, features, undefined, opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES, file);
  return { name, X, samples, features };
}

/** A chosen variable whose values were read: one left unread (MatVariable.unread, too large) is refused as reading it would be. */
function expectRead(v: MatVariable, file?: string): MatVariable {
  if (typeof v.unread === 'string') throw new DataFormatError(v.unread, file);
  return v;
}

/** X's samples and features, once it is known to be a non-empty real 2-D numeric matrix. */
function featureDims(xVar: MatVariable, err: (message: string) => DataFormatError): [number, number] {
  const xName = `X (variable ${JSON.stringify(xVar.name)})`;
  const xDims = trimDims(xVar.dims);
  if (xDims.length !== 2) throw err(`${xName} must be a 2-D matrix but has dims ${dimsText(xVar.dims)}`);
  if (!xVar.data && !xVar.sparse) throw err(`${xName} is a ${xVar.className} array, not numeric`);
  // The reader keeps only the real part; training on it would silently drop the imaginary one.
  if (xVar.complex) throw err(`${xName} is complex; npset needs real features. ${realPartHint(xVar, 'X')}`);
  const [samples, features] = xDims;
  if (samples === 0 || features === 0) throw err(`${xName} is empty (${samples}x${features})`);
  return [samples, features];
}

/**
 * X as row-major float32, within `maxDense` together with the dense copy of a sparse Y (`yVar`, if
 * any, is only counted here), and refused if it holds a non-finite value.
 */
function readFeatures(
  xVar: MatVariable,
  samples: number,
  features: number,
  yVar: MatVariable | undefined,
  maxDense: number,
  file?: string,
): Float32Array {
  const err = (message: string) => new DataFormatError(message, file);
  // What is built here, sized from declared dims: the float32 features (a dense X was bounded by the
  // reader as float64, but a MatFile may come from parseMat with another limit) and the dense copies
  // of sparse inputs, whose size the file's bytes do not bound at all.
  const ySparse = yVar?.sparse !== undefined;
  const denseBytes = samples * features * 4 + (ySparse ? samples * 8 : 0);
  if (denseBytes > maxDense) {
    const copies: string[] = [];
    if (xVar.sparse) copies.push(`X (${samples}x${features})`);
    if (ySparse) copies.push(`Y (${samples} labels)`);
    const built = xVar.sparse
      ? `a dense copy of sparse ${copies.join(' and ')}`
      : `the float32 features of X (${samples}x${features})${ySparse ? ` and a dense copy of sparse Y (${samples} labels)` : ''}`;
    throw err(`cannot make ${built}: ${denseLimitText(denseBytes, maxDense)}`);
  }
  let X: Float32Array;
  let nf: NonFinite | undefined;
  if (xVar.sparse) ({ X, nf } = sparseToRowMajor(xVar, samples, features, file));
  else nf = findNonFinite((X = transposeToRowMajor(xVar.data as Float64Array, samples, features, file)), features);
  if (nf) {
    throw err(
      `X has ${nf.count} non-finite value${nf.count === 1 ? '' : 's'} (NaN, Inf or beyond float32 range); ` +
        `the first (${nf.value}) is at row ${nf.row + 1}, column ${nf.col + 1} (1-based)`,
    );
  }
  return X;
}

/** Build a dataset from an already parsed MAT-file. `file` only labels error messages. */
export function datasetFromMatFile(mat: MatFile, name: string, options?: MatDatasetOptions, file?: string): Dataset {
  expectString('name', name);
  const opts = matOptions(options, DATASET_KEYS);
  const { x: xVar, y: yVar } = chooseMatVariables(mat, opts.x, opts.y, file);
  expectRead(xVar, file);
  expectRead(yVar, file);
  const err = (message: string) => new DataFormatError(message, file);

  const yName = `Y (variable ${JSON.stringify(yVar.name)})`;
  const [samples, features] = featureDims(xVar, err);

  const texts = isTextKind(yVar) ? readTextLabels(yVar, yName, err) : undefined;
  if (!texts && !yVar.data && !yVar.sparse) {
    throw err(`${yName} is a ${yVar.className} array, neither numbers nor text (a char matrix or a cell array of strings)`);
  }
  if (yVar.complex) throw err(`${yName} is complex; labels must be real. ${realPartHint(yVar, 'Y')}`);
  const yDims = trimDims(yVar.dims);
  // Count the labels from the dims: a sparse Y is only densified once its size is known to fit.
  const labelCount = texts ? texts.length : yVar.data ? yVar.data.length : yDims.reduce((a, b) => a * b, 1);
  // Before the shape: NumPy's empty vector is saved 0x0, which is no vector shape.
  if (labelCount === 0) throw err(`${yName} is empty (${dimsText(yVar.dims)}); it needs a label for each of the ${count(samples, 'row')} of X`);
  if (!texts && (yDims.length > 2 || (yDims.length === 2 && yDims[0] !== 1 && yDims[1] !== 1))) {
    throw err(`${yName} must be a vector but has dims ${dimsText(yVar.dims)}`);
  }
  if (labelCount !== samples) {
    const hint = labelCount === features ? '; is X stored features x samples?' : '';
    let perRow = yVar.className === 'char' ? ' (a char Y holds a label per row)' : '';
    // A Python or MATLAB string of one character per sample is saved as a single 1xN row.
    if (yVar.className === 'char' && labelCount === 1 && yDims[1] === samples) {
      perRow =
        ` (a 1x${yDims[1]} char array is one label, not one per character: ` +
        'save a char matrix with one row per label, or a cell array of strings)';
    }
    throw err(`Y has ${count(labelCount, 'label')}${perRow} but X has ${count(samples, 'row')} (${samples === 1 ? 'sample' : 'samples'})${hint}`);
  }
  const maxDense = opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES;
  const X = readFeatures(xVar, samples, features, yVar, maxDense, file);
  if (texts) {
    const { y, labelNames } = encodeTextLabels(texts);
    return { name, X, y, samples, features, classes: labelNames.length, labels: labelNames.map((_, c) => c), labelNames };
  }
  const yValues = denseData(yVar, { maxDenseBytes: maxDense });
  const { y, labels, bad } = encodeLabels(yValues);
  if (bad >= 0) throw err(`Y has a non-finite label (${yValues[bad]}) at position ${bad + 1} (1-based); labels must be finite`);
  // Beyond 2^53 a double cannot hold every integer: 64-bit integer labels were rounded when read,
  // so distinct classes (2^53 and 2^53 + 1) may have merged into one. Refuse rather than guess.
  if (Math.abs(labels[0]) >= 2 ** 53 || Math.abs(labels[labels.length - 1]) >= 2 ** 53) {
    const at = yValues.findIndex((v) => Math.abs(v) >= 2 ** 53);
    throw err(
      `Y has a label beyond the exact integer range of doubles (|label| >= 2^53): ${yValues[at]} at position ${at + 1} (1-based); ` +
        'such labels may have been rounded together, so renumber the classes',
    );
  }
  // The CSV loader's rule: more than 10 distinct labels and more than half as many as samples, not all
  // whole numbers, is a continuous target (regression data), not hundreds of one-sample classes.
  if (labels.length > 10 && 2 * labels.length > samples) {
    const fraction = labels.find((l) => !Number.isInteger(l));
    if (fraction !== undefined) {
      throw err(
        `Y looks continuous: ${labels.length} distinct values in ${samples} samples, not all whole (such as ${fraction}); ` +
          'a continuous target, as for regression, cannot be classified: bin the values into classes',
      );
    }
  }
  return { name, X, y, samples, features, classes: labels.length, labels };
}

/** '1 row', '2 rows'. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** How to save a complex variable's real part, and whether that loses anything (its imaginary part all zero). */
function realPartHint(v: MatVariable, role: 'X' | 'Y'): string {
  // The variable's name goes into code only if it is one MATLAB could have written.
  const id = /^[A-Za-z]\w{0,62}$/.test(v.name) ? v.name : role;
  const how = `np.real(${id}) with scipy or real(${id}) in MATLAB`;
  return v.imaginaryZero === true
    ? `Its imaginary part is all zero: save the real part, ${how}`
    : `To use the real part alone, save ${how}`;
}

function matOptions(options: unknown, keys: readonly string[]): MatDatasetOptions {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, keys);
  if (opts.x !== undefined) expectString('options.x', opts.x);
  if (opts.y !== undefined) expectString('options.y', opts.y);
  if (opts.maxDenseBytes !== undefined) maxDenseOption({ maxDenseBytes: opts.maxDenseBytes });
  return opts as MatDatasetOptions;
}

/** Column-major float64 -> row-major float32, in tiles so that both sides stay in cache. */
function transposeToRowMajor(data: Float64Array, rows: number, cols: number, file?: string): Float32Array {
  const out = allocate(Float32Array, rows * cols, `X (${rows}x${cols})`, file);
  const T = 32;
  for (let j0 = 0; j0 < cols; j0 += T) {
    const j1 = Math.min(j0 + T, cols);
    for (let i0 = 0; i0 < rows; i0 += T) {
      const i1 = Math.min(i0 + T, rows);
      for (let j = j0; j < j1; j++) {
        const col = j * rows;
        for (let i = i0; i < i1; i++) out[i * cols + j] = data[col + i];
      }
    }
  }
  return out;
}

/**
 * A sparse X as row-major float32, and where it is not finite. Each value is written once, straight
 * into the output, and only the nonzeros are checked (the rest are zeros): for a 50000x1000 X of a
 * million nonzeros, a scan of all 50 million values took longer than the rest. Duplicate entries of a
 * cell (not MATLAB's, but scipy may save them) are summed in float64, in the order stored, and rounded
 * once, as scipy's toarray() then astype(float32).
 */
function sparseToRowMajor(v: MatVariable, rows: number, cols: number, file?: string): { X: Float32Array; nf?: NonFinite } {
  const s = v.sparse as NonNullable<MatVariable['sparse']>;
  // A MatFile built by hand may hold anything: the loops below go as far as jc says.
  const name = `X (variable ${JSON.stringify(v.name)}).sparse`;
  checkSparseMatrix(s, name);
  if (s.rows !== rows || s.cols !== cols) throw new ValidationError(`${name} is ${s.rows}x${s.cols} but the dims of X are ${rows}x${cols}`);
  const out = allocate(Float32Array, rows * cols, `X (${rows}x${cols})`, file);
  const { ir, jc } = s;
  // A plain array (a MatFile built by hand) may hold anything: each value is checked as it is read.
  const pr = s.pr as ArrayLike<unknown>;
  const value = (k: number): number => {
    const x = pr[k];
    if (typeof x !== 'number') fail('a number', `${name}.pr[${k}]`, x);
    return x;
  };
  let bad = 0;
  let first = -1;
  // Found column by column: the first in row-major order is the least position, not the first found.
  const nonFinite = (at: number) => {
    bad++;
    if (first < 0 || at < first) first = at;
  };
  for (let j = 0; j < cols; j++) {
    const a = jc[j];
    const b = jc[j + 1];
    let increasing = true;
    for (let k = a + 1; k < b && increasing; k++) increasing = ir[k] > ir[k - 1];
    if (increasing) {
      for (let k = a; k < b; k++) {
        const at = ir[k] * cols + j;
        out[at] = value(k) + 0; // + 0: -0 becomes 0, as in a sum from 0
        if (!Number.isFinite(out[at])) nonFinite(at);
      }
      continue;
    }
    // Unsorted rows, maybe repeated: the column's entries in row order (a stable sort keeps a row's as stored).
    const order = Array.from({ length: b - a }, (_, i) => a + i).sort((p, q) => ir[p] - ir[q]);
    for (let t = 0; t < order.length; ) {
      const r = ir[order[t]];
      let sum = 0;
      for (; t < order.length && ir[order[t]] === r; t++) sum += value(order[t]);
      const at = r * cols + j;
      out[at] = sum;
      if (!Number.isFinite(out[at])) nonFinite(at);
    }
  }
  const nf = bad === 0 ? undefined : { count: bad, row: Math.floor(first / cols), col: first % cols, value: out[first] };
  return { X: out, nf };
}

/** Where X holds NaN, Inf or values that overflowed float32: how many, and the first (row, col 0-based). */
interface NonFinite {
  count: number;
  row: number;
  col: number;
  value: number;
}

function findNonFinite(X: Float32Array, features: number): NonFinite | undefined {
  let count = 0;
  let first = -1;
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return undefined;
  return { count, row: Math.floor(first / features), col: first % features, value: X[first] };
}

/** Map label values to class indices 0..k-1 in ascending order of value; -1 for the first bad position. */
function encodeLabels(values: ArrayLike<number>): { y: Int32Array; labels: number[]; bad: number } {
  const unique = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return { y: new Int32Array(0), labels: [], bad: i };
    unique.add(v === 0 ? 0 : v); // -0 and 0 are one label
  }
  const labels = [...unique].sort((a, b) => a - b);
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) y[i] = index.get(values[i]) as number;
  return { y, labels, bad: -1 };
}

/**
 * Build a dataset from arrays: `X` as rows (number[][]) or a row-major Float32Array (then pass
 * `features`); `y` holds the label values, mapped to class indices in ascending order.
 */
export function datasetFromArrays(
  name: string,
  X: number[][] | Float32Array,
  y: ArrayLike<number>,
  features?: number,
): Dataset {
  expectString('name', name);
  if (!isNumberArrayLike(y) || y.length === 0) fail('a non-empty array of numbers', 'y', y);
  const samples = y.length;
  let flat: Float32Array;
  let f: number;
  if (isFloat32Array(X)) {
    f = features === undefined ? X.length / samples : expectInteger('features', features, { min: 1 });
    if (!Number.isInteger(f) || f < 1 || X.length !== samples * f) {
      fail(`a Float32Array of length samples x features (${samples} x ${features ?? '?'})`, 'X', X);
    }
    flat = X.slice();
  } else if (Array.isArray(X)) {
    if (X.length !== samples) fail(`an array of ${samples} rows (one per label)`, 'X', X);
    f = features === undefined ? (Array.isArray(X[0]) ? X[0].length : 0) : expectInteger('features', features, { min: 1 });
    if (f < 1) fail('rows of at least one feature', 'X[0]', X[0]);
    // The rows' length before allocating samples x features (a `features` of 2^40 for rows of one value).
    const short = X.findIndex((row) => !Array.isArray(row) || row.length !== f);
    if (short >= 0) fail(`an array of ${f} numbers`, `X[${short}]`, X[short]);
    flat = new Float32Array(samples * f);
    for (let i = 0; i < samples; i++) {
      const row = X[i];
      if (!Array.isArray(row) || row.length !== f) fail(`an array of ${f} numbers`, `X[${i}]`, row);
      for (let j = 0; j < f; j++) {
        const v: unknown = row[j];
        // The Float32Array store would coerce anything else (null and '' to 0, true to 1, '7' to 7, [5] to 5).
        if (typeof v !== 'number') fail('a finite number', `X[${i}][${j}]`, v);
        flat[i * f + j] = v;
      }
    }
  } else {
    fail('an array of rows or a Float32Array', 'X', X);
  }
  const nf = findNonFinite(flat, f);
  if (nf) {
    throw new ValidationError(
      `Expected finite numbers for X[${nf.row}][${nf.col}] but received ${describe(nf.value)} (${nf.count} non-finite in all)`,
    );
  }
  const { y: yi, labels, bad } = encodeLabels(y);
  if (bad >= 0) fail('a finite number', `y[${bad}]`, y[bad]);
  return { name, X: flat, y: yi, samples, features: f, classes: labels.length, labels };
}

function isNumberArrayLike(v: unknown): v is ArrayLike<number> {
  if (Array.isArray(v)) {
    // A loop, not every(), which skips holes.
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') return false;
    return true;
  }
  return isNumberTypedArray(v);
}

/**
 * The fields of a dataset and their sizes (samples, features, classes; X, y and labels of those lengths;
 * name arrays, when present, of the right lengths), without reading every value: what `subset` needs.
 */
export function checkDatasetShape(d: Dataset, name = 'dataset'): { samples: number; features: number; classes: number } {
  if (d === null || typeof d !== 'object' || isBuiltInObject(d)) fail('a dataset object', name, d);
  expectString(`${name}.name`, d.name);
  const samples = expectInteger(`${name}.samples`, d.samples, { min: 1 });
  const features = expectInteger(`${name}.features`, d.features, { min: 1 });
  const classes = expectInteger(`${name}.classes`, d.classes, { min: 1 });
  if (!isFloat32Array(d.X) || d.X.length !== samples * features) {
    fail(`a Float32Array of length ${samples * features} (samples x features)`, `${name}.X`, d.X);
  }
  if (!isInt32Array(d.y) || d.y.length !== samples) fail(`an Int32Array of length ${samples}`, `${name}.y`, d.y);
  if (!Array.isArray(d.labels) || d.labels.length !== classes) fail(`an array of ${classes} labels`, `${name}.labels`, d.labels);
  if (d.labelNames !== undefined && (!Array.isArray(d.labelNames) || d.labelNames.length !== classes)) {
    fail(`an array of ${classes} label names`, `${name}.labelNames`, d.labelNames);
  }
  if (d.featureNames !== undefined && (!Array.isArray(d.featureNames) || d.featureNames.length !== features)) {
    fail(`an array of ${features} feature names`, `${name}.featureNames`, d.featureNames);
  }
  return { samples, features, classes };
}

/** Check that a dataset's fields are consistent; throws ValidationError, returns the dataset. */
export function validateDataset(d: Dataset): Dataset {
  const { samples, features, classes } = checkDatasetShape(d);
  for (let c = 0; c < classes; c++) {
    const l = d.labels[c];
    if (typeof l !== 'number' || !Number.isFinite(l) || (c > 0 && !(l > d.labels[c - 1]))) {
      fail('finite labels in strictly ascending order', `dataset.labels[${c}]`, l);
    }
  }
  // Loops, not forEach, which skips holes.
  for (const key of ['labelNames', 'featureNames'] as const) {
    const names = d[key];
    if (names) for (let i = 0; i < names.length; i++) if (typeof names[i] !== 'string') fail('a string', `dataset.${key}[${i}]`, names[i]);
  }
  for (let i = 0; i < samples; i++) {
    const c = d.y[i];
    if (c < 0 || c >= classes) fail(`a class index in [0, ${classes - 1}]`, `dataset.y[${i}]`, c);
  }
  for (let i = 0; i < d.X.length; i++) {
    if (!Number.isFinite(d.X[i])) {
      throw new ValidationError(
        `Expected finite numbers for dataset.X but received ${describe(d.X[i])} at sample ${Math.floor(i / features)}, feature ${i % features}`,
      );
    }
  }
  return d;
}

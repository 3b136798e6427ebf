/** Loads a dataset, splits it (stratified, ceil(n/3) test by default) and standardises on the training rows. */
import { basename, extname } from 'node:path';
import {
  applyStandardizer,
  CSV_DELIMITERS,
  fitStandardizer,
  loadCsvDataset,
  loadCsvFeatures,
  loadLibsvmDataset,
  loadLibsvmFeatures,
  loadMatDataset,
  loadMatFeatures,
  makeSyntheticDataset,
  stratifiedSplit,
  subset,
  validateDataset,
  type CsvDelimiter,
  type Dataset,
  type FeatureSet,
  type Standardizer,
} from '../data';
import { heldOutCapacity, largestFraction, splitBySize } from '../data/split';
import { ValidationError } from '../errors';
import { describe, expectBoolean, expectInteger, expectOneOf, expectNumber, expectOptions, expectString, fail, orDefault, readFields, rejectUnknownKeys } from '../validate';

/**
 * A dataset split and standardised (prepareData, splitAndStandardize): runMethod's `data`. Every split's
 * features are standardised with the training split's mean and scale.
 */
export interface PreparedData {
  /** The dataset's name: the file's base name without extension, or the dataset's own name. */
  name: string;
  /** The training split (stratified; what is left after the test and validation splits). */
  train: Dataset;
  /** The test split: ceil(n / 3) samples by default, or testFraction of them (stratified). */
  test: Dataset;
  /**
   * Samples held out of the training split for model selection (validationFraction): runMethod reports each
   * epoch's accuracy on them, the best epoch by them, and can stop training early (settings.patience).
   */
  validation?: Dataset | undefined;
  /** Classes of the whole dataset. */
  classes: number;
  /** Features per sample. */
  features: number;
  /** The standardisation fitted on the training rows and applied to every split (save it with a model for predict). */
  standardizer: Standardizer;
}

/** prepareData's options; every field is optional, and one given as undefined is left out. */
export interface PrepareOptions {
  /** Data file (a CSV/TSV or LIBSVM file by its extension, see loadData, else a MAT-file); omitted: the built-in synthetic dataset ('' is an error). */
  file?: string | undefined;
  /** A CSV/TSV file's label column: its name or 0-based index (default: the last column). Not for MAT-files. */
  labelColumn?: string | number | undefined;
  /** Whether a CSV/TSV file's line 1 is a header (loadCsvDataset's `header`; default: detected). Not for MAT-files. */
  csvHeader?: boolean | undefined;
  /** A CSV/TSV file's delimiter, one of CSV_DELIMITERS (loadCsvDataset's `delimiter`; default: detected). Not for MAT-files. */
  csvDelimiter?: CsvDelimiter | undefined;
  /** The loader's limit on a dense copy of the data, in bytes (its `maxDenseBytes`; default 1 GiB). */
  maxDenseBytes?: number | undefined;
  /**
   * A LIBSVM file's index base: true 0-based, false 1-based (loadLibsvmDataset's `zeroBased`; default 'auto', 0-based
   * when some index is 0). LIBSVM files only.
   */
  libsvmZeroBased?: boolean | undefined;
  /** A MAT-file's features variable (loadMatDataset's `x`; default: X, then fea, data, ...). Not for CSV/TSV or LIBSVM files. */
  matX?: string | undefined;
  /** A MAT-file's labels variable (loadMatDataset's `y`; default: Y, then gnd, label, ...). Not for CSV/TSV or LIBSVM files. */
  matY?: string | undefined;
  /** Fraction of samples in the test split; omitted: ceil(n / 3) samples, as the paper's splits. */
  testFraction?: number | undefined;
  /**
   * Fraction of the samples left after the test split that is held out as a validation split (stratified,
   * ceil(fraction x those samples)); omitted: no validation split. The standardisation is fitted without it.
   */
  validationFraction?: number | undefined;
  /** Seed of the test and validation splits (an integer). @default 0 */
  seed?: number | undefined;
}

/** The dataset's name: the file's base name without extension, as given. */
export function datasetName(file: string): string {
  return basename(file, extname(file));
}

/** Extensions read as CSV/TSV (case-insensitive); a file of neither these nor LIBSVM_EXTENSIONS is read as a MAT-file. */
export const CSV_EXTENSIONS = Object.freeze(['.csv', '.tsv', '.txt'] as const);

/** Extensions read as LIBSVM / SVMlight (case-insensitive). */
export const LIBSVM_EXTENSIONS = Object.freeze(['.svm', '.libsvm', '.svmlight'] as const);

/** Whether loadData reads `file` as CSV/TSV (by its extension). */
export function isCsvFile(file: string): boolean {
  return (CSV_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase());
}

/** Whether loadData reads `file` as LIBSVM / SVMlight (by its extension). */
export function isLibsvmFile(file: string): boolean {
  return (LIBSVM_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase());
}

/**
 * What loadData takes beside the file: the options of the loader its extension picks. `libsvmFeatures` is
 * a LIBSVM file's number of features (loadLibsvmDataset's `features`; default: its largest index), which
 * npset predict sets to the model's inputs.
 */
export type LoadDataOptions = Pick<PrepareOptions, 'labelColumn' | 'csvHeader' | 'csvDelimiter' | 'matX' | 'matY' | 'maxDenseBytes' | 'libsvmZeroBased'> & {
  libsvmFeatures?: number | undefined;
};

/** csvHeader (a boolean) and csvDelimiter (one of CSV_DELIMITERS) are for CSV/TSV files only. */
function checkCsvOptions(file: string | undefined, csvHeader: unknown, csvDelimiter: unknown): void {
  if (csvHeader !== undefined) expectBoolean('csvHeader', csvHeader);
  if (csvDelimiter !== undefined) expectOneOf('csvDelimiter', csvDelimiter, CSV_DELIMITERS);
  for (const [key, value] of [['csvHeader', csvHeader], ['csvDelimiter', csvDelimiter]] as const) {
    if (value === undefined || (file !== undefined && isCsvFile(file))) continue;
    throw new ValidationError(
      `Expected a .csv, .tsv or .txt file (${key} is for CSV/TSV files only) but received ${file === undefined ? 'no file' : describe(file)}`,
    );
  }
}

/** The loaders' own options from csvHeader, csvDelimiter and maxDenseBytes, leaving out those not given. */
function csvLoaderOptions(o: LoadDataOptions): { header?: boolean; delimiter?: CsvDelimiter; maxDenseBytes?: number } {
  return {
    ...(o.csvHeader === undefined ? {} : { header: o.csvHeader }),
    ...(o.csvDelimiter === undefined ? {} : { delimiter: o.csvDelimiter }),
    ...(o.maxDenseBytes === undefined ? {} : { maxDenseBytes: o.maxDenseBytes }),
  };
}

/** libsvmFeatures (an integer >= 1) and libsvmZeroBased (a boolean) are for LIBSVM files only. */
function checkLibsvmOptions(file: string | undefined, libsvmFeatures: unknown, libsvmZeroBased: unknown): void {
  if (libsvmFeatures !== undefined) expectInteger('libsvmFeatures', libsvmFeatures, { min: 1 });
  if (libsvmZeroBased !== undefined) expectBoolean('libsvmZeroBased', libsvmZeroBased);
  for (const [key, value] of [['libsvmFeatures', libsvmFeatures], ['libsvmZeroBased', libsvmZeroBased]] as const) {
    if (value === undefined || (file !== undefined && isLibsvmFile(file))) continue;
    throw new ValidationError(
      `Expected a .svm, .libsvm or .svmlight file (${key} is for LIBSVM files only) but received ${file === undefined ? 'no file' : describe(file)}`,
    );
  }
}

/** A LIBSVM loader's options from libsvmFeatures, libsvmZeroBased and maxDenseBytes, leaving out those not given. */
function libsvmLoaderOptions(o: LoadDataOptions): { features?: number; zeroBased?: boolean; maxDenseBytes?: number } {
  return {
    ...(o.libsvmFeatures === undefined ? {} : { features: o.libsvmFeatures }),
    ...(o.libsvmZeroBased === undefined ? {} : { zeroBased: o.libsvmZeroBased }),
    ...(o.maxDenseBytes === undefined ? {} : { maxDenseBytes: o.maxDenseBytes }),
  };
}

/**
 * Loads `file` by its extension: '.csv', '.tsv' and '.txt' with loadCsvDataset (`labelColumn` is its
 * `label` option), '.svm', '.libsvm' and '.svmlight' with loadLibsvmDataset (`libsvmFeatures` is its
 * `features`), anything else with loadMatDataset (`matX` and `matY` are its `x` and `y`); no file: the
 * built-in synthetic dataset. An option of another loader is a ValidationError.
 */
export async function loadData(file?: string, options: LoadDataOptions = {}): Promise<Dataset> {
  const { labelColumn, csvHeader, csvDelimiter, matX, matY, maxDenseBytes } = options;
  // An empty name is a mistake (an unset variable, say), not a request for the built-in data.
  if (file !== undefined) expectString('file', file);
  const received = file === undefined ? 'no file' : describe(file);
  if (labelColumn !== undefined && (file === undefined || !isCsvFile(file))) {
    throw new ValidationError(`Expected a .csv, .tsv or .txt file (labelColumn is for CSV/TSV files only) but received ${received}`);
  }
  checkCsvOptions(file, csvHeader, csvDelimiter);
  checkLibsvmOptions(file, options.libsvmFeatures, options.libsvmZeroBased);
  for (const [key, value] of [['matX', matX], ['matY', matY]] as const) {
    if (value === undefined) continue;
    expectString(key, value);
    if (file === undefined || isCsvFile(file) || isLibsvmFile(file)) {
      throw new ValidationError(`Expected a MAT-file (${key} is for MAT-files only) but received ${received}`);
    }
  }
  if (file === undefined) return makeSyntheticDataset({ seed: 0 });
  if (isCsvFile(file)) {
    return loadCsvDataset(file, { ...(labelColumn === undefined ? {} : { label: labelColumn }), ...csvLoaderOptions(options) });
  }
  if (isLibsvmFile(file)) return loadLibsvmDataset(file, libsvmLoaderOptions(options));
  return loadMatDataset(file, { x: matX, y: matY, ...(maxDenseBytes === undefined ? {} : { maxDenseBytes }) });
}

/**
 * Loads the features only of `file`, whose labels (if any) are not read, by its extension: '.csv', '.tsv'
 * and '.txt' with loadCsvFeatures (every column a feature), '.svm', '.libsvm' and '.svmlight' with
 * loadLibsvmFeatures (`libsvmFeatures` is its `features`), anything else with loadMatFeatures (`matX` is
 * its `x`). An option of another loader is a ValidationError.
 */
export async function loadFeatureData(
  file: string,
  options: Pick<LoadDataOptions, 'matX' | 'csvHeader' | 'csvDelimiter' | 'maxDenseBytes' | 'libsvmFeatures' | 'libsvmZeroBased'> = {},
): Promise<FeatureSet> {
  expectString('file', file);
  const { matX, csvHeader, csvDelimiter, maxDenseBytes } = options;
  checkCsvOptions(file, csvHeader, csvDelimiter);
  checkLibsvmOptions(file, options.libsvmFeatures, options.libsvmZeroBased);
  if (matX !== undefined) {
    expectString('matX', matX);
    if (isCsvFile(file) || isLibsvmFile(file)) throw new ValidationError(`Expected a MAT-file (matX is for MAT-files only) but received ${describe(file)}`);
  }
  if (isCsvFile(file)) return loadCsvFeatures(file, csvLoaderOptions(options));
  if (isLibsvmFile(file)) return loadLibsvmFeatures(file, libsvmLoaderOptions(options));
  return loadMatFeatures(file, { x: matX, ...(maxDenseBytes === undefined ? {} : { maxDenseBytes }) });
}

const SPLIT_KEYS = ['testFraction', 'validationFraction', 'seed'] as const;
const PREPARE_KEYS = ['file', 'labelColumn', 'csvHeader', 'csvDelimiter', 'matX', 'matY', 'maxDenseBytes', 'libsvmZeroBased', ...SPLIT_KEYS] as const;
type LoadKeys = 'file' | 'labelColumn' | 'csvHeader' | 'csvDelimiter' | 'matX' | 'matY' | 'maxDenseBytes' | 'libsvmZeroBased';

/**
 * Splits a dataset already in memory (from a loader, datasetFromArrays or makeSyntheticDataset) as prepareData
 * splits a file's: a stratified test split (ceil(n / 3) samples by default, or `testFraction`), optionally a
 * validation split of the rest (`validationFraction`), then every split standardised with the training split's
 * mean and scale (PreparedData.standardizer). `seed` (default 0) seeds the splits. The dataset is checked
 * whole first, and is not changed.
 */
export function splitAndStandardize(data: Dataset, options: Omit<PrepareOptions, LoadKeys> = {}): PreparedData {
  if (data === null || typeof data !== 'object') fail('a dataset object', 'data', data);
  const o = expectOptions('splitAndStandardize options', options);
  rejectUnknownKeys('splitAndStandardize options', o, SPLIT_KEYS);
  // The whole dataset, as loaders make it (class indices below classes, ascending labels, finite values),
  // so that a problem is named by its place in the dataset, not in a split.
  validateDataset(data);
  return splitPrepared(data, o);
}

/**
 * The splits and their standardisation. stratifiedSplit checks testFraction and seed (an explicit undefined is
 * the same as none); `validationName` is what an error calls validationFraction (the CLI's flag, for the CLI).
 */
export function splitPrepared(data: Dataset, options: Omit<PrepareOptions, LoadKeys>, validationName = 'validationFraction'): PreparedData {
  const seed = orDefault(options.seed, 0);
  const split = stratifiedSplit(data.y, {
    ...(options.testFraction !== undefined ? { testFraction: options.testFraction } : {}),
    seed,
  });
  let train = subset(data, split.train);
  const test = subset(data, split.test);
  let validation: Dataset | undefined;
  if (options.validationFraction !== undefined) {
    const held = validationSize(validationName, options.validationFraction, train.y);
    // The same seed as the test split: the two draws shuffle different index lists.
    const inner = splitBySize(train.y, held, seed, false);
    validation = subset(train, inner.test);
    train = subset(train, inner.train);
  }
  const s = fitStandardizer(train.X, train.samples, train.features);
  try {
    for (const part of validation ? [train, test, validation] : [train, test]) {
      part.X = applyStandardizer(s, part.X, part.samples, part.features);
    }
  } catch (e) {
    throw (e instanceof ValidationError && outlierError(data, s)) || e;
  }
  return { name: data.name, train, test, ...(validation ? { validation } : {}), classes: data.classes, features: data.features, standardizer: s };
}

/**
 * The first sample of the whole dataset that leaves float32 once standardised with the training split's mean
 * and scale (a held-out outlier), named by its place in the dataset rather than in its split.
 */
function outlierError(data: Dataset, s: Standardizer): ValidationError | undefined {
  const f = data.features;
  for (let i = 0; i < data.X.length; i++) {
    const j = i % f;
    // The arithmetic of applyStandardizer (times the inverse scale, stored as float32), so both find the same values.
    const z = Math.fround((data.X[i] - s.mean[j]) * (1 / s.scale[j]));
    if (Number.isFinite(z)) continue;
    return new ValidationError(
      `Expected feature values that fit in float32 once standardised with the training split's mean and scale for ` +
        `${data.name}, sample ${Math.floor(i / f)}, feature ${j} (from 0) but received ${data.X[i]}: (x - ${s.mean[j]}) / ${s.scale[j]} ` +
        'overflows. It is an outlier far outside the training samples of that feature: remove it or rescale the feature',
    );
  }
  return undefined;
}

/** ceil(fraction x samples) validation samples of the training labels `y`, leaving every class a training sample. */
function validationSize(name: string, fraction: unknown, y: Int32Array): number {
  const f = expectNumber(name, fraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const n = y.length;
  // Unlike the test split, a class of one training sample keeps it.
  const { capacity, classes } = heldOutCapacity(y, false);
  const held = Math.ceil(n * f);
  if (held > capacity) {
    fail(
      capacity < 1
        ? `no validation split: no class of the ${n} training sample${n === 1 ? '' : 's'} left after the test split can spare one`
        : `a number > 0 and <= ${largestFraction(capacity, n)} (the test split leaves ${n} training samples in ${classes} classes, of which at most ${capacity} can be validation samples so that every class keeps a training sample)`,
      name,
      f,
    );
  }
  return held;
}

/**
 * Loads a dataset (a CSV/TSV or LIBSVM file by its extension, else a MAT-file; no file: the built-in synthetic dataset),
 * splits it (stratified: ceil(n / 3) test samples by default, or testFraction; with validationFraction, a
 * validation split of the rest) and standardises every split with the training split's mean and scale: what
 * `npset train` does before training. The result goes to runMethod (or its splits to SparseMLP.fit).
 */
export async function prepareData(options: PrepareOptions = {}): Promise<PreparedData> {
  const given = expectOptions('prepareData options', options);
  // A misspelt key ({ fil: 'x.mat' }) would otherwise fall back to the built-in synthetic data.
  rejectUnknownKeys('prepareData options', given, PREPARE_KEYS);
  // Each option read once: a getter cannot hand the loader one file and the dataset's name another.
  const o = readFields(given, PREPARE_KEYS) as PrepareOptions;
  const label = o.labelColumn;
  if (typeof label === 'number') expectInteger('labelColumn', label, { min: 0 });
  else if (label !== undefined && (typeof label !== 'string' || label.length === 0)) {
    fail('a column name or a 0-based column index', 'labelColumn', label);
  }
  const data = await loadData(o.file, {
    labelColumn: label,
    csvHeader: o.csvHeader,
    csvDelimiter: o.csvDelimiter,
    matX: o.matX,
    matY: o.matY,
    maxDenseBytes: o.maxDenseBytes,
    libsvmZeroBased: o.libsvmZeroBased,
  });
  if (o.file !== undefined) data.name = datasetName(o.file);
  return splitPrepared(data, o);
}

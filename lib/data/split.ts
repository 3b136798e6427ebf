/**
 * Stratified train/test split. The paper's test splits hold ceil(n / 3) samples (madelon 867 of 2600),
 * each class represented in proportion to its size.
 */
import { ValidationError } from '../errors';
import { expectInteger, expectNumber, expectOptions, fail, isInt32Array, isNumberList, rejectUnknownKeys } from '../validate';
import { checkDatasetShape, type Dataset } from './dataset';
import { Random } from './random';

/** stratifiedSplit's options (testSize or testFraction, not both); one given as undefined is left out. */
export interface SplitOptions {
  /** Number of test samples (default ceil(n / 3)). */
  testSize?: number | undefined;
  /** Fraction of samples in the test split, in (0, 1): ceil(n * fraction) samples (instead of testSize). */
  testFraction?: number | undefined;
  /** PRNG seed (default 0). */
  seed?: number | undefined;
}

export interface Split {
  /** Indices of the training samples, in shuffled order. */
  train: Int32Array;
  /** Indices of the test samples, in shuffled order. */
  test: Int32Array;
}

/**
 * Split sample indices so that each class gets a test share proportional to its size (largest
 * remainder method, ties to the lower class index), every class with >= 2 samples keeps one in train,
 * and the test split has exactly the requested size. Same `y` and seed, same split. `y` must be an Int32Array
 * (a dataset's `y`); it is not changed.
 */
export function stratifiedSplit(y: Int32Array, options?: SplitOptions): Split {
  if (!isInt32Array(y) || y.length < 2) fail('an Int32Array of at least 2 class indices', 'y', y);
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, ['testSize', 'testFraction', 'seed']);
  const n = y.length;
  let testSize: number;
  if (opts.testSize !== undefined && opts.testFraction !== undefined) {
    throw new ValidationError('Expected only one of testSize and testFraction for options but received both');
  } else if (opts.testSize !== undefined) {
    testSize = expectInteger('options.testSize', opts.testSize, { min: 1, max: n - 1 });
  } else if (opts.testFraction !== undefined) {
    const f = expectNumber('options.testFraction', opts.testFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    testSize = Math.ceil(n * f);
    if (testSize > n - 1) fail(`a fraction that leaves at least one training sample of ${n}`, 'options.testFraction', f);
  } else {
    testSize = Math.ceil(n / 3);
  }
  const seed = opts.seed === undefined ? 0 : expectInteger('options.seed', opts.seed);
  return splitBySize(y, testSize, seed, true);
}

/**
 * stratifiedSplit's split of `y` into `testSize` held-out samples and the rest, its arguments checked by the
 * caller. `singletonsMayGo`: whether a class of one sample may go to the held-out part (the test split: yes;
 * a validation split, taken from training samples, must leave every class one: no).
 */
export function splitBySize(y: Int32Array, testSize: number, seed: number, singletonsMayGo: boolean): Split {
  const n = y.length;
  const byClass = groupByClass(y);
  const counts = byClass.map((members) => members.length);
  const perClass = allocateTest(counts, testSize, singletonsMayGo);

  const rng = new Random(seed);
  const train = new Int32Array(n - testSize);
  const test = new Int32Array(testSize);
  let nTrain = 0;
  let nTest = 0;
  byClass.forEach((members, c) => {
    rng.shuffle(members);
    for (let k = 0; k < members.length; k++) {
      if (k < perClass[c]) test[nTest++] = members[k];
      else train[nTrain++] = members[k];
    }
  });
  // Mix the classes: otherwise each split would list one class after another.
  rng.shuffle(train);
  rng.shuffle(test);
  return { train, test };
}

/**
 * Sample indices of each class present in `y`, classes in increasing label order. Only labels that occur get
 * a group (labels may be sparse, such as {0, 10^8}); a label without samples would get no test share anyway,
 * so the split is the same as with a group for every index up to the largest.
 */
function groupByClass(y: Int32Array): Int32Array[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0) fail('non-negative class indices', `y[${i}]`, y[i]);
    counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
  }
  const labels = [...counts.keys()].sort((a, b) => a - b);
  const slot = new Map(labels.map((label, c) => [label, c]));
  const groups = labels.map((label) => new Int32Array(counts.get(label)!));
  const fill = new Int32Array(labels.length);
  for (let i = 0; i < y.length; i++) {
    const c = slot.get(y[i])!;
    groups[c][fill[c]++] = i;
  }
  return groups;
}

const MAX_SAMPLES = 2 ** 31 - 1;
/** The most values a subset may hold: 8 GiB of float32. */
const MAX_SUBSET_VALUES = 2 ** 31;

/**
 * Test samples per class: floor of each class's exact share, then the leftover ones to the largest
 * remainders. Remainders are compared as integers (testSize * count mod n), so there is no rounding.
 */
export function allocateTest(counts: ArrayLike<number>, testSize: number, singletonsMayGo = true): Int32Array {
  if (!isNumberList(counts)) fail('an array of class sizes', 'counts', counts);
  if (typeof singletonsMayGo !== 'boolean') fail('a boolean', 'singletonsMayGo', singletonsMayGo);
  // Each size read once, into the copy used below: a getter answering differently later could make the loop
  // that hands out the leftover seats run forever.
  const k = counts.length;
  const sizes = new Array<number>(k);
  let n = 0;
  for (let c = 0; c < k; c++) n += sizes[c] = expectInteger(`counts[${c}]`, counts[c], { min: 0, max: MAX_SAMPLES });
  // Sample indices are Int32: more samples than that cannot be split (and the loop below would run for ages).
  if (n > MAX_SAMPLES) fail(`class sizes summing to at most ${MAX_SAMPLES}`, 'counts', `a sum of ${n}`);
  expectInteger('testSize', testSize, { min: 0, max: n });
  // A class of one sample may go to test (unless singletonsMayGo is false); a larger one keeps at least one in train.
  const cap = sizes.map((m) => (m >= 2 ? m - 1 : singletonsMayGo ? m : 0));
  const capacity = cap.reduce((a, b) => a + b, 0);
  if (testSize > capacity) {
    throw new ValidationError(
      `Expected a test size of at most ${capacity} (so that every class keeps a training sample) for options.testSize but received ${testSize}`,
    );
  }
  const alloc = new Int32Array(k);
  const rem = new Float64Array(k);
  let given = 0;
  for (let c = 0; c < k; c++) {
    const share = testSize * sizes[c];
    alloc[c] = Math.min(Math.floor(share / n), cap[c]);
    rem[c] = share % n;
    given += alloc[c];
  }
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => rem[b] - rem[a] || a - b);
  // Usually one round; more only when caps turned leftover seats away.
  while (given < testSize) {
    for (const c of order) {
      if (given === testSize) break;
      if (alloc[c] < cap[c]) {
        alloc[c]++;
        given++;
      }
    }
  }
  return alloc;
}

/** A dataset with the rows at `indices` (in that order); classes and labels are kept. */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  if (dataset === null || typeof dataset !== 'object') fail('a dataset object', 'dataset', dataset);
  // Each field read once: a getter cannot hand the loop below other arrays than the ones checked.
  const d: Dataset = { ...dataset };
  const { features, samples } = checkDatasetShape(d);
  if (!isNumberList(indices)) fail('an array of sample indices', 'indices', indices);
  const m = indices.length;
  const index = (k: number): number => {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= samples) fail(`an index in [0, ${samples - 1}]`, `indices[${k}]`, i);
    return i;
  };
  // Every index before allocating (a sparse array of length 2^32 - 1 fails at its first hole, not in new
  // Float32Array), and again as it is used (an index getter may answer differently the second time).
  for (let k = 0; k < m; k++) index(k);
  if (m * features > MAX_SUBSET_VALUES) fail(`at most ${MAX_SUBSET_VALUES} values (indices x features)`, 'indices', indices);
  const X = new Float32Array(m * features);
  const y = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const i = index(k);
    X.set(d.X.subarray(i * features, (i + 1) * features), k * features);
    y[k] = d.y[i];
  }
  const out: Dataset = { ...d, X, y, samples: m, labels: d.labels.slice() };
  if (d.labelNames) out.labelNames = d.labelNames.slice();
  if (d.featureNames) out.featureNames = d.featureNames.slice();
  return out;
}

/**
 * How many samples of the labels `y` a held-out part (stratified, as allocateTest allots it) may take: every
 * class of 2 or more keeps one sample; a class of one may go only when `singletonsMayGo`. Also the number of
 * classes, for messages.
 */
export function heldOutCapacity(y: ArrayLike<number>, singletonsMayGo: boolean): { capacity: number; classes: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < y.length; i++) counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
  let capacity = 0;
  for (const m of counts.values()) capacity += m >= 2 ? m - 1 : singletonsMayGo ? m : 0;
  return { capacity: Math.min(capacity, y.length - 1), classes: counts.size };
}

/**
 * The largest fraction of 4 decimals whose ceil(n x fraction) samples fit in `capacity` (for error messages
 * that offer it: the rounded ratio itself can be refused, ceil(25 x 0.56) being 15 in floating point).
 */
export function largestFraction(capacity: number, n: number): number {
  let tenThousandths = Math.floor((capacity / n) * 1e4);
  while (tenThousandths > 0 && Math.ceil(n * (tenThousandths / 1e4)) > capacity) tenThousandths--;
  return tenThousandths / 1e4;
}

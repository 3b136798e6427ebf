/**
 * A madelon-like synthetic dataset (after Guyon's generator, as in scikit-learn's make_classification):
 * Gaussian clusters on vertices of a hypercube in a few informative dimensions, some redundant
 * linear combinations of them, and many pure-noise features. Several clusters per class make the
 * problem non-linear, so an MLP has something to learn beyond a linear rule.
 */
import { expectInteger, expectOptions, fail, rejectUnknownKeys } from '../validate';
import type { Dataset } from './dataset';
import { Random } from './random';

/** makeSyntheticDataset's options; one left out, or given as undefined, takes its default. */
export interface SyntheticOptions {
  /** Number of samples (default 600). */
  samples?: number | undefined;
  /** Total number of features (default 500). */
  features?: number | undefined;
  /** Informative features (default 20, at most 1000); they come first, then the redundant ones, then noise. */
  informative?: number | undefined;
  /** Number of classes (default 2); the classes are balanced. */
  classes?: number | undefined;
  /** PRNG seed (default 0): same options, same dataset. */
  seed?: number | undefined;
}

/** Gaussian clusters per class. */
const CLUSTERS_PER_CLASS = 2;
/** Half the hypercube's side: cluster centres sit at +-CLASS_SEP in every informative dimension. */
const CLASS_SEP = 0.75;
/** Redundant features per informative feature (madelon: 15 for 5; here fewer, the noise dominates anyway). */
const REDUNDANT_RATIO = 0.25;
/** Each cluster has an informative x informative mixing matrix, and each sample costs informative^2 operations. */
const MAX_INFORMATIVE = 1000;
/** Values of X at most (8 GiB of float32): beyond, the typed array cannot be made or fills the memory. */
const MAX_VALUES = 2 ** 31;
/** Doubles of all clusters' mixing matrices at most (1 GiB). */
const MAX_MIX_VALUES = 2 ** 27;

/**
 * A madelon-like synthetic dataset, made in memory from `seed` alone (same options, same dataset): `classes`
 * balanced classes (labels 0 .. classes - 1), each two Gaussian clusters on vertices of a hypercube in the first
 * `informative` features, then some redundant linear combinations of them, then pure noise. Defaults: 600
 * samples, 500 features, 20 informative, 2 classes, seed 0 (what prepareData uses without a file). The features
 * are not standardised (splitAndStandardize does that).
 */
export function makeSyntheticDataset(options?: SyntheticOptions): Dataset {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, ['samples', 'features', 'informative', 'classes', 'seed']);
  const classes = opts.classes === undefined ? 2 : expectInteger('options.classes', opts.classes, { min: 2 });
  const samples = opts.samples === undefined ? 600 : expectInteger('options.samples', opts.samples, { min: classes });
  // Every class gets a sample: the default of 600 samples does not fit more classes than that.
  if (samples < classes) fail(`at least ${classes} samples (one per class) for options.classes ${classes}`, 'options.samples', `${samples} (the default)`);
  const features = opts.features === undefined ? 500 : expectInteger('options.features', opts.features, { min: 1 });
  const informative =
    opts.informative === undefined
      ? Math.min(20, features)
      : expectInteger('options.informative', opts.informative, { min: 1, max: Math.min(features, MAX_INFORMATIVE) });
  const seed = opts.seed === undefined ? 0 : expectInteger('options.seed', opts.seed);
  if (samples * features > MAX_VALUES) {
    fail(`at most ${MAX_VALUES} values (samples x features, 8 GiB of float32)`, 'options', `${samples} x ${features}`);
  }
  const clusters = classes * CLUSTERS_PER_CLASS;
  if (clusters * informative * informative > MAX_MIX_VALUES) {
    fail(`at most ${MAX_MIX_VALUES} values in the clusters' mixing matrices (${clusters} clusters x informative^2)`, 'options.informative', informative);
  }
  if (informative < 31 && 2 ** informative < clusters) {
    fail(`at least ${Math.ceil(Math.log2(clusters))} informative features for ${classes} classes`, 'options.informative', informative);
  }
  const redundant = Math.min(Math.ceil(informative * REDUNDANT_RATIO), features - informative);

  const rng = new Random(seed);
  const centres = hypercubeVertices(rng, clusters, informative);
  // Each cluster gets its own random linear map: clusters differ in shape and are not axis-aligned.
  // Entries uniform in [-1, 1] scaled by sqrt(3 / informative) give roughly unit variance per dimension.
  const mixScale = Math.sqrt(3 / informative);
  const mixes = Array.from({ length: clusters }, () => uniformMatrix(rng, informative, informative, mixScale));
  const redundantMix = uniformMatrix(rng, informative, redundant, mixScale);

  // Balanced labels (the first samples % classes classes get one more), in random order.
  const y = new Int32Array(samples);
  for (let i = 0; i < samples; i++) y[i] = i % classes;
  rng.shuffle(y);
  const seen = new Int32Array(classes);

  const X = new Float32Array(samples * features);
  const z = new Float64Array(informative);
  const row = new Float64Array(informative);
  for (let i = 0; i < samples; i++) {
    const c = y[i];
    const k = c * CLUSTERS_PER_CLASS + (seen[c]++ % CLUSTERS_PER_CLASS); // alternate the class's clusters
    const centre = centres[k];
    const mix = mixes[k];
    for (let a = 0; a < informative; a++) z[a] = rng.normal();
    const base = i * features;
    for (let b = 0; b < informative; b++) {
      let s = centre[b];
      for (let a = 0; a < informative; a++) s += z[a] * mix[a * informative + b];
      row[b] = s;
      X[base + b] = s;
    }
    for (let r = 0; r < redundant; r++) {
      let s = 0;
      for (let a = 0; a < informative; a++) s += row[a] * redundantMix[a * redundant + r];
      X[base + informative + r] = s;
    }
    for (let j = informative + redundant; j < features; j++) X[base + j] = rng.normal();
  }
  const labels = Array.from({ length: classes }, (_, c) => c);
  return { name: 'synthetic', X, y, samples, features, classes, labels };
}

/** `count` distinct random vertices of the hypercube [-CLASS_SEP, CLASS_SEP]^dims. */
function hypercubeVertices(rng: Random, count: number, dims: number): Float64Array[] {
  const seen = new Set<string>();
  const out: Float64Array[] = [];
  while (out.length < count) {
    const v = new Float64Array(dims);
    for (let d = 0; d < dims; d++) v[d] = rng.nextInt(2) === 0 ? -CLASS_SEP : CLASS_SEP;
    const key = v.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

/** Row-major rows x cols matrix of uniform values in [-scale, scale]. */
function uniformMatrix(rng: Random, rows: number, cols: number, scale: number): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = (2 * rng.nextFloat() - 1) * scale;
  return m;
}

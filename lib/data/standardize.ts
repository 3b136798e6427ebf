/**
 * Per-feature standardisation (z-scores). Fit it on the training rows only, then apply the same
 * mean and scale to train and test, so that no information leaks from the test split.
 */
import { expectInteger, fail, isFloat32Array, isFloat64Array } from '../validate';

export interface Standardizer {
  mean: Float64Array;
  /** Population standard deviation, or 1 where a column is constant (so it maps to 0, not NaN). */
  scale: Float64Array;
}

function checkMatrix(X: unknown, samples: number, features: number, minSamples: number): asserts X is Float32Array {
  expectInteger('samples', samples, { min: minSamples });
  expectInteger('features', features, { min: 1 });
  if (!isFloat32Array(X) || X.length !== samples * features) {
    fail(`a Float32Array of length ${samples * features} (samples x features)`, 'X', X);
  }
}

/** Mean and population std of each column of row-major `X`, two-pass in float64 for stability. */
export function fitStandardizer(X: Float32Array, samples: number, features: number): Standardizer {
  checkMatrix(X, samples, features, 1);
  const mean = new Float64Array(features);
  const min = new Float64Array(features).fill(Infinity);
  const max = new Float64Array(features).fill(-Infinity);
  for (let i = 0; i < samples; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      const v = X[row + j];
      // NaN would pass both comparisons below unseen, and Infinity makes the mean and scale meaningless.
      if (!Number.isFinite(v)) fail('finite numbers', `X[${row + j}] (sample ${i}, feature ${j})`, v);
      mean[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < features; j++) mean[j] /= samples;

  // Second pass on the deviations: no catastrophic cancellation as in E[x^2] - E[x]^2.
  const scale = new Float64Array(features);
  for (let i = 0; i < samples; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      const d = X[row + j] - mean[j];
      scale[j] += d * d;
    }
  }
  for (let j = 0; j < features; j++) {
    if (min[j] === max[j]) {
      // Constant column: decided exactly, since rounding in the mean would leave a tiny non-zero std
      // that blows rounding noise up to unit scale. Its mean is its value, so it maps to exactly 0.
      mean[j] = min[j];
      scale[j] = 1;
    } else {
      scale[j] = Math.sqrt(scale[j] / samples);
    }
  }
  return { mean, scale };
}

/** A new row-major Float32Array with `(x - mean) / scale` per column. */
export function applyStandardizer(s: Standardizer, X: Float32Array, samples: number, features: number): Float32Array {
  if (s === null || typeof s !== 'object') fail('a standardizer object', 'standardizer', s);
  // Read once: a getter cannot swap the arrays between the checks and their use.
  const { mean, scale } = s;
  if (!isFloat64Array(mean) || mean.length !== features) fail(`a Float64Array of length ${features}`, 'standardizer.mean', mean);
  if (!isFloat64Array(scale) || scale.length !== features) fail(`a Float64Array of length ${features}`, 'standardizer.scale', scale);
  checkMatrix(X, samples, features, 0);
  const inv = new Float64Array(features);
  for (let j = 0; j < features; j++) {
    const sc = scale[j];
    if (!(sc > 0) || !Number.isFinite(sc)) fail('a positive finite number', `standardizer.scale[${j}]`, sc);
    if (!Number.isFinite(mean[j])) fail('a finite number', `standardizer.mean[${j}]`, mean[j]);
    inv[j] = 1 / sc;
  }
  const out = new Float32Array(samples * features);
  for (let i = 0; i < samples; i++) {
    const row = i * features;
    for (let j = 0; j < features; j++) {
      out[row + j] = (X[row + j] - mean[j]) * inv[j];
      // A held-out outlier (3e38 in a column of thousandths, say) leaves float32 once standardised: said here,
      // with its place and the column's mean and scale, rather than as an Infinity somewhere downstream.
      if (!Number.isFinite(out[row + j])) {
        fail(
          `a value whose standardised form (x - ${mean[j]}) / ${scale[j]} fits in float32`,
          `X[${row + j}] (sample ${i}, feature ${j})`,
          X[row + j],
        );
      }
    }
  }
  return out;
}

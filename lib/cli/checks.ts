/**
 * Checks that need the loaded data (its samples, classes, features), made by the CLI before any model is
 * built, so that a bad combination is reported in the words of the flags and of the data file the user
 * gave, rather than under the API's internal names (y, layers[3], options.testSize, ...).
 */
import type { Dataset } from '../data';
import { heldOutCapacity, largestFraction } from '../data/split';
import { ValidationError } from '../errors';
import { isCsvFile, isLibsvmFile } from '../experiment/prepare';
import { DECIMAL_NOTATION, describe } from '../validate';
import { LIMITS } from './args';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** How a dataset is named in messages: the path the user typed, or the built-in synthetic data. */
export function dataLabel(file: string | undefined): string {
  return file === undefined ? 'the built-in synthetic data' : JSON.stringify(file);
}

/** A classifier needs at least two classes (and `npset train` two samples: one to train on, one to test on). */
export function checkDataset(flag: string, file: string | undefined, data: Dataset, minSamples: number): void {
  const what = dataLabel(file);
  if (data.samples < minSamples) {
    const why = minSamples === 2 ? ' (at least one to train on and one to test on)' : '';
    throw new ValidationError(
      `Expected a dataset of at least ${plural(minSamples, 'sample')}${why} for ${flag} but received ${what}, which has ${plural(data.samples, 'sample')}`,
    );
  }
  if (data.classes < 2) {
    const label = data.labelNames?.length === 1 ? ` ${JSON.stringify(data.labelNames[0])}` : data.labels?.length === 1 ? ` ${data.labels[0]}` : '';
    throw new ValidationError(
      `Expected a dataset of at least 2 classes for ${flag} but received ${what}, ` +
        `whose ${data.samples === 1 ? 'only sample has' : `${plural(data.samples, 'sample')} all have`} the label${label}`,
    );
  }
}

/** --label-column picks a column of a CSV/TSV --data file: with a MAT-file or the synthetic data it is an error. */
export function checkLabelColumn(file: string | undefined, labelColumn: string | number | undefined): void {
  if (labelColumn === undefined || (file !== undefined && isCsvFile(file))) return;
  throw new ValidationError(
    `Expected a .csv, .tsv or .txt --data file for --label-column ${JSON.stringify(String(labelColumn))} but received ` +
      `${file === undefined ? 'no --data (the built-in synthetic data)' : `--data ${JSON.stringify(file)}`}`,
  );
}

/** --header and --no-header decide a CSV/TSV --data file's line 1: with a MAT-file or the synthetic data they are errors. */
export function checkCsvHeader(file: string | undefined, header: boolean | undefined): void {
  if (header === undefined || (file !== undefined && isCsvFile(file))) return;
  throw new ValidationError(
    `Expected a .csv, .tsv or .txt --data file for ${header ? '--header' : '--no-header'} but received ` +
      `${file === undefined ? 'no --data (the built-in synthetic data)' : `--data ${JSON.stringify(file)}`}`,
  );
}

/** --delimiter splits a CSV/TSV --data file: with a MAT-file or the synthetic data it is an error. */
export function checkDelimiter(file: string | undefined, delimiter: string | undefined): void {
  if (delimiter === undefined || (file !== undefined && isCsvFile(file))) return;
  throw new ValidationError(
    `Expected a .csv, .tsv or .txt --data file for --delimiter ${JSON.stringify(delimiter === '\t' ? 'tab' : delimiter)} but received ` +
      `${file === undefined ? 'no --data (the built-in synthetic data)' : `--data ${JSON.stringify(file)}`}`,
  );
}

/** --libsvm-base is for LIBSVM files (.svm, .libsvm, .svmlight) only. */
export function checkLibsvmBase(file: string | undefined, base: string | undefined): void {
  if (base === undefined || (file !== undefined && isLibsvmFile(file))) return;
  throw new ValidationError(
    `Expected a .svm, .libsvm or .svmlight --data file for --libsvm-base ${base} but received ` +
      `${file === undefined ? 'no --data (the built-in synthetic data)' : `--data ${JSON.stringify(file)}`}`,
  );
}

/** --x-var and --y-var pick variables of a MAT --data file: with a CSV/TSV or LIBSVM file or the synthetic data they are errors. */
export function checkMatVariables(file: string | undefined, vars: { xVar?: string; yVar?: string }, labels = true): void {
  const libsvm = file !== undefined && isLibsvmFile(file);
  if (file !== undefined && !isCsvFile(file) && !libsvm) return;
  const kind = libsvm ? 'a LIBSVM file' : `a CSV/TSV file${labels ? ' (use --label-column)' : ''}`;
  for (const [flag, name] of [['--x-var', vars.xVar], ['--y-var', vars.yVar]] as const) {
    if (name === undefined) continue;
    throw new ValidationError(
      `Expected a MAT-file as --data for ${flag} ${JSON.stringify(name)} but received ` +
        `${file === undefined ? 'no --data (the built-in synthetic data)' : `--data ${JSON.stringify(file)}, ${kind}`}`,
    );
  }
}

/** --test-fraction F takes ceil(n * F) test samples: that must leave every class a training sample. */
export function checkTestFraction(file: string | undefined, data: Dataset, fraction: number | undefined): void {
  if (fraction === undefined) return;
  const n = data.samples;
  const { capacity } = heldOutCapacity(data.y, true); // every class of 2 or more keeps a training sample
  if (Math.ceil(n * fraction) <= capacity) return;
  const max = largestFraction(capacity, n); // itself accepted
  throw new ValidationError(
    `Expected a number > 0 and <= ${max} for --test-fraction on ${dataLabel(file)} ` +
      `(${plural(n, 'sample')} in ${plural(data.classes, 'class', 'classes')}, of which at most ${capacity} can be test samples ` +
      `so that every class keeps a training sample) but received ${fraction}`,
  );
}

/**
 * Sparse layers hold fewer than 2^32 - 1 connections each (32-bit indices): about epsilon * (n_in + n_out),
 * at most n_in * n_out. `flags` names what the user can change, e.g. "--hidden and --epsilon".
 */
export function checkConnections(layers: readonly number[], epsilon: number, flags: string): void {
  for (let l = 0; l + 1 < layers.length; l++) {
    const a = layers[l];
    const b = layers[l + 1];
    const expected = Math.min(a * b, epsilon * (a + b));
    if (expected >= LIMITS.connectionsPerLayer) {
      throw new ValidationError(
        `Expected fewer than ${LIMITS.connectionsPerLayer} connections per layer for ${flags} but received about ` +
          `${Math.round(expected).toLocaleString('en-US')} between layers of ${a} and ${b} neurons (epsilon ${epsilon} x (${a} + ${b}))`,
      );
    }
  }
}

/**
 * A CSV/TSV file whose header detection could not tell a header from data (numeric column names above text
 * labels): its line 1 then becomes a sample of a class no other line has, named like a column ("species").
 * Null when the header was given either way, names were read from a header, or the first sample's class is
 * shared, numeric-looking or one of few samples.
 */
export function csvHeaderNote(file: string | undefined, header: boolean | undefined, data: Dataset): string | null {
  if (file === undefined || !isCsvFile(file) || header !== undefined || data.featureNames || !data.labelNames || data.samples < 3) return null;
  const first = data.y[0];
  for (let i = 1; i < data.samples; i++) if (data.y[i] === first) return null;
  const label = data.labelNames[first];
  if (DECIMAL_NOTATION.test(label.trim())) return null;
  return (
    `the first line of ${file} read as data is the only sample of its class ${describe(label)}: ` +
    'if that line is a header (numeric column names above text labels are not detected as one), add --header'
  );
}

/**
 * Header names that repeat: predict can then match those columns by position only (a file with them in
 * another order reads silently wrong), and a reordered file is refused.
 */
export function duplicateNamesNote(data: Dataset): string | null {
  const names = data.featureNames;
  if (!names) return null;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const n of names) (seen.has(n) ? repeated : seen).add(n);
  if (repeated.size === 0) return null;
  const shown = [...repeated].slice(0, 3).map((n) => describe(n)).join(', ');
  return (
    `the header names ${repeated.size === 1 ? 'a column' : 'columns'} more than once (${shown}${repeated.size > 3 ? ', ...' : ''}): ` +
    'npset predict cannot tell such columns apart by name, so a file must have them in this order'
  );
}

/** Fewest samples for the row-number note: on fewer, a feature can count up by chance. */
const INDEX_NOTE_MIN_SAMPLES = 10;

/**
 * A feature that holds the row numbers (0..n-1 or 1..n, in file order): a row index or id column saved with the
 * data (pandas' `to_csv(index_label=...)`, a named `id`), which training then takes for a feature. Null when none
 * is, or for fewer than INDEX_NOTE_MIN_SAMPLES samples.
 */
export function indexColumnNote(data: Dataset): string | null {
  const { X, samples, features } = data;
  if (samples < INDEX_NOTE_MIN_SAMPLES) return null;
  for (let f = 0; f < features; f++) {
    const base = X[f];
    if (base !== 0 && base !== 1) continue;
    let i = 1;
    while (i < samples && X[i * features + f] === base + i) i++;
    if (i < samples) continue;
    const name = data.featureNames ? ` (${describe(data.featureNames[f])})` : '';
    return (
      `feature ${f}${name} holds the row numbers ${base}..${base + samples - 1}, in order: if it is a row index or an id saved ` +
      'with the data, it is no feature; remove that column from the file'
    );
  }
  return null;
}

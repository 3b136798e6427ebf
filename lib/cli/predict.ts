/**
 * `npset predict`: a saved model (`npset train --save-model`) applied to a data file, compared with its labels;
 * with --no-labels, to a file of features only (new data), for the predictions alone.
 */
import { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { FeatureSet } from '../data';
import { DataFormatError, ValidationError } from '../errors';
import { writeChunksAtomic } from '../files';
import { datasetName, isLibsvmFile, loadData, loadFeatureData } from '../experiment/prepare';
import { SparseMLP, type PreparedInput } from '../model';
import { classificationMetrics, MAX_METRIC_CLASSES, withLabels, type LabelledMetrics } from '../report/metrics';
import { formatInt } from '../report/stats';
import { column, integer, path } from './args';
import { checkDataFlags, delimiterOption, libsvmBaseOption, libsvmZeroBased, loadOptions, maxDenseBytesOption, nameLibsvmBaseFlag, type DataFlags } from './data-flags';
import { checkOutFile } from './out';
import { MAT_VAR_HELP } from './train';
import { pathText } from '../text';

interface PredictFlags extends DataFlags {
  model: string;
  data: string;
  out?: string;
  threads: number;
  json?: boolean;
  /** False with --no-labels: the file holds features only. */
  labels: boolean;
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('apply a saved model (npset train --save-model) to a MAT-file, CSV/TSV file or LIBSVM file: accuracy against its labels, and the predictions')
    .requiredOption('--model <file>', '(required) model file written by npset train --save-model (or SparseMLP.save)', path('--model'))
    .requiredOption('--data <file>', '(required) MAT-file (v5-v7 or v7.3), .csv/.tsv/.txt file or .svm/.libsvm/.svmlight LIBSVM file (read with the model\'s inputs as its features) with the features the model was trained on, and labels to compare with (unless --no-labels)', path('--data'))
    .option('--no-labels', '--data has no labels (new data): every CSV/TSV column is a feature, a MAT-file needs only the features variable, a LIBSVM file\'s labels are not read; predictions only, no accuracy')
    .option('--label-column <name|index>', 'CSV/TSV --data only: the label column, by header name or 0-based index (default: the last column)', column('--label-column'))
    .option('--header', 'CSV/TSV --data only: line 1 is a header (default: detected)')
    .option('--no-header', 'CSV/TSV --data only: line 1 is data')
    .option('--x-var <name>', `MAT --data only: ${MAT_VAR_HELP.x}`, path('--x-var', 'a variable name'))
    .option('--y-var <name>', `MAT --data only: ${MAT_VAR_HELP.y}`, path('--y-var', 'a variable name'))
    .addOption(delimiterOption())
    .addOption(maxDenseBytesOption())
    .addOption(libsvmBaseOption(true))
    .option('--out <file>', 'write one CSV row per sample: sample, predicted, actual (not with --no-labels), then the probability of each class', path('--out'))
    .option('--threads <t>', 'OpenMP threads (0: OMP_NUM_THREADS when set, else all cores)', integer('--threads', { min: 0, max: 4096 }), 0)
    .option('--json', 'print one JSON object on stdout instead of a summary')
    .action(async (flags: PredictFlags) => {
      const r = await predict(flags);
      if (flags.json) await writeChunks(process.stdout, jsonChunks(r));
      else printSummary(r, flags);
    });
}

interface PredictCommon {
  model: string;
  layers: number[];
  connections: number;
  data: string;
  samples: number;
  /** Whether the saved standardisation was applied to the features. */
  standardized: boolean;
  /**
   * How the file's columns were matched to the model's inputs: by their header names, in the same order
   * (`name`) or reordered (`reordered`), or by position when the model or the file has no names (`position`).
   */
  columns: 'name' | 'reordered' | 'position';
  /** The predicted class of each sample, as its label (name or value, else the class index). */
  predicted: (string | number)[];
  /**
   * When the model was saved by npset train from a file of the same name: that run's split, as its model file
   * records it. The file's accuracy then counts the training samples too; `testAccuracy` is the held-out one.
   */
  trainedOn?: TrainedOn;
}

/** The training run recorded in a model file saved by npset train (its metadata). */
export interface TrainedOn {
  dataset: string;
  trainSamples: number;
  testSamples?: number;
  seed?: number;
  testAccuracy?: number;
}

/** The comparison with the file's labels. */
export interface PredictScores {
  /** Fraction of samples whose label is the predicted class; samples with a label the model does not know count as wrong. */
  accuracy: number;
  correct: number;
  /** Samples whose label is not one of the model's classes. */
  unknownLabels: number;
  /** How the file's labels were matched to the model's classes: by name, by value, or by class index. */
  matchedBy: 'name' | 'value' | 'index';
  /** Per-class metrics over the samples whose label the model knows, classes named by their labels (null: none). */
  metrics: LabelledMetrics | null;
}

/** With --no-labels there is nothing to compare with: the same keys, all null. */
export type NoScores = { [K in keyof PredictScores]: null };

/** What `npset predict --json` prints: the scores against the file's labels, or NoScores with --no-labels. */
export type PredictResult = PredictCommon & (PredictScores | NoScores);

const NO_SCORES: NoScores = { accuracy: null, correct: null, unknownLabels: null, matchedBy: null, metrics: null };

async function predict(f: PredictFlags): Promise<PredictResult> {
  if (!f.labels) {
    for (const [flag, value] of [['--label-column', f.labelColumn], ['--y-var', f.yVar]] as const) {
      if (value === undefined) continue;
      throw new ValidationError(
        `Expected no ${flag} with --no-labels (the --data file has no labels) but received ${flag} ${JSON.stringify(String(value))}`,
      );
    }
  }
  checkDataFlags(f.data, f, f.labels);
  if (f.out !== undefined) checkOutFile('--out', f.out, { '--data': f.data, '--model': f.model });
  const model = await SparseMLP.load(f.model, { threads: f.threads });
  try {
    // With labels, the whole dataset; with --no-labels, the features only (undefined: nothing to compare with).
    // A LIBSVM file has the model's inputs as its features: a test file need not use the last ones.
    // And the index base of the model's training file, when npset train recorded it.
    // --libsvm-base, when given, is the test file's own base (auto included), whatever the model was trained on.
    const zeroBased = f.libsvmBase !== undefined ? libsvmZeroBased(f.libsvmBase) : savedZeroBased(model.saved?.metadata);
    const libsvm = isLibsvmFile(f.data) ? { libsvmFeatures: model.inputs, libsvmZeroBased: zeroBased } : {};
    // The hints say which base the file was read with, and whether the flag or the model file chose it.
    const by = f.libsvmBase !== undefined ? 'flag' : 'model';
    const hints = (e: unknown) => hintInputs(by === 'flag' ? nameLibsvmBaseFlag(e) : e, zeroBased, by);
    const labelled = f.labels ? await loadData(f.data, { ...loadOptions(f), ...libsvm }).catch(hintNoLabels).catch(hints) : undefined;
    const data: FeatureSet =
      labelled ??
      (await loadFeatureData(f.data, { matX: f.xVar, csvHeader: f.header, csvDelimiter: f.delimiter, maxDenseBytes: f.maxDenseBytes, ...libsvm }).catch(hints));
    let input: PreparedInput;
    try {
      input = model.prepare(data, { name: '--data', source: f.data });
    } catch (e) {
      // A file of features only, read with its last column as labels, is one feature short.
      throw labelled && data.features === model.inputs - 1 && e instanceof ValidationError ? withNoLabelsHint(e) : e;
    }
    const proba = await model.predictProba(input.X);
    const k = model.classes;
    const names = model.classLabels;
    const predicted: number[] = [];
    for (let i = 0; i < data.samples; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
      predicted.push(best);
    }
    if (f.out !== undefined) {
      // Without labels, no actual column (rather than an empty one, which would read as a label "").
      const dataNames: (string | number)[] = labelled ? (labelled.labelNames ?? labelled.labels) : [];
      const actual = (i: number) => (labelled ? [dataNames[labelled.y[i]]] : []);
      const row = (i: number) => [i, names[predicted[i]], ...actual(i), ...Array.from(proba.subarray(i * k, (i + 1) * k))];
      const columns = ['sample', 'predicted', ...(labelled ? ['actual'] : []), ...names.map((n) => `p(${n})`)];
      try {
        // Written as it is made, a chunk of rows at a time: one string of millions of rows would pass
        // JavaScript's longest string (or the memory) and lose every prediction.
        writeChunksAtomic(f.out, csvChunks(data.samples, row, columns));
      } catch (e) {
        // The error keeps its code (exit code 1 for a full disk); its message names the option.
        (e as Error).message = `cannot write ${f.out} (--out): ${(e as Error).message}`;
        throw e;
      }
    }
    const topo = model.topology();
    return {
      model: f.model,
      layers: topo.neurons,
      connections: topo.connections,
      data: f.data,
      samples: data.samples,
      standardized: input.standardized,
      columns: input.columns,
      ...(input.y ? scores(model, input, predicted, names) : NO_SCORES),
      predicted: predicted.map((p) => names[p]),
      ...trainedOnThisFile(model.saved?.metadata, f.data),
    };
  } finally {
    model.dispose();
  }
}

/** The index base of the LIBSVM file a model was trained on, as npset train records it; undefined otherwise. */
function savedZeroBased(metadata: unknown): boolean | undefined {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const z = (metadata as Record<string, unknown>).libsvmZeroBased;
  return typeof z === 'boolean' ? z : undefined;
}

/**
 * The training run of the model when its file records one on a dataset named as `file` (npset train names the
 * dataset after its file): the accuracy on that file is then not a held-out one. {} otherwise.
 */
function trainedOnThisFile(metadata: unknown, file: string): { trainedOn?: TrainedOn } {
  if (metadata === null || typeof metadata !== 'object') return {};
  const m = metadata as Record<string, unknown>;
  const count = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
  const trainSamples = count(m.trainSamples);
  if (m.dataset !== datasetName(file) || trainSamples === undefined) return {};
  const testAccuracy = typeof m.testAccuracy === 'number' && m.testAccuracy >= 0 && m.testAccuracy <= 1 ? m.testAccuracy : undefined;
  const testSamples = count(m.testSamples);
  const seed = count(m.seed);
  return {
    trainedOn: {
      dataset: m.dataset,
      trainSamples,
      ...(testSamples !== undefined ? { testSamples } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(testAccuracy !== undefined ? { testAccuracy } : {}),
    },
  };
}

function trainedOnText(t: TrainedOn): string {
  const heldOut =
    t.testAccuracy !== undefined && t.testSamples !== undefined
      ? `; on its ${formatInt(t.testSamples)} held-out test samples it scored ${(100 * t.testAccuracy).toFixed(2)}%`
      : '';
  return `the model was trained on ${formatInt(t.trainSamples)} samples of ${t.dataset}: an accuracy on that file counts them too${heldOut}`;
}

/** Rows per chunk of the --out CSV and of the predictions of --json. */
export const ROWS_PER_CHUNK = 1 << 16;

/**
 * The --out CSV of `samples` rows (`row(i)`), with its header, in chunks of `rowsPerChunk` rows: the same text
 * as one `stringify` of every row, without ever holding it all.
 */
export function* csvChunks(samples: number, row: (i: number) => unknown[], columns: string[], rowsPerChunk = ROWS_PER_CHUNK): Generator<string> {
  if (!(Number.isInteger(rowsPerChunk) && rowsPerChunk >= 1)) throw new RangeError(`Expected a positive integer for rowsPerChunk but received ${rowsPerChunk}`);
  // The first chunk carries the header, even with no rows at all.
  for (let start = 0; start === 0 || start < samples; start += rowsPerChunk) {
    const end = Math.min(samples, start + rowsPerChunk);
    const rows: unknown[][] = [];
    for (let i = start; i < end; i++) rows.push(row(i));
    yield stringify(rows, { header: start === 0, columns });
  }
}

/**
 * What --json prints, `JSON.stringify(r)` and a newline, in chunks: the predictions (one per sample, the last
 * key) `perChunk` at a time.
 */
export function* jsonChunks(r: PredictResult, perChunk = ROWS_PER_CHUNK): Generator<string> {
  if (!(Number.isInteger(perChunk) && perChunk >= 1)) throw new RangeError(`Expected a positive integer for perChunk but received ${perChunk}`);
  const keys = Object.keys(r);
  if (keys[keys.length - 1] !== 'predicted' || !Array.isArray(r.predicted)) {
    yield `${JSON.stringify(r)}\n`; // not the shape streamed below: as one string
    return;
  }
  const { predicted, ...rest } = r;
  const head = JSON.stringify(rest); // "{...}": never empty
  yield `${head.slice(0, -1)},"predicted":[`;
  for (let start = 0; start < predicted.length; start += perChunk) {
    const part = JSON.stringify(predicted.slice(start, start + perChunk));
    yield `${start > 0 ? ',' : ''}${part.slice(1, -1)}`;
  }
  yield ']}\n';
}

/**
 * Writes `chunks` to `stream` one after the other, waiting for it to drain when its buffer is full. A stream
 * that fails (EPIPE: the reader went away) rejects; the CLI's handler of stdout's errors has then already
 * ended the process (lib/cli/main.ts, onOutputError).
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (stream.write(chunk)) continue;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        stream.removeListener('drain', onDrain);
        stream.removeListener('error', onError);
        stream.removeListener('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onError = (err: unknown) => done(err ?? new Error('write failed'));
      const onClose = () => done(new Error('the output was closed before everything was written'));
      stream.on('drain', onDrain);
      stream.on('error', onError);
      stream.on('close', onClose);
    });
  }
}

const NO_LABELS_HINT = ' (if the file holds features only, without labels, add --no-labels)';

function withNoLabelsHint<E extends Error>(e: E): E {
  e.message += NO_LABELS_HINT;
  return e;
}

/**
 * A LIBSVM file's index beyond its number of features, which here is the model's inputs: say where that number comes
 * from; and when the file was read with a base (zeroBased) that the model file or --libsvm-base (`by`) chose, which one
 * reads a file of the other base.
 */
function hintInputs(e: unknown, zeroBased: boolean | undefined, by: 'flag' | 'model'): never {
  if (!(e instanceof DataFormatError)) throw e;
  // A file indexed from the other base than it is read with looks like one feature too many, or an index 0.
  const [b, other] = zeroBased ? [0, 1] : [1, 0];
  const why = by === 'flag' ? `read ${b}-based, as --libsvm-base ${b} asks` : `the model was trained on a ${b}-based LIBSVM file, so indices are read from ${b}`;
  const base = zeroBased === undefined ? '' : ` (${why}: --libsvm-base ${other} reads a file indexed from ${other})`;
  const beyond = /\(the number of features is (\d+).* but received (\d+)/.exec(e.message);
  if (beyond) {
    // One past the last index of a 0-based read is where a 1-based file's last feature lands.
    const shifted = zeroBased === true && beyond[1] === beyond[2];
    e.message += ` (the model's inputs: the file has more features than the model was trained on)${shifted ? base : ''}`;
  } else if (/expected indices from 1 /.test(e.message)) {
    // The loader's "as zeroBased: false asks": the model file asked, or (named already) the flag.
    e.message = e.message.replace(/, as zeroBased: false asks\)/, ')');
    if (by === 'model') e.message += base;
  }
  throw e;
}

/** A labelled read that fails on its label column: the file may have no labels at all. */
function hintNoLabels(e: unknown): never {
  if (!(e instanceof DataFormatError)) throw e;
  // The file's path, quoted cells and column names left out: a feature column named "label" (or a folder
  // named labels) is no sign that the file has no labels.
  const own = (e.file !== undefined && e.message.startsWith(`${e.file}: `) ? e.message.slice(e.file.length + 2) : e.message).replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/continuous target|label/i.test(own)) throw withNoLabelsHint(e);
  throw e;
}

/** The predictions (class indices of the model) against the file's labels, as the model's class indices (-1: unknown). */
function scores(model: SparseMLP, input: PreparedInput, predicted: number[], names: (string | number)[]): PredictScores {
  const y = input.y!;
  let correct = 0;
  for (let i = 0; i < input.samples; i++) if (y[i] === predicted[i]) correct++;
  const known = [...predicted.keys()].filter((i) => y[i] >= 0);
  let metrics: PredictScores['metrics'] = null;
  // null: no sample with a known label, or more classes than a confusion matrix is built for.
  if (known.length > 0 && model.classes <= MAX_METRIC_CLASSES) {
    const m = classificationMetrics(known.map((i) => y[i]), known.map((i) => predicted[i]), model.classes);
    metrics = withLabels(m, names);
  }
  return { accuracy: correct / input.samples, correct, unknownLabels: input.unknownLabels!, matchedBy: input.matchedBy!, metrics };
}

function printSummary(r: PredictResult, f: PredictFlags): void {
  const lines = [
    `model      ${r.model}: layers ${r.layers.join('-')}, ${formatInt(r.connections)} connections`,
    `data       ${r.data}: ${formatInt(r.samples)} samples${r.standardized ? ', standardised as in training' : ''}${r.matchedBy === null ? ', no labels' : ''}${r.columns === 'reordered' ? ', columns reordered by name to the model\'s' : ''}`,
  ];
  if (r.matchedBy === null) {
    if (f.out === undefined) lines.push('note       no labels to compare with: --out FILE writes the predictions, --json prints them');
    else lines.push(`written    ${pathText(f.out)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  lines.push(`accuracy   ${(100 * r.accuracy).toFixed(2)}% (${formatInt(r.correct)} of ${formatInt(r.samples)}; labels matched by ${r.matchedBy})`);
  if (r.metrics) {
    lines.push(`metrics    balanced accuracy ${(100 * r.metrics.balancedAccuracy).toFixed(2)}%, macro F1 ${r.metrics.macroF1.toFixed(3)}${r.unknownLabels > 0 ? ' (samples with known labels)' : ''}`);
  }
  if (r.unknownLabels > 0) lines.push(`note       ${formatInt(r.unknownLabels)} samples have a label the model was not trained on (counted as wrong)`);
  if (r.trainedOn) lines.push(`note       ${trainedOnText(r.trainedOn)}`);
  if (f.out !== undefined) lines.push(`written    ${pathText(f.out)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

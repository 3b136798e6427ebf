/** `npset train`: one method on one dataset (a MAT-file, a CSV/TSV or LIBSVM file, or the built-in synthetic data). */
import { Command, Option } from 'commander';
import { METHODS, METHOD_SPECS, type Method } from '../experiment/methods';
import type { Dataset } from '../data';
import { datasetName, loadData, splitPrepared, type PreparedData } from '../experiment/prepare';
import { RUN_DEFAULTS, runMethod, type RunResult, type RunSettings } from '../experiment/run';
import { MAX_HEADER_BYTES } from '../model/model-file';
import { PRUNE_CRITERIA, PRUNING_DEFAULTS, WEIGHT_INITS, type WeightInit } from '../model/options';
import { parseLearningRateSchedule, resolveLearningRateSchedule, type LearningRateScheduleSpec } from '../model/schedule';
import { classificationMetrics, MAX_METRIC_CLASSES, withLabels, type LabelledMetrics } from '../report/metrics';
import { formatInt } from '../report/stats';
import { LIMITS, choice, column, integer, integerList, number, path } from './args';
import { checkConnections, checkDataset, csvHeaderNote, checkTestFraction, duplicateNamesNote, indexColumnNote } from './checks';
import { checkDataFlags, delimiterOption, loadOptions, libsvmBaseHint, libsvmBaseOption, maxDenseBytesOption, type DataFlags } from './data-flags';
import { DivergenceError, ValidationError } from '../errors';
import { CliError } from './errors';
import { checkOutFile } from './out';
import type { SparseMLP } from '../model';
import { availableCores } from '../native';
import { pathText } from '../text';

/** The flags' defaults: runMethod's (RUN_DEFAULTS), under the flags' names. */
export const TRAIN_CLI_DEFAULTS = Object.freeze({
  hidden: RUN_DEFAULTS.hidden,
  epochs: RUN_DEFAULTS.epochs,
  epsilon: RUN_DEFAULTS.epsilon,
  zeta: RUN_DEFAULTS.zeta,
  batch: RUN_DEFAULTS.batchSize,
  lr: RUN_DEFAULTS.learningRate,
  momentum: RUN_DEFAULTS.momentum,
  weightDecay: RUN_DEFAULTS.weightDecay,
  dropout: RUN_DEFAULTS.dropout,
  weightInit: RUN_DEFAULTS.weightInit,
  seed: RUN_DEFAULTS.seed,
  threads: RUN_DEFAULTS.threads,
});

/** Help of --x-var and --y-var (train and bench). */
export const MAT_VAR_HELP = Object.freeze({
  x: 'the features variable (default: X, then fea, data, features or inputs paired with labels of the matching name, then the only 2-D matrix)',
  y: 'the labels variable, numbers or text (default: Y, then gnd, label, labels or targets, then the only vector with one entry per sample)',
});

interface TrainFlags extends DataFlags {
  data?: string;
  method: Method;
  hidden: number[];
  epochs: number;
  epsilon: number;
  zeta: number;
  batch: number;
  lr: number;
  lrSchedule?: LearningRateScheduleSpec;
  lrWarmup?: number;
  momentum: number;
  weightDecay: number;
  dropout: number;
  weightInit: WeightInit;
  testFraction?: number;
  validationFraction?: number;
  patience?: number;
  seed: number;
  threads: number;
  alpha: number;
  beta: number;
  gamma: number;
  criterion: (typeof PRUNE_CRITERIA)[number];
  json?: boolean;
  saveModel?: string;
}

export function trainCommand(): Command {
  const d = TRAIN_CLI_DEFAULTS;
  return new Command('train')
    .description('train one model on a MAT-file, a CSV/TSV file or a LIBSVM file (or the built-in synthetic dataset) and report its accuracy')
    .option('--data <file>', 'MAT-file (v5-v7 or v7.3) with X (samples x features) and Y (labels, numbers or text), a .csv/.tsv/.txt file (a row per sample, numeric features, a label column), or a .svm/.libsvm/.svmlight LIBSVM file (a line per sample: label index:value ...); default: built-in synthetic data', path('--data'))
    .option('--label-column <name|index>', 'CSV/TSV --data only: the label column, by header name or 0-based index (default: the last column)', column('--label-column'))
    .option('--header', 'CSV/TSV --data only: line 1 is a header (default: detected)')
    .option('--no-header', 'CSV/TSV --data only: line 1 is data')
    .option('--x-var <name>', `MAT --data only: ${MAT_VAR_HELP.x}`, path('--x-var', 'a variable name'))
    .option('--y-var <name>', `MAT --data only: ${MAT_VAR_HELP.y}`, path('--y-var', 'a variable name'))
    .addOption(delimiterOption())
    .addOption(maxDenseBytesOption())
    .addOption(libsvmBaseOption())
    .addOption(
      new Option(
        '--method <name>',
        'method; direct-set and direct-fc are SET and a dense MLP built directly with the --hidden sizes you give (the paper gives them the sizes an NPSET run ended with; `npset reproduce` does that)',
      )
        .choices(METHODS)
        .default('set'),
    )
    .addOption(
      new Option('--hidden <sizes>', 'hidden layer sizes, comma-separated')
        .argParser(integerList('--hidden', { min: 1, max: LIMITS.neurons }, LIMITS.layers - 2))
        .default(d.hidden, d.hidden.join(',')),
    )
    .option('--epochs <n>', 'training epochs', integer('--epochs', { min: 1, max: LIMITS.epochs }), d.epochs)
    .option('--epsilon <e>', 'Erdős–Rényi sparsity level', number('--epsilon', { min: 0, minExclusive: true }), d.epsilon)
    .option('--zeta <z>', 'fraction of weights per sign removed and regrown after each epoch', number('--zeta', { min: 0, max: 1 }), d.zeta)
    .option('--batch <b>', 'mini-batch size', integer('--batch', { min: 1, max: 65536 }), d.batch)
    .option('--lr <r>', 'learning rate', number('--lr', { min: 0, minExclusive: true }), d.lr)
    .option('--lr-schedule <spec>', 'learning rate per epoch (default: constant): constant, step:EPOCHS[:FACTOR] (times FACTOR, default 0.1, every EPOCHS epochs), exponential:FACTOR (or exp:FACTOR; times FACTOR every epoch) or cosine[:MIN_LR] (half a cosine from --lr down towards MIN_LR, default 0, over the epochs)', (v: string) => parseLearningRateSchedule('--lr-schedule', v))
    .option('--lr-warmup <n>', 'epochs of linear warm-up (rate --lr * (epoch + 1) / n) before the schedule starts (default: 0)', integer('--lr-warmup', { min: 0, max: LIMITS.epochs }))
    .option('--momentum <m>', 'SGD momentum', number('--momentum', { min: 0, max: 1, maxExclusive: true, float32: true }), d.momentum)
    .option('--weight-decay <w>', 'weight decay', number('--weight-decay', { min: 0, max: 1, maxExclusive: true, float32: true }), d.weightDecay)
    .option('--dropout <p>', 'dropout rate on hidden layers', number('--dropout', { min: 0, max: 1, maxExclusive: true, float32: true }), d.dropout)
    .option('--weight-init <name>', `initial weights (${WEIGHT_INITS.join(', ')}); normal is N(0, 0.1²), the reference SET code's`, choice('--weight-init', WEIGHT_INITS), d.weightInit)
    .option('--test-fraction <f>', 'fraction of samples in the stratified test split (default: ceil(n / 3) samples)', number('--test-fraction', { min: 0, max: 1, minExclusive: true, maxExclusive: true }))
    .option('--validation-fraction <f>', 'fraction of the training split held out (stratified) to pick the best epoch and for --patience (default: none)', number('--validation-fraction', { min: 0, max: 1, minExclusive: true, maxExclusive: true }))
    .option('--patience <n>', 'stop once n epochs pass without a better validation epoch (needs --validation-fraction; NPSET methods run at least to their last pruning; default: off)', integer('--patience', { min: 1, max: LIMITS.epochs }))
    .option('--seed <s>', 'seed of the split, the topology, the weights, the shuffles, dropout and the evolution', integer('--seed', { min: 0 }), d.seed)
    .option('--threads <t>', 'OpenMP threads (0: OMP_NUM_THREADS when set, else all cores)', integer('--threads', { min: 0, max: 4096 }), d.threads)
    .option('--alpha <a>', 'NPSET: fraction of neurons removed per pruning', number('--alpha', { min: 0, max: 1, maxExclusive: true }), PRUNING_DEFAULTS.alpha)
    .option('--beta <e>', 'NPSET: first pruning epoch (from 0)', integer('--beta', { min: 0 }), PRUNING_DEFAULTS.beta)
    .option('--gamma <n>', 'NPSET: pruning continues to epoch beta + gamma', integer('--gamma', { min: 0 }), PRUNING_DEFAULTS.gamma)
    .option('--criterion <c>', `NPSET: which neurons go first (${PRUNE_CRITERIA.join(', ')})`, choice('--criterion', PRUNE_CRITERIA), PRUNING_DEFAULTS.criterion)
    .option('--save-model <file>', 'save the trained model (with the standardisation and class labels of the data) for npset predict and SparseMLP.load', path('--save-model'))
    .option('--json', 'print one JSON object on stdout instead of progress and a summary')
    .action(async (flags: TrainFlags, cmd: Command) => {
      const result = await train(flags, (name) => cmd.getOptionValueSource(name) === 'cli');
      if (flags.json) process.stdout.write(`${JSON.stringify(toJson(result))}\n`);
      else printSummary(result);
      const stopped = result.stoppedAtEpoch !== undefined ? `Training was stopped by Ctrl-C after epoch ${result.stoppedAtEpoch + 1} of ${result.epochs}` : '';
      if (result.saveError !== undefined) {
        // The results are out; the save's own error (and exit code) follows, after the stop, if any.
        if (stopped) process.stderr.write(`npset: ${stopped}\n`);
        throw result.saveError;
      }
      // Ctrl-C: what ran is reported (and saved), and the exit code still says the run was cut short.
      if (stopped) throw new CliError(stopped, 130);
    });
}

/** A second SIGINT sooner than this after the first is taken for the same interrupt, delivered twice. */
const SIGINT_REPEAT_MS = 300;

/** What `npset train` reports: the run, and the metrics of the final model on the test split. */
/** `testMetrics` is null beyond MAX_METRIC_CLASSES classes (a confusion matrix of classes x classes counts). */
export type TrainResult = RunResult & {
  testMetrics: TestMetrics | null;
  saveError?: unknown;
  savedModel?: string;
  /** A LIBSVM --data file's index base as read (true: 0-based), --libsvm-base's or detected; absent for other files. */
  libsvmZeroBased?: boolean;
};

async function train(f: TrainFlags, given: (option: string) => boolean): Promise<TrainResult> {
  checkDataFlags(f.data, f);
  if (f.saveModel !== undefined) checkOutFile('--save-model', f.saveModel, { '--data': f.data });
  if (METHOD_SPECS[f.method].prune === 'second' && f.hidden.length < 2) {
    throw new ValidationError(`Expected at least 2 hidden sizes for --hidden with --method ${f.method} (it prunes the second hidden layer) but received ${f.hidden.join(',')}`);
  }
  if (f.patience !== undefined && f.validationFraction === undefined) {
    throw new ValidationError(`Expected --validation-fraction with --patience ${f.patience} (the split whose accuracy it watches) but received none`);
  }
  const lrSchedule = cliSchedule(f);
  const raw = await loadData(f.data, loadOptions(f)).catch(libsvmBaseHint);
  if (f.data !== undefined) raw.name = datasetName(f.data);
  // Checked before the header is printed and before any model is built.
  checkDataset('--data', f.data, raw, 2);
  checkTestFraction(f.data, raw, f.testFraction);
  // Unlike feature names (left out of the file when too long), predict needs the label names: said before training.
  if (f.saveModel !== undefined && raw.labelNames && namesBytes(raw.labelNames) > MAX_HEADER_BYTES / 2) {
    throw new ValidationError(
      `Expected label names of at most ${MAX_HEADER_BYTES / 2} bytes in all (as JSON, half the model file's header) for --save-model ` +
        `but received ${raw.labelNames.length} label names of ${namesBytes(raw.labelNames)} bytes in --data: shorten the labels, or leave out --save-model`,
    );
  }
  if (!METHOD_SPECS[f.method].dense) checkConnections([raw.features, ...f.hidden, raw.classes], f.epsilon, '--hidden and --epsilon');
  // Split before the notes, so that a --validation-fraction the data cannot give is the only line printed.
  const data = splitPrepared(raw, { testFraction: f.testFraction, validationFraction: f.validationFraction, seed: f.seed }, '--validation-fraction');
  const dataNotes = [csvHeaderNote(f.data, f.header, raw), duplicateNamesNote(raw), indexColumnNote(raw)].filter((n) => n !== null);
  for (const note of [...settingNotes(f, given), ...dataNotes]) process.stderr.write(`npset: note: ${note}\n`);
  const settings: RunSettings = {
    hidden: f.hidden,
    epochs: f.epochs,
    epsilon: f.epsilon,
    zeta: f.zeta,
    batchSize: f.batch,
    learningRate: f.lr,
    ...(lrSchedule ? { learningRateSchedule: lrSchedule } : {}),
    momentum: f.momentum,
    weightDecay: f.weightDecay,
    dropout: f.dropout,
    weightInit: f.weightInit,
    alpha: f.alpha,
    beta: f.beta,
    gamma: f.gamma,
    criterion: f.criterion,
    seed: f.seed,
    threads: f.threads,
    ...(f.patience !== undefined ? { patience: f.patience } : {}),
  };
  if (!f.json) {
    process.stdout.write(
      `${METHOD_SPECS[f.method].label} on ${data.name}: ${data.train.samples} train / ` +
        (data.validation ? `${data.validation.samples} validation / ` : '') +
        `${data.test.samples} test samples, ` +
        `${data.features} features, ${data.classes} classes, hidden ${f.hidden.join(',')}\n`,
    );
  }
  // The first Ctrl-C ends training after the epoch in progress (results printed, model saved); a second stops it at once.
  const controller = new AbortController();
  const stop = new AbortController();
  let firstSigint = 0;
  const onSigint = () => {
    if (stop.signal.aborted) {
      // `timeout -s INT` and a shell's job control can deliver one interrupt twice (to the process, then to its
      // group) within milliseconds: only a second Ctrl-C a person typed stops at once.
      if (Date.now() - firstSigint >= SIGINT_REPEAT_MS) controller.abort();
      return;
    }
    firstSigint = Date.now();
    stop.abort();
    process.stderr.write('\nnpset: stopping after this epoch (Ctrl-C again to stop at once)\n');
  };
  process.on('SIGINT', onSigint);
  let testMetrics: TestMetrics | null = null;
  let saveError: unknown;
  let saved = false;
  try {
    const result = await runMethod({
      data,
      method: f.method,
      settings,
      signal: controller.signal,
      stop: stop.signal,
      keepModel: async (model) => {
        if (raw.classes <= MAX_METRIC_CLASSES) testMetrics = await metricsOn(model, data.test, raw);
        // A failed save is reported after the results, which it must not take with it.
        if (f.saveModel !== undefined) {
          await saveModel(model, f, data, raw, testMetrics?.accuracy).then(
            () => (saved = true),
            (e: unknown) => (saveError = e),
          );
        }
      },
      onEpoch: f.json
        ? undefined
        : (info, r) => {
            const w = String(info.epochs).length;
            process.stdout.write(
              `epoch ${String(r.epoch + 1).padStart(w)}/${info.epochs}  loss ${r.loss.toFixed(4)}  ` +
                `train ${(100 * r.trainAccuracy).toFixed(2)}%  ` +
                (r.validationAccuracy !== undefined ? `val ${(100 * r.validationAccuracy).toFixed(2)}%  ` : '') +
                `test ${(100 * r.testAccuracy).toFixed(2)}%  ` +
                `params ${formatInt(r.params)}  hidden ${r.neurons.slice(1, -1).join(',')}  ` +
                (lrSchedule ? `lr ${Number(r.learningRate.toPrecision(3))}  ` : '') +
                `${r.ms.toFixed(1)} ms\n`,
            );
          },
    });
    return {
      ...result,
      testMetrics,
      ...(raw.libsvmZeroBased !== undefined ? { libsvmZeroBased: raw.libsvmZeroBased } : {}),
      ...(saved ? { savedModel: f.saveModel } : {}),
      ...(saveError === undefined ? {} : { saveError }),
    };
  } catch (err) {
    if (err instanceof DivergenceError) {
      // In the CLI's words: its flag and the value given, rather than the API's "learning rate".
      throw new CliError(`Training diverged at epoch ${err.epoch + 1}: the training loss is ${err.loss} (try a lower --lr than ${f.lr})`, 1);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Settings that will have no effect as given, which the user would otherwise find out only from the results. */
export function settingNotes(f: TrainFlags, given: (option: string) => boolean, cores = availableCores()): string[] {
  const spec = METHOD_SPECS[f.method];
  const notes: string[] = [];
  const npsetFlags = ['alpha', 'beta', 'gamma', 'criterion'].filter(given).map((n) => `--${n}`);
  if (!spec.prune && npsetFlags.length) {
    notes.push(`${npsetFlags.join(', ')} ${npsetFlags.length > 1 ? 'apply' : 'applies'} to the NPSET methods only (npset, npset-1st, npset-2nd): ignored with --method ${f.method}`);
  }
  if (!spec.evolve && given('zeta')) notes.push(`--zeta applies to sparse methods only: ignored with --method ${f.method} (dense layers do not evolve)`);
  if (spec.prune && f.epochs <= f.beta) {
    notes.push(`--epochs ${f.epochs} ends before the first pruning (epoch ${f.beta + 1}, --beta ${f.beta} counted from 0): no neuron will be pruned`);
  } else if (spec.prune && f.epochs <= f.beta + f.gamma) {
    notes.push(`--epochs ${f.epochs} ends before the last pruning (epoch ${f.beta + f.gamma + 1}): ${f.epochs - f.beta} of the ${f.gamma + 1} scheduled prunings will run`);
  }
  notes.push(...scheduleNotes(f));
  if (f.patience !== undefined) {
    // The earliest epoch (from 0) at which patience can end the run: after `patience` epochs past epoch 0, and not before the last pruning.
    const pruneEnd = spec.prune ? f.beta + f.gamma : 0;
    if (Math.max(f.patience, pruneEnd) >= f.epochs - 1) {
      notes.push(
        `--patience ${f.patience} cannot end training before --epochs ${f.epochs}` +
          (spec.prune && pruneEnd >= f.patience ? ` (--method ${f.method} trains at least to its last pruning, epoch ${pruneEnd + 1})` : ''),
      );
    }
  }
  if (f.threads > cores) notes.push(`--threads ${f.threads} is more than the ${cores} cores available: threads will share cores, which is usually slower`);
  return notes;
}

/** A schedule that will not do what it says within --epochs. */
function scheduleNotes(f: TrainFlags): string[] {
  const w = f.lrWarmup ?? 0;
  const s = f.lrSchedule;
  if (w >= f.epochs) return [`--lr-warmup ${w} lasts the whole run (--epochs ${f.epochs}): the rate never reaches --lr ${f.lr}`];
  if (s?.type === 'step' && s.stepSize >= f.epochs - w) return [`--lr-schedule step:${s.stepSize} never steps within --epochs ${f.epochs}${w ? ` after --lr-warmup ${w}` : ''}: the rate stays --lr ${f.lr}`];
  if ((s?.type === 'step' || s?.type === 'exponential') && s.factor === 1) return [`--lr-schedule ${s.type} with FACTOR 1 keeps the rate at --lr ${f.lr}`];
  return [];
}

/**
 * --lr-schedule and --lr-warmup as one schedule, checked against --lr before any data is loaded; undefined when
 * neither is given (a constant rate, and the per-epoch lines stay as they were).
 */
function cliSchedule(f: TrainFlags): LearningRateScheduleSpec | undefined {
  if (f.lrSchedule === undefined && f.lrWarmup === undefined) return undefined;
  const spec = { ...(f.lrSchedule ?? { type: 'constant' as const }), ...(f.lrWarmup ? { warmupEpochs: f.lrWarmup } : {}) };
  const syntax: Record<string, string> = { stepSize: 'EPOCHS', factor: 'FACTOR', minLearningRate: 'MIN_LR' };
  const field = (key: string) => (key === 'warmupEpochs' ? '--lr-warmup' : `${syntax[key] ?? key} of --lr-schedule ${spec.type}`);
  return resolveLearningRateSchedule(spec, f.lr, field) as LearningRateScheduleSpec;
}

/** Per-class metrics of the final model's predictions on the test split, with the classes' labels. */
export type TestMetrics = LabelledMetrics;

async function metricsOn(model: SparseMLP, test: Dataset, raw: Dataset): Promise<TestMetrics> {
  const m = classificationMetrics(test.y, await model.predict(test), raw.classes);
  const names: (string | number)[] = raw.labelNames ?? raw.labels;
  return withLabels(m, names);
}

/**
 * At least the bytes of `names` as JSON, counted without building it (JSON.stringify itself fails on names of
 * hundreds of MB, after the training): UTF-8 bytes, 6 for each control character (\u0001), 2 for " and \.
 */
function namesBytes(names: readonly string[]): number {
  let bytes = 2;
  for (const n of names) {
    bytes += Buffer.byteLength(n) + 3;
    for (let i = 0; i < n.length; i++) {
      const c = n.charCodeAt(i);
      if (c < 0x20) bytes += 5;
      else if (c === 0x22 || c === 0x5c) bytes += 1;
    }
  }
  return bytes;
}

/** The trained model with what predict needs to prepare new data and name its classes. */
async function saveModel(model: SparseMLP, f: TrainFlags, data: PreparedData, raw: Dataset, testAccuracy: number | undefined): Promise<void> {
  // The names go into the file's JSON header, which may hold MAX_HEADER_BYTES: a header of very many or very long
  // names is left out (predict then matches columns by position, as before names were saved) rather than failing after training.
  let featureNames = raw.featureNames;
  if (featureNames && namesBytes(featureNames) > MAX_HEADER_BYTES / 2) {
    process.stderr.write(
      `npset: note: the ${featureNames.length} feature names of the header are not saved in ${pathText(f.saveModel!)} (too long for the model file's header): npset predict will match columns by position\n`,
    );
    featureNames = undefined;
  }
  await model.save(f.saveModel!, {
    standardizer: data.standardizer,
    labels: raw.labels,
    ...(raw.labelNames ? { labelNames: raw.labelNames } : {}),
    ...(featureNames ? { featureNames } : {}),
    // What predict needs to tell a score on the training file from a held-out one.
    metadata: {
      dataset: data.name,
      method: f.method,
      features: data.features,
      trainSamples: data.train.samples,
      testSamples: data.test.samples,
      seed: f.seed,
      ...(testAccuracy !== undefined ? { testAccuracy } : {}),
      // predict reads a LIBSVM file with the same index base ('auto' could resolve differently on another file).
      ...(raw.libsvmZeroBased !== undefined ? { libsvmZeroBased: raw.libsvmZeroBased } : {}),
    },
  });
}

export function toJson(r: TrainResult): Record<string, unknown> {
  const { history, ...rest } = r;
  delete (rest as { saveError?: unknown }).saveError; // an Error, printed on stderr instead
  return {
    ...rest,
    trainAccuracyPerEpoch: history.map((h) => h.trainAccuracy),
    testAccuracyPerEpoch: history.map((h) => h.testAccuracy),
    lossPerEpoch: history.map((h) => h.loss),
    learningRatePerEpoch: history.map((h) => h.learningRate),
    ...(r.validationSamples !== undefined
      ? { validationAccuracyPerEpoch: history.map((h) => h.validationAccuracy), validationLossPerEpoch: history.map((h) => h.validationLoss) }
      : {}),
  };
}

/** The summary's lines on the validation split: the best epoch by it, and the test accuracy of that epoch. */
function validationLines(r: TrainResult): string[] {
  if (r.bestValidationEpoch === undefined) return [];
  const e = r.bestValidationEpoch;
  const lines = [
    `validation        ${(100 * r.bestValidationAccuracy!).toFixed(2)}% (best, epoch ${e + 1}; ${formatInt(r.validationSamples!)} samples), ` +
      `test accuracy there ${(100 * r.testAccuracyAtBestValidation!).toFixed(2)}%`,
  ];
  if (r.earlyStopEpoch !== undefined) {
    lines.push(`early stop        after epoch ${r.earlyStopEpoch + 1} of ${r.epochs}: ${r.earlyStopEpoch - e} epochs without a better validation epoch`);
  }
  return lines;
}

function printSummary(r: TrainResult): void {
  const mean = r.epochTimesMs.reduce((a, b) => a + b, 0) / r.epochTimesMs.length;
  process.stdout.write(
    [
      '',
      `dataset           ${r.dataset}`,
      `method            ${r.method}`,
      `layers            ${r.layers.join(' -> ')}`,
      `neurons           ${formatInt(r.neurons)} (inputs + hidden)`,
      `params            ${formatInt(r.params)} connections`,
      `test accuracy     ${(100 * r.testAccuracy).toFixed(2)}% (last epoch), ${(100 * r.maxTestAccuracy).toFixed(2)}% (best, epoch ${r.maxTestEpoch + 1}, picked on the test split itself)`,
      `train accuracy    ${(100 * r.trainAccuracy).toFixed(2)}%`,
      ...validationLines(r),
      r.testMetrics
        ? `test metrics      balanced accuracy ${(100 * r.testMetrics.balancedAccuracy).toFixed(2)}%, macro F1 ${r.testMetrics.macroF1.toFixed(3)} (last epoch)`
        : `test metrics      none (more than ${MAX_METRIC_CLASSES} classes)`,
      `time              ${(r.totalMs / 1000).toFixed(2)} s, ${mean.toFixed(1)} ms per epoch on ${r.threads} thread${r.threads === 1 ? '' : 's'}`,
      ...(r.savedModel !== undefined ? [`saved model       ${pathText(r.savedModel)}`] : []),
      '',
    ].join('\n'),
  );
}

/**
 * SparseMLP: the public model class. Builds a sparse (or dense) MLP in the native core and trains it
 * with SET evolution and optional NPSET neuron pruning. All long work runs off the event loop.
 */
import { AbortError, BusyError, DivergenceError, NativeError, NpsetError, OverflowError, ValidationError } from '../errors';
import { native, type NativeDataset, type NativeLayerCsr, type NativeModel } from '../native';
import { expectInteger, expectNumber, expectOneOf, expectOptions, expectString, fail, isFloat32Array, isNumberList, orDefault, rejectUnknownKeys } from '../validate';
import { leaseFor, type DataLease, type ModelData, type NativeData } from './data';
import {
  PRUNE_CRITERIA,
  prunesAt,
  resolveModelOptions,
  resolveTrainOptions,
  type ModelOptions,
  type PruneCriterion,
  type ResolvedModelOptions,
  type ResolvedTrainOptions,
  type TrainOptions,
} from './options';
import { ModelFileError, readModelFile, writeModelFile } from './model-file';
import { packModel, unpackModel, type SaveOptions, type SavedInfo } from './persist';
import { enqueue } from './queue';
import { rateAt } from './schedule';
import { classLabels, prepareInput, type PrepareInputOptions, type PreparedInput } from './prepare-input';
import type { Dataset, FeatureSet } from '../data';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const NPSET_VERSION = (require('../../package.json') as { version: string }).version;

/** Where an epoch's time went, in milliseconds (wall-clock). */
export interface EpochTimes {
  /** Forward passes of the training batches. */
  forward: number;
  /** Backpropagation of the training batches. */
  backward: number;
  /** Weight updates (SGD with momentum) of the training batches. */
  update: number;
  /** SET evolution after the epoch (0 when none ran). */
  evolution: number;
  /** NPSET pruning at the epoch's start (0 when none ran). */
  pruning: number;
  /** Evaluation on the training, validation and test data after the epoch's training. */
  evaluation: number;
  /** The whole epoch: training, evaluation, evolution and pruning. */
  total: number;
}

/**
 * What one epoch did (fit's history and onEpoch), measured after its training and before its topology update.
 * Accuracies are fractions in [0, 1]; losses are means over the samples.
 */
export interface EpochInfo {
  /** This epoch's index, counted from 0 (the first epoch is 0, the last `epochs - 1`). */
  epoch: number;
  /** The fit's number of epochs (its `epochs` option). */
  epochs: number;
  /** Mean training loss over the epoch's batches, each measured before its update. */
  loss: number;
  /** Accuracy on the training data in evaluation mode, a fraction in [0, 1]. */
  trainAccuracy: number;
  /** Mean loss on fit's `validation` data; present exactly when `validation` was given. */
  validationLoss?: number;
  /** Accuracy on fit's `validation` data; present exactly when `validation` was given. */
  validationAccuracy?: number;
  /** Mean loss on fit's `test` data; present exactly when `test` was given. */
  testLoss?: number;
  /** Accuracy on fit's `test` data; present exactly when `test` was given. */
  testAccuracy?: number;
  /** Neurons per layer during this epoch: [inputs, hidden..., classes]. */
  neurons: number[];
  /** Connections per weight layer during this epoch. */
  connections: number[];
  /** Neurons removed per pruned hidden layer at the start of this epoch (NPSET). */
  pruned?: number[];
  /** The learning rate of this epoch (fit's learningRate, or its learningRateSchedule's rate). */
  learningRate: number;
  /** Where the epoch's time went, in milliseconds. */
  timesMs: EpochTimes;
}

/**
 * What fit's `onEpoch` may return, or resolve to: `false` stops training after this epoch; `true`, undefined
 * or nothing goes on. No other value is looked at, so no other is allowed (a `'stop'` would not stop).
 */
export type EpochCallbackResult = boolean | void;

/** fit's options: the training options (TrainOptions) and what goes with the fit. Every field is optional (undefined: left out). */
export interface FitOptions extends TrainOptions {
  /** Data evaluated after every epoch (for example the test split, or a validation split for earlyStopping). */
  validation?: ModelData | NativeData | undefined;
  /**
   * A second data set evaluated after every epoch, as `validation` is (testLoss, testAccuracy): the test split
   * when `validation` is a part of the training data that picks the epoch.
   */
  test?: ModelData | NativeData | undefined;
  /**
   * Early stopping on `validation` (required): training ends once `patience` epochs have passed without a
   * better validation epoch (a higher validationAccuracy, or the same with a lower validationLoss; an epoch
   * whose training or validation loss is not finite is never better). The decision comes before the epoch's
   * topology update, which is then skipped, so the model is the one the last epoch measured. With NPSET
   * pruning, training is not stopped before the last pruning epoch (beta + gamma).
   */
  earlyStopping?: { patience: number } | undefined;
  /**
   * Called after every epoch (after its evaluation and any topology update) with the epoch's EpochInfo; may return
   * a Promise, which fit awaits before the next epoch. Returning (or resolving to) `false` stops training after
   * this epoch, its topology update included: fit resolves with the epochs so far and `stoppedEarly: true`
   * (early stopping; `fit({ epochs, initialEpoch: history.at(-1).epoch + 1 })` would go on). `true`, undefined
   * or no return goes on; so the return type is `boolean | void` (or a Promise of it), and a callback that
   * returns something else (`'stop'`, a number) does not compile: write `(e) => { list.push(e); }`, not
   * `(e) => list.push(e)`. What it throws, or a Promise it returns rejects with, fit rejects with.
   */
  onEpoch?: ((info: EpochInfo) => EpochCallbackResult | Promise<EpochCallbackResult>) | undefined;
  /** Aborts training: fit rejects with AbortError between or during batches; the model stays usable. */
  signal?: AbortSignal | undefined;
  /**
   * What an epoch whose training loss, or loss on the training data after the epoch, is NaN or infinite does:
   * 'error' (default) rejects with a DivergenceError; 'continue' goes on training, as a fixed experimental protocol may require (every later
   * loss is then NaN too).
   */
  onDivergence?: 'error' | 'continue' | undefined;
  /**
   * The first epoch of this call, counted from 0 (default 0), to continue a schedule in several calls: this
   * call trains epochs initialEpoch .. epochs - 1 (so `epochs` is the schedule's total, as in Keras). The
   * epoch index seeds the shuffle, dropout and evolution and decides the NPSET pruning, and a call with
   * initialEpoch > 0 begins with the topology update that the call before skipped after its last epoch:
   * fit({ epochs: 2 }) then fit({ epochs: 4, initialEpoch: 2 }) gives the same model as fit({ epochs: 4 }) (not
   * with a cosine learningRateSchedule, which spans `epochs`: checkpoint one fit of the full epochs instead).
   * @default 0
   */
  initialEpoch?: number | undefined;
}

/** What fit resolves with. */
export interface FitResult {
  /** One EpochInfo per epoch trained by this call, in order (their `epoch` from initialEpoch, counted from 0). */
  history: EpochInfo[];
  /** Whether training ended before `epochs`: onEpoch returned false, or earlyStopping ended it. */
  stoppedEarly: boolean;
  /** With `validation`: the best epoch (its index, from 0) by it (see earlyStopping), if any epoch had finite losses. */
  bestValidationEpoch?: number;
  /** The last epoch (from 0) trained when earlyStopping ended training. */
  earlyStopEpoch?: number;
  /** The training options as checked, every default filled in. */
  options: ResolvedTrainOptions;
}

/** What evaluate resolves with, measured in evaluation mode (no dropout). */
export interface Evaluation {
  /** Mean loss over the samples. */
  loss: number;
  /** Fraction of the samples classified correctly, in [0, 1] (correct / samples). */
  accuracy: number;
  /** Samples evaluated. */
  samples: number;
  /** Samples whose predicted class (argmax) is their label. */
  correct: number;
}

/** One weight layer as `SparseMLP.layer(i)` copies it: CSR of W^T, a row per output neuron (the addon's own form). */
export type LayerCsr = NativeLayerCsr;

/** What trainEpoch resolves with. */
export interface TrainEpochResult {
  /** Mean training loss over the batches, each measured before its update. */
  loss: number;
  /** Accuracy on the training batches as they were trained (training mode), a fraction in [0, 1]. */
  accuracy: number;
  /** Where the pass's time went, in milliseconds. */
  timesMs: { forward: number; backward: number; update: number };
}

/** What memory() returns: the native memory of a model, in bytes. */
export interface MemoryStats {
  /** The model's own bytes: weights, indices, biases and optimiser state. */
  modelBytes: number;
  /** Per-batch buffers (activations, gradients). */
  activationBytes: number;
  /** Connections of all layers. */
  connections: number;
  /** modelBytes / connections (0 without connections). */
  bytesPerConnection: number;
}

/** SparseMLP.create's second argument. */
export interface CreateOptions {
  /** Aborts the building: create rejects with an AbortError. */
  signal?: AbortSignal | undefined;
}

/** SparseMLP.load's second argument. */
export interface LoadOptions {
  /** OpenMP threads of the loaded model, as ModelOptions.threads (threads are not saved). @default 0 */
  threads?: number | undefined;
  /** Aborts the rebuilding: load rejects with an AbortError. */
  signal?: AbortSignal | undefined;
}

/** evaluate's second argument. */
export interface EvaluateOptions {
  /** Samples per forward pass (1 to 65536); the result does not depend on it. @default 128 */
  batchSize?: number | undefined;
}

/** pruneNeurons' argument. */
export interface PruneNeuronsOptions {
  /** 1-based hidden layer indices (copied, never changed). */
  hiddenLayers: readonly number[];
  /** Fraction of each layer's neurons removed, in [0, 1). @default 0.04 */
  alpha?: number | undefined;
  /** Which neurons go first. @default 'out-degree' */
  criterion?: PruneCriterion | undefined;
}

/** evolve's argument. */
export interface EvolveOptions {
  /** Fraction of the weights of each sign removed and regrown, in [0, 1]. @default 0.3 */
  zeta?: number | undefined;
  /** The epoch (from 0) that seeds the evolution's random choices. @default 0 */
  epoch?: number | undefined;
}

/** What evolve resolves with: connections removed and added per weight layer. */
export interface EvolveResult {
  removed: number[];
  added: number[];
}

/** One weight layer in topology(). */
export interface LayerStats {
  /** Neurons of the layer below (now). */
  inputs: number;
  /** Neurons of the layer above (now). */
  outputs: number;
  connections: number;
  /** Whether the layer is sparse (false for dense models). */
  sparse: boolean;
  /** connections / (inputs * outputs) */
  density: number;
}

/** topology(): the model's sizes now (after any pruning). */
export interface TopologyStats {
  /** Neurons per layer: [inputs, hidden..., classes]. */
  neurons: number[];
  /** Inputs plus hidden neurons, as the NPSET paper counts. */
  neuronCount: number;
  /** Connections of all layers (the paper's parameter count). */
  connections: number;
  layers: LayerStats[];
}

function abortReason(signal: AbortSignal, message = 'Training was aborted'): AbortError {
  const reason = signal.reason;
  return reason instanceof AbortError ? reason : new AbortError(message, { cause: reason });
}

/**
 * `p`, or the abort's error at once if `signal` aborts (or has aborted) before `started()`: the queued work,
 * when its turn comes, sees the signal and does not start. `onEarly` runs when that happens.
 */
function untilAbortedUnstarted<T>(
  p: Promise<T>,
  signal: AbortSignal,
  started: () => boolean,
  reason: (s: AbortSignal) => Error,
  onEarly?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (started()) return;
      onEarly?.();
      reject(reason(signal));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** `p`, or an AbortError as soon as `signal` aborts (a callback that never settles must not hold fit). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The `signal` of an options object, checked. */
function checkSignalOption(name: string, options: unknown): AbortSignal | undefined {
  const given = expectOptions(name, options);
  rejectUnknownKeys(name, given, ['signal']);
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('an AbortSignal', 'signal', signal);
  return signal as AbortSignal | undefined;
}

/** Maps native errors to the package's typed errors; keeps TypeError/RangeError as they are. */
function wrap(err: unknown): unknown {
  const code = err && typeof err === 'object' ? (err as { code?: string }).code : undefined;
  if (code === 'ABORT_ERR') return new AbortError('Training was aborted', { cause: err });
  if (code === 'ERR_NPSET_BUSY' && err instanceof Error) return new BusyError(err.message, { cause: err });
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ValidationError) return err;
  if (err instanceof Error) return new NativeError(err.message, { cause: err });
  return err;
}

/** The addon's per-epoch training settings, taken from resolved options (with the epoch's rate when scheduled). */
function nativeTrainConfig(o: ResolvedTrainOptions, learningRate = o.learningRate): Record<string, unknown> {
  const { batchSize, momentum, nesterov, weightDecay, dropout, shuffle } = o;
  return { batchSize, learningRate, momentum, nesterov, weightDecay, dropout, shuffle };
}

/** What one training pass uses; epochs, evolution (zeta, regrowth) and pruning belong to fit. */
const TRAIN_EPOCH_OPTIONS = ['batchSize', 'learningRate', 'momentum', 'nesterov', 'weightDecay', 'dropout', 'shuffle'] as const;
export type TrainEpochOptions = Pick<TrainOptions, (typeof TRAIN_EPOCH_OPTIONS)[number]>;

/** fit's options beside the training ones (taken out before resolveTrainOptions, named in its unknown-option error). */
const FIT_ONLY_KEYS = ['validation', 'test', 'earlyStopping', 'onEpoch', 'signal', 'onDivergence', 'initialEpoch'] as const;

/** An epoch's validation result, for picking the best epoch. */
interface Scored {
  epoch: number;
  accuracy: number;
  loss: number;
}

/** Whether `a` is a better validation epoch than `b`: higher accuracy, then lower loss; never one with a non-finite loss. */
function betterEpoch(a: Scored, trainLoss: number, b: Scored | undefined): boolean {
  if (!Number.isFinite(trainLoss) || !Number.isFinite(a.loss)) return false;
  return b === undefined || a.accuracy > b.accuracy || (a.accuracy === b.accuracy && a.loss < b.loss);
}

/** fit's earlyStopping option, checked. */
function earlyStoppingOption(value: unknown, hasValidation: boolean): { patience: number } | undefined {
  if (value === undefined) return undefined;
  const o = expectOptions('earlyStopping', value);
  rejectUnknownKeys('earlyStopping', o, ['patience']);
  const patience = expectInteger('earlyStopping.patience', o.patience, { min: 1, max: 1_000_000 });
  if (!hasValidation) throw new ValidationError('Expected validation data (the split earlyStopping watches) for fit options but received none');
  return { patience };
}

/** The extras of a loaded model that save() carries forward: those that were saved (non-null). */
function pickSaved(saved: Readonly<SavedInfo>): SaveOptions {
  const out: SaveOptions = {};
  if (saved.standardizer) out.standardizer = saved.standardizer;
  if (saved.labels) out.labels = [...saved.labels];
  if (saved.labelNames) out.labelNames = [...saved.labelNames];
  if (saved.featureNames) out.featureNames = [...saved.featureNames];
  if (saved.metadata !== null && saved.metadata !== undefined) out.metadata = saved.metadata;
  return out;
}

/** Only `create` and `clone` may build a SparseMLP (they hold the native model it wraps). */
const BUILD = Symbol('SparseMLP.build');

/**
 * A sparse (or dense) multilayer perceptron held in the native core, trained with SET (sparse evolutionary
 * training: after each epoch, the smallest weights are removed and as many connections regrown at random) and,
 * optionally, NPSET neuron pruning. Build one with `await SparseMLP.create(options)` or
 * `await SparseMLP.load(path)` (not `new`), train it with `fit`, use it with `predict`, `predictProba` and
 * `evaluate`, keep it with `save`, and free its native memory with `dispose()`. Long work runs off the event
 * loop; native jobs of all models run one at a time.
 *
 *   const model = await SparseMLP.create({ layers: [data.features, 300, 300, data.classes], seed: 1 });
 *   const { history } = await model.fit(train, { epochs: 20, validation: test, pruning: { layers: 'all' } });
 *   const classes = await model.predict(test);
 */
export class SparseMLP {
  /**
   * The options the model was built with, checked and with every default filled in (frozen). `layers` are the
   * sizes as created (or as saved): pruning and removeNeurons shrink the hidden layers but not this;
   * `topology().neurons` has the sizes now. `threads` is as created; the `threads` property has the current value.
   */
  readonly options: Readonly<ResolvedModelOptions>;
  #model: NativeModel | null;
  #running = false;
  /** The epoch after which the last topology update of fit ran, so that a resumed fit does not repeat it. */
  #evolvedAfter = -1;
  /** Jobs of this model queued or running: dispose() waits for none of them, so it refuses. */
  #pending = 0;

  /** What `SparseMLP.load` read beside the weights (standardizer, labels, metadata); null for a model built here. */
  readonly saved: Readonly<SavedInfo> | null;

  private constructor(token: symbol, model: NativeModel, options: ResolvedModelOptions, saved: SavedInfo | null) {
    if (token !== BUILD) throw new ValidationError('Build a SparseMLP with `await SparseMLP.create(options)`, not `new`');
    this.#model = model;
    this.options = Object.freeze({ ...options, layers: Object.freeze([...options.layers]) });
    // Frozen to the arrays (not the typed arrays, which cannot be): prepare() and save() read them on every call.
    if (saved) for (const key of ['labels', 'labelNames', 'featureNames'] as const) if (saved[key]) Object.freeze(saved[key]);
    this.saved = saved ? Object.freeze(saved) : null;
  }

  /**
   * Builds a model (off the event loop: large networks take a while): `layers` sizes, the sparse topology drawn
   * (about epsilon * (n_in + n_out) connections per layer) and the weights initialised, all from `seed`. Options
   * left out take MODEL_DEFAULTS; a bad one is a ValidationError. `signal` aborts the building, which then
   * rejects with an AbortError: at once while it waits for other jobs, or within a block of rows.
   */
  static async create(options: ModelOptions, createOptions: CreateOptions = {}): Promise<SparseMLP> {
    const o = resolveModelOptions(options);
    const signal = checkSignalOption('create options', createOptions);
    const model = await SparseMLP.#build(signal, 'Model creation was aborted', () => native().createModel({ ...o }));
    return new SparseMLP(BUILD, model, o, null);
  }

  /**
   * Loads a model saved with `save()`: its topology, weights and (when saved) optimiser state, so that `fit`
   * with `initialEpoch` goes on as the saved model would have. What was saved beside it (standardizer, labels,
   * label names, metadata) is in `model.saved`. A file that is not a valid model gives a ModelFileError.
   * `threads` as in create (default 0: all cores); `signal` aborts the rebuilding.
   */
  static async load(path: string, loadOptions: LoadOptions = {}): Promise<SparseMLP> {
    expectString('path', path);
    if (path === '') fail('a file path', 'path', path);
    const given = expectOptions('load options', loadOptions);
    rejectUnknownKeys('load options', given, ['threads', 'signal']);
    const threads = expectInteger('threads', orDefault(given.threads, 0), { min: 0, max: 4096 });
    const signal = checkSignalOption('load options', { signal: given.signal });
    const { header, arrays } = await readModelFile(path);
    const { options, layers, info, evolvedAfter } = unpackModel(path, header, arrays, threads);
    const model = await SparseMLP.#build(signal, 'Model loading was aborted', () =>
      native()
        .createModelFromState({ ...options }, layers)
        .catch((e: unknown) => {
          // The core's checks of the arrays (RangeError/TypeError): the file is not a consistent model.
          if (e instanceof RangeError || e instanceof TypeError) throw new ModelFileError(`the saved layers are not valid: ${e.message}`, path, { cause: e });
          throw e;
        }),
    );
    const loaded = new SparseMLP(BUILD, model, options, info);
    loaded.#evolvedAfter = evolvedAfter;
    return loaded;
  }

  /** Runs a model-building job (create, load) in the queue, with `signal` aborting it queued or running. */
  static async #build(signal: AbortSignal | undefined, message: string, start: () => Promise<NativeModel>): Promise<NativeModel> {
    const reason = (s: AbortSignal) => abortReason(s, message);
    if (signal?.aborted) throw reason(signal);
    let started = false;
    const onAbort = () => {
      if (started) native().cancelCreate(); // the job that runs now is this one: jobs run one at a time
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const queued = enqueue(() => {
      started = true;
      if (signal?.aborted) return Promise.reject(reason(signal));
      return start();
    }).catch((e: unknown) => {
      // The addon's cancellation, in this job's words (wrap would call it training).
      if ((e as { code?: string } | null)?.code === 'ABORT_ERR' && !(e instanceof AbortError)) return Promise.reject(new AbortError(message, { cause: e }));
      return Promise.reject(e instanceof ModelFileError ? e : wrap(e));
    });
    try {
      return await (signal ? untilAbortedUnstarted(queued, signal, () => started, reason) : queued);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Saves the model to `path` (written to a temporary file, then renamed): options, topology (sizes now, after
   * any pruning), weights, biases and, unless `optimizerState: false`, the momentum. `SparseMLP.load` reads it.
   * The arrays are copied when save is called (it is refused while a job of this model runs), so training
   * started afterwards does not change what is written.
   */
  async save(path: string, options: SaveOptions = {}): Promise<void> {
    expectString('path', path);
    if (path === '') fail('a file path', 'path', path);
    const n = this.options.layers.length - 1;
    const states = Array.from({ length: n }, (_, l) => this.#sync('save', (m) => m.layerState(l)));
    const layers = [states[0].cols, ...states.map((s) => s.rows)];
    // A loaded model keeps what it was loaded with, unless given anew (or null).
    const kept = this.saved ? pickSaved(this.saved) : {};
    // A key given as undefined is left out, as an absent one: it keeps what was loaded.
    const given = Object.fromEntries(Object.entries(expectOptions('save options', options)).filter(([, v]) => v !== undefined));
    const { header, arrays } = packModel({ ...this.options, layers }, states, { ...kept, ...given }, NPSET_VERSION, this.#evolvedAfter);
    try {
      await writeModelFile(path, header, arrays);
    } catch (e) {
      if (e instanceof NpsetError) throw e; // a header too large, a path that is not a regular file: said already
      throw new ModelFileError(`cannot write the model: ${(e as Error).message}`, path, { cause: e });
    }
  }

  get #native(): NativeModel {
    this.#alive();
    return this.#model!;
  }

  /**
   * Queues a native job. With a signal, an abort while the job still waits in the queue (behind other
   * models' jobs) rejects at once, and the job does not start when its turn comes; once it runs, the abort
   * reaches it through the model's cancel flag (fit's listener).
   */
  #job<T>(work: (m: NativeModel) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const m = this.#native;
    this.#pending++;
    let counted = true;
    const release = () => {
      if (counted) this.#pending--;
      counted = false;
    };
    let started = false;
    const queued = enqueue(() => {
      started = true;
      return signal?.aborted ? Promise.reject(abortReason(signal)) : work(m);
    })
      .catch((e: unknown) => Promise.reject(wrap(e)))
      .finally(release);
    // Released on an early abort: the job will not run, so changes to the model are allowed again.
    return signal ? untilAbortedUnstarted(queued, signal, () => started, abortReason, release) : queued;
  }

  /**
   * A synchronous native call, with the addon's errors typed (a busy model gives a BusyError). A call that
   * changes the model is also refused while a job of this model waits in the queue: it would change that job.
   */
  #sync<T>(name: string, call: (m: NativeModel) => T, mutates = false): T {
    const m = this.#native;
    if (mutates && this.#pending > 0) {
      throw new BusyError(
        `Cannot call ${name} while a native call of this SparseMLP (fit, trainEpoch, evaluate, predict, evolve, ` +
          'pruneNeurons or clone) is queued or running; await it first',
      );
    }
    try {
      return call(m);
    } catch (e) {
      const err = wrap(e);
      if (err instanceof BusyError) {
        // The addon names its own job and methods; say it in this class's terms.
        throw new BusyError(
          `Cannot call ${name} while this SparseMLP runs a native call (fit, trainEpoch, evaluate, predict, evolve, ` +
            'pruneNeurons or clone); await it first',
          { cause: e },
        );
      }
      throw err;
    }
  }

  // Inputs, classes and the number of hidden layers never change (pruning only shrinks hidden layers), so
  // they come from the options: no native call, which would be refused while a job of this model runs.
  /** Input features (layers[0]). */
  get inputs(): number {
    this.#alive();
    return this.options.layers[0];
  }

  /** Classes (the last of layers). */
  get classes(): number {
    this.#alive();
    return this.options.layers[this.options.layers.length - 1];
  }

  #alive(): void {
    if (!this.#model) throw new ValidationError('This SparseMLP was disposed; create a new one');
  }

  get #hiddenLayers(): number {
    return this.options.layers.length - 2;
  }

  /** OpenMP threads of this model's work, as set (0: OMP_NUM_THREADS when it is set, else all cores). */
  get threads(): number {
    return this.#sync('threads', (m) => m.threads);
  }

  /** OpenMP threads for this model's work; 0 means OMP_NUM_THREADS when it is set, else all cores. */
  set threads(value: number) {
    const t = expectInteger('threads', value, { min: 0, max: 4096 });
    this.#sync('threads', (m) => m.setThreads(t), true);
  }

  /**
   * Trains for `epochs` epochs. Each epoch: NPSET pruning when scheduled, training over shuffled mini-batches,
   * evaluation (train, validation and test accuracy), then SET evolution (except after the last epoch, or one
   * where earlyStopping ends training), then onEpoch. Epochs are counted from 0; options left out take
   * TRAIN_DEFAULTS (no pruning unless `pruning` is given). Rejects with a DivergenceError when a loss is not
   * finite (unless onDivergence is 'continue') and with an AbortError when `signal` aborts; the model stays usable.
   */
  async fit(train: ModelData | NativeData, options: FitOptions = {}): Promise<FitResult> {
    const { validation, test, earlyStopping, onEpoch, signal, onDivergence = 'error', initialEpoch = 0, ...rest } = expectOptions(
      'fit options',
      options,
    ) as FitOptions;
    expectOneOf('onDivergence', onDivergence, ['error', 'continue'] as const);
    if (this.#running) throw new ValidationError('This SparseMLP is already training; await the running fit first');
    const o = resolveTrainOptions(rest, this.#hiddenLayers, FIT_ONLY_KEYS);
    const first = expectInteger('initialEpoch', initialEpoch, { min: 0, max: o.epochs - 1 });
    if (o.pruning && this.options.dense) fail('a sparse model', 'pruning', 'a dense model');
    if (onEpoch !== undefined && typeof onEpoch !== 'function') fail('a function', 'onEpoch', onEpoch);
    if (signal !== undefined && !(signal instanceof AbortSignal)) fail('an AbortSignal', 'signal', signal);
    const stopping = earlyStoppingOption(earlyStopping, validation !== undefined);
    if (signal?.aborted) throw abortReason(signal);
    const model = this.#native;
    const leases: DataLease[] = [];
    const trainLease = leaseFor('train', train, this.inputs, this.classes, true);
    leases.push(trainLease);
    const onAbort = () => model.cancel();
    const history: EpochInfo[] = [];
    let stoppedEarly = false;
    let best: Scored | undefined;
    let earlyStopEpoch: number | undefined;
    // Early stopping waits for the last pruning: the pruning epochs lower the accuracy on purpose.
    const firstStop = o.pruning ? o.pruning.beta + o.pruning.gamma : 0;
    try {
      const validLease = validation ? leaseFor('validation', validation, this.inputs, this.classes, true) : null;
      if (validLease) leases.push(validLease);
      const testLease = test ? leaseFor('test', test, this.inputs, this.classes, true) : null;
      if (testLease) leases.push(testLease);
      // Decided before the epoch's topology update (skipped when it stops).
      const decide = (epoch: number, trainLoss: number, v: Evaluation | undefined): boolean => {
        if (!v) return false;
        const scored = { epoch, accuracy: v.accuracy, loss: v.loss };
        if (betterEpoch(scored, trainLoss, best)) best = scored;
        return stopping !== undefined && epoch >= firstStop && epoch - (best?.epoch ?? -1) >= stopping.patience;
      };
      signal?.addEventListener('abort', onAbort);
      this.#running = true;
      // The evolution after epoch first - 1, which the call that trained it skipped as its last (unless that
      // call was aborted after it).
      if (first > 0 && this.#evolvedAfter !== first - 1) await this.#evolve(o, first - 1, signal);
      for (let epoch = first; epoch < o.epochs; epoch++) {
        if (signal?.aborted) throw abortReason(signal);
        const { info, stop, evaluatedLoss } = await this.#epoch(trainLease.dataset, validLease?.dataset ?? null, testLease?.dataset ?? null, o, epoch, signal, decide);
        // NaN or infinite: the weights overflowed, and every later epoch would only report NaN. Each batch's loss
        // is measured before its update, so only the evaluation after the epoch sees an overflow in the last one.
        if (onDivergence === 'error') {
          if (!Number.isFinite(info.loss)) throw new DivergenceError(epoch, info.loss);
          if (!Number.isFinite(evaluatedLoss)) throw new DivergenceError(epoch, evaluatedLoss, 'after');
        }
        history.push(info);
        if (stop && epoch < o.epochs - 1) earlyStopEpoch = epoch;
        if (onEpoch && (await untilAborted(Promise.resolve(onEpoch(info)), signal)) === false) {
          stoppedEarly = epoch < o.epochs - 1;
          break;
        }
        if (earlyStopEpoch !== undefined) {
          stoppedEarly = true;
          break;
        }
      }
      // An abort that came after the last job (while its result travelled back) still counts.
      if (signal?.aborted) throw abortReason(signal);
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#running = false;
      for (const l of leases) l.release();
    }
    return {
      history,
      stoppedEarly,
      ...(best ? { bestValidationEpoch: best.epoch } : {}), // set only from validation results
      ...(earlyStopEpoch !== undefined ? { earlyStopEpoch } : {}),
      options: o,
    };
  }

  /** One epoch of fit; `decide` says, from the validation result, whether training stops here (no evolution then). */
  async #epoch(
    train: NativeDataset,
    valid: NativeDataset | null,
    test: NativeDataset | null,
    o: ResolvedTrainOptions,
    epoch: number,
    signal: AbortSignal | undefined,
    decide: (epoch: number, trainLoss: number, validation: Evaluation | undefined) => boolean,
  ): Promise<{ info: EpochInfo; stop: boolean; evaluatedLoss: number }> {
    const started = performance.now();
    // Before any job: a schedule function that throws or returns a bad rate stops fit with the model unchanged.
    const learningRate = rateAt(o.learningRateSchedule, o.learningRate, epoch, o.epochs);
    let pruningMs = 0;
    let pruned: number[] | undefined;
    if (prunesAt(o.pruning, epoch)) {
      const p = o.pruning!;
      const r = await this.#job(
        (m) => m.pruneNeurons({ hiddenLayers: p.hiddenLayers, alpha: p.alpha, criterion: p.criterion }),
        signal,
      );
      pruningMs = r.ms;
      pruned = r.removed.map((ids) => ids.length);
    }
    // Read inside the queue: another job of this model (say an evaluate) may be running in between.
    const topo = await this.#job(async (m) => m.topology(), signal);
    const r = await this.#job((m) => m.trainEpoch(train, nativeTrainConfig(o, learningRate), epoch), signal);
    const evalStart = performance.now();
    const evalBatch = Math.max(o.batchSize, 64);
    const trainEval = await this.#job((m) => m.evaluate(train, evalBatch), signal);
    const validEval = valid ? await this.#job((m) => m.evaluate(valid, evalBatch), signal) : undefined;
    const testEval = test ? await this.#job((m) => m.evaluate(test, evalBatch), signal) : undefined;
    const evaluationMs = performance.now() - evalStart;
    const stop = decide(epoch, r.loss, validEval);
    const evolutionMs = epoch < o.epochs - 1 && !stop ? await this.#evolve(o, epoch, signal) : 0;
    const info: EpochInfo = {
      epoch,
      epochs: o.epochs,
      loss: r.loss,
      trainAccuracy: trainEval.accuracy,
      ...(validEval ? { validationLoss: validEval.loss, validationAccuracy: validEval.accuracy } : {}),
      ...(testEval ? { testLoss: testEval.loss, testAccuracy: testEval.accuracy } : {}),
      neurons: topo.neurons,
      connections: topo.connections,
      ...(pruned ? { pruned } : {}),
      learningRate,
      timesMs: {
        forward: r.timesMs.forward,
        backward: r.timesMs.backward,
        update: r.timesMs.update,
        evolution: evolutionMs,
        pruning: pruningMs,
        evaluation: evaluationMs,
        total: performance.now() - started,
      },
    };
    return { info, stop, evaluatedLoss: trainEval.loss };
  }

  /** SET evolution after `epoch` (none for dense models or zeta 0); returns its time in ms. */
  async #evolve(o: ResolvedTrainOptions, epoch: number, signal: AbortSignal | undefined): Promise<number> {
    if (o.zeta <= 0 || this.options.dense) return 0;
    // Recorded as the job ends, before the next queued job (a clone) can start and read it.
    const e = await this.#job(
      (m) =>
        m.evolve({ zeta: o.zeta, regrowInit: o.regrowInit, regrowScale: o.regrowScale }, epoch).then((r) => {
          this.#evolvedAfter = epoch;
          return r;
        }),
      signal,
    );
    return e.ms;
  }

  /**
   * One training pass over `train` (shuffled mini-batches, SGD) with no evaluation and no topology change:
   * the building block for custom schedules and benchmarks. `epoch` (from 0, default 0) seeds the shuffle and
   * dropout. Options left out take TRAIN_DEFAULTS.
   */
  async trainEpoch(train: ModelData | NativeData, options: TrainEpochOptions = {}, epoch = 0): Promise<TrainEpochResult> {
    const given = expectOptions('trainEpoch options', options);
    rejectUnknownKeys('trainEpoch options', given, TRAIN_EPOCH_OPTIONS);
    const o = resolveTrainOptions(given, this.#hiddenLayers);
    const e = expectInteger('epoch', epoch, { min: 0 });
    const lease = leaseFor('train', train, this.inputs, this.classes, true);
    const r = await this.#job((m) => m.trainEpoch(lease.dataset, nativeTrainConfig(o), e)).finally(lease.release);
    return { loss: r.loss, accuracy: r.accuracy, timesMs: { forward: r.timesMs.forward, backward: r.timesMs.backward, update: r.timesMs.update } };
  }

  /**
   * Mean loss and accuracy (a fraction in [0, 1]) on labelled data, in evaluation mode (no dropout). Samples
   * whose forward pass overflows float32 give an OverflowError.
   */
  async evaluate(data: ModelData | NativeData, options: EvaluateOptions = {}): Promise<Evaluation> {
    const batch = expectInteger('batchSize', expectOptions('evaluate options', options).batchSize ?? 128, { min: 1, max: 65536 });
    const lease = leaseFor('data', data, this.inputs, this.classes, true);
    try {
      const r = await this.#job((m) => m.evaluate(lease.dataset, batch));
      if (Number.isNaN(r.loss)) {
        // Which samples overflowed (this path only): the loss alone does not say.
        const classes = await this.#job((m) => m.predict(lease.dataset, batch, true));
        checkOverflow('data', classes.length, (s) => classes[s] < 0);
      }
      return r;
    } finally {
      lease.release();
    }
  }

  /**
   * Class probabilities (softmax outputs), row-major samples x classes: row s is p[s * classes .. (s + 1) *
   * classes - 1]. `data` is a dataset (labels not needed) or a row-major Float32Array of samples x inputs.
   */
  async predictProba(data: ModelData | NativeData | Float32Array): Promise<Float32Array> {
    const lease = this.#predictionData(data);
    const p = await this.#job((m) => m.predict(lease.dataset, 128)).finally(lease.release);
    const C = this.classes;
    checkOverflow('data', p.length / C, (s) => {
      for (let c = 0; c < C; c++) if (Number.isNaN(p[s * C + c])) return true;
      return false;
    });
    return p;
  }

  /**
   * Predicted class index per sample: the first class of largest probability, as an argmax over
   * predictProba's rows, computed batch by batch without the samples x classes matrix.
   */
  async predict(data: ModelData | NativeData | Float32Array): Promise<Int32Array> {
    const lease = this.#predictionData(data);
    const classes = await this.#job((m) => m.predict(lease.dataset, 128, true)).finally(lease.release);
    // -1: that sample's probabilities are NaN.
    checkOverflow('data', classes.length, (s) => classes[s] < 0);
    return classes;
  }

  #predictionData(data: ModelData | NativeData | Float32Array): DataLease {
    if (ArrayBuffer.isView(data) && !isFloat32Array(data)) {
      fail(`a Float32Array (samples x ${this.inputs} features, row-major) or a dataset object`, 'data', data);
    }
    if (isFloat32Array(data) && (data.length === 0 || data.length % this.inputs !== 0)) {
      fail(`a Float32Array of a positive multiple of ${this.inputs} values (samples x features, row-major)`, 'data', data);
    }
    const d = isFloat32Array(data) ? { X: data, samples: data.length / this.inputs, features: this.inputs } : data;
    return leaseFor('data', d, this.inputs, this.classes, false);
  }

  /**
   * New data made ready for this model as it was trained, as `npset predict` does: columns reordered by header
   * name to the saved featureNames, the saved standardisation applied, labels matched to the saved labels (by
   * name or value) as this model's class indices. For a model that was not loaded, columns go by position and
   * nothing is standardised. The result goes to predict, predictProba and (when every label is known) evaluate.
   */
  prepare(data: FeatureSet | Dataset, options: PrepareInputOptions = {}): PreparedInput {
    this.#alive();
    return prepareInput(this, data, options);
  }

  /** The label of each class: the saved label names, else the saved label values, else the class index (a copy). */
  get classLabels(): (string | number)[] {
    this.#alive();
    return [...classLabels(this)];
  }

  /** Neurons and connections per layer, now. */
  topology(): TopologyStats {
    const t = this.#sync('topology', (m) => m.topology());
    const layers = t.connections.map((connections, l) => ({
      inputs: t.neurons[l],
      outputs: t.neurons[l + 1],
      connections,
      sparse: t.sparse[l],
      density: t.neurons[l] * t.neurons[l + 1] > 0 ? connections / (t.neurons[l] * t.neurons[l + 1]) : 0,
    }));
    return {
      neurons: t.neurons,
      neuronCount: t.neurons.slice(0, -1).reduce((a, b) => a + b, 0),
      connections: t.connections.reduce((a, b) => a + b, 0),
      layers,
    };
  }

  /** A copy of weight layer `index` (0-based: layer 0 joins the inputs to hidden layer 1) as CSR of W^T: rows are output neurons. */
  layer(index: number): LayerCsr {
    const n = this.options.layers.length - 1;
    const i = expectInteger('layer index', index, { min: 0, max: n - 1 });
    return this.#sync('layer', (m) => m.layerCsr(i));
  }

  /** Native memory: the model's own bytes (weights, indices, optimiser state) and per-batch buffers. */
  memory(): MemoryStats {
    const m = this.#sync('memory', (n) => n.memory());
    return { ...m, bytesPerConnection: m.connections ? m.modelBytes / m.connections : 0 };
  }

  /**
   * NPSET step now: removes floor(alpha * n) neurons, fewest connections first (by `criterion`), from each given
   * hidden layer (1-based) of n neurons. Resolves with the removed neurons' indices (before the removal), per layer given.
   */
  async pruneNeurons(options: PruneNeuronsOptions): Promise<number[][]> {
    const o = expectOptions('prune options', options);
    rejectUnknownKeys('prune options', o, ['hiddenLayers', 'alpha', 'criterion']);
    const hidden = this.#hiddenLayers;
    const layers = o.hiddenLayers;
    if (!Array.isArray(layers)) fail('an array of 1-based hidden layer indices', 'hiddenLayers', layers);
    // A copy read once, by index (forEach would skip the holes of a sparse array).
    const ids = Array.from(layers as unknown[], (h, i) => expectInteger(`hiddenLayers[${i}]`, h, { min: 1, max: hidden }));
    const criterion = expectOneOf('criterion', orDefault(o.criterion, 'out-degree'), PRUNE_CRITERIA);
    const alpha = expectNumber('alpha', orDefault(o.alpha, 0.04), { min: 0, max: 1, maxExclusive: true });
    const r = await this.#job((m) => m.pruneNeurons({ hiddenLayers: ids, alpha, criterion }));
    return r.removed;
  }

  /** Hidden layer `hidden` (1-based) neuron indices ordered by the pruning criterion, fewest connections first. */
  neuronOrder(hidden: number, criterion: PruneCriterion = 'out-degree'): Int32Array {
    const h = expectInteger('hidden', hidden, { min: 1, max: this.#hiddenLayers });
    const c = expectOneOf('criterion', criterion, PRUNE_CRITERIA);
    return this.#sync('neuronOrder', (m) => m.neuronOrder(h, c));
  }

  /** Removes the given neurons (current indices) of hidden layer `hidden` with all their connections. */
  removeNeurons(hidden: number, neurons: ArrayLike<number>): void {
    const h = expectInteger('hidden', hidden, { min: 1, max: this.#hiddenLayers });
    if (!isNumberList(neurons)) {
      fail('an array of neuron indices', 'neurons', neurons);
    }
    const size = this.#sync('removeNeurons', (m) => m.topology()).neurons[h];
    const list = neurons as ArrayLike<number>;
    // Checked before copying: a forged length must not make us allocate.
    if (list.length > size) fail(`at most ${size} neuron indices (the neurons of hidden layer ${h})`, 'neurons', neurons);
    const ids = Array.from(list);
    if (size === 0 && ids.length > 0) fail('no neuron indices (hidden layer ' + h + ' has no neurons left)', 'neurons', neurons);
    ids.forEach((v, i) => expectInteger(`neurons[${i}]`, v, { min: 0, max: size - 1 }));
    this.#sync('removeNeurons', (m) => m.removeNeurons(h, ids), true);
  }

  /** SET evolution step now: removes the zeta fraction of weights of each sign nearest zero and regrows as many connections at random. */
  async evolve(options: EvolveOptions = {}): Promise<EvolveResult> {
    const o = expectOptions('evolve options', options);
    rejectUnknownKeys('evolve options', o, ['zeta', 'epoch']);
    // Checked here, not left to the addon: its TypeError would name its own evolutionConfig.zeta.
    const zeta = expectNumber('zeta', orDefault(o.zeta, 0.3), { min: 0, max: 1 });
    const epoch = expectInteger('epoch', orDefault(o.epoch, 0), { min: 0 });
    const r = await this.#job((m) => m.evolve({ zeta }, epoch));
    return { removed: r.removed, added: r.added };
  }

  /** An independent copy of this model. */
  async clone(): Promise<SparseMLP> {
    // The copy resumes a schedule as this model would: it knows which topology update ran last.
    let evolvedAfter = -1;
    const m = await this.#job((n) => {
      evolvedAfter = this.#evolvedAfter;
      return n.clone();
    });
    const copy = new SparseMLP(BUILD, m, { ...this.options, layers: [...this.options.layers] }, this.saved);
    copy.#evolvedAfter = evolvedAfter;
    return copy;
  }

  /** Frees the native memory now. Refused while a job runs. */
  dispose(): void {
    if (!this.#model) return;
    if (this.#running || this.#pending > 0 || this.#model.busy) {
      throw new BusyError('Cannot dispose a SparseMLP while it is training or has calls in progress; await them first');
    }
    this.#model.dispose();
    this.#model = null;
  }

  /** Whether dispose() has freed the model (every other call then throws a ValidationError). */
  get disposed(): boolean {
    return this.#model === null;
  }
}

/** Throws OverflowError when some of the samples overflowed in the forward pass. */
function checkOverflow(name: string, samples: number, overflowed: (sample: number) => boolean): void {
  let count = 0;
  let first = -1;
  for (let s = 0; s < samples; s++) {
    if (!overflowed(s)) continue;
    if (first < 0) first = s;
    count++;
  }
  if (count > 0) throw new OverflowError(name, count, samples, first);
}

/**
 * Every `code` an NpsetError of npset carries, so that `switch (err.code)` is checked by the compiler:
 * - 'ERR_NPSET_INVALID_ARGUMENT': ValidationError (an argument of the wrong type or outside its range)
 * - 'ERR_NPSET_DATA_FORMAT': DataFormatError (a data file that cannot be read or parsed)
 * - 'ERR_NPSET_MODEL_FILE': ModelFileError (a model file that cannot be read or written, or is not valid;
 *   also a plain NpsetError on a big-endian machine, which cannot read model files)
 * - 'ABORT_ERR': AbortError (cancelled through an AbortSignal; Node's own code for aborts)
 * - 'ERR_NPSET_NATIVE': NativeError (the native addon failed)
 * - 'ERR_NPSET_BUSY': BusyError (a model used while one of its native jobs runs)
 * - 'ERR_NPSET_DIVERGED': DivergenceError (a training loss that is not finite)
 * - 'ERR_NPSET_OVERFLOW': OverflowError (the forward pass overflowed float32)
 * - 'ERR_NPSET_NO_DATASETS': a plain NpsetError of the paper reproduction (no dataset of the paper found)
 * - 'ERR_NPSET': the NpsetError constructor's default (npset itself always passes a code)
 */
export type NpsetErrorCode =
  | 'ERR_NPSET'
  | 'ERR_NPSET_INVALID_ARGUMENT'
  | 'ERR_NPSET_DATA_FORMAT'
  | 'ERR_NPSET_MODEL_FILE'
  | 'ABORT_ERR'
  | 'ERR_NPSET_NATIVE'
  | 'ERR_NPSET_BUSY'
  | 'ERR_NPSET_DIVERGED'
  | 'ERR_NPSET_OVERFLOW'
  | 'ERR_NPSET_NO_DATASETS';

/**
 * Typed errors thrown by npset. Every error carries a stable `code` (see NpsetErrorCode) so that callers can
 * branch on it without parsing messages; each subclass narrows `code` to its own literal.
 */
export class NpsetError extends Error {
  readonly code: NpsetErrorCode;
  constructor(message: string, code: NpsetErrorCode = 'ERR_NPSET', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A caller passed an argument of the wrong type or outside its range. */
export class ValidationError extends NpsetError {
  declare readonly code: 'ERR_NPSET_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message, 'ERR_NPSET_INVALID_ARGUMENT');
  }
}

/** A data file could not be read or parsed. `file` is the path, when known. */
export class DataFormatError extends NpsetError {
  declare readonly code: 'ERR_NPSET_DATA_FORMAT';
  readonly file?: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super(file ? `${file}: ${message}` : message, 'ERR_NPSET_DATA_FORMAT', options);
    this.file = file;
  }
}

/** Long work was cancelled through an AbortSignal. */
export class AbortError extends NpsetError {
  declare readonly code: 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, 'ABORT_ERR', options);
  }
}

/** The native addon failed (could not load, or reported an error). */
export class NativeError extends NpsetError {
  declare readonly code: 'ERR_NPSET_NATIVE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_NPSET_NATIVE', options);
  }
}

/** A model was used while one of its native jobs runs (synchronous methods cannot wait for it). */
export class BusyError extends NpsetError {
  declare readonly code: 'ERR_NPSET_BUSY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_NPSET_BUSY', options);
  }
}

/**
 * Training produced a loss that is not finite (NaN or infinite): the weights have overflowed, usually
 * because the learning rate is too high. `epoch` is the epoch (from 0) whose loss it was: its training loss
 * (measured batch by batch, each before its update), or else the loss on the training data measured after the
 * epoch, which also sees the epoch's last update (`measured: 'after'`).
 */
export class DivergenceError extends NpsetError {
  declare readonly code: 'ERR_NPSET_DIVERGED';
  readonly epoch: number;
  readonly loss: number;
  readonly measured: 'during' | 'after';
  constructor(epoch: number, loss: number, measured: 'during' | 'after' = 'during') {
    const what = measured === 'during' ? 'the training loss' : "the loss on the training data after the epoch's last update";
    super(
      `Training diverged at epoch ${epoch + 1}: ${what} is ${loss}; the weights are no longer ` +
        'usable (usually the learning rate is too high)',
      'ERR_NPSET_DIVERGED',
    );
    this.epoch = epoch;
    this.loss = loss;
    this.measured = measured;
  }
}

/**
 * The forward pass overflowed float32 for some samples (their class probabilities came out NaN), so predict,
 * predictProba and evaluate have no answer for them. Usually features far from the range the model was trained
 * on (data not standardised as the training data was, or outliers); when every sample overflows, the weights
 * have diverged.
 * `count` samples overflowed, the first of them at index `first`.
 */
export class OverflowError extends NpsetError {
  declare readonly code: 'ERR_NPSET_OVERFLOW';
  readonly count: number;
  readonly first: number;
  constructor(name: string, count: number, samples: number, first: number) {
    super(
      `The forward pass overflowed float32 for ${count} of ${samples} samples of ${name} (the first: sample ${first}), ` +
        'so their class probabilities are NaN: their features are far outside the range the model was trained on ' +
        '(unscaled data, or outliers), or, when every sample overflows, the weights have diverged in training',
      'ERR_NPSET_OVERFLOW',
    );
    this.count = count;
    this.first = first;
  }
}

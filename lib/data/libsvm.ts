/**
 * LIBSVM / SVMlight datasets (the LIBSVM datasets page, scikit-learn's dump_svmlight_file): one sample a
 * line, `<label> [qid:<n>] <index>:<value> ...`, indices strictly ascending, zero values left out; blank
 * lines are skipped and '#' starts a comment, anywhere on a line.
 *
 * The file is read in chunks, in one pass, into sparse buffers (the raw indices and float32 values of each
 * row), made dense once the number of features is known: the largest index is only known at the end.
 * The dense float32 X is bounded by maxDenseBytes as lines are read, from the samples so far and the
 * largest index so far (or `features`), so a line declaring index 2000000000 is refused on that line,
 * before anything of that size exists; the sparse buffers hold at most one value per cell of that dense
 * X (8 bytes each: index and value), so they stay within twice the same bound.
 */
import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { DataFormatError } from '../errors';
import { readFailureText } from '../files';
import { DECIMAL_NOTATION, describe, expectInteger, expectOptions, expectString, fail, rejectUnknownKeys } from '../validate';
import type { Dataset, FeatureSet } from './dataset';
import { allocate, DEFAULT_MAX_DENSE_BYTES, denseLimitText, expectRegularFile } from './limits';

export interface LibsvmDatasetOptions {
  /**
   * The number of features. Default: the largest index in the file (plus one when 0-based). Give it when a
   * file may not use the last features, as a test file beside its training file; an index beyond it is an
   * error.
   */
  features?: number | undefined;
  /**
   * Whether indices start at 0. Default 'auto', as scikit-learn's load_svmlight_file: 0-based when some
   * index is 0, else 1-based (the LIBSVM convention). A 0-based file that never uses feature 0 reads as
   * 1-based under 'auto', its features shifted by one: pass true for such files.
   */
  zeroBased?: boolean | 'auto' | undefined;
  /**
   * Upper bound, in bytes, on the dense float32 features (default DEFAULT_MAX_DENSE_BYTES, 1 GiB, as for
   * MAT and CSV files), checked line by line from the samples and the largest index so far, before the
   * features are allocated.
   */
  maxDenseBytes?: number | undefined;
}

/** What loadLibsvmFeatures takes: the same options (the labels are not read). */
export type LibsvmFeaturesOptions = LibsvmDatasetOptions;

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;
/** Most characters one line may take (as the CSV loader's records): a file without line breaks is refused, not held. */
const MAX_LINE_CHARS = 2 ** 28;
/** Past this, an index would make a dense row longer than a typed array can be. */
const MAX_INDEX = 2 ** 32 - 1;
/** Numeric labels are refused as continuous when not all whole and more distinct than this and than half the samples (the CSV rule). */
const CONTINUOUS_MIN_VALUES = 10;
const OPTION_KEYS = ['features', 'zeroBased', 'maxDenseBytes'] as const;
const QID = /^qid:[+-]?\d+$/;

/**
 * Load a dataset from a LIBSVM / SVMlight file: numeric labels (`+1`, `-1`, `3`, `2.0`; classes in
 * ascending order of value, as loadMatDataset), features from the index:value pairs, zero where left out.
 * Refused: multi-label lines (`1,3`), a continuous target (the CSV loader's rule), and any malformed line,
 * with its 1-based line number.
 */
export async function loadLibsvmDataset(path: string, options?: LibsvmDatasetOptions): Promise<Dataset> {
  expectString('path', path);
  const rows = await readLibsvm(path, libsvmOptions(options), true);
  return rows.finish(basename(path, extname(path)));
}

/**
 * Load the features only of a LIBSVM / SVMlight file (for prediction): the labels are not read, and a
 * line may have none (`1:0.5 3:2`): a label never holds a ':'.
 */
export async function loadLibsvmFeatures(path: string, options?: LibsvmFeaturesOptions): Promise<FeatureSet> {
  expectString('path', path);
  const rows = await readLibsvm(path, libsvmOptions(options), false);
  const name = basename(path, extname(path));
  return { name, X: rows.dense(), samples: rows.samples, features: rows.features, libsvmZeroBased: rows.zeroBasedRead };
}

/** The options checked, each read once (a getter cannot answer differently while the file is read). */
function libsvmOptions(options: unknown): LibsvmDatasetOptions {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, OPTION_KEYS);
  const { features, zeroBased, maxDenseBytes } = opts;
  if (features !== undefined) expectInteger('options.features', features, { min: 1, max: MAX_INDEX + 1 });
  if (zeroBased !== undefined && zeroBased !== 'auto' && typeof zeroBased !== 'boolean') fail('true, false or "auto"', 'options.zeroBased', zeroBased);
  if (maxDenseBytes !== undefined) expectInteger('options.maxDenseBytes', maxDenseBytes, { min: 1 });
  return { features, zeroBased, maxDenseBytes } as LibsvmDatasetOptions;
}

/** Reads every line of `path` into a SparseRows. */
async function readLibsvm(path: string, opts: LibsvmDatasetOptions, labelled: boolean): Promise<SparseRows> {
  let fh: FileHandle | undefined;
  try {
    // stat before open: opening a FIFO waits for a writer; O_NONBLOCK and fstat in case it became one since.
    expectRegularFile(await stat(path), path);
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    expectRegularFile(await fh.stat(), path);
    const rows = new SparseRows(path, opts, labelled);
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    // The start of a line cut by a chunk's end, in pieces: joined once its end comes (concatenating
    // and searching a growing string at every chunk would be quadratic in a long line).
    let pieces: string[] = [];
    let pending = 0;
    let line = 0;
    let first = true;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, null);
      let text = bytesRead > 0 ? decoder.write(buf.subarray(0, bytesRead)) : decoder.end();
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
        first = false;
      }
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        line++;
        if (pieces.length > 0) {
          const whole = pieces.join('') + text.slice(0, nl);
          pieces = [];
          pending = 0;
          rows.line(whole, 0, whole.length, line);
        } else {
          rows.line(text, start, nl, line);
        }
        start = nl + 1;
      }
      if (start < text.length) {
        pieces.push(start === 0 ? text : text.slice(start));
        pending += text.length - start;
        if (pending > MAX_LINE_CHARS) {
          throw new DataFormatError(`line ${line + 1}: expected a line of at most ${MAX_LINE_CHARS} characters but received a longer one`, path);
        }
      }
      if (bytesRead === 0) break;
    }
    if (pieces.length > 0) {
      const last = pieces.join('');
      rows.line(last, 0, last.length, ++line);
    }
    rows.end(line);
    return rows;
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(readFailureText(e, path), path, { cause: e });
  } finally {
    await fh?.close();
  }
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const HASH = 35;
const COLON = 58;

/** Space, tab, and the CR of CRLF (and \v, \f): what separates tokens. */
function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === 11 || c === 12;
}

/**
 * The samples of a file as they are read: for each row its end in the sparse buffers and its label's id
 * (ids in order of first appearance, made class indices at the end), checked line by line.
 */
class SparseRows {
  samples = 0;
  features = 0;
  private nnz = 0;
  private rowEnd = new Float64Array(1024);
  private index = new Uint32Array(4096);
  private value = new Float32Array(4096);
  private ids = new Int32Array(1024);
  private readonly labelIds = new Map<number, number>();
  private readonly labelLines: number[] = [];
  /** The largest index read (as written), and its first line. */
  private maxIndex = -1;
  private maxLine = 0;
  /** The first line with index 0 (0: none yet). */
  private zeroLine = 0;
  private comments = false;
  private lastLine = 0;
  private readonly maxDense: number;
  private readonly zeroBased: boolean | 'auto';

  constructor(
    private readonly file: string,
    private readonly opts: LibsvmDatasetOptions,
    private readonly labelled: boolean,
  ) {
    this.maxDense = opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES;
    this.zeroBased = opts.zeroBased ?? 'auto';
  }

  private error(line: number, message: string): DataFormatError {
    return new DataFormatError(`line ${line}: ${message}`, this.file);
  }

  /** Whether the indices are read as 0-based, from what was read so far ('auto': an index 0 was seen). */
  /** Whether the indices were read as 0-based ('auto' resolved). */
  get zeroBasedRead(): boolean {
    return this.zero;
  }

  private get zero(): boolean {
    return this.zeroBased === 'auto' ? this.zeroLine > 0 : this.zeroBased;
  }

  /** The features of the dense X, from what was read so far: `features`, else the largest index (+1 when 0-based). */
  private get width(): number {
    return this.opts.features ?? Math.max(0, this.maxIndex + (this.zero ? 1 : 0));
  }

  /** `rows` samples of `width` float32 features must fit maxDenseBytes; `line` the last line read. */
  private checkDense(rows: number, width: number, line: number): void {
    const bytes = rows * width * 4;
    if (bytes <= this.maxDense) return;
    throw new DataFormatError(
      `cannot hold the float32 features of ${rows} sample${rows === 1 ? '' : 's'} of ${width} features (up to line ${line}): ${denseLimitText(bytes, this.maxDense)}`,
      this.file,
    );
  }

  /** Reads line `line`, the characters of `s` from `start` to `end` (excluded). */
  line(s: string, start: number, end: number, line: number): void {
    let tokens = 0;
    let prev = -1;
    let i = start;
    while (i < end) {
      let c = s.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === HASH) {
        this.comments = true;
        break;
      }
      // A token from i to j; its first ':' at colon.
      let colon = -1;
      let j = i;
      while (j < end) {
        c = s.charCodeAt(j);
        if (isSpace(c) || c === HASH) break;
        if (c === COLON && colon < 0) colon = j;
        j++;
      }
      if (tokens === 0) this.startRow();
      // Without labels, a line may start with its first pair: a label never holds a ':'.
      if (tokens === 0 && (this.labelled || colon < 0)) this.label(s.slice(i, j), colon >= 0, line);
      else if (s.startsWith('qid:', i)) this.qid(s.slice(i, j), tokens, line);
      else prev = this.pair(s, i, colon, j, prev, line);
      tokens++;
      i = j;
    }
    if (tokens === 0) return; // blank, or a comment
    this.lastLine = line;
    this.rowEnd[this.samples++] = this.nnz;
    this.checkDense(this.samples, this.width, line);
  }

  /** Room for one more row, whose label and end are stored. */
  private startRow(): void {
    const r = this.samples;
    if (r < this.rowEnd.length) return;
    this.rowEnd = grow(this.rowEnd, r + 1);
    if (this.labelled) this.ids = grow(this.ids, r + 1);
  }

  /** The label, the line's first token: a number (not read without labels). */
  private label(token: string, hasColon: boolean, line: number): void {
    if (hasColon) {
      throw this.error(line, `expected a label first (each line starts with one) but received ${describe(token)}, an index:value pair`);
    }
    if (!this.labelled) return;
    if (token.includes(',')) {
      throw this.error(line, `expected one numeric label but received ${describe(token)}: multi-label data (labels separated by commas) is not supported`);
    }
    const v = Number(token);
    if (!DECIMAL_NOTATION.test(token) || !Number.isFinite(v)) throw this.error(line, `expected a numeric label but received ${describe(token)}`);
    // Beyond 2^53 a double cannot hold every integer: distinct labels could silently become one class.
    if (Math.abs(v) >= 2 ** 53) throw this.error(line, `expected a label of magnitude below 2^53 (exact in a double) but received ${describe(token)}`);
    const key = v === 0 ? 0 : v; // -0 and 0 are one label
    let id = this.labelIds.get(key);
    if (id === undefined) {
      id = this.labelIds.size;
      this.labelIds.set(key, id);
      this.labelLines.push(line);
    }
    this.ids[this.samples] = id;
  }

  /** `qid:<n>` (SVMlight's query id, for ranking), skipped: only right after the label. */
  private qid(token: string, tokens: number, line: number): void {
    if (tokens !== 1 || !QID.test(token)) {
      const what = tokens === 1 ? 'qid:<integer>' : 'index:value (a qid:<integer> comes right after the label)';
      throw this.error(line, `expected ${what} but received ${describe(token)}`);
    }
  }

  /** An index:value pair from i to j, its ':' at colon; returns its index, which must be above `prev`. */
  private pair(s: string, i: number, colon: number, j: number, prev: number, line: number): number {
    if (colon <= i || colon === j - 1) throw this.error(line, `expected index:value but received ${describe(s.slice(i, j))}`);
    let index = 0;
    for (let k = i; k < colon; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) {
        throw this.error(line, `expected a non-negative integer index but received ${describe(s.slice(i, colon))} (in ${describe(s.slice(i, j))})`);
      }
      index = index * 10 + d;
    }
    if (index > MAX_INDEX) throw this.error(line, `expected an index of at most ${MAX_INDEX} but received ${describe(s.slice(i, colon))}`);
    if (index <= prev) {
      const why = index === prev ? `${index} twice` : `${index} after ${prev}`;
      throw this.error(line, `expected indices in strictly ascending order but received ${why}`);
    }
    if (index === 0) {
      if (this.zeroBased === false) throw this.error(line, 'expected indices from 1 (1-based, as zeroBased: false asks) but received 0');
      if (this.zeroLine === 0) this.zeroLine = line;
    }
    const features = this.opts.features;
    // Under 'auto' an index equal to `features` is only known to be too large (0-based) at the end.
    if (features !== undefined && index > (this.zeroBased === true ? features - 1 : features)) {
      throw this.error(line, `expected an index of at most ${this.zeroBased === true ? features - 1 : features} (the number of features is ${features}) but received ${index}`);
    }
    if (index > this.maxIndex) {
      this.maxIndex = index;
      this.maxLine = line;
      this.checkDense(this.samples + 1, this.width, line);
    }
    let v = shortDecimal(s, colon + 1, j);
    if (Number.isNaN(v)) {
      const text = s.slice(colon + 1, j);
      v = Math.fround(Number(text));
      if (!DECIMAL_NOTATION.test(text)) throw this.error(line, `expected a finite number for index ${index} but received ${describe(text)}`);
      if (!Number.isFinite(v)) {
        throw this.error(line, `expected a value within float32 range (magnitude < 3.4e38) for index ${index} but received ${describe(text)}`);
      }
    }
    const n = this.nnz;
    if (n === this.index.length) {
      this.index = grow(this.index, n + 1);
      this.value = grow(this.value, n + 1);
    }
    this.index[n] = index;
    this.value[n] = v;
    this.nnz = n + 1;
    return index;
  }

  /** Once every line was read (`lines` in all): samples, features, and the index checks 'auto' left for the end. */
  end(lines: number): void {
    if (this.samples === 0) {
      throw new DataFormatError(
        this.comments ? `no samples: its ${lines} line${lines === 1 ? ' is a comment' : 's are comments or blank'}` : 'the file is empty: no samples',
        this.file,
      );
    }
    const features = this.opts.features;
    if (features !== undefined && this.zero && this.maxIndex >= features) {
      throw this.error(
        this.maxLine,
        `expected an index of at most ${features - 1} (the number of features is ${features}, and the indices are 0-based: index 0 is on line ${this.zeroLine}) but received ${this.maxIndex}`,
      );
    }
    this.features = this.width;
    if (this.features === 0) throw new DataFormatError('no features: no line has an index:value pair (pass features to read such a file)', this.file);
    this.checkDense(this.samples, this.features, this.lastLine);
  }

  /** The row-major float32 features (the sparse buffers are let go). */
  dense(): Float32Array {
    const { samples, features } = this;
    const X = allocate(Float32Array, samples * features, `the float32 features (${samples}x${features})`, this.file);
    const shift = this.zero ? 0 : 1;
    const { index, value, rowEnd } = this;
    let k = 0;
    for (let r = 0; r < samples; r++) {
      const o = r * features - shift;
      for (const e = rowEnd[r]; k < e; k++) X[o + index[k]] = value[k];
    }
    this.index = new Uint32Array(0);
    this.value = new Float32Array(0);
    return X;
  }

  /** The dataset, with its labels made class indices in ascending order of value. */
  finish(name: string): Dataset {
    const samples = this.samples;
    const values = [...this.labelIds.keys()]; // in id order
    const labels = [...values].sort((a, b) => a - b);
    this.expectClasses(values, labels.length);
    const X = this.dense();
    const classOf = new Map(labels.map((l, c) => [l, c]));
    const y = this.ids.slice(0, samples);
    const classes = values.map((v) => classOf.get(v) as number);
    for (let i = 0; i < samples; i++) y[i] = classes[y[i]];
    return { name, X, y, samples, features: this.features, classes: labels.length, labels, libsvmZeroBased: this.zero };
  }

  /**
   * The CSV loader's rule: more than CONTINUOUS_MIN_VALUES distinct labels and more than half as many as
   * samples, not all whole numbers, is a continuous target (regression data), not classes of a sample or two.
   */
  private expectClasses(values: number[], distinct: number): void {
    if (distinct <= CONTINUOUS_MIN_VALUES || 2 * distinct <= this.samples) return;
    const id = values.findIndex((v) => !Number.isInteger(v));
    if (id < 0) return;
    throw new DataFormatError(
      `expected class labels but received ${distinct} distinct numbers in ${this.samples} samples, not all whole ` +
        `(such as ${values[id]} on line ${this.labelLines[id]}): a continuous target, as for regression, cannot be classified; ` +
        'bin the values into classes',
      this.file,
    );
  }
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The float32 value of s[i..j) when it is a plain decimal of at most 15 digits (`-12`, `0.125`): then
 * digits / 10^k is exact over exact operands, one correctly rounded division (Clinger's fast path), so
 * the same double as Number(); NaN for anything else, left to Number() and its checks. Most values of
 * LIBSVM files take this path, which reads them 2-3x faster than slicing each for Number().
 */
function shortDecimal(s: string, i: number, j: number): number {
  const negative = s.charCodeAt(i) === 45; // '-'
  if (negative || s.charCodeAt(i) === 43) i++; // '+'
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let k = i; k < j; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d >= 0 && d <= 9) {
      m = m * 10 + d;
      digits++;
    } else if (d === -2 && point < 0) point = k; // '.'
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = point < 0 ? m : m / POWERS_OF_TEN[j - point - 1];
  return Math.fround(negative ? -v : v);
}

/** A copy of `a` with room for at least `n` values (doubled). */
function grow<T extends Float64Array | Float32Array | Uint32Array | Int32Array>(a: T, n: number): T {
  const ctor = a.constructor as new (length: number) => T;
  const b = allocate(ctor, Math.max(n, a.length * 2), 'the sparse rows read');
  b.set(a);
  return b;
}

/** A LIBSVM line: a numeric label (or none), maybe a qid, then index:value pairs; a comment may end it. */
const LIBSVM_LINE = /^[ \t]*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]+)?(?:qid:\d+[ \t]+)?\d+:\S+(?:[ \t]+\d+:\S+)*[ \t]*(?:#.*)?\r?$/;

/**
 * Whether `text` (the start of a file named otherwise) reads as LIBSVM lines: its first lines (five at most,
 * blank and '#' lines skipped, the last one left out when `cut`, as it may end mid-line) are all
 * `label index:value ...`. For the hints of the other loaders: files of the LIBSVM datasets page have no
 * extension (a9a, a9a.t).
 */
export function looksLikeLibsvm(text: string, cut = false): boolean {
  const lines = text.split('\n');
  if (cut) lines.pop();
  const read = lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).slice(0, 5);
  return read.length > 0 && read.every((l) => LIBSVM_LINE.test(l));
}

/** The end of the other loaders' messages for a file that looks like LIBSVM. */
export const LIBSVM_NAME_HINT = 'it looks like a LIBSVM file (label index:value ...), which is read as one when it is named .svm, .libsvm or .svmlight';


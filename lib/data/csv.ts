/**
 * CSV / TSV datasets: one sample a row, numeric feature columns and one label column, read with
 * csv-parse as a stream into a growing Float32Array (the text is never held whole, nor a row list).
 * loadCsvFeatures reads a file without labels the same way: every column is a feature.
 *
 * Like the MAT loader, every malformed input raises a one-line DataFormatError naming the file, and
 * what a file can make us hold is bounded:
 * - only a regular file is read (not /dev/zero or a pipe), of at most maxFileBytes (4 GiB);
 * - what is built (float32 features, int32 labels, the distinct label texts) is counted as it grows
 *   and refused beyond maxDenseBytes (1 GiB, as for MAT-files), before it is allocated;
 * - one record (line) may hold at most MAX_RECORD_CHARS characters, so a file without line breaks
 *   cannot make the parser buffer gigabytes.
 * The text must be UTF-8 (or UTF-16 little-endian with a byte order mark): other bytes are refused, not
 * replaced, as a Latin-1 file's "café" and "cafè" would otherwise both read "caf\ufffd", one class;
 * UTF-16 in another form (big-endian, or without the mark) is refused as UTF-16.
 */
import { constants as fsConstants, type ReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import { DataFormatError, ValidationError } from '../errors';
import {
  DECIMAL_NOTATION, describe, expectBoolean, expectInteger, expectOneOf, expectOptions, expectString, fail, rejectUnknownKeys,
} from '../validate';
import type { Dataset, FeatureSet } from './dataset';
import { allocate, DEFAULT_MAX_DENSE_BYTES, denseLimitText, expectRegularFile, formatBytes } from './limits';
import { textClasses } from './labels';

/** Delimiters the loader takes; the first three are detected, '|' must be asked for. */
export const CSV_DELIMITERS = Object.freeze([',', ';', '\t', '|'] as const);
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** What loadCsvFeatures takes: CsvDatasetOptions without `label`, as every column is a feature. */
export interface CsvFeaturesOptions {
  /**
   * Whether the first row is a header. Default: detected from the first two rows, as loadCsvDataset's rule
   * (b) with every column a feature (rule (a) needs a label column): row 1 is a header when every cell of
   * it is a name or a missing-value marker, at least one is a name, and some name stands above a number
   * on row 2 (`len,width` above `5.1,3.5`); or (c) when its cells are 0, 1, ..., n-1 as written, n >= 3
   * columns: pandas' default column names (`df.to_csv(index=False)` of a frame without names). Otherwise
   * row 1 is data, so that a typo or a missing value on it is an error for line 1. A file of one row: a
   * header when all its cells are names or markers and at least one is a name, or when (c) holds (and then
   * refused: no data rows). Not detected (pass `header: true`): other headers of numbers only.
   */
  header?: boolean;
  /**
   * Field delimiter. Default: tab for '.tsv' files, else detected from the first line among ',', ';' and tab.
   * A delimiter ending every line (an empty last cell on rows 1 and 2, or on the only row) is ignored,
   * with the empty last column it makes, which must then be empty on every row; not when `label` is
   * that last column.
   */
  delimiter?: CsvDelimiter;
  /**
   * Upper bound, in bytes, on what is built from the file (default DEFAULT_MAX_DENSE_BYTES, 1 GiB, as
   * for MAT-files): the float32 features (4 bytes a value) and, with labels, the int32 labels (4 bytes a
   * sample) and the distinct label texts (64 bytes plus 2 a character each). Checked as rows are read.
   */
  maxDenseBytes?: number;
  /**
   * Largest file read, in bytes (default 4 GiB, which holds the default maxDenseBytes of features
   * written with up to 15 characters a value, "-1.2345678e-05,"). Checked before reading.
   */
  maxFileBytes?: number;
}

export interface CsvDatasetOptions extends CsvFeaturesOptions {
  /**
   * The label column: its name in the header (exact, else a unique case-insensitive match) or its
   * 0-based index. Default: the last column. Every other column is a feature.
   */
  label?: string | number;
  /**
   * Whether the first row is a header. Default: always when `label` is a name, else detected from the
   * first two rows. A cell of row 1 reads as a name when it is neither a number (in any notation, so
   * that a bad one is reported on its line) nor a missing-value marker (an empty cell, "?", "-", "NA",
   * "N/A", "NaN", "null", "None" and the like, any case). Row 1 is a header when
   * (a) its label cell is a name above a number in the label column of row 2: pandas' `0,1,2,target`
   *     above `5.1,3.5,1.4,2`; or
   * (b) every feature cell of row 1 is a name or a marker, at least one is a name, and some name stands
   *     above a number on row 2: `len,width,species` above `5.1,3.5,setosa`; or
   * (c) its cells, the label's included, are 0, 1, ..., n-1 as written, n >= 3 columns: pandas' default
   *     names of a frame without column names (`DataFrame(np.c_[X, y]).to_csv(index=False)`), as for loadCsvFeatures.
   * Otherwise row 1 is data, so that a typo in a feature cell among numbers ("0.5x", a Unicode minus,
   * "1 234"), a missing value or an ID column is an error for line 1 (not a header that drops a sample),
   * and text labels need no header. A file of one row: a header when every feature cell is a name or a
   * marker and at least one is a name, or when (c) holds. Not detected (pass `header: true`): numeric feature names above text labels
   * (`0,1,species` above `5.1,3.5,setosa`), and a header mixing numeric and text feature names above
   * text labels (`size,2019,2020,species` above `4,5.1,3.5,setosa`).
   */
  header?: boolean;
}

const DEFAULT_MAX_FILE_BYTES = 2 ** 32;
/** Most characters one record may take (a row of 10 million features at 25 characters each). */
const MAX_RECORD_CHARS = 2 ** 28;
/** Bytes of the file's start read to detect the delimiter from its first line. */
const HEAD_BYTES = 64 * 1024;
/** What one distinct label text is counted at: its UTF-16 characters and a Map entry's overhead. */
const LABEL_OVERHEAD_BYTES = 64;
/** Column names listed in "not found" errors, at most. */
const LISTED_NAMES = 12;
/** Numeric labels are refused as continuous when not all whole and more distinct than this and than half the rows. */
const CONTINUOUS_MIN_VALUES = 10;
/** Missing-value markers, pandas' and R's among them, any case: cells that are no column names. */
const MISSING = /^(?:|\?+|-+|\.|[+-]?nan|n\/?a|#n\/?a|#na|<na>|null|none|nil|missing|undefined)$/i;
/** Numbers that Number() does not read: infinities as Python writes them, and a decimal comma. */
const OTHER_NUMBER = /^(?:[+-]?inf(?:inity)?|[+-]?(?:\d+,\d*|,\d+)(?:e[+-]?\d+)?)$/i;

/** A cell's value if it is a finite number in decimal notation, else NaN. */
function decimal(cell: string): number {
  if (!DECIMAL_NOTATION.test(cell)) return NaN;
  const v = Number(cell);
  return Number.isFinite(v) ? v : NaN;
}

/** Whether a cell is a number in any notation, which the loader may still refuse (0x10, 1,5, Infinity). */
function isNumber(cell: string): boolean {
  return cell !== '' && (!Number.isNaN(Number(cell)) || OTHER_NUMBER.test(cell));
}

/** Whether a cell of row 1 reads as a column name: neither a number nor a missing-value marker. */
function isName(cell: string): boolean {
  return !isNumber(cell) && !MISSING.test(cell);
}

/**
 * Load a dataset from a CSV or TSV file: a row per sample, numeric features and a label column.
 * Labels may be numbers (classes in ascending order of value, as loadMatDataset) or any text (classes
 * in code-unit order of the texts, kept in `labelNames`; `labels` is then 0..classes-1). Numeric labels
 * that look continuous (a regression target) are refused: not all whole numbers, and more than
 * CONTINUOUS_MIN_VALUES (10) distinct values and more than half as many as rows. An empty label cell is
 * refused, whatever the other labels: an empty class name is almost surely a missing value. So is a
 * missing-value marker ("NA", "?", "NaN", "null"...) among numeric labels, which would otherwise turn the
 * column into text labels (and a regression target into one class a sample); among text labels it is a
 * class like the others ("NA" beside "EU" and "AS").
 */
export async function loadCsvDataset(path: string, options?: CsvDatasetOptions): Promise<Dataset> {
  expectString('path', path);
  return readCsv(path, csvOptions(options, true), true, (rows, name) => rows.finish(name));
}

/**
 * Load the features only from a CSV or TSV file without labels: a row per sample, every column a
 * numeric feature (a header detected as CsvFeaturesOptions.header says). The same reading, checks, limits
 * and error messages as loadCsvDataset, whose label rules do not apply: a single column is one feature.
 */
export async function loadCsvFeatures(path: string, options?: CsvFeaturesOptions): Promise<FeatureSet> {
  expectString('path', path);
  return readCsv(path, csvOptions(options, false), false, (rows, name) => rows.finishFeatures(name));
}

/** Reads the rows of `path` into a RowBuilder (labelled: with a label column) and ends with `done`. */
async function readCsv<T>(
  path: string,
  opts: CsvDatasetOptions,
  labelled: boolean,
  done: (rows: RowBuilder, name: string) => T,
): Promise<T> {
  const maxDense = opts.maxDenseBytes ?? DEFAULT_MAX_DENSE_BYTES;
  const maxFile = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let fh: FileHandle | undefined;
  let input: ReadStream | undefined;
  try {
    // stat before open: opening a FIFO waits for a writer, and some devices act when opened.
    expectRegularFile(await stat(path), path);
    // O_NONBLOCK: should the path have become a FIFO since, open returns at once and fstat refuses it.
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const { size } = expectRegularFile(await fh.stat(), path);
    if (size > maxFile) {
      throw new DataFormatError(
        `cannot read the file: it has ${formatBytes(size)}${size >= 1024 ? ` (${size} bytes)` : ''}, over the maxFileBytes limit of ${formatBytes(maxFile)}; ` +
          'if the data really is that large, raise the maxFileBytes option',
        path,
      );
    }
    let delimiter = opts.delimiter;
    if (delimiter === undefined) {
      if (extname(path).toLowerCase() === '.tsv') {
        delimiter = '\t';
      } else {
        const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
        const { bytesRead } = await fh.read(head, 0, head.length, 0);
        delimiter = detectDelimiter(head.subarray(0, bytesRead).toString('utf8'));
      }
    }
    const parser = parse({
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true, // ragged rows are reported below, in this loader's words
      info: true,
      max_record_size: MAX_RECORD_CHARS,
      // Given, not discovered: until it has found one, csv-parse allocates buffers at every byte, which
      // made a long first line 10 times slower to read (and to refuse, beyond MAX_RECORD_CHARS).
      record_delimiter: ['\r\n', '\n', '\r'],
    });
    input = fh.createReadStream({ start: 0, autoClose: false });
    // Errors of any stream reach the loop below through the parser, which pipeline destroys with them.
    pipeline(input, new Utf8Check(), parser, () => undefined);
    const rows = new RowBuilder(path, delimiter, opts, maxDense, labelled);
    // csv-parse gives the line a record ends on, and counts a CRLF inside quotes as two lines. A record
    // starts one line past the previous one's end (corrected) and the blank lines skipped since.
    let end = 0;
    let blank = 0;
    let twice = 0;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const skipped = info.empty_lines - blank;
      const start = end - twice + 1 + skipped;
      if (info.lines - end - skipped > 1) twice += crlfCount(record); // line breaks in quoted cells
      end = info.lines;
      blank = info.empty_lines;
      rows.add(record, start);
    }
    return done(rows, basename(path, extname(path)));
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    if (e instanceof Utf8Failure && fh) {
      const line = await lineAt(fh, e.offset);
      throw new DataFormatError(
        `Expected UTF-8 text for line ${line} but received the byte 0x${e.byte.toString(16).toUpperCase().padStart(2, '0')} ` +
          `(byte ${e.offset} of the file), not valid UTF-8 there: save the file as UTF-8 (it may be Latin-1 or Windows-1252)`,
        path,
      );
    }
    if (e instanceof Utf16Failure) {
      throw new DataFormatError(
        `Expected UTF-8 text (or UTF-16 little-endian with a byte order mark, FF FE) but received UTF-16 ${e.form}: ` +
          'only these two are read; save the file as UTF-8',
        path,
      );
    }
    if (e instanceof CsvError) {
      throw new DataFormatError(`cannot parse the file as CSV: ${e.message}`, path, { cause: e });
    }
    throw new DataFormatError(`cannot read the file: ${(e as Error).message}`, path, { cause: e });
  } finally {
    input?.destroy();
    await fh?.close();
  }
}

function csvOptions(options: unknown, labelled: boolean): CsvDatasetOptions {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, [...(labelled ? ['label'] : []), 'header', 'delimiter', 'maxDenseBytes', 'maxFileBytes']);
  const { label, header } = opts;
  if (label !== undefined) {
    if (typeof label === 'number') expectInteger('options.label', label, { min: 0 });
    else if (typeof label !== 'string' || label.length === 0) fail('a column name or a 0-based column index', 'options.label', label);
  }
  if (header !== undefined) expectBoolean('options.header', header);
  if (typeof label === 'string' && header === false) {
    throw new ValidationError(
      `Expected a 0-based column index for options.label with options.header false (no header to find a name in) but received ${describe(label)}`,
    );
  }
  if (opts.delimiter !== undefined) expectOneOf('options.delimiter', opts.delimiter, CSV_DELIMITERS);
  if (opts.maxDenseBytes !== undefined) expectInteger('options.maxDenseBytes', opts.maxDenseBytes, { min: 1 });
  if (opts.maxFileBytes !== undefined) expectInteger('options.maxFileBytes', opts.maxFileBytes, { min: 1 });
  return opts as CsvDatasetOptions;
}

/** How many CRLF the cells of a record hold. */
function crlfCount(record: string[]): number {
  let n = 0;
  for (const cell of record) for (let i = cell.indexOf('\r\n'); i >= 0; i = cell.indexOf('\r\n', i + 2)) n++;
  return n;
}

/** Where the file stops being UTF-8: its first byte that is not part of a well-formed sequence. */
class Utf8Failure extends Error {
  constructor(
    readonly offset: number,
    readonly byte: number,
  ) {
    super(`not UTF-8 at byte ${offset}`);
  }
}

/** A file in a UTF-16 form that csv-parse does not decode: big-endian, or without a byte order mark. */
class Utf16Failure extends Error {
  constructor(readonly form: string) {
    super(`UTF-16 ${form}`);
  }
}

/** Bytes of the file's start looked at for zero bytes, which UTF-16 text has and UTF-8 text does not. */
const UTF16_PROBE_BYTES = 1024;

/**
 * How the start of a file not starting with FF FE looks UTF-16: with the byte order mark FE FF, or with
 * zero bytes at a quarter or more of its odd (little-endian ASCII) or even (big-endian) offsets and few
 * at the others, as no text in UTF-8 has (a file of zeros has them at both); undefined if it does not.
 */
function utf16Form(head: Uint8Array): string | undefined {
  if (head[0] === 0xfe && head[1] === 0xff) return 'big-endian (the file starts with the byte order mark FE FF)';
  const pairs = Math.floor(Math.min(head.length, UTF16_PROBE_BYTES) / 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < 2 * pairs; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  const most = Math.max(even, odd);
  if (pairs === 0 || 4 * most < pairs || 4 * Math.min(even, odd) >= most) return undefined;
  return `${odd > even ? 'little' : 'big'}-endian without a byte order mark (${most} of its first ${2 * pairs} bytes are zero, at ${odd > even ? 'odd' : 'even'} offsets)`;
}

/**
 * Passes the file's bytes through unchanged, checking that they are UTF-8 (unless the file starts with
 * a UTF-16 little-endian byte order mark, which csv-parse decodes): csv-parse would decode other bytes
 * into U+FFFD, which makes distinct labels equal. A character split between chunks is checked whole.
 * Other UTF-16 is refused as such from the first chunk: zero bytes are valid UTF-8, and FE FF is
 * otherwise reported as a Latin-1 byte.
 */
class Utf8Check extends Transform {
  /** Bytes of the file before `tail`. */
  private at = 0;
  /** The incomplete character that ended the last chunk. */
  private tail = Buffer.alloc(0);
  private utf16: boolean | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.utf16 === undefined) {
      this.utf16 = chunk[0] === 0xff && chunk[1] === 0xfe;
      const form = this.utf16 ? undefined : utf16Form(chunk);
      if (form !== undefined) {
        done(new Utf16Failure(form));
        return;
      }
    }
    if (!this.utf16) {
      const buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
      const end = completeLength(buf);
      if (!isUtf8(buf.subarray(0, end))) {
        const i = Math.min(utf8ErrorAt(buf.subarray(0, end)), end - 1);
        done(new Utf8Failure(this.at + i, buf[i]));
        return;
      }
      this.at += end;
      this.tail = Buffer.from(buf.subarray(end)); // a copy: the chunk is not kept
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.tail.length > 0 ? new Utf8Failure(this.at, this.tail[0]) : null);
  }
}

/** `buf`'s length less the bytes of an incomplete last character (a lead byte short of its continuation bytes). */
function completeLength(buf: Uint8Array): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
    const b = buf[i];
    if (b < 0x80) break;
    if (b >= 0xc0) return buf.length - i < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? i : buf.length;
  }
  return buf.length;
}

/** Index of the first byte of `buf` that does not start a well-formed UTF-8 sequence; `buf.length` if none. */
function utf8ErrorAt(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // The continuation bytes' count, and the range of the first (which excludes overlong forms, surrogates, > U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = i + k < buf.length ? buf[i + k] : -1;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return buf.length;
}

/** The line of byte `offset` of the file, counted as csv-parse does (CRLF, LF or CR ends one). */
async function lineAt(fh: FileHandle, offset: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(offset, 1 << 20));
  let line = 1;
  let cr = false;
  for (let pos = 0; pos < offset; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, offset - pos), pos);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) {
      const b = buf[i];
      if (b === 0x0d || (b === 0x0a && !cr)) line++;
      cr = b === 0x0d;
    }
    pos += bytesRead;
  }
  return line;
}

/**
 * The delimiter of the first non-blank line among ',', ';' and tab: the one found most often outside
 * quotes (ties: ',' then tab then ';'); ',' when there is none (a single column, refused later).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  let blank = true;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      quoted = !quoted; // an escaped "" toggles twice
      blank = false;
    } else if (!quoted) {
      if (c === '\n' || c === '\r') {
        if (!blank) break;
      } else if (c === ',' || c === '\t' || c === ';') {
        counts[c]++;
        blank = false;
      } else if (c !== ' ') {
        blank = false;
      }
    }
  }
  let best: CsvDelimiter = ',';
  for (const d of ['\t', ';'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

const cellText = (cell: string) => (cell === '' ? 'an empty cell' : describe(cell));

/** Takes the parsed records one by one, checks them and fills the growing arrays. */
class RowBuilder {
  /** The first record's columns, which every record must have. */
  private columns = -1;
  /** The columns read: `columns`, less an empty last one made by a delimiter ending every line. */
  private width = -1;
  private firstLine = 0;
  private labelCol = -1;
  private names: string[] | undefined;
  /** The first record, kept until the second tells whether it is a header. */
  private pending: string[] | undefined;
  private features = 0;
  private rows = 0;
  private capacity = 0;
  private X = new Float32Array(0);
  /** Each row's label as the id of its text, in order of first appearance. */
  private ids = new Int32Array(0);
  private readonly labelIds = new Map<string, number>();
  /** The line each distinct label text is first seen on, by id: where a missing label is reported. */
  private readonly labelLines: number[] = [];
  private labelBytes = 0;

  constructor(
    private readonly file: string,
    private readonly delimiter: CsvDelimiter,
    private readonly opts: CsvDatasetOptions,
    private readonly maxDense: number,
    /** Whether a column holds the labels (loadCsvDataset); without, every column is a feature (loadCsvFeatures). */
    private readonly labelled: boolean,
  ) {}

  private error(message: string): DataFormatError {
    return new DataFormatError(message, this.file);
  }

  /** "column 3" or 'column 3 ("petal_width")', 1-based like the line. */
  private column(j: number): string {
    return this.names ? `column ${j + 1} (${quoted(this.names[j])})` : `column ${j + 1}`;
  }

  /** Takes a record that starts on line `line`. */
  add(record: string[], line: number): void {
    if (this.columns < 0) {
      this.first(record, line);
      return;
    }
    if (this.pending) this.decide(record);
    this.row(record, line);
  }

  private row(record: string[], line: number): void {
    if (record.length !== this.columns) {
      throw this.error(
        `Expected ${this.columns} columns (as on line ${this.firstLine}) for line ${line} but received ${record.length}`,
      );
    }
    const width = this.width;
    if (width < this.columns && record[width] !== '') {
      throw this.error(
        `Expected an empty cell for line ${line}, column ${width + 1} (the first lines end with a delimiter, taken as ` +
          `an empty last column, which is ignored) but received ${describe(record[width])}`,
      );
    }
    const f = this.features;
    if (this.rows === this.capacity) this.grow(line);
    const X = this.X;
    let o = this.rows * f;
    for (let j = 0; j < width; j++) {
      if (j === this.labelCol) continue;
      const cell = record[j];
      const v = decimal(cell);
      if (Number.isNaN(v)) {
        throw this.error(`Expected a finite number for line ${line}, ${this.column(j)} but received ${cellText(cell)}`);
      }
      const x = Math.fround(v);
      if (!Number.isFinite(x)) {
        throw this.error(
          `Expected a finite number within float32 range (magnitude < 3.4e38) for line ${line}, ${this.column(j)} but received ${cellText(cell)}`,
        );
      }
      X[o++] = x;
    }
    if (!this.labelled) {
      this.rows++;
      return;
    }
    const text = record[this.labelCol];
    if (text === '') throw this.error(`Expected a label for line ${line}, ${this.column(this.labelCol)} but received an empty cell`);
    let id = this.labelIds.get(text);
    if (id === undefined) {
      id = this.labelIds.size;
      this.labelBytes += LABEL_OVERHEAD_BYTES + 2 * text.length;
      this.checkLimit(this.rows + 1, line, this.labelIds.size + 1);
      this.labelIds.set(text, id);
      this.labelLines.push(line);
    }
    this.ids[this.rows++] = id;
  }

  /** The first record: its columns and a label column given by the options; kept for decide(). */
  private first(record: string[], line: number): void {
    const cols = record.length;
    if (cols < 2 && this.labelled) {
      const name = this.delimiter === '\t' ? 'tab' : JSON.stringify(this.delimiter);
      throw this.error(
        `Expected at least 2 columns (features and a label) for line ${line} but received 1 with the delimiter ${name}`,
      );
    }
    this.columns = cols;
    this.firstLine = line;
    const { label } = this.opts;
    if (typeof label === 'number') {
      if (label >= cols) {
        throw this.error(`the label column ${label} (0-based) is beyond the ${cols} columns of line ${line} (indices 0 to ${cols - 1})`);
      }
      this.labelCol = label;
    } else if (typeof label === 'string') {
      this.labelCol = findColumn(record, label, line, this.file); // a name implies a header
    }
    this.pending = record;
  }

  /**
   * With the second record (undefined when the file has one): whether the first ends with an ignored
   * empty column and is a header (see CsvDatasetOptions.header); reads it as a row if it is not.
   */
  private decide(second: string[] | undefined): void {
    const first = this.pending as string[];
    this.pending = undefined;
    const last = this.columns - 1;
    // A delimiter at the end of every line, header included, would make an empty label column.
    // At least one feature (and the label) must be left.
    const least = this.labelled ? 2 : 1;
    const trailing = last >= least && first[last] === '' && (second === undefined || second[last] === '') && this.labelCol !== last;
    this.width = trailing ? last : this.columns;
    this.features = this.labelled ? this.width - 1 : this.width;
    if (this.labelCol < 0 && this.labelled) this.labelCol = this.width - 1;
    const header = this.opts.header ?? (typeof this.opts.label === 'string' || this.looksLikeHeader(first, second));
    if (header) this.names = first.slice(0, this.width);
    else this.row(first, this.firstLine);
  }

  /**
   * Rule (a), (b) or (c) of CsvDatasetOptions.header; with a single row, names and markers only among its features.
   * Without labels (labelCol -1), rule (b) or (c) of CsvFeaturesOptions.header.
   */
  private looksLikeHeader(first: string[], second: string[] | undefined): boolean {
    const label = this.labelCol;
    const above = (j: number) => second !== undefined && j < second.length && isNumber(second[j]);
    // (a) A label name decides alone, so that numeric feature names (pandas') need no header: true.
    if (label >= 0 && isName(first[label]) && above(label)) return true;
    // (c) pandas' default names of a frame without column names: 0, 1, ..., n-1 as written, the labels' included.
    if (this.width >= 3 && first.slice(0, this.width).every((cell, j) => cell === String(j))) return true;
    // (b) Otherwise all features must be names: one odd cell among numbers is a typo in a sample.
    let named = false;
    let overNumber = false;
    for (let j = 0; j < this.width; j++) {
      if (j === label) continue;
      if (isName(first[j])) {
        named = true;
        if (above(j)) overNumber = true;
      } else if (!MISSING.test(first[j])) return false; // a number
    }
    return named && (second === undefined || overNumber);
  }

  /**
   * A missing-value marker among labels that are otherwise numbers is a missing label, not a class: as
   * one, it would make every label a text, and a continuous target would escape expectClasses.
   */
  private expectNoMissingLabel(texts: string[], values: number[]): void {
    let missing = -1;
    let numbers = false;
    for (let id = 0; id < texts.length; id++) {
      if (!Number.isNaN(values[id])) numbers = true;
      else if (!MISSING.test(texts[id])) return; // text labels, where "NA" may be a class
      else if (missing < 0) missing = id; // ids are in order of first appearance: the first line
    }
    if (missing < 0 || !numbers) return;
    throw this.error(
      `Expected a label for line ${this.labelLines[missing]}, ${this.column(this.labelCol)} but received ${describe(texts[missing])}, ` +
        'a missing value (the other labels are numbers): remove the rows without a label, or fill them in',
    );
  }

  /**
   * Numeric labels with more distinct values than CONTINUOUS_MIN_VALUES and than half the rows, not all
   * whole numbers, are a continuous target (regression data): hundreds of classes of a sample or two
   * each, silently. Whole numbers (1.0 included) and text labels are classes, however many.
   */
  private expectClasses(distinct: number, texts: string[], values: number[], samples: number): void {
    if (distinct <= CONTINUOUS_MIN_VALUES || 2 * distinct <= samples) return;
    const fraction = values.findIndex((v) => !Number.isInteger(v));
    if (fraction < 0) return;
    throw this.error(
      `Expected class labels for ${this.column(this.labelCol)} but received ${distinct} distinct numbers in ${samples} rows, ` +
        `not all whole (such as ${describe(texts[fraction])}): a continuous target, as for regression, cannot be classified; ` +
        'choose the column of the classes as the label, or bin the values into classes',
    );
  }

  /** Bytes of a row: its float32 features, and its int32 label id when labelled. */
  private get rowBytes(): number {
    return this.features * 4 + (this.labelled ? 4 : 0);
  }

  /** The features and labels of `rows` rows and the texts of their `labels` distinct labels must fit maxDenseBytes. */
  private checkLimit(rows: number, line: number, labels = this.labelIds.size): void {
    const bytes = rows * this.rowBytes + this.labelBytes;
    if (bytes <= this.maxDense) return;
    const what = this.labelled
      ? `the float32 features and the labels of ${rows} rows of ${this.features} features (up to line ${line}), ` +
        `with ${labels} distinct label${labels === 1 ? '' : 's'}`
      : `the float32 features of ${rows} rows of ${this.features} features (up to line ${line})`;
    throw this.error(`cannot hold ${what}: ${denseLimitText(bytes, this.maxDense)}`);
  }

  /** Room for more rows: doubled, within what maxDenseBytes allows. */
  private grow(line: number): void {
    this.checkLimit(this.rows + 1, line);
    const most = Math.max(this.rows + 1, Math.floor((this.maxDense - this.labelBytes) / this.rowBytes));
    const capacity = Math.min(Math.max(this.capacity * 2, 1024), most);
    const f = this.features;
    const X = allocate(Float32Array, capacity * f, `the float32 features of ${capacity} rows of ${f} features`, this.file);
    X.set(this.X.subarray(0, this.rows * f));
    this.X = X;
    if (this.labelled) {
      const ids = allocate(Int32Array, capacity, `the labels of ${capacity} rows`, this.file);
      ids.set(this.ids.subarray(0, this.rows));
      this.ids = ids;
    }
    this.capacity = capacity;
  }

  /** The features read (loadCsvFeatures), once every record was added. */
  finishFeatures(name: string): FeatureSet {
    const X = this.takeFeatures();
    return this.withNames({ name, X, samples: this.rows, features: this.features });
  }

  /** `set` with the header's feature names, when the file has a header of names (pandas' 0, 1, ... are none). */
  private withNames<T extends FeatureSet>(set: T): T {
    const names = this.names?.slice(0, this.width);
    if (names && !names.every((n, j) => n === String(j))) set.featureNames = names.filter((_, j) => j !== this.labelCol);
    return set;
  }

  /** The rows' features, trimmed to their number; the file must have had a data row. */
  private takeFeatures(): Float32Array {
    if (this.columns < 0) throw this.error('the file is empty: no rows');
    if (this.pending) this.decide(undefined);
    if (this.rows === 0) throw this.error(`the file has a header (line ${this.firstLine}) but no data rows`);
    const X = this.capacity === this.rows ? this.X : this.X.slice(0, this.rows * this.features);
    this.X = new Float32Array(0);
    return X;
  }

  /** The dataset read (loadCsvDataset), once every record was added. */
  finish(name: string): Dataset {
    const X = this.takeFeatures();
    const samples = this.rows;
    const features = this.features;
    const y = this.capacity === samples ? this.ids : this.ids.slice(0, samples);
    this.ids = new Int32Array(0);

    const texts = [...this.labelIds.keys()]; // in id order
    const values = texts.map(decimal);
    this.expectNoMissingLabel(texts, values);
    // Numbers beyond 2^53 would be rounded, maybe together: such labels stay texts, all distinct.
    const numeric = values.every((v) => Math.abs(v) < 2 ** 53); // false for NaN
    const classOf = new Int32Array(texts.length);
    let labels: number[];
    let labelNames: string[] | undefined;
    if (numeric) {
      labels = [...new Set(values.map((v) => (v === 0 ? 0 : v)))].sort((a, b) => a - b); // -0 and 0 are one label
      this.expectClasses(labels.length, texts, values, samples);
      const index = new Map(labels.map((l, c) => [l, c]));
      values.forEach((v, id) => (classOf[id] = index.get(v === 0 ? 0 : v) as number));
    } else {
      const classes = textClasses(texts);
      classOf.set(classes.classOf);
      labelNames = classes.labelNames;
      labels = labelNames.map((_, c) => c);
    }
    for (let i = 0; i < samples; i++) y[i] = classOf[y[i]];
    const dataset: Dataset = { name, X, y, samples, features, classes: labels.length, labels };
    if (labelNames) dataset.labelNames = labelNames;
    return this.withNames(dataset);
  }
}

/** A name from the file or the user, quoted for a message: long ones cut (a header name may be megabytes). */
function quoted(name: string): string {
  return JSON.stringify(name.length > QUOTED_CHARS ? `${name.slice(0, QUOTED_CHARS)}...` : name);
}
const QUOTED_CHARS = 80;

/** The label column by name: exact first, then a unique case-insensitive match. */
function findColumn(header: string[], wanted: string, line: number, file: string): number {
  const exact = header.flatMap((n, j) => (n === wanted ? [j] : []));
  const lower = wanted.toLowerCase(); // once, not per column
  const folded = exact.length > 0 ? [] : header.flatMap((n, j) => (n.toLowerCase() === lower ? [j] : []));
  const matches = exact.length > 0 ? exact : folded;
  if (matches.length === 1) return matches[0];
  const listed = header.slice(0, LISTED_NAMES).map(quoted).join(', ');
  const found = header.length > LISTED_NAMES ? `${listed}, ... (${header.length} in all)` : listed;
  if (matches.length > 1) {
    const first = matches.slice(0, LISTED_NAMES).map((j) => j + 1).join(', ');
    const cols = matches.length > LISTED_NAMES ? `${first}, ... (${matches.length} in all)` : first;
    throw new DataFormatError(`the label column ${quoted(wanted)} is ambiguous: columns ${cols} of the header on line ${line} match it`, file);
  }
  throw new DataFormatError(`no column ${quoted(wanted)} for the label in the header on line ${line} (found: ${found})`, file);
}

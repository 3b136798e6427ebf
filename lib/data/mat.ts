/**
 * MATLAB Level 5 MAT-file reader (the format of `save -v6` / `-v7`), written on Node's zlib.
 *
 * Format reference: "MAT-File Format" (MathWorks, R2019b+ PDF). A file is a 128-byte header followed
 * by data elements; each element has a tag (type, byte count) and its data, padded to 8 bytes.
 * Numbers are converted by the element's stored type, not by the array's class: MATLAB saves a
 * `double` matrix of small integers as miUINT8 or miINT16 to save space.
 *
 * Level 4 (v4) files are recognized and refused with a message that says how to save a v5 file. readMat
 * reads v7.3 (HDF5) files with mat73.ts; parseMat, which has only bytes, refuses them.
 *
 * GNU Octave's v5 files (save -v6, -v7) are read as Octave holds them, though it writes some things its
 * own way (test/data/mat-octave.test.ts): char rows as miUTF16, char matrices as miUTF8 of one byte per
 * element, a char matrix of 3 or 4 characters over several rows declared 4 bytes too long, sparse
 * logical arrays with a dense class. Its other formats (text, its save's default; binary; gzip) are
 * refused with what they are.
 *
 * Every malformed input raises DataFormatError, and a corrupt size cannot make us allocate gigabytes:
 * - readMat reads regular files only (not /dev/zero or a pipe), and checks the header first;
 * - sizes are checked against the bytes that remain before anything is allocated;
 * - a compressed element is inflated only after its first bytes were checked, and never beyond the
 *   size its variable's tag declares, which maxInflatedBytes bounds;
 * - numbers become float64, 8 bytes each whatever their stored type (a 2 GiB uint8 array would take
 *   16 GiB), so every array of numbers is refused beyond maxDenseBytes before it is decoded: a dense
 *   array by the dims in its header (in a compressed element, before the element is inflated), the
 *   parts of a sparse or char array by their element's size, a dense copy of a sparse matrix by its dims;
 * - char arrays are decoded from typed arrays in chunks (never through arrays of JS numbers), into
 *   strings of 1 or 2 bytes a character; they are bounded as numbers are, at 8 bytes a character;
 * - a cell array's elements are read only if its bytes can hold as many as its dims declare (8 bytes
 *   each at least); every variable and every element of a cell array counts CELL_ENTRY_BYTES (what a
 *   parsed one takes in memory, measured), and the values of cells count too, against one budget of
 *   maxDenseBytes for the whole file, so that millions of empty cells or variables are refused rather
 *   than held; cells nested deeper than MAX_CELL_DEPTH are kept without their contents;
 * - a name is read up to MAX_NAME_BYTES, dims up to MAX_DIMS, and messages show long dims shortened.
 * What can still be large is data that is really there: the file (< 2 GiB), and a consistent
 * compressed element, which may inflate to maxInflatedBytes.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { DataFormatError } from '../errors';
import { describe, expectInteger, expectOptions, fail, isFloat64Array, isNumberList, isUint8Array, rejectUnknownKeys } from '../validate';
import { allocate, DEFAULT_MAX_DENSE_BYTES, denseLimitText, expectRegularFile, maxDenseOption } from './limits';
import { dimsText } from './mat-dims';
import { trimEndOf } from '../text';
import { readFailureText } from '../files';
import { readMat73 } from './mat73';
import { LIBSVM_NAME_HINT, looksLikeLibsvm } from './libsvm';

// Re-exported: the public API has always taken it from here.
export { DEFAULT_MAX_DENSE_BYTES };

/** A sparse matrix in compressed sparse column form (MATLAB's own layout), 0-based indices. */
export interface SparseMatrix {
  rows: number;
  cols: number;
  /** Row index of each nonzero (length nnz). */
  ir: Int32Array;
  /** Column start offsets into ir/pr (length cols + 1). */
  jc: Int32Array;
  /** Value of each nonzero (real part; length nnz). */
  pr: Float64Array;
}

export interface MatVariable {
  name: string;
  /** MATLAB class: 'double', 'single', 'int8'..'uint64', 'logical', 'sparse', 'char', 'cell', 'struct', ... */
  className: string;
  dims: number[];
  /** The array had an imaginary part (dropped: only the real part is kept; loadMatDataset refuses it). */
  complex: boolean;
  /**
   * Set for a complex numeric or sparse array read from a file: true when its imaginary part is all
   * zero (real values saved in a complex type), which loadMatDataset's message then says.
   */
  imaginaryZero?: boolean;
  /** Dense numeric data, column-major, real part. */
  data?: Float64Array;
  /** Sparse numeric data (className 'sparse'). */
  sparse?: SparseMatrix;
  /**
   * Set instead of `data` only in the files loadMatDataset and loadMatFeatures read (never by readMat): a
   * top-level dense numeric variable whose values maxDenseBytes cannot hold, left unread in case another
   * variable is chosen; the error that reading it gives, which choosing it gives.
   */
  unread?: string;
  /** Text of a char array (rows joined with '\n'). */
  text?: string;
  /**
   * The rows of a 2-D char array, one string each (MATLAB's padding kept), when its characters match
   * its dims; `text` is them joined with '\n'.
   */
  lines?: string[];
  /**
   * The elements of a cell array, column-major, each parsed as a variable with an empty name; absent
   * for a cell nested deeper than MAX_CELL_DEPTH, whose contents are skipped.
   */
  cells?: MatVariable[];
}

export interface MatFile {
  /** The descriptive text of the header, trimmed. */
  header: string;
  variables: MatVariable[];
}

export interface DenseOptions {
  /**
   * Upper bound, in bytes, on each array of numbers made from a size the file declares (default
   * DEFAULT_MAX_DENSE_BYTES, 1 GiB), counted at 8 bytes a value (float64): a dense numeric or char
   * variable (checked from its dims, before its compressed element is inflated), the indices and
   * values of a sparse one, and a dense copy of a sparse matrix (sparseToDense, denseData). parseMat
   * also counts against it, for the whole file, every variable and cell (CELL_ENTRY_BYTES each) and the
   * values of cells.
   */
  maxDenseBytes?: number | undefined;
}

/*
 * One option, maxDenseBytes, bounds both the float64 data the reader decodes and the dense copies of
 * sparse matrices (and, in loadMatDataset, the float32 features): all are arrays whose size comes from
 * what the file declares rather than from the bytes it holds (a uint8 array takes 8x its stored size
 * once decoded; a sparse one any size at all). They cost the same thing, memory, so a second limit
 * would only be a second knob to find; a user with a really large data set raises the one that the
 * error names.
 */
export interface ParseMatOptions extends DenseOptions {
  /** Upper bound on the bytes one compressed element may inflate to (default 2 GiB - 1, MATLAB's -v7 limit). */
  maxInflatedBytes?: number | undefined;
}

/** The limits parseMat works under, from ParseMatOptions. */
interface Limits {
  maxInflated: number;
  maxDense: number;
}

/**
 * What the variables of one file and the contents of its cell arrays take, counted against
 * maxDenseBytes: CELL_ENTRY_BYTES each, and the values of cells. One for the whole parseMat call.
 */
interface Budget {
  used: number;
  max: number;
}

/** What parsing a variable needs beside its bytes: the limit of one array's values, and the file's budget. */
interface ParseState {
  maxDense: number;
  budget: Budget;
  /** Leave a numeric variable beyond maxDense unread (MatVariable.unread) instead of refusing the file (readMatFile). */
  lenient?: boolean;
}

const miINT8 = 1;
const miUINT8 = 2;
const miINT16 = 3;
const miUINT16 = 4;
const miINT32 = 5;
const miUINT32 = 6;
const miSINGLE = 7;
const miDOUBLE = 9;
const miINT64 = 12;
const miUINT64 = 13;
const miMATRIX = 14;
const miCOMPRESSED = 15;
const miUTF8 = 16;
const miUTF16 = 17;
const miUTF32 = 18;

const TYPE_NAMES: Record<number, string> = {
  1: 'miINT8', 2: 'miUINT8', 3: 'miINT16', 4: 'miUINT16', 5: 'miINT32', 6: 'miUINT32', 7: 'miSINGLE',
  9: 'miDOUBLE', 12: 'miINT64', 13: 'miUINT64', 14: 'miMATRIX', 15: 'miCOMPRESSED', 16: 'miUTF8',
  17: 'miUTF16', 18: 'miUTF32',
};
/** Bytes per value of the numeric and text element types. */
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };

/** mxCLASS codes 1..17 (index = code). */
const CLASS_NAMES = [
  '', 'cell', 'struct', 'object', 'char', 'sparse', 'double', 'single',
  'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'function', 'opaque',
];
const mxCELL_CLASS = 1;
const mxCHAR_CLASS = 4;
const mxSPARSE_CLASS = 5;
const mxOPAQUE_CLASS = 17;
const FLAG_COMPLEX = 0x800;
const FLAG_LOGICAL = 0x200;

const HEADER_BYTES = 128;
/** Where a MAT v7.3 file's HDF5 signature is: after the 512-byte user block that holds the MAT header. */
const HDF5_AT = 512;
/** Typed-array views read in the platform's byte order; only then can they stand in for DataView. */
const PLATFORM_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const DEFAULT_MAX_INFLATED = 2 ** 31 - 1;
/** Largest file readMat reads (the limit of Node's readFile, which it used before). */
const MAX_FILE_BYTES = 2 ** 31 - 1;
/** A compressed element's first inflate must give this much: the variable's tag and its array flags. */
const HEAD_BYTES = 24;
/**
 * Most of a compressed element's head inflated to find a dense variable's dims and name before the
 * rest (tag, flags, then dims and name, ~100 bytes in practice). An array with more dims than fit is
 * checked when parsed instead, after inflating (which maxInflatedBytes bounds).
 */
const HEAD_MAX_CHECKED = 64 * 1024;
/** Most output one try at the head may give. Deflate expands at most ~1032x: a 1 KiB prefix gives ~1 MiB at most. */
const HEAD_MAX_OUTPUT = 16 * 2 ** 20;
/** Cell arrays are read to this depth (a variable is depth 1, a cell in it 2, ...); deeper ones are kept without contents. */
export const MAX_CELL_DEPTH = 4;
/**
 * What each variable and each element of a cell array counts, beside its values, against the one
 * maxDenseBytes budget of a file: a parsed one (an object, its dims, its name, an empty Float64Array)
 * takes about this much heap whatever it takes in the file, where an empty cell takes 8 bytes and a
 * variable 56. Measured on Node 20 (heapUsed after a GC, a million of them held): 290 bytes an empty
 * cell, 354 a [] cell, 378 a scalar cell, 226-250 a char cell of 1-8 characters, 355 an empty
 * variable named 'a'; rounded up. 1 GiB holds 2 million of them.
 */
export const CELL_ENTRY_BYTES = 512;
/**
 * The longest array name read, in bytes: MATLAB's names have 63 characters at most (namelengthmax),
 * other writers' a few more; a longer one is refused, not decoded (a compressed file of a few KiB may
 * declare a name of a billion bytes).
 */
export const MAX_NAME_BYTES = 4096;
/**
 * The most dims an array may have. MATLAB drops trailing singletons, NumPy takes 32 (64 since 2.0);
 * 1024 keeps any real writer's and holds a dims element to 4 KiB, where a compressed file of a few
 * KiB may declare millions of dims (each a number in memory, and in messages).
 */
export const MAX_DIMS = 1024;
/** Characters decoded at a time into a string (String.fromCharCode takes them as arguments). */
const CHAR_CHUNK = 8192;
const V73_MESSAGE = 'MAT v7.3 (HDF5) files are read from a path (readMat, loadMatDataset), not from bytes (parseMat)';
const V4_MESSAGE = "MAT v4 (Level 4) files are not supported; save with format='5' (scipy) or -v6/-v7 (MATLAB)";

/** A data element's tag, located in its buffer. */
interface Element {
  type: number;
  /** Offset of the element's data. */
  start: number;
  /** Byte count of the data. */
  size: number;
  /** Offset after the element and its padding. */
  next: number;
}

/** One buffer being parsed (the file, or one inflated element), with what error messages need. */
class Source {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
    /** Where this buffer is, for messages: '' for the file, 'in compressed element at offset N' inside one. */
    readonly where: string,
    readonly file: string | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  error(message: string, offset?: number, cause?: unknown): DataFormatError {
    const at = offset === undefined ? '' : ` at offset ${offset}`;
    const where = this.where ? ` (${this.where})` : '';
    return new DataFormatError(`${message}${at}${where}`, this.file, cause === undefined ? undefined : { cause });
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, this.le);
  }

  /** Read the tag at `pos`; the element (not its padding) must end at or before `end`. */
  tag(pos: number, end: number): Element {
    if (end - pos < 8) throw this.error(`truncated data element tag (${end - pos} of 8 bytes)`, pos);
    const word = this.u32(pos);
    // Small data element: the byte count sits in the upper 16 bits and the data in the tag's second word.
    if (word >>> 16 !== 0) {
      const size = word >>> 16;
      if (size > 4) throw this.error(`bad small data element: ${size} bytes do not fit in 4`, pos);
      return { type: word & 0xffff, start: pos + 4, size, next: pos + 8 };
    }
    let size = this.u32(pos + 4);
    if (word === miMATRIX && size % 8 === 4 && this.isOctaveShortChars(pos, size, end)) size -= 4;
    const left = end - pos - 8;
    if (size > left) {
      throw this.error(`data element of ${size} bytes runs past the end of its container (${left} bytes left)`, pos);
    }
    // Compressed elements are not padded; all others are padded to 8 bytes (tolerate a missing last pad).
    const padded = word === miCOMPRESSED ? size : Math.ceil(size / 8) * 8;
    return { type: word, start: pos + 8, size, next: Math.min(pos + 8 + padded, end) };
  }

  /**
   * Whether the miMATRIX at `pos`, of declared `size`, is a char array of 3 or 4 characters over several
   * rows, which Octave (7.3 at least) saves as a small miUTF8 element but declares 4 bytes longer than it
   * is (Octave itself cannot load it from a -v6 file): flags of class char, dims, name, then that element
   * ending the array, `size` - 4 bytes long.
   */
  private isOctaveShortChars(pos: number, size: number, end: number): boolean {
    const start = pos + 8;
    if (end - start < 16 || this.u32(start) !== miUINT32 || this.u32(start + 4) !== 8) return false;
    if ((this.u32(start + 8) & 0xff) !== mxCHAR_CLASS) return false;
    let p = start + 16;
    for (let k = 0; k < 2; k++) {
      // The dims, then the name: a small element takes 8 bytes, another its padded size beside its tag.
      if (end - p < 8) return false;
      p += this.u32(p) >>> 16 !== 0 ? 8 : 8 + Math.ceil(this.u32(p + 4) / 8) * 8;
    }
    if (end - p < 8 || p + 8 - start !== size - 4) return false;
    const word = this.u32(p);
    return word === ((3 << 16) | miUTF8) || word === ((4 << 16) | miUTF8);
  }
}

/** Parse a MAT v5 file held in memory. `file` only labels error messages. */
export function parseMat(buffer: Uint8Array, file?: string, options?: ParseMatOptions): MatFile {
  return parseMatBytes(buffer, file, options, false);
}

/** parseMat; `lenient` as readMatFile's. */
function parseMatBytes(buffer: Uint8Array, file: string | undefined, options: ParseMatOptions | undefined, lenient: boolean): MatFile {
  if (!isUint8Array(buffer)) fail('a Uint8Array', 'buffer', buffer);
  // It goes into messages: a Symbol or an object would fail there with V8's TypeError.
  if (file !== undefined && typeof file !== 'string') fail('a string (the name used in messages) or undefined', 'file', file);
  const limits = parseOptions(options);
  const { header, le } = parseHeader(buffer, file);
  const src = new Source(buffer, le, '', file);
  const variables: MatVariable[] = [];
  const state: ParseState = { maxDense: limits.maxDense, budget: { used: 0, max: limits.maxDense }, lenient };
  parseElements(src, HEADER_BYTES, buffer.length, variables, limits, state, true);
  return { header, variables };
}

function parseOptions(options: unknown): Limits {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, ['maxInflatedBytes', 'maxDenseBytes']);
  return {
    maxInflated:
      opts.maxInflatedBytes === undefined
        ? DEFAULT_MAX_INFLATED
        : expectInteger('options.maxInflatedBytes', opts.maxInflatedBytes, { min: 1 }),
    maxDense:
      opts.maxDenseBytes === undefined
        ? DEFAULT_MAX_DENSE_BYTES
        : expectInteger('options.maxDenseBytes', opts.maxDenseBytes, { min: 1 }),
  };
}

/** Read and parse a MAT-file: v5 (`-v6`, `-v7`) or v7.3 (HDF5, `-v7.3`). */
export async function readMat(path: string, options?: ParseMatOptions): Promise<MatFile> {
  return readMatFile(path, options, false);
}

/**
 * readMat; `lenient` (loadMatDataset's reading) leaves a top-level dense numeric variable beyond
 * maxDenseBytes unread (MatVariable.unread) rather than refusing the file: a large variable beside X and
 * Y is read only if chosen (a compressed one is not inflated).
 */
export async function readMatFile(path: string, options: ParseMatOptions | undefined, lenient: boolean): Promise<MatFile> {
  if (typeof path !== 'string' || path.length === 0) fail('a non-empty string', 'path', path);
  const limits = parseOptions(options); // bad options fail before any I/O
  const bytes = await readMatBytes(path);
  if (bytes instanceof Uint8Array) return parseMatBytes(bytes, path, options, lenient);
  return readMat73(path, bytes.v73Header, limits.maxDense, lenient);
}

/**
 * The bytes of a MAT v5 file, or for a v7.3 (HDF5) file its header text, as the HDF5 reader reads the
 * file itself. Only a regular file: a device or a FIFO (/dev/zero, a pipe) may never end. The header is
 * read and checked first, so a large file that is not a MAT-file is not read.
 */
async function readMatBytes(path: string): Promise<Uint8Array | { v73Header: string }> {
  let fh: FileHandle | undefined;
  try {
    // stat before open: opening a FIFO waits for a writer, and some devices act when opened.
    expectRegularFile(await stat(path), path);
    // O_NONBLOCK: should the path have become a FIFO since, open returns at once and fstat refuses it.
    fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const { size } = expectRegularFile(await fh.stat(), path);
    // Enough for the HDF5 signature after MATLAB's 512-byte user block.
    const head = Buffer.alloc(Math.min(size, HDF5_AT + 8));
    const headBytes = head.subarray(0, await readRange(fh, head, 0));
    // The header text is that of MATLAB's user block; an HDF5 file without one starts with the signature.
    // A v7.3 file is read where its variables are, not whole: it may be larger than MAX_FILE_BYTES (MATLAB
    // saves variables over 2 GiB only so).
    if (isMat73(headBytes)) return { v73Header: isHdf5At(headBytes, 0) ? '' : headerText(headBytes) };
    checkFileSize(size, path);
    parseHeader(headBytes, path, size);
    const bytes = Buffer.allocUnsafe(size);
    bytes.set(head);
    return bytes.subarray(0, await readRange(fh, bytes, head.length));
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(readFailureText(e, path), path, { cause: e });
  } finally {
    await fh?.close();
  }
}

/** A v5 file is read whole into one buffer: at most MAX_FILE_BYTES. */
function checkFileSize(size: number, path: string): void {
  if (size > MAX_FILE_BYTES) {
    throw new DataFormatError(
      `cannot read the file: it has ${size} bytes, more than the ${MAX_FILE_BYTES} that a MAT v5 file can have here (it is read whole); save it as v7.3 (save -v7.3), which is not`,
      path,
    );
  }
}

/** Read the file from offset `from` into buf[from..], until buf is full or the file ends; returns the end. */
async function readRange(fh: FileHandle, buf: Buffer, from: number): Promise<number> {
  let n = from;
  while (n < buf.length) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
    if (bytesRead === 0) break; // the file shrank since fstat: the parser reports the cut
    n += bytesRead;
  }
  return n;
}

/**
 * Check the header of a MAT v5 file. `bytes` holds its first bytes (all of it, or at least the 128 of the
 * header), `size` the whole file's length.
 */
function parseHeader(bytes: Uint8Array, file: string | undefined, size = bytes.length): { header: string; le: boolean } {
  const text = headerText(bytes);
  if (isMat73(bytes)) throw new DataFormatError(V73_MESSAGE, file);
  // Before the length check: a Level 4 file has no 128-byte header, and a small one is shorter.
  if (isLevel4(bytes, size)) throw new DataFormatError(V4_MESSAGE, file);
  const other = otherFormat(bytes);
  if (other) throw new DataFormatError(`not a MAT-file: ${other}; in Octave, save a MAT-file with -v7 (save -v7 data.mat X Y)`, file);
  if (bytes.length < HEADER_BYTES) {
    throw new DataFormatError(`file too short for a MAT-file header (${bytes.length} of ${HEADER_BYTES} bytes)${textHint(bytes)}`, file);
  }
  const e0 = bytes[126];
  const e1 = bytes[127];
  let le: boolean;
  if (e0 === 0x49 && e1 === 0x4d) le = true; // 'IM': written little-endian
  else if (e0 === 0x4d && e1 === 0x49) le = false; // 'MI': written big-endian
  else throw new DataFormatError(`not a MAT v5 file: bad endian indicator in the header (expected "IM" or "MI")${textHint(bytes)}`, file);
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, le);
  if (version !== 0x0100) {
    throw new DataFormatError(`unsupported MAT-file version 0x${version.toString(16).padStart(4, '0')} (expected 0x0100)`, file);
  }
  return { header: text, le };
}

/**
 * Whether the file starts as a MAT Level 4 (v4) file: its first variable's header is five int32 in either
 * byte order, type MOPT (M machine 0..4, O 0, P precision 0..5, T 0..2: full, text, sparse), rows,
 * columns, imagf (0 or 1), the name's length with its NUL, then the name and the values, which must fit
 * in the file. All of it must hold, so that other bytes are not called a v4 file. A v5 file never
 * passes: its first 4 bytes are text, none 0, where a v4 type code (< 5000) has two zero bytes.
 */
function isLevel4(bytes: Uint8Array, size: number): boolean {
  if (bytes.length < 20) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 20);
  return [true, false].some((le) => {
    const [type, rows, cols, imagf, namlen] = [0, 4, 8, 12, 16].map((o) => dv.getInt32(o, le));
    const [m, o, p, t] = [Math.floor(type / 1000), Math.floor(type / 100) % 10, Math.floor(type / 10) % 10, type % 10];
    if (type < 0 || m > 4 || o !== 0 || p > 5 || t > 2) return false;
    if (rows < 0 || cols < 0 || (imagf !== 0 && imagf !== 1) || namlen < 1) return false;
    // The name, NUL-terminated, within the bytes at hand (a name of ~100 bytes: MATLAB's have 63 at most).
    if (20 + namlen > bytes.length || bytes[20 + namlen - 1] !== 0) return false;
    const width = [8, 4, 4, 2, 2, 1][p];
    return 20 + namlen + rows * cols * width * (imagf + 1) <= size;
  });
}

/**
 * What a file that is no MAT-file is, when its first bytes say: Octave's own formats (its text format is
 * what Octave's save writes by default, whatever the file's name) and gzip (Octave's save -zip).
 */
function otherFormat(bytes: Uint8Array): string | undefined {
  const head = latin1(bytes.subarray(0, 20));
  if (head.startsWith('# Created by Octave')) return "it is in Octave's text format, which Octave's save writes unless told otherwise";
  if (/^Octave-1-[LB]/.test(head)) return "it is in Octave's binary format (save -binary)";
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "it is gzip-compressed (as Octave's save -zip writes)";
  return undefined;
}

/**
 * For a file that is not a MAT-file: when its first bytes read as text (no control bytes but tab, CR and LF), that
 * it looks like a CSV file (numpy's savetxt output is often named .dat), which is read by its extension.
 */
function textHint(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 512);
  if (head.length === 0 || latin1(head.subarray(0, 6)) === 'MATLAB') return '';
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return '';
  if (looksLikeLibsvm(latin1(head), bytes.length > head.length)) return `; ${LIBSVM_NAME_HINT} (loadLibsvmDataset)`;
  return '; it looks like text: a CSV/TSV file is read as one when it is named .csv, .tsv or .txt (loadCsvDataset)';
}

/** The descriptive text of a MAT header (its first 116 bytes), trimmed. */
function headerText(bytes: Uint8Array): string {
  return latin1(bytes.subarray(0, Math.min(116, bytes.length))).replace(/[\s\0]+$/, '');
}

/**
 * Whether the first bytes are those of a MAT v7.3 file: its header text, its version (0x0200 in either
 * byte order) or the HDF5 signature.
 */
function isMat73(bytes: Uint8Array): boolean {
  if (isHdf5(bytes) || headerText(bytes).startsWith('MATLAB 7.3')) return true;
  if (bytes.length < HEADER_BYTES) return false;
  const [v0, v1, e0, e1] = [bytes[124], bytes[125], bytes[126], bytes[127]];
  return (e0 === 0x49 && e1 === 0x4d && v0 === 0x00 && v1 === 0x02) || (e0 === 0x4d && e1 === 0x49 && v0 === 0x02 && v1 === 0x00);
}

/** HDF5 files (MAT v7.3) carry the signature at offset 0 or at 512 (after MATLAB's user block). */
function isHdf5(bytes: Uint8Array): boolean {
  return isHdf5At(bytes, 0) || isHdf5At(bytes, HDF5_AT);
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5At(bytes: Uint8Array, offset: number): boolean {
  return bytes.length >= offset + 8 && HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Parse the top-level elements of a buffer: miMATRIX variables, possibly inside miCOMPRESSED. */
function parseElements(src: Source, pos: number, end: number, out: MatVariable[], limits: Limits, state: ParseState, top: boolean): void {
  while (pos < end) {
    const el = src.tag(pos, end);
    if (el.type === miMATRIX) {
      if (el.size > 0) {
        spendVariable(src, pos, out.length + 1, state.budget);
        out.push(parseMatrix(src, el, pos, state));
      }
    } else if (el.type === miCOMPRESSED) {
      if (!top) throw src.error('nested compressed element', pos);
      const inflated = inflate(src, el, pos, limits, state);
      if (inflated instanceof Uint8Array) {
        const inner = new Source(inflated, src.le, `in compressed element at offset ${pos}`, src.file);
        parseElements(inner, 0, inflated.length, out, limits, state, false);
      } else {
        spendVariable(src, pos, out.length + 1, state.budget);
        out.push(inflated);
      }
    } else {
      throw src.error(`unexpected ${typeName(el.type)} element where a variable (miMATRIX) was expected`, pos);
    }
    pos = el.next;
  }
}

/**
 * Inflate one miCOMPRESSED element. It holds one variable (MATLAB, scipy and matio write it so and
 * read no more), whose miMATRIX tag gives the inflated size. So: inflate just enough to check that
 * tag, the array flags and (for a dense array) the dims against maxDenseBytes, then inflate the
 * whole element, never beyond the declared size. A zip bomb is thus refused after a few bytes, or
 * stopped at the size it declares (<= maxInflatedBytes); an honest but huge array, before inflating.
 */
function inflate(src: Source, el: Element, pos: number, limits: Limits, state: ParseState): Uint8Array | MatVariable {
  const data = src.bytes.subarray(el.start, el.start + el.size);
  const limit = checkHead(new Head(data, src, pos), limits, state);
  if (typeof limit !== 'number') return limit; // left unread
  try {
    // One output chunk of the declared size: Node returns it without concatenating a chunk list
    // (half the peak memory), and its pages are only touched as they are written.
    return inflateSync(data, { maxOutputLength: limit, chunkSize: Math.max(64, limit + 1) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw src.error(
        `compressed element inflates to more than the ${limit} bytes its variable's tag declares (it must hold one variable)`,
        pos,
        e,
      );
    }
    throw src.error(`cannot inflate compressed element: ${(e as Error).message}`, pos, e);
  }
}

/** The first bytes of a compressed element, inflated on demand (growing prefixes of the stream). */
class Head {
  private src: Source;
  /** The whole element has been inflated: there are no more bytes to get. */
  private complete = false;
  constructor(
    private readonly data: Uint8Array,
    private readonly outer: Source,
    private readonly pos: number,
  ) {
    this.src = new Source(new Uint8Array(0), outer.le, `in compressed element at offset ${pos}`, outer.file);
  }

  /** At least `need` inflated bytes, or all of them when the element has fewer. */
  get(need: number): Source {
    if (this.src.bytes.length >= need || this.complete) return this.src;
    let out: Uint8Array;
    for (let n = 1024; ; n *= 4) {
      const part = this.data.subarray(0, n);
      try {
        // Z_SYNC_FLUSH: give what the prefix holds instead of failing on the cut stream.
        out = inflateSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: HEAD_MAX_OUTPUT });
      } catch (e) {
        throw this.outer.error(`cannot inflate compressed element: ${(e as Error).message}`, this.pos, e);
      }
      if (part.length === this.data.length) this.complete = true;
      if (out.length >= need || this.complete) break;
    }
    this.src = new Source(out, this.src.le, this.src.where, this.src.file);
    return this.src;
  }
}

/**
 * Check the start of a compressed element before inflating it all: the variable tag, the array
 * flags and, for a dense numeric or char array, its dims against maxDenseBytes (for a cell array,
 * its dims against its declared size and CELL_ENTRY_BYTES a cell against what is left of `budget`,
 * which it does not spend), the number of its dims and the size of its name. Returns the bytes the
 * element may inflate to, or, when `state` is lenient, the variable left unread for a numeric one beyond
 * maxDenseBytes.
 */
function checkHead(h: Head, limits: Limits, state: ParseState): number | MatVariable {
  const { budget } = state;
  let head = h.get(HEAD_BYTES);
  if (head.bytes.length < 8) return 8; // the whole element is shorter than a tag: the parser reports it
  const word = head.u32(0);
  const small = word >>> 16 !== 0;
  const type = small ? word & 0xffff : word;
  if (type === miCOMPRESSED) throw head.error('nested compressed element', 0);
  if (type !== miMATRIX) throw head.error(`unexpected ${typeName(type)} element where a variable (miMATRIX) was expected`, 0);
  if (small) return 8; // a small element fits in its 8-byte tag
  const size = head.u32(4);
  const limit = 8 + Math.ceil(size / 8) * 8; // tag, data, padding
  if (limit > limits.maxInflated) {
    throw head.error(`compressed variable of ${size} bytes would inflate past maxInflatedBytes (${limits.maxInflated})`, 0);
  }
  if (size === 0) return limit;
  const end = 8 + size;
  const { flags, next } = readArrayFlags(head, 8, Math.min(end, head.bytes.length));
  const classId = flags & 0xff;
  const cell = classId === mxCELL_CLASS;
  if (!isDense(classId) && !cell) return limit; // sparse, struct...: their parts are checked as they are read
  // Each piece is read only once the head holds it; a head that ends early is an element the parser reports.
  const has = (n: number) => n <= HEAD_MAX_CHECKED && n <= end && (head = h.get(n)).bytes.length >= n;
  if (!has(next + 8)) return limit;
  const dimsEl = head.tag(next, end);
  checkDimsElement(head, dimsEl, next, limits.maxDense); // from its tag: millions of dims are refused before they are inflated
  if (!has(dimsEl.start + dimsEl.size)) return limit;
  const dims = readDims(head, dimsEl, next, limits.maxDense);
  let name = '';
  if (has(dimsEl.next + 8)) {
    const nameEl = head.tag(dimsEl.next, end);
    if (nameEl.type === miINT8 || nameEl.type === miUINT8) {
      checkNameSize(head, nameEl, dimsEl.next);
      if (has(nameEl.start + nameEl.size)) name = readName(head, nameEl, dimsEl.next);
    }
  }
  if (cell) checkCellCount(head, 0, name, dims, size, { ...budget });
  else {
    const over = denseSizeText(head, 0, name, classLabel(flags), dims, limits.maxDense);
    if (over && state.lenient && classId !== mxCHAR_CLASS) {
      return { name, className: classLabel(flags), dims, complex: (flags & FLAG_COMPLEX) !== 0, unread: over };
    }
    if (over) throw new DataFormatError(over, head.file);
  }
  return limit;
}

/** Numeric (double ... uint64, logical) and char arrays: their dims give the values they decode to. */
function isDense(classId: number): boolean {
  return (classId >= 6 && classId <= 15) || classId === mxCHAR_CLASS;
}

function classLabel(flags: number): string {
  return (flags & FLAG_LOGICAL) !== 0 ? 'logical' : CLASS_NAMES[flags & 0xff];
}

/**
 * The refusal (without the file's name) of a dense array whose values, as float64 (8 bytes each), would
 * exceed maxDenseBytes; undefined when they fit.
 */
function denseSizeText(src: Source, pos: number, name: string, cls: string, dims: number[], maxDense: number): string | undefined {
  const bytes = dimsProduct(dims) * 8;
  if (bytes <= maxDense) return undefined;
  const where = src.where || `at offset ${pos}`;
  return `cannot decode variable ${JSON.stringify(name)} (${where}), a ${dimsText(dims)} ${cls} array, to float64 (8 bytes a value): ${denseLimitText(bytes, maxDense)}`;
}

function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown type ${type}`;
}

/** Read the array flags sub-element that starts every miMATRIX at `start`. */
function readArrayFlags(src: Source, start: number, end: number): { flags: number; next: number } {
  const flagsEl = src.tag(start, end);
  if ((flagsEl.type !== miUINT32 && flagsEl.type !== miINT32) || flagsEl.size !== 8) {
    throw src.error(`bad array flags (${typeName(flagsEl.type)}, ${flagsEl.size} bytes; expected miUINT32, 8 bytes)`, start);
  }
  const flags = src.u32(flagsEl.start);
  const classId = flags & 0xff;
  if (!CLASS_NAMES[classId]) throw src.error(`unknown array class ${classId}`, start);
  return { flags, next: flagsEl.next };
}

/** Where an element of a cell array is: what messages call it, and its depth. */
interface CellPlace {
  /** 'C{3}': the variable and the 1-based index of each enclosing cell. */
  label: string;
  /** Depth of the cell array the element is in (1: a variable). */
  depth: number;
}

/** Parse one miMATRIX element (its tag at `pos`) into a variable; `at` places an element of a cell array. */
function parseMatrix(src: Source, m: Element, pos: number, state: ParseState, at?: CellPlace): MatVariable {
  const { maxDense } = state;
  const end = m.start + m.size;
  const { flags, next: afterFlags } = readArrayFlags(src, m.start, end);
  const classId = flags & 0xff;
  const className = CLASS_NAMES[classId];
  const complex = (flags & FLAG_COMPLEX) !== 0;
  const logical = (flags & FLAG_LOGICAL) !== 0;

  // Opaque objects (string, table, ...) have no dims: just a name, then class information we skip.
  if (classId === mxOPAQUE_CLASS) {
    const nameEl = src.tag(afterFlags, end);
    const name = nameEl.type === miINT8 || nameEl.type === miUINT8 ? readName(src, nameEl, afterFlags) : '';
    return { name, className, dims: [], complex: false };
  }

  const dimsEl = src.tag(afterFlags, end);
  const dims = readDims(src, dimsEl, afterFlags, maxDense);
  const nameEl = src.tag(dimsEl.next, end);
  if (nameEl.type !== miINT8 && nameEl.type !== miUINT8) {
    throw src.error(`bad array name element (${typeName(nameEl.type)}; expected miINT8)`, dimsEl.next);
  }
  const name = readName(src, nameEl, dimsEl.next);
  const v: MatVariable = { name, className: logical ? 'logical' : className, dims, complex };
  const ctx: VarContext = { src, name: at?.label ?? name, pos, maxDense, budget: state.budget };
  let p = nameEl.next;
  // Before any value is read: the dims alone say what the values take as float64.
  if (isDense(classId)) {
    const over = denseSizeText(src, pos, ctx.name, v.className, dims, maxDense);
    // A top-level numeric variable that loadMatDataset may not choose: kept unread (readMatFile).
    if (over && state.lenient && !at && classId !== mxCHAR_CLASS) return { ...v, unread: over };
    if (over) throw new DataFormatError(over, src.file);
  }

  if (classId === mxSPARSE_CLASS) {
    v.className = 'sparse';
    const { sparse, imaginaryZero } = readSparse(ctx, p, end, dims, complex, logical);
    v.sparse = sparse;
    if (imaginaryZero !== undefined) v.imaginaryZero = imaginaryZero;
  } else if (classId >= 6 && classId <= 15) {
    const count = dimsProduct(dims);
    const realEl = src.tag(p, end);
    // Counted before decoding: an element larger than its dims is refused without being converted.
    const n = numberCount(ctx, realEl, p, 'real part');
    if (n !== count && logical && realEl.type === miINT32 && dims.length === 2) {
      const sparse = octaveLogicalSparse(ctx, p, end, dims);
      if (sparse) return { ...v, className: 'sparse', sparse };
    }
    if (n !== count) throw varError(ctx, `real part has ${n} values but dims ${dimsText(dims)} need ${count}`);
    v.data = readNumbers(ctx, realEl, p, 'real part');
    p = realEl.next;
    if (complex) {
      if (p >= end) throw varError(ctx, 'complex array without an imaginary part');
      // Checked, not decoded: only the real part is kept.
      const imagEl = src.tag(p, end);
      const imag = numberCount(ctx, imagEl, p, 'imaginary part');
      if (imag !== count) {
        throw varError(ctx, `imaginary part has ${imag} values but dims ${dimsText(dims)} need ${count}`);
      }
      v.imaginaryZero = isZeroes(src, imagEl, imag);
    }
  } else if (classId === mxCHAR_CLASS) {
    Object.assign(v, readChars(ctx, p < end ? src.tag(p, end) : undefined, p, dims));
  } else if (classId === mxCELL_CLASS) {
    const depth = (at?.depth ?? 0) + 1;
    if (depth <= MAX_CELL_DEPTH) v.cells = readCells(ctx, p, end, dims, depth);
  }
  // struct, object, function: kept as a named entry without data; their contents are skipped.
  return v;
}

/**
 * A sparse logical array as Octave (7.3 at least) saves it: the class of a dense one (uint8, logical
 * flag) but the parts of a sparse one (ir, jc, pr), which Octave's own load then misreads. Undefined
 * when the parts are not those of a sparse matrix (the array is then refused as it is).
 */
function octaveLogicalSparse(ctx: VarContext, p: number, end: number, dims: number[]): SparseMatrix | undefined {
  try {
    return readSparse(ctx, p, end, dims, false, true).sparse;
  } catch (e) {
    if (e instanceof DataFormatError) return undefined;
    throw e;
  }
}

/**
 * The elements of a cell array (each an miMATRIX with an empty name), read only once its bytes are
 * known to hold as many as its dims declare and the file's budget to allow them.
 */
function readCells(ctx: VarContext, p: number, end: number, dims: number[], depth: number): MatVariable[] {
  const { src, budget } = ctx;
  const count = checkCellCount(src, ctx.pos, ctx.name, dims, end - p, budget);
  const cells: MatVariable[] = [];
  for (let i = 0; i < count; i++) {
    // Each element takes 8 bytes at least, which checkCellCount found: the tag is in bounds.
    const el = src.tag(p, end);
    if (el.type !== miMATRIX) {
      throw varError(ctx, `cell ${i + 1} of ${count} is a ${typeName(el.type)} element, not an array (miMATRIX)`);
    }
    const label = `${ctx.name}{${i + 1}}`;
    // An empty element (no flags, no dims) is an empty array, as [] in MATLAB.
    const cell =
      el.size === 0
        ? { name: '', className: 'double', dims: [0, 0], complex: false, data: new Float64Array(0) }
        : parseMatrix(src, el, p, { maxDense: ctx.maxDense, budget }, { label, depth });
    spendCells(src, ctx.pos, label, budget, decodedBytes(cell));
    cells.push(cell);
    p = el.next;
  }
  return cells;
}

/**
 * Check a cell array's dims before reading it: its `bytes` must hold as many elements (8 bytes each
 * at least) and the budget CELL_ENTRY_BYTES for each. Returns the count, spent from the budget.
 */
function checkCellCount(src: Source, pos: number, name: string, dims: number[], bytes: number, budget: Budget): number {
  const count = dimsProduct(dims);
  if (count * 8 > bytes) {
    const where = src.where || `at offset ${pos}`;
    throw new DataFormatError(
      `variable ${JSON.stringify(name)} (${where}), a ${dimsText(dims)} cell array, declares ${count} cells, ` +
        `but its ${bytes} bytes hold ${Math.floor(bytes / 8)} at most (8 bytes a cell at least)`,
      src.file,
    );
  }
  spendCells(src, pos, name, budget, count * CELL_ENTRY_BYTES);
  return count;
}

function spendCells(src: Source, pos: number, name: string, budget: Budget, bytes: number): void {
  budget.used += bytes;
  if (budget.used <= budget.max) return;
  const where = src.where || `at offset ${pos}`;
  throw new DataFormatError(
    `cannot hold the contents of cell array ${JSON.stringify(name)} (${where}) with the variables before it, ` +
      `counting ${CELL_ENTRY_BYTES} bytes a cell or variable beside the values of cells: ${denseLimitText(budget.used, budget.max)}`,
    src.file,
  );
}

/** Count the `n`th variable of the file (its tag at `pos`) against the budget, before it is parsed. */
function spendVariable(src: Source, pos: number, n: number, budget: Budget): void {
  budget.used += CELL_ENTRY_BYTES;
  if (budget.used <= budget.max) return;
  throw src.error(
    `cannot hold variable ${n} with the ${n - 1} before it, counting ${CELL_ENTRY_BYTES} bytes a variable or cell ` +
      `beside the values of cells: ${denseLimitText(budget.used, budget.max)}`,
    pos,
  );
}

/** What a parsed element's values take (its cells, if any, were counted as they were read); the v7.3 reader counts the same. */
export function decodedBytes(v: MatVariable): number {
  const s = v.sparse;
  // The rows of an N x 0 char array take no bytes in the file, but a string each here.
  return (
    (v.data?.length ?? 0) * 8 +
    (v.text?.length ?? 0) * 4 +
    (v.lines?.length ?? 0) * 8 +
    (s ? (s.ir.length + s.jc.length) * 4 + s.pr.length * 8 : 0)
  );
}

interface VarContext {
  src: Source;
  name: string;
  /** Offset of the variable's miMATRIX tag. */
  pos: number;
  /** maxDenseBytes: the most bytes one decoded array (8 bytes a value) may take. */
  maxDense: number;
  /** The file's budget, which cells count against. */
  budget: Budget;
}

function varError(ctx: VarContext, message: string, cause?: unknown): DataFormatError {
  return ctx.src.error(`variable ${JSON.stringify(ctx.name)}: ${message}`, ctx.pos, cause);
}

/** Check a dimensions element's tag (at `pos`): its type, and its size against MAX_DIMS and maxDenseBytes. */
function checkDimsElement(src: Source, el: Element, pos: number, maxDense: number): void {
  if (el.type !== miINT32 || el.size % 4 !== 0 || el.size < 8) {
    throw src.error(`bad dimensions element (${typeName(el.type)}, ${el.size} bytes; expected miINT32, >= 8 bytes)`, pos);
  }
  const n = el.size / 4;
  if (n > MAX_DIMS) throw src.error(`an array of ${n} dims, more than the ${MAX_DIMS} read`, pos);
  // Dims are kept as numbers too (8 bytes each).
  if (n * 8 > maxDense) {
    throw src.error(`cannot read a dimensions element of ${n} dims: ${denseLimitText(n * 8, maxDense)}`, pos);
  }
}

function readDims(src: Source, el: Element, pos: number, maxDense: number): number[] {
  checkDimsElement(src, el, pos, maxDense);
  const dims = new Array<number>(el.size / 4);
  for (let i = 0; i < dims.length; i++) {
    const d = src.view.getInt32(el.start + i * 4, src.le);
    if (d < 0) throw src.error(`negative dimension ${d}`, pos);
    dims[i] = d;
  }
  return dims;
}

/** Dims without trailing singletons beyond the second (MATLAB's N-D arrays ending in 1s are 2-D). */
export function trimDims(dims: readonly number[]): number[] {
  const d = dims.slice();
  while (d.length > 2 && d[d.length - 1] === 1) d.pop();
  return d;
}

function dimsProduct(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Refuse a name element (its tag at `pos`) beyond MAX_NAME_BYTES, from its tag. */
function checkNameSize(src: Source, el: Element, pos: number): void {
  if (el.size > MAX_NAME_BYTES) {
    throw src.error(`array name of ${el.size} bytes, longer than the ${MAX_NAME_BYTES} read (MATLAB's take 63 at most)`, pos);
  }
}

/** An array name (its tag at `pos`), NULs at its end trimmed. */
function readName(src: Source, el: Element, pos: number): string {
  checkNameSize(src, el, pos);
  return trimEndOf(latin1(src.bytes.subarray(el.start, el.start + el.size)), '\0');
}

/** The number of values in a numeric element (its type and size checked). */
function numberCount(ctx: VarContext, el: Element, pos: number, what: string): number {
  const width = TYPE_SIZES[el.type];
  if (!width || el.type === miUTF8 || el.type === miUTF16 || el.type === miUTF32) {
    throw varError(ctx, `${what} stored as ${typeName(el.type)} (at offset ${pos}), which is not numeric`);
  }
  if (el.size % width !== 0) {
    throw varError(ctx, `${what}: ${el.size} bytes is not a whole number of ${typeName(el.type)} values`);
  }
  return el.size / width;
}

/** Refuse to decode `n` values (8 bytes each once decoded) beyond maxDenseBytes. */
function checkDecoded(ctx: VarContext, n: number, pos: number, what: string): void {
  const bytes = n * 8;
  if (bytes > ctx.maxDense) {
    throw varError(ctx, `cannot decode the ${n} values of its ${what} (at offset ${pos}) to 8 bytes each: ${denseLimitText(bytes, ctx.maxDense)}`);
  }
}

/** Convert a numeric element to float64 by its stored type. */
function readNumbers(ctx: VarContext, el: Element, pos: number, what: string): Float64Array {
  const width = TYPE_SIZES[el.type];
  const n = numberCount(ctx, el, pos, what);
  checkDecoded(ctx, n, pos, what);
  const out = new Float64Array(n);
  const { bytes, le } = ctx.src;
  const abs = bytes.byteOffset + el.start;
  // Fast path: a typed-array view when the byte order is the platform's and the data is aligned.
  if (width === 1 || (le === PLATFORM_LE && abs % width === 0 && el.type !== miINT64 && el.type !== miUINT64)) {
    out.set(typedView(el.type, bytes.buffer, abs, n));
    return out;
  }
  const dv = new DataView(bytes.buffer, abs, el.size);
  switch (el.type) {
    case miINT16: for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, le); break;
    case miUINT16: for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, le); break;
    case miINT32: for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, le); break;
    case miUINT32: for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, le); break;
    case miSINGLE: for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, le); break;
    case miDOUBLE: for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, le); break;
    // 64-bit integers beyond 2^53 lose precision in float64, as they would in any float data set
    // (loadMatDataset refuses such labels: distinct classes could merge).
    case miINT64: for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, le)); break;
    case miUINT64: for (let i = 0; i < n; i++) out[i] = Number(dv.getBigUint64(i * 8, le)); break;
  }
  return out;
}

function typedView(type: number, buffer: ArrayBufferLike, offset: number, n: number): ArrayLike<number> {
  switch (type) {
    case miINT8: return new Int8Array(buffer, offset, n);
    case miUINT8: return new Uint8Array(buffer, offset, n);
    case miINT16: return new Int16Array(buffer, offset, n);
    case miUINT16: return new Uint16Array(buffer, offset, n);
    case miINT32: return new Int32Array(buffer, offset, n);
    case miUINT32: return new Uint32Array(buffer, offset, n);
    case miSINGLE: return new Float32Array(buffer, offset, n);
    default: return new Float64Array(buffer, offset, n);
  }
}

function readIndices(ctx: VarContext, el: Element, pos: number, what: string): Int32Array {
  const values = readNumbers(ctx, el, pos, what);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) throw varError(ctx, `${what}[${i}] = ${x} is not a valid index`);
    out[i] = x;
  }
  return out;
}

function readSparse(
  ctx: VarContext,
  p: number,
  end: number,
  dims: number[],
  complex: boolean,
  logical: boolean,
): { sparse: SparseMatrix; imaginaryZero?: boolean } {
  const { src } = ctx;
  let imaginaryZero: boolean | undefined;
  if (dims.length !== 2) throw varError(ctx, `sparse array with ${dims.length} dimensions (expected 2)`);
  const [rows, cols] = dims;
  const irEl = src.tag(p, end);
  const ir = readIndices(ctx, irEl, p, 'ir');
  p = irEl.next;
  const jcEl = src.tag(p, end);
  const jc = readIndices(ctx, jcEl, p, 'jc');
  p = jcEl.next;
  if (jc.length !== cols + 1) throw varError(ctx, `jc has ${jc.length} entries but ${cols} columns need ${cols + 1}`);
  if (jc[0] !== 0) throw varError(ctx, `jc[0] is ${jc[0]} (expected 0)`);
  for (let j = 0; j < cols; j++) {
    if (jc[j + 1] < jc[j]) throw varError(ctx, `jc is decreasing at column ${j}`);
  }
  const nnz = jc[cols];
  if (nnz > ir.length) throw varError(ctx, `jc counts ${nnz} nonzeros but ir has ${ir.length}`);
  for (let k = 0; k < nnz; k++) {
    if (ir[k] >= rows) throw varError(ctx, `ir[${k}] = ${ir[k]} is outside ${rows} rows`);
  }
  let pr: Float64Array;
  if (p < end) {
    const prEl = src.tag(p, end);
    pr = readNumbers(ctx, prEl, p, 'pr');
    p = prEl.next;
    if (pr.length < nnz) throw varError(ctx, `pr has ${pr.length} values but jc counts ${nnz} nonzeros`);
    if (complex) {
      if (p >= end) throw varError(ctx, 'complex sparse array without an imaginary part');
      const piEl = src.tag(p, end);
      // Checked, not decoded: only the real part is kept.
      imaginaryZero = isZeroes(src, piEl, Math.min(numberCount(ctx, piEl, p, 'pi'), nnz));
    }
  } else if (logical) {
    pr = new Float64Array(nnz).fill(1); // some writers omit the values of logical sparse arrays
  } else {
    throw varError(ctx, 'sparse array without values (pr)');
  }
  const sparse = { rows, cols, ir: ir.slice(0, nnz), jc, pr: pr.length === nnz ? pr : pr.slice(0, nnz) };
  return { sparse, imaginaryZero };
}

/**
 * Whether the first `n` values of a numeric element are all zero, read from its bytes (not decoded):
 * every byte 0, but for the sign bit of a float (-0 is zero too).
 */
function isZeroes(src: Source, el: Element, n: number): boolean {
  const width = TYPE_SIZES[el.type];
  const float = el.type === miSINGLE || el.type === miDOUBLE;
  const signAt = src.le ? width - 1 : 0;
  const { bytes } = src;
  for (let v = 0, at = el.start; v < n; v++, at += width) {
    for (let b = 0; b < width; b++) {
      if ((float && b === signAt ? bytes[at + b] & 0x7f : bytes[at + b]) !== 0) return false;
    }
  }
  return true;
}

/**
 * Decode a char array (`el` absent: no data element); multi-row arrays (stored column-major) become
 * rows joined by '\n', and `lines` holds the rows of a 2-D array whose characters match its dims.
 * Each character is a code point (U+FFFD where its value is none): the characters come from a typed
 * array (or, for miUTF8, one decoded string) in chunks, never through an array of JS numbers.
 * miUTF16 holds UTF-16 code units, as miUINT16 does; miUTF8 of one byte per character, Octave's, is
 * read by byteCharsText.
 */
function readChars(ctx: VarContext, el: Element | undefined, pos: number, dims: number[]): { text: string; lines?: string[] } {
  /** The characters as numbers, one each; for miUTF8, `whole` holds them instead until rows need them. */
  let codes: ArrayLike<number> = new Float64Array(0);
  let whole: string | undefined;
  let count = 0;
  if (el?.type === miUTF8) {
    checkDecoded(ctx, el.size, pos, 'characters'); // at most one character per byte
    checkTextLength(ctx, el.size);
    const raw = ctx.src.bytes.subarray(el.start, el.start + el.size);
    if (isByteChars(raw, dims)) return byteCharsText(ctx, raw, dims);
    whole = utf8OrLatin1(raw);
    count = codePointCount(whole);
  } else if (el) {
    // Octave saves a char row as miUTF16 (MATLAB as miUINT16): UTF-16 code units either way, as the dims count them.
    const units = el.type === miUTF16 ? { ...el, type: miUINT16 } : el.type === miUTF32 ? { ...el, type: miUINT32 } : el;
    const n = numberCount(ctx, units, pos, 'characters');
    checkDecoded(ctx, n, pos, 'characters');
    checkTextLength(ctx, n);
    codes = readNumbers(ctx, units, pos, 'characters');
    count = codes.length;
  }
  try {
    if (dims.length !== 2 || count !== dimsProduct(dims)) return { text: whole ?? codesText(codes, 0, 1, count) };
    const [rows, cols] = dims;
    // Rows without characters (dims N x 0) take no bytes in the file: their count is bounded as values.
    if (rows * 8 > ctx.maxDense) {
      throw varError(ctx, `cannot hold the ${rows} rows of a ${dimsText(dims)} char array: ${denseLimitText(rows * 8, ctx.maxDense)}`);
    }
    if (!el) return { text: '', lines: new Array<string>(rows).fill('') };
    if (rows === 1) {
      const text = whole ?? codesText(codes, 0, 1, count);
      return { text, lines: [text] };
    }
    if (whole !== undefined) codes = codePoints(whole, count);
    const buf = new Uint16Array(Math.min(2 * cols, CHAR_CHUNK + 1));
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) lines.push(codesText(codes, r, rows, cols, buf));
    return { text: lines.join('\n'), lines };
  } catch (e) {
    // "Invalid string length": past what checkTextLength counted, characters beyond the BMP take two
    // code units each, and the rows joined a newline each.
    if (e instanceof RangeError) throw varError(ctx, `cannot hold its ${count} characters in a string: ${e.message}`, e);
    throw e;
  }
}

/**
 * Whether miUTF8 characters hold one byte per character of the dims, some beyond ASCII: Octave (7.3 at
 * least) saves a char matrix of several rows so, its bytes column-major, a character of UTF-8 text
 * taking as many places in its row as it has bytes. scipy's miUTF8 holds the text column-major, one
 * code point per character of the dims: when there are as many bytes as characters, all are ASCII.
 */
function isByteChars(raw: Uint8Array, dims: number[]): boolean {
  if (raw.length !== dimsProduct(dims)) return false;
  for (let i = 0; i < raw.length; i++) if (raw[i] >= 0x80) return true;
  return false;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * miUTF8 characters as text: UTF-8 when they are (MATLAB, scipy's str, Octave), else one character a byte
 * (Latin-1: scipy's bytes arrays, written as they are). Replacing invalid bytes with U+FFFD instead would
 * make 'caf\xe9' and 'caf\xe8' the same label, one class.
 */
function utf8OrLatin1(b: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(b);
  } catch {
    return latin1(b);
  }
}

/** The text of a char array of one byte per character (see isByteChars): each row's bytes decoded as UTF-8. */
function byteCharsText(ctx: VarContext, raw: Uint8Array, dims: number[]): { text: string; lines?: string[] } {
  const utf8 = utf8OrLatin1;
  try {
    if (dims.length !== 2) return { text: utf8(raw) };
    const [rows, cols] = dims;
    if (rows === 1) {
      const text = utf8(raw);
      return { text, lines: [text] };
    }
    const row = new Uint8Array(cols);
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) row[c] = raw[r + c * rows];
      lines.push(utf8(row));
    }
    return { text: lines.join('\n'), lines };
  } catch (e) {
    if (e instanceof RangeError) throw varError(ctx, `cannot hold its ${raw.length} characters in a string: ${e.message}`, e);
    throw e;
  }
}

/**
 * The text of a char array from its character codes (column-major, one per character, as a v7.3 file
 * holds them): rows joined by '\n', and `lines` for a 2-D array whose characters match its dims.
 */
export function charArrayText(codes: ArrayLike<number>, dims: readonly number[]): { text: string; lines?: string[] } {
  const count = codes.length;
  if (dims.length !== 2 || count !== dims[0] * dims[1]) return { text: codesText(codes, 0, 1, count) };
  const [rows, cols] = dims;
  const lines: string[] = [];
  const buf = new Uint16Array(Math.min(2 * cols, CHAR_CHUNK + 1));
  for (let r = 0; r < rows; r++) lines.push(codesText(codes, r, rows, cols, buf));
  return { text: lines.join('\n'), lines };
}

/** Refuse, before decoding them, `count` characters that one string cannot hold. */
function checkTextLength(ctx: VarContext, count: number): void {
  if (count > bufferConstants.MAX_STRING_LENGTH) {
    throw varError(ctx, `cannot hold its ${count} characters in a string: a string holds ${bufferConstants.MAX_STRING_LENGTH} at most`);
  }
}

/** The code points in `s`, a well-formed string (decoded UTF-8). */
function codePointCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** The `count` code points of `s`, one number each. */
function codePoints(s: string, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; k < count; i++, k++) {
    const c = s.codePointAt(i) as number;
    out[k] = c;
    if (c > 0xffff) i++;
  }
  return out;
}

/**
 * The text of `count` characters codes[start], codes[start + step], ...: each an integer code point,
 * U+FFFD where it is none. Built CHAR_CHUNK code units at a time in `buf` (CHAR_CHUNK + 1 units, or
 * twice `count`, at least), then joined.
 */
function codesText(codes: ArrayLike<number>, start: number, step: number, count: number, buf?: Uint16Array): string {
  if (count === 0) return '';
  const b = buf ?? new Uint16Array(Math.min(2 * count, CHAR_CHUNK + 1));
  const full = b.length - 1;
  const parts: string[] = [];
  let n = 0;
  for (let k = 0, i = start; k < count; k++, i += step) {
    let c = codes[i];
    if (!(c >= 0 && c <= 0x10ffff && Number.isInteger(c))) c = 0xfffd;
    if (c > 0xffff) {
      c -= 0x10000;
      b[n++] = 0xd800 | (c >> 10);
      b[n++] = 0xdc00 | (c & 0x3ff);
    } else {
      b[n++] = c;
    }
    if (n >= full) {
      parts.push(fromUnits(b, n));
      n = 0;
    }
  }
  if (n > 0) parts.push(fromUnits(b, n));
  return parts.length === 1 ? parts[0] : parts.join('');
}

function fromUnits(units: Uint16Array, n: number): string {
  return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
}

/**
 * Dense column-major copy of a sparse matrix, refused beyond maxDenseBytes (8 bytes a value) with a
 * DataFormatError; a matrix whose parts do not agree (see checkSparseMatrix) is a ValidationError.
 */
export function sparseToDense(s: SparseMatrix, options?: DenseOptions): Float64Array {
  const limit = maxDenseOption(options);
  checkSparseShape(s, 'sparse matrix');
  const what = `a dense ${s.rows}x${s.cols} copy of a sparse matrix`;
  const bytes = s.rows * s.cols * 8;
  if (bytes > limit) {
    throw new DataFormatError(`cannot allocate ${what}: ${denseLimitText(bytes, limit)}`);
  }
  checkSparseMatrix(s, 'sparse matrix');
  const out = allocate(Float64Array, s.rows * s.cols, what);
  const { jc, ir, pr } = s;
  for (let j = 0; j < s.cols; j++) {
    for (let k = jc[j]; k < jc[j + 1]; k++) {
      // Each value read once and checked as it is added: null, a string or a BigInt is no matrix value.
      const v: unknown = pr[k];
      if (typeof v !== 'number') fail('a number', `sparse matrix.pr[${k}]`, v);
      out[j * s.rows + ir[k]] += v;
    }
  }
  return out;
}

/** The dense column-major real data of a numeric variable, densifying a sparse one. */
export function denseData(v: MatVariable, options?: DenseOptions): Float64Array {
  if (v === null || typeof v !== 'object') fail('a variable of a MAT-file (from readMat or parseMat)', 'variable', v);
  const { data, sparse } = v;
  if (data !== undefined) {
    if (!isFloat64Array(data)) fail('a Float64Array (the dense values)', 'variable.data', data);
    return data;
  }
  if (sparse !== undefined) return sparseToDense(sparse, options);
  const kind = typeof v.className === 'string' ? v.className : describe(v.className);
  throw new DataFormatError(`variable ${describe(v.name)} is a ${kind} array, not numeric`);
}

/** A SparseMatrix given to the API is an object whose rows and cols are whole numbers (ValidationError). */
function checkSparseShape(s: SparseMatrix, name: string): void {
  if (s === null || typeof s !== 'object') fail('a sparse matrix { rows, cols, ir, jc, pr }', name, s);
  expectInteger(`${name}.rows`, s.rows, { min: 0 });
  expectInteger(`${name}.cols`, s.cols, { min: 0 });
}

function isArrayLike(a: unknown): a is ArrayLike<number> {
  return isNumberList(a);
}

/**
 * Check a SparseMatrix given to the API, as readSparse checks those of files, before anything loops
 * over it: jc holds cols + 1 offsets, from 0, non-decreasing, to nnz = the length of ir and of pr, and
 * each ir is a row index (below rows). Throws ValidationError; takes O(cols + nnz). `name` is what
 * messages call the matrix.
 */
export function checkSparseMatrix(s: SparseMatrix, name: string): void {
  checkSparseShape(s, name);
  const { rows, cols, ir, jc, pr } = s;
  if (!isArrayLike(ir)) fail('an Int32Array of row indices', `${name}.ir`, ir);
  if (!isArrayLike(jc)) fail('an Int32Array of column offsets', `${name}.jc`, jc);
  if (!isArrayLike(pr)) fail('a Float64Array of values', `${name}.pr`, pr);
  if (jc.length !== cols + 1) fail(`${cols + 1} column offsets (cols + 1)`, `${name}.jc`, jc);
  if (jc[0] !== 0) fail('0, the first column offset', `${name}.jc[0]`, jc[0]);
  for (let j = 1; j <= cols; j++) {
    if (!Number.isInteger(jc[j]) || jc[j] < jc[j - 1]) fail(`an integer >= jc[${j - 1}] (${jc[j - 1]})`, `${name}.jc[${j}]`, jc[j]);
  }
  const nnz = jc[cols];
  if (ir.length !== nnz) fail(`${nnz} row indices, as jc[${cols}] counts`, `${name}.ir`, ir);
  if (pr.length !== nnz) fail(`${nnz} values, as jc[${cols}] counts`, `${name}.pr`, pr);
  for (let k = 0; k < nnz; k++) {
    const i = ir[k];
    if (!Number.isInteger(i) || i < 0 || i >= rows) fail(`a row index, an integer >= 0 and < ${rows} (rows)`, `${name}.ir[${k}]`, i);
  }
}

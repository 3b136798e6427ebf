/**
 * The model file format (`.npset`): everything `SparseMLP.load` needs to rebuild a saved model.
 *
 *   bytes 0-7    "NPSETMDL"
 *   bytes 8-11   format version (uint32 LE, 1)
 *   bytes 12-15  header length H (uint32 LE)
 *   16 .. 16+H   header: UTF-8 JSON { format, version, npset, options, layers, arrays, extras }
 *   then zero padding to a multiple of 8, then the data: each array of `arrays` at its `offset` (from the
 *   start of the data, aligned to 8), little-endian, `length` values of `dtype` (f64, f32 or i32).
 *
 * Arrays are written and read one at a time, so a model of several GiB needs no buffer of its size. A file is
 * written under a temporary name and renamed, so an interrupted save never leaves half a model. Reading trusts
 * nothing: the header is checked here (sizes against the file's, offsets, types), the arrays by the core.
 */
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { constants as fsConstants, type Stats } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { NpsetError, ValidationError } from '../errors';
import { tempPathBeside, writeTarget } from '../files';
import { readFailureText } from '../files';

export const MODEL_FILE_MAGIC = 'NPSETMDL';
export const MODEL_FILE_VERSION = 1;
/**
 * The JSON header is small (options, array table, labels, metadata). This bounds it, in save and load alike:
 * JSON.parse of a forged header can take 30 times its size in heap (256 MiB of "{}," ran Node out of memory,
 * an abort no catch can stop), so 16 MiB keeps a hostile header below half a GiB.
 */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** A model file could not be read, or is not a valid npset model. `file` is its path. */
export class ModelFileError extends NpsetError {
  declare readonly code: 'ERR_NPSET_MODEL_FILE';
  readonly file: string;
  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, 'ERR_NPSET_MODEL_FILE', options);
    this.file = file;
  }
}

export type ArrayType = 'f64' | 'f32' | 'i32';
export type StoredArray = Float64Array | Float32Array | Int32Array;

const BYTES: Record<ArrayType, number> = { f64: 8, f32: 4, i32: 4 };

/** The file type of an array. */
export function arrayType(a: StoredArray): ArrayType {
  return a instanceof Float64Array ? 'f64' : a instanceof Float32Array ? 'f32' : 'i32';
}

function make(type: ArrayType, length: number): StoredArray {
  return type === 'f64' ? new Float64Array(length) : type === 'f32' ? new Float32Array(length) : new Int32Array(length);
}

interface ArrayEntry {
  name: string;
  dtype: ArrayType;
  offset: number;
  length: number;
}

function checkHost(): void {
  if (endianness() !== 'LE') throw new NpsetError('npset model files are little-endian; this machine is big-endian', 'ERR_NPSET_MODEL_FILE');
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** 'a FIFO (named pipe)', 'a directory', ... for a path that is not a regular file. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'something else';
}

/**
 * Refuses to replace `path` unless it is missing or a regular file (through links): the rename would
 * otherwise put a file in the place of a FIFO, a device (/dev/null, for root) or a looping link.
 */
async function checkTarget(path: string): Promise<void> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // missing, or a dangling link that the rename replaces
    throw new ModelFileError(`cannot write the model: ${(e as Error).message}`, path, { cause: e });
  }
  if (!st.isFile()) throw new ModelFileError(`cannot write the model: it is ${kindOf(st)}, not a regular file`, path);
}

/** Writes `header` (JSON) and the named arrays to `path`, atomically (a temporary file renamed). */
export async function writeModelFile(path: string, header: Record<string, unknown>, arrays: [string, StoredArray][]): Promise<void> {
  checkHost();
  const table: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    table.push({ name, dtype: arrayType(a), offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: table }), 'utf8');
  if (json.length > MAX_HEADER_BYTES) {
    throw new ValidationError(
      `Expected at most ${MAX_HEADER_BYTES} bytes (as JSON) for the saved header (options, labels, labelNames, featureNames, metadata) ` +
        `but received ${json.length}: save less metadata, or fewer or shorter names`,
    );
  }
  await checkTarget(path);
  const head = Buffer.alloc(align8(16 + json.length));
  head.write(MODEL_FILE_MAGIC, 0, 'latin1');
  head.writeUInt32LE(MODEL_FILE_VERSION, 8);
  head.writeUInt32LE(json.length, 12);
  json.copy(head, 16);

  // Through symbolic links (a link to a model stays a link), under a name that fits beside any file name.
  const target = writeTarget(path);
  const tmp = tempPathBeside(target, randomBytes(4).toString('hex'));
  const fh = await open(tmp, 'wx');
  try {
    await fh.write(head, 0, head.length, 0);
    const dataStart = head.length;
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i][1];
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      // Writes of at most 1 GiB: a single write() of more is cut short on some systems.
      for (let done = 0; done < bytes.length; ) {
        const n = Math.min(bytes.length - done, 1 << 30);
        const { bytesWritten } = await fh.write(bytes, done, n, dataStart + table[i].offset + done);
        done += bytesWritten;
      }
    }
    // The padding after the last array, so that every offset the table names lies inside the file.
    const end = dataStart + offset;
    const { size } = await fh.stat();
    if (size < end) await fh.truncate(end);
    await fh.sync();
    await fh.close();
    await rename(tmp, target);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Reads a model file: its header (JSON, as parsed) and its arrays by name. */
export async function readModelFile(path: string): Promise<{ header: Record<string, unknown>; arrays: Map<string, StoredArray> }> {
  checkHost();
  const bad = (message: string, cause?: unknown) => new ModelFileError(message, path, cause === undefined ? undefined : { cause });
  try {
    // stat before open: opening a FIFO waits for a writer, and some devices act when opened.
    const st = await stat(path);
    if (!st.isFile()) throw bad(`not a regular file (${kindOf(st)})`);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw bad(readFailureText(e, path), e);
  }
  // O_NONBLOCK: should the path have become a FIFO since, the open returns at once (rather than wait for a
  // writer forever) and fstat refuses it; for a regular file it changes nothing.
  const fh = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0)).catch((e: unknown) => {
    throw bad(readFailureText(e, path), e);
  });
  try {
    const st = await fh.stat().catch((e: unknown) => {
      throw bad(readFailureText(e, path), e);
    });
    if (!st.isFile()) throw bad(`not a regular file (${kindOf(st)})`);
    const size = st.size;
    const readAt = async (target: Uint8Array, position: number): Promise<void> => {
      for (let done = 0; done < target.length; ) {
        const { bytesRead } = await fh.read(target, done, Math.min(target.length - done, 1 << 30), position + done);
        if (bytesRead === 0) throw bad(`the file ends early (at byte ${position + done})`);
        done += bytesRead;
      }
    };
    if (size < 16) throw bad(`not an npset model file: ${size} bytes, shorter than the 16-byte preamble`);
    const pre = Buffer.alloc(16);
    await readAt(pre, 0);
    if (pre.toString('latin1', 0, 8) !== MODEL_FILE_MAGIC) throw bad(`not an npset model file: it does not start with "${MODEL_FILE_MAGIC}"`);
    const version = pre.readUInt32LE(8);
    if (version !== MODEL_FILE_VERSION) {
      throw bad(`model file format version ${version}, but this npset reads version ${MODEL_FILE_VERSION}: use the npset that saved it`);
    }
    const headerBytes = pre.readUInt32LE(12);
    if (headerBytes > MAX_HEADER_BYTES) {
      throw bad(`bad header length ${headerBytes}: more than the ${MAX_HEADER_BYTES} bytes a model file's header may have`);
    }
    if (16 + headerBytes > size) throw bad(`bad header length ${headerBytes} for a file of ${size} bytes`);
    const json = Buffer.alloc(headerBytes);
    await readAt(json, 16);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
    } catch (e) {
      throw bad(`the header is not valid JSON: ${(e as Error).message}`, e);
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
    const h = header as Record<string, unknown>;
    if (h.format !== 'npset-model') throw bad(`the header's format is ${JSON.stringify(h.format)}, not "npset-model"`);
    // The header repeats the preamble's version: two that differ mean an edited or spliced file.
    if (h.version !== MODEL_FILE_VERSION) throw bad(`the header's version is ${JSON.stringify(h.version)}, but the file's preamble says ${MODEL_FILE_VERSION}`);
    const dataStart = align8(16 + headerBytes);
    const arrays = new Map<string, StoredArray>();
    let total = 0; // bytes allocated so far: never more than the file holds, whatever the table claims
    if (!Array.isArray(h.arrays)) throw bad('the header has no array table');
    for (const [i, e] of (h.arrays as unknown[]).entries()) {
      const entry = e as Partial<ArrayEntry> | null;
      const what = `array table entry ${i}`;
      if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string') throw bad(`${what} has no name`);
      if (!(typeof entry.dtype === 'string' && Object.hasOwn(BYTES, entry.dtype))) throw bad(`${what} (${entry.name}) has an unknown type ${JSON.stringify(entry.dtype)}`);
      const { offset, length } = entry;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset! < 0 || length! < 0 || offset! % 8 !== 0) {
        throw bad(`${what} (${entry.name}) has a bad offset or length (${offset}, ${length})`);
      }
      const bytes = length! * BYTES[entry.dtype as ArrayType];
      if (dataStart + offset! + bytes > size) {
        throw bad(`array ${entry.name} (${bytes} bytes at data offset ${offset}) runs past the end of the file (${size} bytes): the file is truncated`);
      }
      if (arrays.has(entry.name)) throw bad(`array ${entry.name} appears twice`);
      total += bytes;
      if (total > size) throw bad('the array table claims more bytes than the file holds');
      const a = make(entry.dtype as ArrayType, length!);
      await readAt(new Uint8Array(a.buffer), dataStart + offset!);
      arrays.set(entry.name, a);
    }
    return { header: h, arrays };
  } finally {
    await fh.close();
  }
}

/**
 * Limits shared by the loaders (MAT, CSV): what they may allocate from sizes a file declares, and which paths
 * they read (regular files only), with the DataFormatError messages that name the limit to raise.
 */
import type { Stats } from 'node:fs';
import { DataFormatError } from '../errors';
import { expectInteger, expectOptions, rejectUnknownKeys } from '../validate';

/**
 * Default maxDenseBytes: the most one array of numbers made from declared sizes may take. A sparse
 * matrix declares its rows freely (a 300-byte file can claim 2 billion), and a compressed uint8
 * array of zeros (a few MiB) may declare 2 GiB, 16 GiB as float64: the size must be bounded by a
 * limit, not by the file. 1 GiB holds 134 million float64 values (a 100000 x 1300 X; as float32,
 * 100000 x 2600), far more than anything this CPU trainer is used on (the largest ASU set, RELATHE,
 * 1427 x 4322, takes 47 MiB as float64); a legitimately larger data set raises it (the error says
 * by how much).
 */
export const DEFAULT_MAX_DENSE_BYTES = 2 ** 30;
/**
 * Refuses anything but a regular file, with a DataFormatError that says what the path is: a device or a
 * FIFO (/dev/zero, a pipe) may never end. Shared by the MAT and CSV loaders.
 */
export function expectRegularFile(st: Stats, path: string): Stats {
  if (st.isFile()) return st;
  const kind = st.isDirectory()
    ? 'a directory'
    : st.isFIFO()
      ? 'a FIFO (named pipe)'
      : st.isCharacterDevice()
        ? 'a character device'
        : st.isBlockDevice()
          ? 'a block device'
          : st.isSocket()
            ? 'a socket'
            : 'something else';
  throw new DataFormatError(`cannot read the file: it is ${kind}, not a regular file`, path);
}

/** Allocate a typed array, turning "too large" into a DataFormatError instead of a RangeError. */
export function allocate<T>(ctor: new (n: number) => T, n: number, what: string, file?: string): T {
  try {
    if (!Number.isSafeInteger(n)) throw new RangeError('size is not a safe integer');
    return new ctor(n);
  } catch (e) {
    throw new DataFormatError(`cannot allocate ${what} (${n} values): ${(e as Error).message}`, file, { cause: e });
  }
}

/** The maxDenseBytes option (validated), or its default. */
export function maxDenseOption(options: unknown): number {
  const opts = expectOptions('options', options);
  rejectUnknownKeys('options', opts, ['maxDenseBytes']);
  return opts.maxDenseBytes === undefined
    ? DEFAULT_MAX_DENSE_BYTES
    : expectInteger('options.maxDenseBytes', opts.maxDenseBytes, { min: 1 });
}

/** "it needs 8.0 GiB (8589934588 bytes), over the maxDenseBytes limit of 1.0 GiB; ..." for errors. */
export function denseLimitText(bytes: number, limit: number): string {
  const exact = bytes >= 1024 ? ` (${bytes} bytes)` : '';
  return (
    `it needs ${formatBytes(bytes)}${exact}, over the maxDenseBytes limit of ${formatBytes(limit)}; ` +
    // The CLI's flag too: there a user has no options object to set.
    'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)'
  );
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

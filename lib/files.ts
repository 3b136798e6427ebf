/** Writing result files so that a reader never sees half of one: a temporary file beside it, then renamed. */
import { closeSync, lstatSync, openSync, readlinkSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** Longest file name (bytes) that Linux, macOS and Windows file systems take. */
const MAX_NAME_BYTES = 255;
/** Symbolic links followed before giving up (Linux's own limit). */
const MAX_LINK_HOPS = 40;

/**
 * Where a replacing write to `path` lands: the file at the end of its symbolic links (a link to a model
 * or a results file stays a link, and its target gets the new contents, as `cp` or `>` would do), or
 * `path` itself when it is not a link. A dangling link gives the missing file it names; a loop gives
 * `path` back, for the caller's own checks to refuse.
 */
export function writeTarget(path: string): string {
  let p = path;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) return p;
      link = readlinkSync(p);
    } catch {
      return p; // missing (or unreadable): written as it is, and any error comes from the write
    }
    p = resolve(dirname(p), link);
  }
  return path;
}

/**
 * A temporary file name in the directory of `path` (so that the rename is atomic), `tag` making it unique.
 * Beside the file's own name when that fits in a file name; a short hidden name otherwise (a name of
 * 243-255 bytes is valid, but not with a suffix after it).
 */
export function tempPathBeside(path: string, tag: string): string {
  const name = `${basename(path)}.${tag}.tmp`;
  return join(dirname(path), Buffer.byteLength(name) <= MAX_NAME_BYTES ? name : `.npset-${tag}.tmp`);
}

/** Writes `text` to `path` atomically; on failure the temporary file is removed and the error thrown as it is. */
export function writeFileAtomic(path: string, text: string): void {
  writeChunksAtomic(path, [text]);
}

/** Pieces written together: small chunks are gathered up to this many characters before a write. */
const WRITE_BATCH = 1 << 20;

/** Writes all of `text` to the open file `fd` (a write may take only part of it). */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * Writes the strings of `chunks`, one after the other, to `path` atomically, as writeFileAtomic writes their
 * concatenation (the same bytes), but without ever making that one string: a file larger than the longest
 * string JavaScript can hold (about 512 MiB), or one whose text would not fit in memory twice, is written
 * as its chunks come. On failure (of a write, or of `chunks` itself) the temporary file is removed and the
 * error thrown as it is; `path` is then untouched.
 */
export function writeChunksAtomic(path: string, chunks: Iterable<string>): void {
  const target = writeTarget(path);
  const tmp = tempPathBeside(target, String(process.pid));
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= WRITE_BATCH) {
        // A chunk may end in the first half of a surrogate pair that the next one completes: kept for it.
        const last = pending.charCodeAt(pending.length - 1);
        const keep = last >= 0xd800 && last <= 0xdbff ? 1 : 0;
        writeAll(fd, pending.slice(0, pending.length - keep));
        pending = pending.slice(pending.length - keep);
      }
    }
    if (pending.length > 0) writeAll(fd, pending);
    const done = fd;
    fd = undefined;
    closeSync(done);
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // the write's error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * "cannot read the file: ENOENT: ..." for a file that could not be opened or stat'ed, with a hint when the name
 * has backslashes where this system separates folders with '/' (a Windows path, copied).
 */
export function readFailureText(err: unknown, path: string): string {
  const text = `cannot read the file: ${err instanceof Error ? err.message : String(err)}`;
  const missing = (err as { code?: unknown } | null)?.code === 'ENOENT';
  return missing && sep === '/' && path.includes('\\') ? `${text} (folders are separated by '/' here, not '\\')` : text;
}

/** Writing result files so that a reader never sees half of one: a temporary file beside it, then renamed. */
import { lstatSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
  const target = writeTarget(path);
  const tmp = tempPathBeside(target, String(process.pid));
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true }); // no half-written temporary file left behind (a full disk, a file size limit)
    throw e;
  }
}

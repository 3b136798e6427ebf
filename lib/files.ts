/** Writing result files so that a reader never sees half of one: a temporary file beside it, then renamed. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `text` to `path` atomically; on failure the temporary file is removed and the error thrown as it is. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true }); // no half-written temporary file left behind (a full disk, a file size limit)
    throw e;
  }
}

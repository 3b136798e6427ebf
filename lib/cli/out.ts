/** The output directory of `--out`: created and checked before any long work starts. */
import { accessSync, constants, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '../errors';

function errno(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? '';
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether `p` exists, and if so whether it is a directory (following links); errors other than "missing" throw. */
function kind(p: string): 'dir' | 'other' | 'missing' {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    // ENOTDIR: some ancestor is not a directory; the walk up finds it.
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return 'missing';
    throw err;
  }
}

/**
 * Makes `dir` (and its missing parents) and checks that it is writable; returns its absolute path. The
 * parents are created one by one, top down: Node's `mkdirSync(dir, { recursive: true })` never returns
 * for some paths (`/proc/x`), and its errors name an internal step rather than what is wrong.
 * Every problem is a ValidationError naming `flag`.
 */
export function makeOutDir(flag: string, dir: string): string {
  const abs = resolve(dir);
  const shown = JSON.stringify(dir);
  const missing: string[] = [];
  let p = abs;
  let k: ReturnType<typeof kind>;
  try {
    k = kind(p);
    while (k === 'missing') {
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
      k = kind(p);
    }
  } catch (err) {
    throw new ValidationError(`Expected a directory that can be created for ${flag} but received ${shown}: ${reason(err)}`);
  }
  if (k === 'other') {
    throw new ValidationError(
      p === abs
        ? `Expected a directory for ${flag} but received ${shown}, which is a file`
        : `Expected a directory for ${flag} but received ${shown}: ${p} is a file, not a directory`,
    );
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (err) {
      if (errno(err) === 'EEXIST' && kind(m) === 'dir') continue; // made meanwhile
      throw new ValidationError(`Expected a directory that can be created for ${flag} but received ${shown}: ${reason(err)}`);
    }
  }
  try {
    accessSync(abs, constants.W_OK);
  } catch (err) {
    throw new ValidationError(`Expected a writable directory for ${flag} but received ${shown}: ${reason(err)}`);
  }
  return abs;
}

/**
 * Checks, before any long work, that the files a command will write into `dir` (made by makeOutDir) can be
 * written: an existing one must be a regular, writable file, or a symbolic link to one (a directory, a
 * FIFO, a dangling or looping link, or a read-only file of that name would otherwise fail the command, or
 * block it, only at the end).
 */
export function checkOutFiles(flag: string, dir: string, names: readonly string[]): void {
  const bad = (name: string, why: string) =>
    new ValidationError(`Expected a directory where ${name} can be written for ${flag} but received ${JSON.stringify(dir)}: ${why}`);
  for (const name of names) {
    const file = join(dir, name);
    try {
      lstatSync(file);
    } catch (err) {
      if (errno(err) === 'ENOENT') continue;
      throw bad(name, reason(err));
    }
    let st;
    try {
      st = statSync(file); // follows a link
    } catch (err) {
      throw bad(name, `${file} is a symbolic link to nothing that can be written (${errno(err) || reason(err)})`);
    }
    if (st.isDirectory()) throw bad(name, `${file} is a directory`);
    if (!st.isFile()) throw bad(name, `${file} is not a regular file`);
    try {
      accessSync(file, constants.W_OK);
    } catch (err) {
      throw bad(name, reason(err));
    }
  }
}

/**
 * Checks, before any long work, that the file `file` can be written (replaced atomically: a temporary file
 * beside it, then renamed): its directory must be writable (it is made when missing), and an existing `file`
 * must be a regular file or a link to one.
 */
export function checkOutFile(flag: string, file: string, inputs: Record<string, string | undefined> = {}): void {
  const dir = dirname(resolve(file));
  const shown = JSON.stringify(file);
  // "out/", "." or "/": a directory, whose name resolve() would take as the file's (or, for "/", find none).
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    // missing, or not reachable: the checks below say why
  }
  if (isDir || file.endsWith('/')) {
    throw new ValidationError(`Expected a file path for ${flag} but received ${shown}, which ${isDir ? 'is a directory' : 'names a directory (it ends with /)'}`);
  }
  let k: ReturnType<typeof kind>;
  try {
    k = kind(dir);
  } catch (err) {
    throw new ValidationError(`Expected a file path in a writable directory for ${flag} but received ${shown}: ${reason(err)}`);
  }
  // A missing directory is made, as --out directories of bench and reproduce are; a file in its place is an error.
  if (k === 'missing') makeOutDir(flag, dir);
  else if (k !== 'dir') throw new ValidationError(`Expected a file path in a directory for ${flag} but received ${shown}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ValidationError(`Expected a file path in a writable directory for ${flag} but received ${shown}: ${reason(err)}`);
  }
  checkOutFiles(flag, dir, [basename(resolve(file))]);
  checkNotInput(flag, file, inputs);
}

/**
 * Refuses an output file that is one of the command's input files (`inputs`: flag to path), by any path or
 * link to it: it would be replaced, after the command read it, by what the command writes.
 */
function checkNotInput(flag: string, file: string, inputs: Record<string, string | undefined>): void {
  let out: Stats;
  try {
    out = statSync(file);
  } catch {
    return; // not there yet: not an input
  }
  for (const [inputFlag, input] of Object.entries(inputs)) {
    if (input === undefined) continue;
    let st: Stats;
    try {
      st = statSync(input);
    } catch {
      continue; // the input's own check reports it
    }
    if (st.dev === out.dev && st.ino === out.ino) {
      throw new ValidationError(
        `Expected a file other than ${inputFlag} for ${flag} but received ${JSON.stringify(file)}, which is the ${inputFlag} file itself: ` +
          'writing it would destroy it',
      );
    }
  }
}

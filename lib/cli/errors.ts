/** How the CLI ends on errors: one line on stderr, exit code 2 for bad input, no stack trace. */
import { CommanderError } from 'commander';
import { AbortError, DataFormatError, NativeError, OverflowError, ValidationError } from '../errors';
import { oneLine } from '../text';

/** An error the CLI reports as is (one line), with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * File-system errors caused by a path the user gave (a missing file, a file where a directory is needed,
 * a directory that may not be written): exit code 2, as for other bad arguments.
 */
const USER_FS_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'EACCES', 'EPERM', 'EROFS', 'ELOOP', 'ENAMETOOLONG', 'ENOTEMPTY']);
/** File-system errors of the machine rather than of the arguments: reported plainly, exit code 1. */
const SYSTEM_FS_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'ENFILE', 'EBUSY', 'ETXTBSY', 'EFBIG']);

/**
 * Training whose loss became NaN or infinite (the API's DivergenceError, recognised by name so that this
 * works whether or not the class is exported by the library in use).
 */
function isDivergence(err: unknown): err is Error {
  return err instanceof Error && err.name === 'DivergenceError';
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (help, version or a usage error).
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof AbortError) {
    process.stderr.write(`npset: ${err.message}\n`);
    return 130;
  }
  const message = err instanceof Error ? err.message : String(err);
  const line = oneLine(message);
  if (err instanceof CliError) {
    process.stderr.write(`npset: ${line}\n`);
    return err.exitCode;
  }
  if (isDivergence(err)) {
    // Exit code 1, not 2: every argument was valid and training ran; it is the outcome of the run (as with
    // any other failure during the work) that is bad, not the command line's syntax or ranges.
    process.stderr.write(`npset: ${line}\n`);
    return 1;
  }
  // OverflowError: the data's features are out of the model's range (predict on unscaled data, say).
  const badInput = err instanceof ValidationError || err instanceof DataFormatError || err instanceof OverflowError;
  if (badInput || err instanceof TypeError || err instanceof RangeError) {
    process.stderr.write(`npset: ${line}\n`);
    return 2;
  }
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'ERR_NPSET_MODEL_FILE') {
    // A model file that is not valid, or cannot be read or written: the user's file, unless the machine failed.
    const cause = ((err as { cause?: { code?: string } }).cause?.code ?? '') as string;
    process.stderr.write(`npset: ${line}\n`);
    return SYSTEM_FS_ERRORS.has(cause) ? 1 : 2;
  }
  if (USER_FS_ERRORS.has(code) || code === 'ERR_NPSET_NO_DATASETS') {
    process.stderr.write(`npset: ${line}\n`);
    return 2;
  }
  if (SYSTEM_FS_ERRORS.has(code)) {
    process.stderr.write(`npset: ${line}\n`);
    return 1;
  }
  process.stderr.write(`npset: ${err instanceof NativeError ? '' : 'unexpected error: '}${line}\n`);
  if (process.env.NPSET_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

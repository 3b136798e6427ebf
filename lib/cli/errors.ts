/** How the CLI ends on errors: one line on stderr, exit code 2 for bad input, no stack trace. */
import { CommanderError } from 'commander';
import { AbortError, DataFormatError, NativeError, ValidationError } from '../errors';

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
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  if (err instanceof ValidationError || err instanceof DataFormatError || err instanceof TypeError || err instanceof RangeError) {
    process.stderr.write(`npset: ${oneLine}\n`);
    return 2;
  }
  const code = (err as { code?: string })?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ERR_NPSET_NO_DATASETS') {
    process.stderr.write(`npset: ${oneLine}\n`);
    return 2;
  }
  process.stderr.write(`npset: ${err instanceof NativeError ? '' : 'unexpected error: '}${oneLine}\n`);
  if (process.env.NPSET_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}

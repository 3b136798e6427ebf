#!/usr/bin/env node
/** The `npset` command line. */
import { Command } from 'commander';
import { reportError } from './errors';
import { withExamples } from './examples';
import { checkOperands } from './operands';
import { benchCommand } from './bench';
import { predictCommand } from './predict';
import { reproduceCommand } from './reproduce';
import { trainCommand } from './train';
import { oneLine } from '../text';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

// Commander's usage errors, as one line: "npset: error: unknown option '--foo'".
function oneLineError(message: string, write: (s: string) => void): void {
  write(`npset: ${oneLine(message.trim())}\n`);
}

export function program(): Command {
  const p = new Command('npset')
    .description('Truly sparse MLPs on multicore CPUs: SET and NPSET training, saved models, paper reproduction, CPU-scaling benchmarks')
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: oneLineError });
  for (const cmd of [trainCommand(), predictCommand(), reproduceCommand(), benchCommand()]) {
    p.addCommand(withExamples(cmd).exitOverride().configureOutput({ outputError: oneLineError }));
  }
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const p = program();
    checkOperands(p, argv);
    await p.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err);
  }
}

/**
 * What to do when writing to stdout or stderr fails. EPIPE means the reader went away (`npset train | head
 * -1`): the user got the output they asked for, so npset stops at once, quietly, with exit code 0 rather
 * than the shell's 141 (killed by SIGPIPE), so that `set -o pipefail` scripts that cut the output short
 * on purpose do not fail; nothing is left half-written, as results files are replaced atomically. Any
 * other write error (EIO, ENOSPC on a redirected file, ...) is reported on the other stream, exit code 1.
 */
export function onOutputError(stream: 'stdout' | 'stderr', err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  if (stream === 'stdout') {
    try {
      process.stderr.write(`npset: cannot write to stdout: ${err.message}\n`);
    } catch {
      // stderr is gone too: nothing left to tell
    }
  }
  process.exit(1);
}

if (require.main === module) {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => onOutputError('stdout', err));
  process.stderr.on('error', (err: NodeJS.ErrnoException) => onOutputError('stderr', err));
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

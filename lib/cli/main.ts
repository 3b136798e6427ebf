#!/usr/bin/env node
/** The `npset` command line. */
import { Command } from 'commander';
import { reportError } from './errors';
import { benchCommand } from './bench';
import { reproduceCommand } from './reproduce';
import { trainCommand } from './train';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json') as { version: string };

// Commander's usage errors, as one line: "npset: error: unknown option '--foo'".
function oneLineError(message: string, write: (s: string) => void): void {
  write(`npset: ${message.trim().replace(/\s*\n\s*/g, ' ')}\n`);
}

export function program(): Command {
  const p = new Command('npset')
    .description('Truly sparse MLPs on multicore CPUs: SET and NPSET training, paper reproduction, CPU-scaling benchmarks')
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: oneLineError });
  for (const cmd of [trainCommand(), reproduceCommand(), benchCommand()]) {
    p.addCommand(cmd.exitOverride().configureOutput({ outputError: oneLineError }));
  }
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

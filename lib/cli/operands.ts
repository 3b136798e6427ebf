/**
 * Values given without a flag (`npset train data.mat`, `--hidden 300 300`): no subcommand takes any, and
 * commander's "too many arguments for 'train'. Expected 0 arguments but got 1." names neither the value nor
 * the fix (and predict's missing --model comes first). Found here, before commander parses, with a hint.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command, Option } from 'commander';
import { ValidationError } from '../errors';
import { CSV_EXTENSIONS } from '../experiment/prepare';

/** Flags whose value is a comma-separated list: a second size after a space is the usual slip. */
const LIST_FLAGS = new Set(['--hidden', '--layers', '--threads', '--methods', '--datasets']);

/** Throws when `args` (after the program name) give subcommand `args[0]` a value without a flag. */
export function checkOperands(program: Command, args: readonly string[]): void {
  if (args[0] === 'help' && args.length > 1 && !program.commands.some((c) => c.name() === args[1])) {
    // commander prints the whole help for it, exit code 2, without saying why.
    throw new ValidationError(`Expected a command for npset help (${program.commands.map((c) => c.name()).join(', ')}) but received ${JSON.stringify(args[1])}`);
  }
  if (args.includes('--help') || args.includes('-h')) return;
  const cmd = program.commands.find((c) => c.name() === args[0]);
  if (!cmd) {
    // `npset --data x.mat`: the command left out.
    const owners = args.length > 0 ? ownersOf(program, args[0]) : [];
    if (owners.length > 0) {
      throw new ValidationError(`Expected a command before ${flagName(args[0])} but received none: npset ${owners[0]} ${args.join(' ')} (see npset --help)`);
    }
    return;
  }
  let previous: { flag: string; value: string } | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      if (i + 1 < args.length) fail(cmd.name(), args[i + 1], undefined);
      return;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const option = findOption(cmd.options as readonly Option[], arg);
      if (!option) {
        // A flag of another command (`bench --hidden`): commander would suggest a look-alike of this one's.
        const owners = ownersOf(program, arg).filter((name) => name !== cmd.name());
        if (owners.length > 0) {
          throw new ValidationError(
            `Expected an option of npset ${cmd.name()} but received ${flagName(arg)}, an option of ${listed(owners.map((o) => `npset ${o}`))} (see npset ${cmd.name()} --help)`,
          );
        }
        return; // unknown anywhere: commander's to report, with its "did you mean"
      }
      const takesValue = option.required || option.optional;
      if (takesValue && !arg.includes('=') && i + 1 < args.length) {
        previous = { flag: arg, value: args[i + 1] };
        i++;
      } else previous = undefined;
      continue;
    }
    fail(cmd.name(), arg, previous);
  }
}

/** The commands that have the flag `arg` (--name or --name=value). */
function ownersOf(program: Command, arg: string): string[] {
  if (!arg.startsWith('--')) return [];
  return program.commands.filter((c) => findOption(c.options as readonly Option[], arg)).map((c) => c.name());
}

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function flagName(arg: string): string {
  return arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
}

function findOption(options: readonly Option[], arg: string): Option | undefined {
  const name = flagName(arg);
  return options.find((o) => o.long === name || o.short === name);
}

function fail(command: string, value: string, previous: { flag: string; value: string } | undefined): never {
  throw new ValidationError(
    `Expected a flag before each value for npset ${command} but received ${JSON.stringify(value)} on its own: ${hint(command, value, previous)}`,
  );
}

function hint(command: string, value: string, previous: { flag: string; value: string } | undefined): string {
  if (previous && LIST_FLAGS.has(previous.flag) && /^[\w.-]+$/.test(value)) {
    return `a list is one value, with commas: ${previous.flag} ${previous.value},${value}`;
  }
  const ext = extname(value).toLowerCase();
  if (command === 'predict' && ext === '.npset') return `give the model as --model ${value}`;
  if (ext === '.mat' || (CSV_EXTENSIONS as readonly string[]).includes(ext) || existsSync(value)) {
    return `give the data file as --data ${value}`;
  }
  return `see npset ${command} --help`;
}

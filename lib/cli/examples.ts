/** Examples at the end of each command's --help (commands from README.md, which shows their output). */
import type { Command } from 'commander';

const EXAMPLES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  train: [
    'npset train --data lung_discrete.mat --hidden 300,300 --epsilon 10 --epochs 100 --method npset',
    'npset train --data iris.csv --label-column species --hidden 32,32 --save-model iris.npset',
    'npset train --data data.mat --validation-fraction 0.25 --patience 15 --json > run.json',
  ],
  predict: [
    'npset predict --model iris.npset --data iris.csv',
    'npset predict --model iris.npset --data new.csv --no-labels --out predictions.csv',
  ],
  reproduce: [
    'npset reproduce --data-dir datasets/asu --seeds 3 --out results',
    'npset reproduce --datasets lung_discrete,Yale --methods set,npset --seeds 1 --no-figures',
  ],
  bench: [
    'npset bench --workload gisette --threads 1,2 --epochs 3',
    'npset bench --workload custom --layers 1000,4000,4000,10 --threads 1,2,4 --out bench-out',
  ],
});

/** Adds the command's examples after its options in --help. */
export function withExamples(command: Command): Command {
  const lines = EXAMPLES[command.name()];
  return lines ? command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`) : command;
}

/** The examples in each command's --help use only that command's flags, with values its parsers accept. */
import type { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../lib/cli/main';
import { runCli } from '../helpers/cli';

describe('--help examples', () => {
  const commands = program().commands;

  for (const name of ['train', 'predict', 'reproduce', 'bench']) {
    it(`npset ${name} --help ends with examples that parse`, async () => {
      const r = await runCli([name, '--help']);
      expect(r.status).toBe(0);
      const examples = r.stdout.split('\nExamples:\n')[1];
      expect(examples, r.stdout).toBeDefined();
      const lines = examples.trim().split('\n').map((l) => l.trim());
      expect(lines.length).toBeGreaterThan(0);
      const cmd = commands.find((c) => c.name() === name)!;
      for (const line of lines) {
        const words = line.replace(/^\$ npset /, '').replace(/ > .*$/, '').split(' ');
        expect(words[0], line).toBe(name);
        for (let i = 1; i < words.length; i++) {
          const option = (cmd.options as readonly Option[]).find((o) => o.long === words[i]);
          expect(option, `${words[i]} in: ${line}`).toBeDefined();
          if (option!.required || option!.optional) {
            const value = words[++i];
            const parse = (option as unknown as { parseArg?: (v: string, previous: unknown) => unknown }).parseArg;
            if (parse) expect(() => parse(value, undefined), `${option!.long} ${value}`).not.toThrow();
          }
        }
      }
    });
  }
});

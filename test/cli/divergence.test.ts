/**
 * A training whose loss becomes NaN (`--lr 1e30`) ends with one line naming --lr and a nonzero exit code,
 * instead of printing NaN losses and accuracies and exiting 0. Relies on the API's DivergenceError.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, runCli, withoutNotes } from '../helpers/cli';
import { smallMat } from '../helpers/mat-writer';

let tmp: string;
let data: string;
cliTempDir('npset-cli-diverge-', (dir) => {
  tmp = dir;
  data = path.join(tmp, 'small.mat');
  writeFileSync(data, smallMat());
});

describe('npset train --lr 1e30', () => {
  for (const json of [false, true]) {
    it(`stops at the first non-finite loss with one line and exit code 1${json ? ' (--json)' : ''}`, async () => {
      const r = await runCli(['train', '--data', data, '--hidden', '10', '--epochs', '5', '--threads', '1', '--lr', '1e30', ...(json ? ['--json'] : [])]);
      expect(r.signal).toBeNull();
      expect(r.status, r.stderr).toBe(1);
      // SMALL_X's first feature is the row number: its note may come first.
      const lines = withoutNotes(r.stderr).split('\n').filter((l) => l.length > 0);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^npset: Training diverged at epoch \d+: .*(NaN|Infinity).*try a lower --lr than 1e\+30\)$/);
      expect(lines[0]).not.toMatch(/unexpected error|learning rate/);
      // no summary, no accuracies, no JSON claiming a result
      expect(r.stdout).not.toMatch(/accuracy|^\{/m);
      expect(r.stdout).not.toMatch(/loss NaN/);
    });
  }
});

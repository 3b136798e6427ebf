/** The note for a CSV header that detection cannot tell from data (numeric names above text labels). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvHeaderNote } from '../../lib/cli/checks';
import type { Dataset } from '../../lib/data';
import { cliTempDir, runCli } from '../helpers/cli';

let tmp: string;
cliTempDir('npset-header-note-', (dir) => (tmp = dir));

function data(y: number[], labelNames: string[], extra: Partial<Dataset> = {}): Dataset {
  const n = y.length;
  return { name: 'd', X: new Float32Array(n), samples: n, features: 1, y: Int32Array.from(y), classes: labelNames.length, labels: labelNames.map((_, c) => c), labelNames, ...extra };
}

describe('csvHeaderNote', () => {
  const d = data([2, 0, 1, 0, 1], ['cat', 'dog', 'label']);
  it('names the first sample\'s class when no other sample has it', () => {
    expect(csvHeaderNote('x.csv', undefined, d)).toBe(
      'the first line of x.csv read as data is the only sample of its class "label": if that line is a header (numeric column names above text labels are not detected as one), add --header',
    );
  });
  it('says nothing when the header was decided, names were read, the file is not CSV, or the class is shared or numeric', () => {
    expect(csvHeaderNote('x.csv', false, d)).toBeNull();
    expect(csvHeaderNote('x.csv', true, d)).toBeNull();
    expect(csvHeaderNote('x.mat', undefined, d)).toBeNull();
    expect(csvHeaderNote(undefined, undefined, d)).toBeNull();
    expect(csvHeaderNote('x.csv', undefined, { ...d, featureNames: ['a'] })).toBeNull();
    expect(csvHeaderNote('x.csv', undefined, data([0, 0, 1, 1], ['cat', 'dog']))).toBeNull();
    expect(csvHeaderNote('x.csv', undefined, data([2, 0, 1, 0], ['1', '2', '3.5']))).toBeNull();
    expect(csvHeaderNote('x.csv', undefined, data([1, 0], ['a', 'b']))).toBeNull();
    // A text class made of letters that can appear in numbers ("e") is a name, not a number.
    expect(csvHeaderNote('x.csv', undefined, data([2, 0, 1, 0, 1], ['a', 'b', 'e']))).toMatch(/its class "e"/);
  });
});

describe('npset train on such a file', () => {
  it('prints the note on stderr and still trains; --header reads line 1 as the header, without the note', async () => {
    const file = path.join(tmp, 'h.csv');
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 5},${(i * 3) % 7},${(i * 7) % 11},${i % 2 ? 'cat' : 'dog'}`);
    writeFileSync(file, `1,2,3,label\n${rows.join('\n')}\n`);
    const args = ['train', '--data', file, '--hidden', '8', '--epochs', '1', '--threads', '1', '--json'];
    const a = await runCli(args);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/^npset: note: the first line of .*h\.csv read as data is the only sample of its class "label": .*add --header\n$/);
    const b = await runCli([...args, '--header']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toBe('');
  });
});

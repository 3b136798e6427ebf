/**
 * trimEndOf and oneLine (lib/text.ts): the same results as the regular expressions they replace, on many
 * short texts, and no quadratic time on long runs (MAT names and labels of a hostile file, error messages).
 */
import { describe, expect, it } from 'vitest';
import { datasetFromMatFile } from '../../lib/data/dataset';
import { parseMat } from '../../lib/data/mat';
import { oneLine, pathText, trimEndOf } from '../../lib/text';
import { Rng } from '../helpers/fuzz';
import { charMatrixSpec, matrixSpec, writeMat } from '../helpers/mat-writer';

/** Every text of up to `n` characters drawn from `alphabet`, a few thousand at most, then random ones. */
function texts(alphabet: string[], n: number, seed: number): string[] {
  const out = [''];
  for (let len = 1; len <= n && out.length < 5000; len++) {
    const prev = out.filter((t) => t.length === len - 1);
    for (const t of prev) for (const c of alphabet) out.push(t + c);
  }
  const rng = new Rng(seed);
  for (let k = 0; k < 2000; k++) out.push(Array.from({ length: rng.int(20) }, () => rng.pick(alphabet)).join(''));
  return out;
}

describe('trimEndOf', () => {
  it('removes exactly what /[ \\0]+$/ and /\\0+$/ remove', () => {
    for (const t of texts([' ', '\0', 'a', '\t'], 6, 1)) {
      expect(trimEndOf(t, ' \0'), JSON.stringify(t)).toBe(t.replace(/[ \0]+$/, ''));
      expect(trimEndOf(t, '\0'), JSON.stringify(t)).toBe(t.replace(/\0+$/, ''));
    }
  });
});

describe('oneLine', () => {
  it('gives what .replace(/\\s*\\n\\s*/g, " ") gives', () => {
    for (const t of texts(['\n', ' ', 'a', '\r', '\t'], 6, 2)) {
      expect(oneLine(t), JSON.stringify(t)).toBe(t.replace(/\s*\n\s*/g, ' '));
    }
    expect(oneLine('Expected X\n  for Y\n\n but received Z')).toBe('Expected X for Y but received Z');
  });

  it('takes long runs of white space without backtracking (the regular expression took seconds for 80,000)', () => {
    const run = `${' '.repeat(300_000)}x`;
    expect(oneLine(run)).toBe(run);
    expect(oneLine(`a${run}\n${run}`)).toBe(`a${' '.repeat(300_000)}x x`);
    expect(trimEndOf(`${'\0'.repeat(300_000)}x`, '\0')).toHaveLength(300_001);
  });
});

describe('MAT files with long runs of padding', () => {
  it('reads text labels whose rows are long runs of spaces before a letter', () => {
    // Two labels, each 300,000 spaces and a letter: the row-end trimming used to try every start in the run.
    const labels = [`${' '.repeat(300_000)}a`, `${' '.repeat(300_000)}b`];
    const bytes = writeMat([matrixSpec('X', [[1, 2], [3, 4]]), charMatrixSpec('Y', labels)]);
    const d = datasetFromMatFile(parseMat(bytes), 'long');
    expect(d.labelNames).toEqual(labels);
  });
});

describe('pathText', () => {
  it('keeps a file name as typed, and quotes one with a control character', () => {
    expect(pathText('out/run 1.csv')).toBe('out/run 1.csv');
    expect(pathText('é/ü.csv')).toBe('é/ü.csv');
    expect(pathText('a\nb')).toBe('"a\\nb"');
    expect(pathText('a\tb\u007f')).toBe('"a\\tb\u007f"');
  });
});

/**
 * Seeded fuzzing of the LIBSVM / SVMlight loaders: random lines (labels, qid, index:value pairs of every
 * shape, comments, separators, line endings, BOMs, Unicode), the bytes of such texts corrupted or cut, through
 * loadLibsvmDataset and loadLibsvmFeatures with random options.
 *
 * Each must return a consistent result (badDataset / badFeatures find nothing) or throw a one-line
 * DataFormatError naming the file, not wrapping a programming error; a hang fails too. Well-formed files are
 * also generated with the dense data they hold, which the loader must return exactly.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLibsvmDataset, loadLibsvmFeatures, type LibsvmDatasetOptions } from '../../lib/data/libsvm';
import { DataFormatError } from '../../lib/errors';
import { Rng, badDataset, badFeatures, describeError, settleWithin } from '../helpers/fuzz';

const dir = mkdtempSync(join(tmpdir(), 'npset-libsvm-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LABELS = ['1', '-1', '+1', '0', '2', '3.0', '1e0', '-0', '1,2', 'a', '', 'nan', '1e400', '9007199254740993', '0x1', '+', '٣'];
const VALUES = ['1', '0', '-0', '0.5', '-2.25', '.5', '5.', '1e-3', '3.4e38', '3.5e38', '1e400', 'nan', 'inf', '-Infinity', '0x10', '', '1,5', '１'];
const JUNK = ['qid:3', 'qid:x', ':', '1:', ':1', '1:2:3', '-1:1', '1.5:1', '99999999999:1', '4294967296:1', '#c', '# comment', '\u0000', 'é:1', '😀'];
const SEPARATORS = [' ', ' ', ' ', '\t', '  ', '\v', '\f', '\u00a0'];
const NEWLINES = ['\n', '\n', '\r\n', '\r'];

/** A random line: a label (or not), maybe a qid, pairs in ascending order (now and then not), junk with probability `dirt`. */
function line(rng: Rng, dirt: number, labelled: boolean, zero: boolean): string {
  const parts: string[] = [];
  if (labelled || rng.chance(dirt)) parts.push(rng.chance(dirt) ? rng.pick(LABELS) : rng.pick(['1', '-1', '2']));
  if (rng.chance(0.1)) parts.push(`qid:${rng.int(5)}`);
  let index = zero ? -1 : 0;
  for (let n = rng.int(6); n > 0; n--) {
    index += rng.chance(dirt / 4) ? -rng.int(3) : 1 + rng.int(rng.chance(0.05) ? 5000 : 4);
    const value = rng.chance(dirt) ? rng.pick(VALUES) : String((rng.int(2001) - 1000) / 8);
    parts.push(`${index}:${value}`);
    if (rng.chance(dirt / 3)) parts.push(rng.pick(JUNK));
  }
  if (rng.chance(0.05)) parts.push(`# ${rng.pick(['note', 'é', '1:2'])}`);
  let text = '';
  for (let i = 0; i < parts.length; i++) text += (i > 0 ? (rng.chance(dirt) ? rng.pick(SEPARATORS) : ' ') : '') + parts[i];
  return text;
}

function randomText(rng: Rng): string {
  const dirt = rng.pick([0, 0, 0.02, 0.1, 0.4]);
  const labelled = rng.chance(0.9);
  const zero = rng.chance(0.3);
  const nl = rng.pick(NEWLINES);
  let text = rng.chance(0.1) ? '\ufeff' : '';
  for (let i = rng.int(10); i > 0; i--) {
    text += (rng.chance(0.05) ? rng.pick(['', '# header', ' ']) : line(rng, dirt, labelled, zero)) + (rng.chance(dirt / 5) ? rng.pick(NEWLINES) : nl);
  }
  return rng.chance(0.3) ? text.slice(0, Math.max(0, text.length - nl.length)) : text;
}

/** The bytes of a text, now and then corrupted or cut (maybe inside a character). */
function bytesOf(rng: Rng, text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  const r = rng.int(12);
  if (r === 0 && b.length > 0) for (let n = 1 + rng.int(3); n > 0; n--) b[rng.int(b.length)] = rng.pick([0x00, 0xff, 0xc3, 0x3a, 0x20, 0x0a, rng.int(256)]);
  if (r === 1) return b.subarray(0, rng.int(b.length + 1));
  return b;
}

const OPTIONS: readonly (LibsvmDatasetOptions | undefined)[] = [
  undefined, undefined, undefined, { zeroBased: true }, { zeroBased: false }, { zeroBased: 'auto' }, { features: 3 }, { features: 5000 },
  { features: 4, zeroBased: true }, { maxDenseBytes: 64 },
];

/** undefined when `e` is a one-line DataFormatError naming `file`, not wrapping a programming error; else what is wrong. */
function badError(e: unknown, file: string): string | undefined {
  if (!(e instanceof DataFormatError)) return `threw ${describeError(e)}`;
  if (/[\n\r]/.test(e.message)) return `a DataFormatError of several lines: ${JSON.stringify(e.message.slice(0, 300))}`;
  if (!e.message.startsWith(`${file}: `)) return `a DataFormatError not naming the file: ${JSON.stringify(e.message.slice(0, 300))}`;
  const cause = e.cause;
  if (cause instanceof TypeError || cause instanceof ReferenceError || cause instanceof RangeError) return `a DataFormatError wrapping ${describeError(cause)}`;
  return undefined;
}

let counter = 0;

function fileWith(bytes: Buffer): string {
  const sub = join(dir, String(counter++));
  mkdirSync(sub);
  const file = join(sub, 'data.svm');
  writeFileSync(file, bytes);
  return file;
}

describe('LIBSVM loaders on random files', () => {
  it('load consistent data or refuse with a one-line DataFormatError naming the file (1,500 seeded files)', async () => {
    const problems: string[] = [];
    const tally = { loaded: 0, refused: 0 };
    for (let seed = 1; seed <= 1500; seed++) {
      const rng = new Rng(seed);
      const bytes = bytesOf(rng, randomText(rng));
      const options = rng.pick(OPTIONS);
      const file = fileWith(bytes);
      const show = JSON.stringify(bytes.toString('latin1').slice(0, 200));
      try {
        const bad = badDataset(await settleWithin(() => loadLibsvmDataset(file, options), 'loadLibsvmDataset'));
        if (bad) problems.push(`seed ${seed}: loadLibsvmDataset gave ${bad} for ${show}`);
        tally.loaded++;
      } catch (e) {
        const bad = badError(e, file);
        if (bad) problems.push(`seed ${seed}: loadLibsvmDataset ${bad} for ${show}`);
        else tally.refused++;
      }
      try {
        const bad = badFeatures(await settleWithin(() => loadLibsvmFeatures(file, options), 'loadLibsvmFeatures'));
        if (bad) problems.push(`seed ${seed}: loadLibsvmFeatures gave ${bad} for ${show}`);
      } catch (e) {
        const bad = badError(e, file);
        if (bad) problems.push(`seed ${seed}: loadLibsvmFeatures ${bad} for ${show}`);
      }
    }
    expect(problems).toEqual([]);
    // Both outcomes are exercised: not every file is refused, nor every one loaded.
    expect(tally.loaded).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(100);
  }, 120_000);

  it('well-formed files give exactly the dense data they hold', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = new Rng(10_000 + seed);
      const samples = 1 + rng.int(12);
      const features = 1 + rng.int(9);
      const zero = rng.chance(0.5);
      const X = Array.from({ length: samples }, () => Array.from({ length: features }, () => (rng.chance(0.5) ? 0 : (rng.int(4001) - 2000) / 16)));
      // The last feature used by some row, and for a 0-based file feature 0 too, so that the width and base are as written.
      X[0][features - 1] = 1.5;
      if (zero) X[samples - 1][0] = -2;
      const y = Array.from({ length: samples }, () => rng.pick([-1, 1, 2]));
      const lines = X.map((row, i) => [String(y[i]), ...row.flatMap((v, j) => (v === 0 ? [] : [`${j + (zero ? 0 : 1)}:${v}`]))].join(rng.pick([' ', '\t'])));
      const file = fileWith(Buffer.from(lines.join(rng.pick(['\n', '\r\n'])), 'utf8')); // a lone CR is a separator, not a line end
      const d = await loadLibsvmDataset(file);
      expect([d.samples, d.features, d.libsvmZeroBased]).toEqual([samples, features, zero]);
      expect(Array.from(d.X)).toEqual(X.flat());
      expect(Array.from(d.y, (k) => d.labels[k])).toEqual(y);
    }
  });
});

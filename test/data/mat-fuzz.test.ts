/**
 * Seeded fuzzing of the MAT v5 loaders: small valid files (plain and compressed elements, both byte orders,
 * numeric, sparse, char-matrix and cell-array labels) mutated by byte flips, runs of 0x00/0xFF, truncation,
 * appended bytes and structured edits of the elements (tag sizes and types, array dims, array flags), inside
 * compressed elements too (inflated, edited, deflated back under a consistent tag).
 *
 * Each mutated file goes through the low-level reader (parseMat, then datasetFromMatFile on what it parsed)
 * and the file loaders (loadMatDataset, loadMatFeatures). Each must return a consistent result (checked by
 * validateDataset and by the shapes) or throw a one-line DataFormatError (naming the file, for the loaders).
 * Anything else (a TypeError, a RangeError, a ValidationError for a file's contents, a result of the wrong
 * shape) is collected and the test fails listing every case.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetFromMatFile, loadMatDataset, loadMatFeatures } from '../../lib/data/dataset';
import { parseMat, type MatFile } from '../../lib/data/mat';
import { DataFormatError } from '../../lib/errors';
import { Rng, badDataset, badFeatures, describeError, settleWithin } from '../helpers/fuzz';
import {
  cellstrSpec, charMatrixSpec, compressedElement, concat, matrixSpec, MI, SMALL_X, writeMat, type Endian, type VarSpec,
} from '../helpers/mat-writer';

const dir = mkdtempSync(join(tmpdir(), 'npset-mat-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------
// Valid files.

interface Base {
  label: string;
  bytes: Uint8Array;
  endian: Endian;
}

const LABELS = ['setosa', 'versicolor', 'virginica'];
const Y_NUM = SMALL_X.map((_, i) => [(i % 3) + 1]);
const Y_TEXT = SMALL_X.map((_, i) => LABELS[i % 3]);

function bases(): Base[] {
  const X = matrixSpec('X', [...SMALL_X]);
  // SMALL_X's nonzeros, column by column.
  const ir: number[] = [];
  const jc = [0];
  const pr: number[] = [];
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 12; i++) {
      if (SMALL_X[i][j] === 0) continue;
      ir.push(i);
      pr.push(SMALL_X[i][j]);
    }
    jc.push(ir.length);
  }
  const sparseX: VarSpec = { kind: 'sparse', name: 'X', rows: 12, cols: 3, ir, jc, pr };
  const out: Base[] = [];
  const add = (label: string, vars: VarSpec[], endian: Endian, compress: boolean | ((v: VarSpec, i: number) => boolean), small = true) =>
    out.push({ label, endian, bytes: writeMat(vars, { endian, compress, small }) });
  add('numeric le plain', [X, matrixSpec('Y', Y_NUM)], 'le', false);
  add('numeric le compressed', [X, matrixSpec('Y', Y_NUM)], 'le', true);
  add('int16 X uint8 Y be plain', [matrixSpec('X', [...SMALL_X], 'int16'), matrixSpec('Y', Y_NUM, 'uint8')], 'be', false, false);
  add('fea/gnd single be compressed', [matrixSpec('fea', [...SMALL_X], 'single', 'single'), matrixSpec('gnd', Y_NUM, 'int8')], 'be', true);
  add('char labels le compressed', [X, charMatrixSpec('Y', Y_TEXT)], 'le', true);
  add('cell labels le plain', [X, cellstrSpec('Y', Y_TEXT)], 'le', false);
  add('cell labels be compressed', [X, cellstrSpec('Y', Y_TEXT)], 'be', true);
  add('sparse X le mixed', [sparseX, matrixSpec('Y', Y_NUM)], 'le', (_v, i) => i === 0);
  const utf8Labels: VarSpec = { ...charMatrixSpec('Y', Y_TEXT.map((t) => (t === 'setosa' ? 'sétosa' : t))), utf8: true };
  const others: VarSpec[] = [
    { kind: 'struct', name: 'info', fields: [matrixSpec('n', [[12]]), { kind: 'char', name: 'who', rows: ['fuzz'] }] },
    { kind: 'cell', name: 'nested', cells: [cellstrSpec('', ['a', 'b']), matrixSpec('', [[1, 2]])] },
    { kind: 'numeric', name: 'Z', dims: [1, 2], values: [1, 2], imag: [3, 4] },
  ];
  add('utf8 char labels, struct, nested cell, complex be plain', [...others, X, utf8Labels], 'be', false);
  add('int64 labels, struct, nested cell, complex le compressed', [
    ...others, X, { kind: 'numeric', name: 'Y', dims: [12, 1], values: Y_NUM.map((r) => BigInt(r[0])), className: 'int64' },
  ], 'le', true);
  add('logical labels le plain', [X, { kind: 'numeric', name: 'Y', dims: [1, 12], values: Y_NUM.map((r) => r[0] % 2), className: 'logical' }], 'le', false);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The element structure, to aim mutations at tags, dims and flags.

interface Tag {
  /** Offset of the tag in its buffer. */
  at: number;
  small: boolean;
  type: number;
  size: number;
  /** Its index among the sub-elements of its miMATRIX (0 flags, 1 dims, 2 name, ...); -1 at top level. */
  role: number;
}

function tags(bytes: Uint8Array, le: boolean, start = 128, end = bytes.length, role = -1, out: Tag[] = []): Tag[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let index = 0;
  for (let o = start; o + 8 <= end; index++) {
    const word = dv.getUint32(o, le);
    const r = role < 0 ? -1 : index;
    if (word >>> 16 !== 0) {
      out.push({ at: o, small: true, type: word & 0xffff, size: word >>> 16, role: r });
      o += 8;
      continue;
    }
    const size = dv.getUint32(o + 4, le);
    out.push({ at: o, small: false, type: word, size, role: r });
    if (word === MI.matrix) tags(bytes, le, o + 8, Math.min(end, o + 8 + size), 0, out);
    o += 8 + (word === MI.compressed ? size : Math.ceil(size / 8) * 8);
  }
  return out;
}

type Edit = (rng: Rng, bytes: Uint8Array, le: boolean) => string;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const SIZES = (size: number) => [0, 1, 3, 4, 5, 7, 8, size - 1, size + 1, size - 8, size + 8, size * 2, 0x7fffffff, 0xffffffff, 0xfffffff0, 0x10000];

/** Structured edits of a buffer's elements (top-level or inflated); each returns what it did. */
const EDITS: readonly (readonly [string, Edit])[] = [
  ['tag size', (rng, b, le) => {
    const t = rng.pick(tags(b, le, tagStart(b)));
    if (t.small) {
      const size = rng.int(8);
      view(b).setUint32(t.at, ((size << 16) | t.type) >>> 0, le);
      return `small element at ${t.at}: size ${size}`;
    }
    const size = rng.pick(SIZES(t.size)) >>> 0;
    view(b).setUint32(t.at + 4, size, le);
    return `element at ${t.at}: size ${t.size} -> ${size}`;
  }],
  ['tag type', (rng, b, le) => {
    const t = rng.pick(tags(b, le, tagStart(b)));
    const type = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 99, 0xffff]);
    if (t.small) view(b).setUint32(t.at, ((t.size << 16) | type) >>> 0, le);
    else view(b).setUint32(t.at, type, le);
    return `element at ${t.at}: type ${t.type} -> ${type}`;
  }],
  ['dims', (rng, b, le) => {
    const dims = tags(b, le, tagStart(b)).filter((t) => t.role === 1 && t.size >= 4);
    if (dims.length === 0) return 'no dims';
    const t = rng.pick(dims);
    // A tag edited before may claim more than the buffer holds.
    const n = Math.min(Math.floor(t.size / 4), Math.floor((b.length - t.at - (t.small ? 4 : 8)) / 4));
    if (n <= 0) return 'no dims in the buffer';
    const k = rng.int(n);
    const at = t.at + (t.small ? 4 : 8) + 4 * k;
    const was = view(b).getInt32(at, le);
    const v = rng.pick([0, -1, 1, 2, 3, was + 1, was - 1, was * 2, 65536, 2 ** 31 - 1, -(2 ** 31), 1 << 20]);
    view(b).setInt32(at, v, le);
    return `dims[${k}] at ${at}: ${was} -> ${v}`;
  }],
  ['flags', (rng, b, le) => {
    const flags = tags(b, le, tagStart(b)).filter((t) => t.role === 0 && t.size >= 4);
    if (flags.length === 0) return 'no flags';
    const t = rng.pick(flags);
    const at = t.at + (t.small ? 4 : 8);
    if (at + 4 > b.length) return 'no flags in the buffer';
    const was = view(b).getUint32(at, le);
    const r = rng.int(3);
    const v = r === 0 ? (was & ~0xff) | rng.int(20) : r === 1 ? was ^ rng.pick([0x800, 0x200, 0x400, 0x800 | 0x200]) : rng.int(2 ** 32);
    view(b).setUint32(at, v >>> 0, le);
    return `flags at ${at}: 0x${was.toString(16)} -> 0x${(v >>> 0).toString(16)}`;
  }],
  ['flip', (rng, b) => {
    const at: number[] = [];
    for (let n = 1 + rng.int(3); n > 0; n--) {
      const k = tagStart(b) + rng.int(b.length - tagStart(b));
      b[k] = rng.int(256);
      at.push(k);
    }
    return `bytes ${at.join(',')}`;
  }],
];

/** Where the elements of a buffer start: after the 128-byte header in a file, at 0 in an inflated element. */
const INFLATED = new WeakSet<Uint8Array>();
function tagStart(b: Uint8Array): number {
  return INFLATED.has(b) ? 0 : 128;
}

type Mutation = (rng: Rng, base: Base) => { bytes: Uint8Array; what: string };

const MUTATIONS: readonly (readonly [string, Mutation])[] = [
  ['flip bytes anywhere', (rng, base) => {
    const b = base.bytes.slice();
    const at: number[] = [];
    for (let n = 1 + rng.int(8); n > 0; n--) {
      const k = rng.int(b.length);
      b[k] = rng.int(256);
      at.push(k);
    }
    return { bytes: b, what: `bytes ${at.join(',')}` };
  }],
  ['run of 0x00 or 0xFF', (rng, base) => {
    const b = base.bytes.slice();
    const start = 128 + rng.int(b.length - 128);
    const len = 1 + rng.int(32);
    const fill = rng.pick([0x00, 0xff]);
    b.fill(fill, start, Math.min(b.length, start + len));
    return { bytes: b, what: `0x${fill.toString(16)} x ${len} at ${start}` };
  }],
  ['truncated', (rng, base) => {
    const cut = rng.int(base.bytes.length);
    return { bytes: base.bytes.subarray(0, cut), what: `cut at ${cut} of ${base.bytes.length}` };
  }],
  ['appended bytes', (rng, base) => {
    const n = 1 + rng.int(64);
    const tail = rng.int(3) === 0 ? new Uint8Array(n) : rng.bytes(n);
    return { bytes: concat([base.bytes, tail]), what: `${n} bytes` };
  }],
  ['element edits', (rng, base) => {
    const b = base.bytes.slice();
    const [name, edit] = rng.pick(EDITS);
    return { bytes: b, what: `${name}: ${edit(rng, b, base.endian === 'le')}` };
  }],
  ['edits inside a compressed element', (rng, base) => {
    const le = base.endian === 'le';
    const compressed = tags(base.bytes, le).filter((t) => t.type === MI.compressed);
    if (compressed.length === 0) return { bytes: base.bytes, what: 'no compressed element' };
    const t = rng.pick(compressed);
    const inner = new Uint8Array(inflateSync(base.bytes.subarray(t.at + 8, t.at + 8 + t.size)));
    INFLATED.add(inner);
    const did: string[] = [];
    for (let n = 1 + rng.int(2); n > 0; n--) {
      const [name, edit] = rng.pick(EDITS);
      did.push(`${name}: ${edit(rng, inner, le)}`);
    }
    const cut = rng.int(6) === 0 ? rng.int(inner.length) : inner.length;
    if (cut < inner.length) did.push(`inflated data cut at ${cut}`);
    const bytes = concat([base.bytes.subarray(0, t.at), compressedElement(inner.subarray(0, cut), base.endian), base.bytes.subarray(t.at + 8 + t.size)]);
    return { bytes, what: `compressed element at ${t.at}: ${did.join('; ')}` };
  }],
];

// ---------------------------------------------------------------------------------------------------------
// What each loader must do with a file.

/** undefined when `e` is a one-line DataFormatError (for `file`, when given); else what is wrong with it. */
function badError(e: unknown, file?: string): string | undefined {
  if (!(e instanceof DataFormatError)) return `threw ${describeError(e)}`;
  if (e.message.includes('\n')) return `a DataFormatError of several lines: ${JSON.stringify(e.message)}`;
  if (file !== undefined && (e.file !== file || !e.message.startsWith(`${file}: `))) return `a DataFormatError not naming the file: ${e.message}`;
  if (e.message.length <= (file === undefined ? 0 : file.length + 2)) return 'a DataFormatError without a message';
  return undefined;
}

interface Tally {
  parsed: number;
  loaded: number;
  refused: number;
}

async function check(file: string, bytes: Uint8Array, tally: Tally): Promise<string[]> {
  const problems: string[] = [];
  // The low-level reader, and a dataset from what it parsed.
  let mat: MatFile | undefined;
  try {
    mat = await settleWithin(() => parseMat(bytes), 'parseMat');
    if (!Array.isArray(mat.variables)) problems.push('parseMat: no variables array');
    tally.parsed++;
  } catch (e) {
    const bad = badError(e);
    if (bad) problems.push(`parseMat ${bad}`);
  }
  if (mat) {
    try {
      const parsed = mat;
      const bad = badDataset(await settleWithin(() => datasetFromMatFile(parsed, 'fuzz'), 'datasetFromMatFile'));
      if (bad) problems.push(`datasetFromMatFile gave ${bad}`);
    } catch (e) {
      const bad = badError(e);
      if (bad) problems.push(`datasetFromMatFile ${bad}`);
    }
  }
  // The file loaders.
  writeFileSync(file, bytes);
  try {
    const bad = badDataset(await settleWithin(() => loadMatDataset(file), 'loadMatDataset'));
    if (bad) problems.push(`loadMatDataset gave ${bad}`);
    tally.loaded++;
  } catch (e) {
    const bad = badError(e, file);
    if (bad) problems.push(`loadMatDataset ${bad}`);
    else tally.refused++;
  }
  try {
    const bad = badFeatures(await settleWithin(() => loadMatFeatures(file), 'loadMatFeatures'));
    if (bad) problems.push(`loadMatFeatures gave ${bad}`);
  } catch (e) {
    const bad = badError(e, file);
    if (bad) problems.push(`loadMatFeatures ${bad}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------

const BASES = bases();
/** Mutated copies of every base file, per mutation kind (twice as many structured edits). */
const PER_KIND = 60;
const copiesOf = (kind: string) => (kind.includes('edits') ? 2 * PER_KIND : PER_KIND);

describe('the MAT loaders on randomly mutated files', () => {
  it('the unmutated files load as the 12 x 3 dataset they hold (3 classes, 2 for logical labels)', async () => {
    for (const base of BASES) {
      const tally = { parsed: 0, loaded: 0, refused: 0 };
      expect(await check(join(dir, 'plain.mat'), base.bytes, tally), base.label).toEqual([]);
      expect(tally, base.label).toEqual({ parsed: 1, loaded: 1, refused: 0 });
      const d = await loadMatDataset(join(dir, 'plain.mat'));
      expect([d.samples, d.features, d.classes], base.label).toEqual([12, 3, base.label.startsWith('logical') ? 2 : 3]);
    }
  });

  for (const [kind, mutate] of MUTATIONS) {
    it(`${kind}: every copy loads as a consistent dataset or is refused with a DataFormatError`, async () => {
      const rng = new Rng(0xa7f11e ^ (kind.length * 7919) ^ (kind.charCodeAt(0) * 31));
      const problems: string[] = [];
      const tally = { parsed: 0, loaded: 0, refused: 0 };
      for (const base of BASES) {
        for (let t = 0; t < copiesOf(kind); t++) {
          const { bytes, what } = mutate(rng, base);
          for (const p of await check(join(dir, `case-${t}.mat`), bytes, tally)) problems.push(`${base.label} #${t} (${what}): ${p}`);
        }
      }
      expect(problems).toEqual([]);
      // The fuzzing reached the checks: some copies were refused, as most mutations must be.
      expect(tally.refused).toBeGreaterThan(0);
      expect(tally.loaded + tally.refused).toBe(BASES.length * copiesOf(kind));
    });
  }
});

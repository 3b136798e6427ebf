// Hostile MAT-files: sizes that would make the loader allocate gigabytes (sparse arrays declaring
// billions of rows, zip bombs), and values it must not accept silently (complex data, labels that
// float64 cannot tell apart). Each must fail with a one-line DataFormatError before anything large
// is allocated; sizes are chosen so that the allocation would be impossible or enormous.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { datasetFromMatFile, loadMatDataset } from '../../lib/data/dataset';
import { CELL_ENTRY_BYTES, denseData, parseMat, readMat, sparseToDense } from '../../lib/data/mat';
import { DEFAULT_MAX_DENSE_BYTES, type DenseOptions, type ParseMatOptions } from '../../lib/data';
import {
  compressedElement, concat, element, encodeNumbers, matHeader, matrixBody, matrixSpec, MI, MX, writeMat, type VarSpec,
} from '../helpers/mat-writer';
import { dataError, rejectsWithDataError } from '../helpers/data-errors';


const dir = mkdtempSync(path.join(tmpdir(), 'npset-mat-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** loadMatDataset must reject with a DataFormatError that names the file; returns the message. */
function loadError(file: string, options?: Parameters<typeof loadMatDataset>[1]): Promise<string> {
  return rejectsWithDataError(file, () => loadMatDataset(file, options));
}

/** A sparse rows x cols matrix with a single nonzero (1 at row 0, column 0). */
const oneNonzero = (name: string, rows: number, cols: number): VarSpec => ({
  kind: 'sparse', name, rows, cols, ir: [0], jc: [0, ...new Array<number>(cols).fill(1)], pr: [1],
});
const X4x3 = matrixSpec('X', [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
const Y4: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, 2, 1, 2] };
const MAX_ROWS = 2 ** 31 - 1; // the largest dimension a MAT v5 file can declare

describe('sparse arrays: dense copies are bounded (maxDenseBytes)', () => {
  it('refuses a tiny file whose sparse X and Y declare 2^31 - 1 samples, naming the size needed', async () => {
    const file = writeFile('sparse-bomb.mat', writeMat([oneNonzero('X', MAX_ROWS, 1), oneNonzero('Y', MAX_ROWS, 1)]));
    expect(await loadError(file)).toBe(
      `${file}: cannot make a dense copy of sparse X (2147483647x1) and Y (2147483647 labels): ` +
        'it needs 24.0 GiB (25769803764 bytes), over the maxDenseBytes limit of 1.0 GiB; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
  });

  it('refuses a sparse X whose dense copy could never be allocated (2^31 - 1 x 4096), before trying', async () => {
    const x = oneNonzero('X', MAX_ROWS, 4096);
    const file = writeFile('sparse-wide.mat', writeMat([x, oneNonzero('Y', MAX_ROWS, 1)]));
    expect(await loadError(file)).toMatch(/: cannot make a dense copy of sparse X \(2147483647x4096\) and Y .*: it needs 32\.0 TiB/);
  });

  it('checks that a sparse Y matches the samples before densifying it', async () => {
    // With maxDenseBytes 96 (what the dense 4x3 X takes as float64 when read) and the two variables
    // (CELL_ENTRY_BYTES each), densifying the 2^31 - 1 labels first would fail with the limit instead.
    const maxDenseBytes = 96 + 2 * CELL_ENTRY_BYTES;
    const file = writeFile('sparse-y.mat', writeMat([X4x3, oneNonzero('Y', MAX_ROWS, 1)]));
    expect(await loadError(file, { maxDenseBytes })).toBe(`${file}: Y has 2147483647 labels but X has 4 rows (samples)`);
    // A sparse row vector: its columns are stored (jc), so it cannot claim billions; count it all the same.
    const file2 = writeFile('sparse-y-row.mat', writeMat([X4x3, oneNonzero('Y', 1, 5)]));
    expect(await loadError(file2, { maxDenseBytes })).toBe(`${file2}: Y has 5 labels but X has 4 rows (samples)`);
  });

  it('loads sparse data up to maxDenseBytes and refuses it one byte below', () => {
    // X: 4x3 float32 = 48 bytes; Y: 4 float64 labels = 32 bytes.
    const x: VarSpec = { kind: 'sparse', name: 'X', rows: 4, cols: 3, ir: [0, 3], jc: [0, 1, 1, 2], pr: [5, 7] };
    const y: VarSpec = { kind: 'sparse', name: 'Y', rows: 4, cols: 1, ir: [1, 3], jc: [0, 2], pr: [1, 1] };
    const sparseX = parseMat(writeMat([x, Y4]));
    expect(datasetFromMatFile(sparseX, 'd', { maxDenseBytes: 48 }).X).toEqual(Float32Array.from([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]));
    expect(dataError(() => datasetFromMatFile(sparseX, 'd', { maxDenseBytes: 47 }, 'd.mat'))).toBe(
      'd.mat: cannot make a dense copy of sparse X (4x3): it needs 48 bytes, over the maxDenseBytes limit of 47 bytes; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
    const both = parseMat(writeMat([x, y]));
    expect(Array.from(datasetFromMatFile(both, 'd', { maxDenseBytes: 80 }).y)).toEqual([0, 1, 0, 1]);
    expect(dataError(() => datasetFromMatFile(both, 'd', { maxDenseBytes: 79 }))).toMatch(/sparse X \(4x3\) and Y \(4 labels\): it needs 80 bytes/);
    // A dense X is no copy of anything sparse, but its float32 features count all the same (48 bytes),
    // with a sparse Y's dense labels (32 bytes).
    const dense = parseMat(writeMat([X4x3, Y4]));
    expect(datasetFromMatFile(dense, 'd', { maxDenseBytes: 48 }).samples).toBe(4);
    expect(dataError(() => datasetFromMatFile(dense, 'd', { maxDenseBytes: 47 }, 'd.mat'))).toBe(
      'd.mat: cannot make the float32 features of X (4x3): it needs 48 bytes, over the maxDenseBytes limit of 47 bytes; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
    const denseX = parseMat(writeMat([X4x3, y]));
    expect(datasetFromMatFile(denseX, 'd', { maxDenseBytes: 80 }).samples).toBe(4);
    expect(dataError(() => datasetFromMatFile(denseX, 'd', { maxDenseBytes: 79 }))).toMatch(
      /^cannot make the float32 features of X \(4x3\) and a dense copy of sparse Y \(4 labels\): it needs 80 bytes/,
    );
  });

  it('validates maxDenseBytes', async () => {
    const mat = parseMat(writeMat([X4x3, Y4]));
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '100']) {
      expect(() => datasetFromMatFile(mat, 'd', { maxDenseBytes: bad as number })).toThrow(ValidationError);
    }
    expect(() => datasetFromMatFile(mat, 'd', { maxDenseBytes: 0 })).toThrow(/Expected an integer >= 1 for options.maxDenseBytes but received 0/);
    await expect(loadMatDataset(path.join(dir, 'any.mat'), { maxDenseBytes: -5 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('sparseToDense and denseData refuse beyond the limit (8 bytes a value), by default 1 GiB', () => {
    const s = { rows: MAX_ROWS, cols: 1, ir: Int32Array.from([0]), jc: Int32Array.from([0, 1]), pr: Float64Array.from([1]) };
    expect(dataError(() => sparseToDense(s))).toMatch(
      /^cannot allocate a dense 2147483647x1 copy of a sparse matrix: it needs 16\.0 GiB \(17179869176 bytes\), over the maxDenseBytes limit of 1\.0 GiB/,
    );
    const small = { rows: 2, cols: 2, ir: Int32Array.from([1]), jc: Int32Array.from([0, 0, 1]), pr: Float64Array.from([3]) };
    expect(Array.from(sparseToDense(small, { maxDenseBytes: 32 }))).toEqual([0, 0, 0, 3]);
    expect(dataError(() => sparseToDense(small, { maxDenseBytes: 31 }))).toMatch(/it needs 32 bytes, over the maxDenseBytes limit of 31 bytes/);
    const v = parseMat(writeMat([oneNonzero('S', 1000, 1000)])).variables[0];
    expect(dataError(() => denseData(v, { maxDenseBytes: 1000 }))).toMatch(/dense 1000x1000 copy.*it needs 7\.6 MiB \(8000000 bytes\)/);
    expect(denseData(v)).toHaveLength(1e6);
    expect(() => sparseToDense(small, { maxDenseBytes: 0 })).toThrow(ValidationError);
    expect(() => sparseToDense(small, { limit: 5 } as never)).toThrow(/unknown option "limit"/);
  });
});

/** A zlib stream of `bytes`, cut to its first `keep` bytes (the rest of a bomb need not exist). */
function deflatedPrefix(bytes: Uint8Array, keep: number): Uint8Array {
  return deflateSync(bytes, { level: 9 }).subarray(0, keep);
}

/** The zlib trailer of `bytes`: its Adler-32 checksum, big-endian. */
function adler32(bytes: Uint8Array): Uint8Array {
  let a = 1;
  let b = 0;
  for (const x of bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return encodeNumbers([(b * 65536 + a) >>> 0], 'uint32', 'be');
}

/** A top-level miCOMPRESSED element holding raw (already compressed) data. */
const compressedRaw = (data: Uint8Array) => concat([matHeader(), element(MI.compressed, data, { small: false })]);

/** An miMATRIX tag declaring `size` bytes of data. */
function matrixTag(size: number): Uint8Array {
  const tag = new Uint8Array(8);
  new DataView(tag.buffer).setUint32(0, MI.matrix, true);
  new DataView(tag.buffer).setUint32(4, size, true);
  return tag;
}

describe('compressed elements: the variable tag is checked first and bounds the inflated size', () => {
  // Each bomb is a stream of a tag plus 4 MiB of zeros, cut in the middle: the zeros after the cut
  // (up to 2 GB) need not exist. An error from the cut ("unexpected end of file") would prove that
  // the whole element was inflated before its first bytes were checked.
  const zeros = new Uint8Array(4 * 2 ** 20);

  it('refuses a 2 GB zip bomb whose variable has no valid array flags, after inflating its first bytes', () => {
    const bomb = deflatedPrefix(concat([matrixTag(2 ** 31 - 108), zeros]), 2000);
    expect(dataError(() => parseMat(compressedRaw(bomb), 'bomb.mat'))).toBe(
      'bomb.mat: bad array flags (unknown type 0, 0 bytes; expected miUINT32, 8 bytes) at offset 8 (in compressed element at offset 128)',
    );
  });

  it('refuses a variable declaring more than maxInflatedBytes without inflating it', () => {
    const body = matrixBody(matrixSpec('X', [[1]]));
    const huge = deflatedPrefix(concat([matrixTag(2 ** 32 - 8), body, zeros]), 2000);
    expect(dataError(() => parseMat(compressedRaw(huge)))).toBe(
      'compressed variable of 4294967288 bytes would inflate past maxInflatedBytes (2147483647) at offset 0 (in compressed element at offset 128)',
    );
    // The declared size is what counts: 8 (tag) + 40 (flags, dims, name) + 16 (one double) = 64 bytes.
    const ok = concat([matHeader(), compressedElement(element(MI.matrix, body, { small: false }))]);
    expect(parseMat(ok, undefined, { maxInflatedBytes: 64 }).variables[0].data).toEqual(Float64Array.from([1]));
    expect(dataError(() => parseMat(ok, undefined, { maxInflatedBytes: 63 }))).toMatch(
      /compressed variable of 56 bytes would inflate past maxInflatedBytes \(63\)/,
    );
  });

  it('stops inflating at the size the tag declares when the stream holds more (a lying tag)', () => {
    const variable = element(MI.matrix, matrixBody(matrixSpec('X', [[1, 2]])), { small: false });
    const liar = compressedRaw(deflateSync(concat([variable, zeros])));
    expect(dataError(() => parseMat(liar))).toBe(
      "compressed element inflates to more than the 72 bytes its variable's tag declares (it must hold one variable) at offset 128",
    );
  });

  it('refuses elements other than a variable at the start of a compressed element', () => {
    const doubles = element(MI.double, encodeNumbers([1, 2], 'double'), { small: false });
    expect(dataError(() => parseMat(compressedRaw(deflatedPrefix(concat([doubles, zeros]), 500))))).toMatch(
      /^unexpected miDOUBLE element where a variable \(miMATRIX\) was expected at offset 0 \(in compressed element at offset 128\)$/,
    );
  });

  it('still reads a stream whose first bytes come after a long run of empty deflate blocks', () => {
    // 400 empty stored blocks (5 bytes each) before the data: the first 1 KiB of the stream inflates to nothing.
    const variable = element(MI.matrix, matrixBody(matrixSpec('X', [[1, 2, 3]])), { small: false });
    const empty = Uint8Array.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    const blocks = concat(new Array<Uint8Array>(400).fill(empty));
    const stream = concat([Uint8Array.from([0x78, 0x9c]), blocks, deflateRawSync(variable), adler32(variable)]);
    expect(Array.from(parseMat(compressedRaw(stream)).variables[0].data ?? [])).toEqual([1, 2, 3]);
  });

  it('reports a stream that is cut or corrupt after its checked first bytes', () => {
    const variable = element(MI.matrix, matrixBody(matrixSpec('X', [[1, 2, 3, 4, 5, 6]])), { small: false });
    const z = deflateSync(variable);
    expect(dataError(() => parseMat(compressedRaw(z.subarray(0, z.length - 4))))).toMatch(/cannot inflate compressed element/);
    expect(dataError(() => parseMat(compressedRaw(Uint8Array.from([1, 2, 3, 4]))))).toMatch(/cannot inflate compressed element/);
    expect(dataError(() => parseMat(compressedRaw(new Uint8Array(0))))).toMatch(/cannot inflate compressed element: unexpected end of file/);
  });
});

describe('values loadMatDataset must not accept silently', () => {
  it('refuses complex X or Y (the imaginary part would be dropped), but readMat still reads them', () => {
    const complexX: VarSpec = { kind: 'numeric', name: 'X', dims: [4, 1], values: [1, 2, 3, 4], imag: [0, 1, 0, 0] };
    const complexY: VarSpec = { ...Y4, imag: [0, 0, 0, 1] };
    const sparseComplexX: VarSpec = { kind: 'sparse', name: 'X', rows: 4, cols: 1, ir: [0], jc: [0, 1], pr: [1], pi: [2] };
    const x1: VarSpec = { kind: 'numeric', name: 'X', dims: [4, 1], values: [1, 2, 3, 4] };
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([complexX, Y4])), 'd', undefined, 'c.mat'))).toBe(
      'c.mat: X (variable "X") is complex; npset needs real features. To use the real part alone, save np.real(X) with scipy or real(X) in MATLAB',
    );
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([sparseComplexX, Y4])), 'd'))).toMatch(/X \(variable "X"\) is complex/);
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([x1, complexY])), 'd'))).toBe(
      'Y (variable "Y") is complex; labels must be real. To use the real part alone, save np.real(Y) with scipy or real(Y) in MATLAB',
    );
    const mat = parseMat(writeMat([complexX]));
    expect(mat.variables[0].complex).toBe(true);
    expect(Array.from(mat.variables[0].data ?? [])).toEqual([1, 2, 3, 4]);
  });

  it('refuses 64-bit integer labels beyond 2^53, which float64 rounds together', async () => {
    const x = matrixSpec('X', [[1], [2], [3], [4]]);
    const int64: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [2n ** 53n, 2n ** 53n + 1n, 1n, 2n], className: 'int64' };
    const file = writeFile('yint64.mat', writeMat([x, int64]));
    expect(await loadError(file)).toBe(
      `${file}: Y has a label beyond the exact integer range of doubles (|label| >= 2^53): 9007199254740992 at position 1 (1-based); ` +
        'such labels may have been rounded together, so renumber the classes',
    );
    const uint64: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1n, 2n, 1n, 2n ** 64n - 1n], className: 'uint64' };
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([x, uint64])), 'd'))).toMatch(/18446744073709552000 at position 4/);
    const negative: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1n, -(2n ** 60n), 1n, 2n], className: 'int64' };
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([x, negative])), 'd'))).toMatch(/-1152921504606847000 at position 2/);
    const huge: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [1, 1e20, 1, 2] };
    expect(dataError(() => datasetFromMatFile(parseMat(writeMat([x, huge])), 'd'))).toMatch(/100000000000000000000 at position 2/);
  });

  it('accepts 64-bit integer labels within the safe range, and 64-bit features beyond it', () => {
    const safe = 2 ** 53 - 1;
    const y: VarSpec = { kind: 'numeric', name: 'Y', dims: [4, 1], values: [BigInt(safe), BigInt(-safe), 0n, BigInt(safe)], className: 'int64' };
    const d = datasetFromMatFile(parseMat(writeMat([matrixSpec('X', [[1], [2], [3], [4]]), y])), 'd');
    expect(d.labels).toEqual([-safe, 0, safe]);
    expect(Array.from(d.y)).toEqual([2, 0, 1, 2]);
    const x: VarSpec = { kind: 'numeric', name: 'X', dims: [4, 1], values: [2n ** 60n, 1n, 2n, 3n], className: 'int64' };
    expect(datasetFromMatFile(parseMat(writeMat([x, Y4])), 'd').X[0]).toBe(2 ** 60);
  });
});

/**
 * The start of a dense variable's miMATRIX element, up to its data element's tag, declaring `dims`
 * values of `stored` bytes each: the data itself (gigabytes) need not exist.
 */
function denseVariableHead(name: string, dims: number[], opts: { classId?: number; logical?: boolean; stored?: number; width?: number } = {}): Uint8Array {
  const flags = (opts.classId ?? MX.uint8) | (opts.logical ? 0x200 : 0);
  const body = concat([
    element(MI.uint32, encodeNumbers([flags, 0], 'uint32'), { small: false }),
    element(MI.int32, encodeNumbers(dims, 'int32'), { small: false }),
    element(MI.int8, Uint8Array.from(name, (c) => c.charCodeAt(0))),
  ]);
  const dataBytes = dims.reduce((a, b) => a * b, 1) * (opts.width ?? 1);
  const dataTag = concat([encodeNumbers([opts.stored ?? MI.uint8, dataBytes], 'uint32')]);
  return concat([matrixTag(body.length + 8 + Math.ceil(dataBytes / 8) * 8), body, dataTag]);
}

describe('a large variable beside X and Y: loadMatDataset leaves it unread, readMat refuses the file', () => {
  for (const compress of [false, true]) {
    it(`${compress ? 'compressed' : 'plain'} elements`, async () => {
      const raw: VarSpec = { kind: 'numeric', name: 'raw', dims: [200, 100], values: new Array(20000).fill(0.5) };
      const file = writeFile(`workspace-${compress}.mat`, writeMat([raw, X4x3, Y4], { compress }));
      const maxDenseBytes = 100_000; // raw takes 160,000 bytes as float64
      const d = await loadMatDataset(file, { maxDenseBytes });
      expect([d.samples, d.features, Array.from(d.X.slice(0, 3))]).toEqual([4, 3, [1, 2, 3]]);
      const refusal = /: cannot decode variable "raw" \((at offset 128|in compressed element at offset 128)\), a 200x100 double array, to float64 .*over the maxDenseBytes limit/;
      await expect(readMat(file, { maxDenseBytes })).rejects.toThrow(refusal);
      expect(await loadError(file, { maxDenseBytes, x: 'raw', y: 'Y' })).toMatch(refusal);
    });
  }
});

describe('dense arrays: decoded values are bounded (maxDenseBytes), from their dims, before inflating', () => {
  // A MAT v5 variable may hold 2^31 - 1 bytes; MATLAB stores a double array of small integers as
  // uint8, and a compressed array of zeros is a few MiB. Each such value becomes a float64: 8 bytes.
  const zeros = new Uint8Array(4 * 2 ** 20);
  /** A compressed element holding `head` then zeros, cut after its first 2000 bytes. */
  const cutBomb = (head: Uint8Array) => compressedRaw(deflatedPrefix(concat([head, zeros]), 2000));
  const N = 2 ** 31 - 64; // the most uint8 values a variable within maxInflatedBytes (2^31 - 1) can declare

  it('refuses an honest compressed 2 GiB uint8 array (16 GiB as float64) before inflating it', async () => {
    const bomb = cutBomb(denseVariableHead('X', [N, 1]));
    // Consistent sizes: the tag declares what the dims need, within maxInflatedBytes.
    expect(8 + 48 + N).toBeLessThanOrEqual(2 ** 31 - 1);
    // An "unexpected end of file" would prove that the element was inflated before the check.
    expect(dataError(() => parseMat(bomb, 'bomb.mat'))).toBe(
      'bomb.mat: cannot decode variable "X" (in compressed element at offset 128), a 2147483584x1 uint8 array, ' +
        'to float64 (8 bytes a value): it needs 16.0 GiB (17179868672 bytes), over the maxDenseBytes limit of 1.0 GiB; ' +
        'if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
    );
    const file = writeFile('dense-bomb.mat', bomb);
    await expect(readMat(file)).rejects.toThrow(/: cannot decode variable "X" \(in compressed element at offset 128\), a 2147483584x1 uint8 array, .*it needs 16\.0 GiB .* over the maxDenseBytes limit of 1\.0 GiB.* raise the maxDenseBytes option \(--max-dense-bytes on the command line\)$/);
    // loadMatDataset leaves it unread (not inflated) until chosen: this file has no labels to go with it.
    expect(await loadError(file)).toMatch(/: cannot tell which variable holds the labels for the features "X" \(2147483584x1, chosen by its name\)/);
    // Raising the limit lets the check pass: what fails then is the cut stream, so it was checked first.
    expect(dataError(() => parseMat(bomb, 'bomb.mat', { maxDenseBytes: 8 * N }))).toMatch(/cannot inflate compressed element: unexpected end of file/);
  });

  it('reads the dims and name of N-D, logical and char arrays, and long names, from the head', () => {
    const longName = 'features_of_every_sample_in_the_training_set_v2';
    const nd = cutBomb(denseVariableHead(longName, [1024, 1024, 1023, 2, 1]));
    expect(dataError(() => parseMat(nd))).toMatch(
      new RegExp(`^cannot decode variable "${longName}" \\(in compressed element at offset 128\\), a 1024x1024x1023x2x1 uint8 array, .* it needs 16\\.0 GiB \\(17163091968 bytes\\)`),
    );
    const logical = cutBomb(denseVariableHead('mask', [N, 1], { logical: true }));
    expect(dataError(() => parseMat(logical))).toMatch(/^cannot decode variable "mask" .*, a 2147483584x1 logical array, to float64/);
    const text = cutBomb(denseVariableHead('note', [1, N], { classId: MX.char, stored: MI.utf8 }));
    expect(dataError(() => parseMat(text))).toMatch(/^cannot decode variable "note" .*, a 1x2147483584 char array, to float64/);
    // Doubles: 2^28 - 8 of them (2 GiB) need 2 GiB, over the default limit too.
    const doubles = cutBomb(denseVariableHead('D', [2 ** 28 - 8, 1], { classId: MX.double, stored: MI.double, width: 8 }));
    expect(dataError(() => parseMat(doubles))).toMatch(/^cannot decode variable "D" .*, a 268435448x1 double array, .*it needs 2\.0 GiB \(2147483584 bytes\)/);
  });

  it('loads a compressed or plain dense array up to maxDenseBytes and refuses it above, naming the file and variable', async () => {
    const x: VarSpec = { kind: 'numeric', name: 'X', dims: [1000, 1000], values: new Uint8Array(1e6), storedAs: 'uint8' };
    const y: VarSpec = { kind: 'numeric', name: 'Y', dims: [1000, 1], values: Array.from({ length: 1000 }, (_, i) => i % 2) };
    for (const compress of [false, true]) {
      const bytes = writeMat([x, y], { compress });
      expect(parseMat(bytes, undefined, { maxDenseBytes: 8e6 }).variables[0].data).toHaveLength(1e6);
      const where = compress ? 'in compressed element at offset 128' : 'at offset 128';
      expect(dataError(() => parseMat(bytes, 'x.mat', { maxDenseBytes: 4e6 }))).toBe(
        `x.mat: cannot decode variable "X" (${where}), a 1000x1000 double array, to float64 (8 bytes a value): ` +
          'it needs 7.6 MiB (8000000 bytes), over the maxDenseBytes limit of 3.8 MiB; if the data really is that large, raise the maxDenseBytes option (--max-dense-bytes on the command line)',
      );
      // loadMatDataset hands its maxDenseBytes to the reader: the float64 X (8 MB) is what does not fit.
      const file = writeFile(`dense-${compress}.mat`, bytes);
      expect(await loadError(file, { maxDenseBytes: 4e6 })).toMatch(/: cannot decode variable "X" \(.*\), a 1000x1000 double array, .*it needs 7\.6 MiB/);
      expect((await loadMatDataset(file, { maxDenseBytes: 8e6 })).features).toBe(1000);
      expect((await loadMatDataset(file)).samples).toBe(1000);
    }
  });

  it('counts a dense element against its dims before decoding it', () => {
    // 1000 doubles for a 1x1 array: refused for the mismatch, not for the 8000 bytes they would take.
    // The limit holds the variable (CELL_ENTRY_BYTES) and 16 bytes.
    const maxDenseBytes = 16 + CELL_ENTRY_BYTES;
    const liar: VarSpec = { kind: 'numeric', name: 'X', dims: [1, 1], values: new Float64Array(1000) };
    expect(dataError(() => parseMat(writeMat([{ ...liar, dims: [1000, 1] }]), undefined, { maxDenseBytes }))).toMatch(/it needs 7\.8 KiB/);
    const bytes = concat([matHeader(), element(MI.matrix, matrixBody(liar), { small: false })]);
    expect(dataError(() => parseMat(bytes, undefined, { maxDenseBytes }))).toBe(
      'variable "X": real part has 1000 values but dims 1x1 need 1 at offset 128',
    );
  });

  it("bounds the decoded parts of sparse and char arrays by their elements' sizes", () => {
    const s: VarSpec = { kind: 'sparse', name: 'S', rows: 1000, cols: 1, ir: Array.from({ length: 1000 }, (_, i) => i), jc: [0, 1000], pr: new Array<number>(1000).fill(1) };
    const bytes = writeMat([s]);
    expect(parseMat(bytes, undefined, { maxDenseBytes: 8000 }).variables[0].sparse?.pr).toHaveLength(1000);
    expect(dataError(() => parseMat(bytes, 's.mat', { maxDenseBytes: 7999 }))).toMatch(
      /^s\.mat: variable "S": cannot decode the 1000 values of its ir \(at offset \d+\) to 8 bytes each: it needs 7\.8 KiB \(8000 bytes\), over the maxDenseBytes limit of 7\.8 KiB; .*raise the maxDenseBytes option \(--max-dense-bytes on the command line\) at offset 128$/,
    );
    const text: VarSpec = { kind: 'char', name: 'T', rows: ['x'.repeat(100)], utf8: true };
    expect(parseMat(writeMat([text]), undefined, { maxDenseBytes: 800 }).variables[0].text).toBe('x'.repeat(100));
    expect(dataError(() => parseMat(writeMat([text]), undefined, { maxDenseBytes: 799 }))).toMatch(/^cannot decode variable "T" \(at offset 128\), a 1x100 char array/);
    // A dims element of 200 dimensions is read as 200 numbers.
    const manyDims: VarSpec = { kind: 'numeric', name: 'M', dims: new Array<number>(200).fill(1), values: [7] };
    expect(parseMat(writeMat([manyDims]), undefined, { maxDenseBytes: 1600 }).variables[0].data).toEqual(Float64Array.from([7]));
    expect(dataError(() => parseMat(writeMat([manyDims], { compress: true }), undefined, { maxDenseBytes: 1599 }))).toMatch(
      /^cannot read a dimensions element of 200 dims: it needs 1\.6 KiB \(1600 bytes\), over the maxDenseBytes limit of 1\.6 KiB; .* \(in compressed element at offset 128\)$/,
    );
  });

  it('validates maxDenseBytes in parseMat and readMat (before any I/O), and exports its type and default', async () => {
    const bytes = writeMat([X4x3]);
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, '100']) {
      expect(() => parseMat(bytes, undefined, { maxDenseBytes: bad as number })).toThrow(ValidationError);
    }
    await expect(readMat(path.join(dir, 'absent.mat'), { maxDenseBytes: 0 })).rejects.toThrow(
      /Expected an integer >= 1 for options.maxDenseBytes but received 0/,
    );
    expect(() => parseMat(bytes, undefined, { maxDense: 5 } as never)).toThrow(/unknown option "maxDense"/);
    const dense: DenseOptions = { maxDenseBytes: DEFAULT_MAX_DENSE_BYTES };
    const parse: ParseMatOptions = { ...dense, maxInflatedBytes: 2 ** 31 - 1 };
    expect(DEFAULT_MAX_DENSE_BYTES).toBe(2 ** 30);
    expect(parseMat(bytes, undefined, parse).variables[0].data).toHaveLength(12);
  });
});

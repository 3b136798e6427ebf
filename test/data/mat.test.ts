import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../lib/errors';
import { denseData, parseMat, readMat, sparseToDense } from '../../lib/data/mat';
import {
  compressedElement, concat, element, matHeader, matrixBody, matrixSpec, MI, variableElement, writeMat,
  type Endian, type NumericClass, type StoredType, type VarSpec,
} from '../helpers/mat-writer';

const ENDIANS: Endian[] = ['le', 'be'];
const COMPRESS = [false, true];

/** Values each stored type holds exactly (as MATLAB would choose it for a double matrix). */
const SAMPLES: Record<StoredType, number[]> = {
  int8: [-128, -1, 0, 1, 5, 127],
  uint8: [0, 1, 2, 100, 200, 255],
  int16: [-32768, -300, 0, 7, 1000, 32767],
  uint16: [0, 1, 999, 1000, 40000, 65535],
  int32: [-2147483648, -70000, 0, 3, 70000, 2147483647],
  uint32: [0, 1, 70000, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1],
  single: [-1.5, -0.25, 0, 0.5, 3.75, 2 ** 60],
  double: [-1e300, -0.1, 0, 1 / 3, Math.PI, 5e-324],
  int64: [-(2 ** 53), -(2 ** 40) - 3, 0, 1, 2 ** 40 + 3, 2 ** 53],
  uint64: [0, 1, 2 ** 32, 2 ** 40 + 5, 2 ** 52, 2 ** 53],
};
const TYPES = Object.keys(SAMPLES) as StoredType[];

function numeric(name: string, dims: number[], values: number[], storedAs?: StoredType, className?: NumericClass): VarSpec {
  return { kind: 'numeric', name, dims, values, storedAs, className };
}

describe('parseMat: numeric arrays', () => {
  for (const endian of ENDIANS) {
    for (const compress of COMPRESS) {
      it(`reads every stored type as class double (${endian}, ${compress ? 'compressed' : 'plain'})`, () => {
        // A double matrix stored with a smaller type: the loader must convert by the stored type.
        const vars = TYPES.map((t) => numeric(`v_${t}`, [2, 3], SAMPLES[t], t, 'double'));
        const mat = parseMat(writeMat(vars, { endian, compress }));
        expect(mat.variables.map((v) => v.name)).toEqual(TYPES.map((t) => `v_${t}`));
        for (const [i, t] of TYPES.entries()) {
          const v = mat.variables[i];
          expect(v.className).toBe('double');
          expect(v.dims).toEqual([2, 3]);
          expect(v.complex).toBe(false);
          expect(Array.from(v.data ?? []), t).toEqual(SAMPLES[t]);
        }
      });
    }
  }

  it('reports each numeric class with its default stored type', () => {
    const vars = TYPES.map((t) => numeric(`c_${t}`, [1, 6], SAMPLES[t], undefined, t));
    const mat = parseMat(writeMat(vars, { endian: 'be' }));
    for (const [i, t] of TYPES.entries()) {
      expect(mat.variables[i].className).toBe(t);
      expect(Array.from(mat.variables[i].data ?? [])).toEqual(SAMPLES[t]);
    }
  });

  it('reads int64 and uint64 given as bigint beyond 32 bits', () => {
    const vals = [-(2n ** 50n), 2n ** 45n + 7n, -1n];
    const spec: VarSpec = { kind: 'numeric', name: 'big', dims: [3, 1], values: vals, className: 'int64' };
    const u: VarSpec = { kind: 'numeric', name: 'ubig', dims: [1, 2], values: [2n ** 63n, 2n ** 48n], className: 'uint64' };
    for (const endian of ENDIANS) {
      const [a, b] = parseMat(writeMat([spec, u], { endian })).variables;
      expect(Array.from(a.data ?? [])).toEqual(vals.map(Number));
      expect(Array.from(b.data ?? [])).toEqual([2 ** 63, 2 ** 48]);
    }
  });

  it('reads small data elements (4-byte tags) for short names and tiny arrays', () => {
    const spec = numeric('ab', [1, 2], [7, 9], 'uint8');
    const bytes = writeMat([spec], { endian: 'le', small: true });
    const plain = writeMat([spec], { endian: 'le', small: false });
    // The small form is shorter: name and data each fit in a single 8-byte tag.
    expect(bytes.length).toBeLessThan(plain.length);
    for (const endian of ENDIANS) {
      for (const small of [true, false]) {
        const [v] = parseMat(writeMat([spec, numeric('one', [1, 1], [-3], 'int16')], { endian, small })).variables;
        expect(v.name).toBe('ab');
        expect(Array.from(v.data ?? [])).toEqual([7, 9]);
      }
      const one = parseMat(writeMat([numeric('one', [1, 1], [-3], 'int16')], { endian, small: true })).variables[0];
      expect(Array.from(one.data ?? [])).toEqual([-3]);
    }
  });

  it('reads N-D arrays column-major and empty arrays', () => {
    const values = Array.from({ length: 24 }, (_, i) => i - 5);
    const mat = parseMat(writeMat([numeric('nd', [2, 3, 4], values, 'int8'), numeric('e', [0, 0], [])]));
    expect(mat.variables[0].dims).toEqual([2, 3, 4]);
    expect(Array.from(mat.variables[0].data ?? [])).toEqual(values);
    expect(mat.variables[1].dims).toEqual([0, 0]);
    expect(mat.variables[1].data?.length).toBe(0);
  });

  it('keeps the real part of complex arrays and flags them', () => {
    for (const endian of ENDIANS) {
      const spec: VarSpec = { kind: 'numeric', name: 'z', dims: [1, 3], values: [1, 2, 3], imag: [4, 5, 6], storedAs: 'int16' };
      const [v] = parseMat(writeMat([spec], { endian, compress: true })).variables;
      expect(v.complex).toBe(true);
      expect(Array.from(v.data ?? [])).toEqual([1, 2, 3]);
    }
  });

  it('reads logical arrays', () => {
    const [v] = parseMat(writeMat([numeric('L', [2, 2], [1, 0, 0, 1], undefined, 'logical')])).variables;
    expect(v.className).toBe('logical');
    expect(Array.from(v.data ?? [])).toEqual([1, 0, 0, 1]);
  });

  it('works on a Buffer at an odd byte offset (unaligned typed data)', () => {
    const file = writeMat([numeric('X', [2, 3], SAMPLES.double, 'double'), numeric('Y', [3, 1], [1, 2, 3], 'int32')]);
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    const mat = parseMat(big.subarray(3));
    expect(Array.from(mat.variables[0].data ?? [])).toEqual(SAMPLES.double);
    expect(Array.from(mat.variables[1].data ?? [])).toEqual([1, 2, 3]);
  });

  it('refuses several variables inside one compressed element (its first tag bounds how far it inflates)', () => {
    // MATLAB, scipy and matio write one variable per compressed element, and read only the first.
    const inner = concat([variableElement(matrixSpec('A', [[1, 2]])), variableElement(matrixSpec('B', [[3], [4]], 'uint8'))]);
    expect(() => parseMat(concat([matHeader(), compressedElement(inner)]))).toThrow(
      /compressed element inflates to more than the 72 bytes its variable's tag declares \(it must hold one variable\) at offset 128$/,
    );
    // One variable per compressed element, as MATLAB writes them, reads fine.
    const mat = parseMat(writeMat([matrixSpec('A', [[1, 2]]), matrixSpec('B', [[3], [4]], 'uint8')], { compress: true }));
    expect(mat.variables.map((v) => v.name)).toEqual(['A', 'B']);
    expect(Array.from(mat.variables[1].data ?? [])).toEqual([3, 4]);
  });

  it('returns the header text and no variables for a header-only file', () => {
    const mat = parseMat(matHeader({ text: 'MATLAB 5.0 MAT-file, written by a test' }));
    expect(mat.header).toBe('MATLAB 5.0 MAT-file, written by a test');
    expect(mat.variables).toEqual([]);
  });

  it('rejects trailing bytes after the last element, even zeros (they may be a cut tag)', () => {
    const file = concat([writeMat([matrixSpec('A', [[1]])]), new Uint8Array(5)]);
    expect(() => parseMat(file)).toThrow(/truncated data element tag \(5 of 8 bytes\) at offset/);
  });
});

describe('parseMat: sparse arrays', () => {
  // 4x3: column 0 has (1, 0) = 5 and (3, 0) = 7; column 1 empty; column 2 has (0, 2) = 9.
  const sparse = { rows: 4, cols: 3, ir: [1, 3, 0], jc: [0, 2, 2, 3], pr: [5, 7, 9] };
  const dense = [0, 5, 0, 7, 0, 0, 0, 0, 9, 0, 0, 0];

  for (const endian of ENDIANS) {
    for (const compress of COMPRESS) {
      it(`exposes ir/jc/pr and densifies (${endian}, ${compress ? 'compressed' : 'plain'})`, () => {
        const mat = parseMat(writeMat([{ kind: 'sparse', name: 'S', ...sparse, storedAs: 'uint8' }], { endian, compress }));
        const v = mat.variables[0];
        expect(v.className).toBe('sparse');
        expect(v.dims).toEqual([4, 3]);
        expect(v.data).toBeUndefined();
        expect(v.sparse?.rows).toBe(4);
        expect(v.sparse?.cols).toBe(3);
        expect(Array.from(v.sparse?.ir ?? [])).toEqual(sparse.ir);
        expect(Array.from(v.sparse?.jc ?? [])).toEqual(sparse.jc);
        expect(Array.from(v.sparse?.pr ?? [])).toEqual(sparse.pr);
        expect(Array.from(denseData(v))).toEqual(dense);
      });
    }
  }

  it('keeps only nnz entries when ir and pr are longer (nzmax > nnz)', () => {
    const mat = parseMat(writeMat([{ kind: 'sparse', name: 'S', rows: 2, cols: 1, ir: [1, 0], jc: [0, 1], pr: [4, 99] }]));
    const s = mat.variables[0].sparse;
    expect(Array.from(s?.ir ?? [])).toEqual([1]);
    expect(Array.from(s?.pr ?? [])).toEqual([4]);
    expect(Array.from(denseData(mat.variables[0]))).toEqual([0, 4]);
  });

  it('reads complex sparse (real part) and logical sparse without values', () => {
    const mat = parseMat(
      writeMat([
        { kind: 'sparse', name: 'Z', rows: 2, cols: 2, ir: [0, 1], jc: [0, 1, 2], pr: [1.5, -2], pi: [3, 4] },
        { kind: 'sparse', name: 'L', rows: 2, cols: 2, ir: [1], jc: [0, 0, 1], pr: [], logical: true, omitPr: true },
      ]),
    );
    expect(mat.variables[0].complex).toBe(true);
    expect(Array.from(denseData(mat.variables[0]))).toEqual([1.5, 0, 0, -2]);
    expect(Array.from(denseData(mat.variables[1]))).toEqual([0, 0, 0, 1]);
  });

  it('refuses to densify an impossibly large matrix with DataFormatError, not RangeError', () => {
    const huge = { rows: 2 ** 31 - 1, cols: 2 ** 31 - 1, ir: new Int32Array(0), jc: new Int32Array(1), pr: new Float64Array(0) };
    expect(() => sparseToDense(huge)).toThrow(DataFormatError);
    expect(() => sparseToDense(huge)).toThrow(/cannot allocate a dense 2147483647x2147483647 copy/);
  });

  it('sums duplicate entries when densifying', () => {
    const d = sparseToDense({ rows: 2, cols: 1, ir: Int32Array.from([1, 1]), jc: Int32Array.from([0, 2]), pr: Float64Array.from([2, 3]) });
    expect(Array.from(d)).toEqual([0, 5]);
  });
});

describe('parseMat: other classes', () => {
  it('reads char arrays as text (UTF-16 and UTF-8, several rows)', () => {
    for (const endian of ENDIANS) {
      const mat = parseMat(
        writeMat(
          [
            { kind: 'char', name: 'title', rows: ['hello world'] },
            { kind: 'char', name: 'two', rows: ['abc', 'def'] },
            { kind: 'char', name: 'u8', rows: ['naïve'], utf8: true },
            { kind: 'char', name: 'ab', rows: ['ab'] },
          ],
          { endian },
        ),
      );
      expect(mat.variables.map((v) => v.text)).toEqual(['hello world', 'abc\ndef', 'naïve', 'ab']);
      expect(mat.variables[0].className).toBe('char');
    }
  });

  it('skips cell and struct variables but keeps reading after them', () => {
    const vars: VarSpec[] = [
      { kind: 'cell', name: 'C', cells: [matrixSpec('', [[1, 2]]), { kind: 'char', name: '', rows: ['x'] }] },
      { kind: 'struct', name: 'S', fields: [matrixSpec('a', [[1]]), { kind: 'char', name: 'b', rows: ['text'] }] },
      matrixSpec('X', [[1, 2], [3, 4]], 'int16'),
    ];
    for (const endian of ENDIANS) {
      for (const compress of COMPRESS) {
        const mat = parseMat(writeMat(vars, { endian, compress }));
        expect(mat.variables.map((v) => [v.name, v.className])).toEqual([['C', 'cell'], ['S', 'struct'], ['X', 'double']]);
        expect(mat.variables[0].data).toBeUndefined();
        expect(Array.from(mat.variables[2].data ?? [])).toEqual([1, 3, 2, 4]);
      }
    }
  });

  it('skips opaque objects (no dims: flags, name, class information, data)', () => {
    const text = (t: string) => element(MI.int8, Uint8Array.from(t, (c) => c.charCodeAt(0)));
    const opaque = concat([
      element(MI.uint32, Uint8Array.from([17, 0, 0, 0, 0, 0, 0, 0])),
      text('obj'),
      text('MCOS'),
      text('string'),
      element(MI.matrix, matrixBody(matrixSpec('', [[1]], 'uint8'))),
    ]);
    const file = concat([matHeader(), element(MI.matrix, opaque, { small: false }), variableElement(matrixSpec('X', [[5]]))]);
    const mat = parseMat(file);
    expect(mat.variables.map((v) => [v.name, v.className])).toEqual([['obj', 'opaque'], ['X', 'double']]);
  });

  it('denseData refuses non-numeric variables with DataFormatError', () => {
    const mat = parseMat(writeMat([{ kind: 'cell', name: 'C', cells: [] }]));
    expect(() => denseData(mat.variables[0])).toThrow(/cell array, not numeric/);
  });
});

describe('readMat', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npset-mat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file from disk and labels errors with its path', async () => {
    const file = path.join(dir, 'ok.mat');
    writeFileSync(file, writeMat([matrixSpec('X', [[1, 2]])], { compress: true }));
    const mat = await readMat(file);
    expect(Array.from(mat.variables[0].data ?? [])).toEqual([1, 2]);

    const bad = path.join(dir, 'bad.mat');
    writeFileSync(bad, 'not a mat file at all');
    await expect(readMat(bad)).rejects.toMatchObject({ name: 'DataFormatError', file: bad });
    await expect(readMat(path.join(dir, 'missing.mat'))).rejects.toMatchObject({ name: 'DataFormatError', code: 'ERR_NPSET_DATA_FORMAT' });
  });

  it('rejects bad arguments with ValidationError', async () => {
    await expect(readMat('')).rejects.toMatchObject({ name: 'ValidationError' });
    expect(() => parseMat('abc' as unknown as Uint8Array)).toThrow(/Expected a Uint8Array for buffer but received "abc"/);
    expect(() => parseMat(matHeader(), undefined, { maxInflatedBytes: 0 })).toThrow(/maxInflatedBytes/);
  });
});

// The writer itself must produce what the format says, or the tests above prove little.
describe('mat-writer sanity', () => {
  it('writes the header fields and tags in the requested byte order', () => {
    const le = writeMat([matrixSpec('X', [[1]])], { endian: 'le' });
    const be = writeMat([matrixSpec('X', [[1]])], { endian: 'be' });
    expect(String.fromCharCode(le[126], le[127])).toBe('IM');
    expect(String.fromCharCode(be[126], be[127])).toBe('MI');
    expect(new DataView(le.buffer).getUint32(128, true)).toBe(MI.matrix);
    expect(new DataView(be.buffer).getUint32(128, false)).toBe(MI.matrix);
    expect(element(MI.uint8, Uint8Array.from([1]))).toEqual(Uint8Array.from([2, 0, 1, 0, 1, 0, 0, 0]));
  });
});

import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../lib/errors';
import { parseMat } from '../../lib/data/mat';
import { Random } from '../../lib/data/random';
import {
  compressedElement, concat, element, encodeNumbers, matHeader, matrixBody, matrixSpec, MI, variableElement, writeMat,
  type Endian, type VarSpec,
} from '../helpers/mat-writer';
import { dataError } from '../helpers/data-errors';


/** A file with the header and one miMATRIX built from raw sub-elements. */
function rawMatrix(parts: Uint8Array[], endian: Endian = 'le'): Uint8Array {
  return concat([matHeader({ endian }), element(MI.matrix, concat(parts), { endian, small: false })]);
}

const flags = (cls: number, extra = 0) => element(MI.uint32, encodeNumbers([cls | extra, 0], 'uint32'));
const dims = (d: number[]) => element(MI.int32, encodeNumbers(d, 'int32'));
const name = (n: string) => element(MI.int8, Uint8Array.from(n, (c) => c.charCodeAt(0)));
const doubles = (v: number[]) => element(MI.double, encodeNumbers(v, 'double'));

describe('parseMat rejects bad headers', () => {
  it('too short for a header', () => {
    for (const n of [0, 1, 10, 127]) expect(dataError(() => parseMat(matHeader().subarray(0, n)))).toMatch(/too short/);
  });

  it('bad endian indicator and unsupported version', () => {
    const h = matHeader();
    h[126] = 0x41;
    expect(dataError(() => parseMat(h))).toMatch(/endian indicator/);
    expect(dataError(() => parseMat(matHeader({ version: 0x0300 })))).toMatch(/version 0x0300/);
  });

  it('MAT v7.3 (HDF5) files, by header text, by version or by HDF5 signature', () => {
    const msg = 'MAT v7.3 (HDF5) files are read from a path (readMat, loadMatDataset), not from bytes (parseMat)';
    const v73 = matHeader({ text: 'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 HDF5 schema 1.00 .', version: 0x0200 });
    const file = concat([v73, new Uint8Array(512 - 128), Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])]);
    expect(dataError(() => parseMat(file, 'big.mat'))).toBe(`big.mat: ${msg}`);
    expect(dataError(() => parseMat(file.subarray(0, 20)))).toBe(msg); // even when truncated
    expect(dataError(() => parseMat(matHeader({ version: 0x0200 })))).toBe(msg);
    const sigOnly = concat([matHeader({ text: 'something else' }), new Uint8Array(384), file.subarray(512)]);
    expect(dataError(() => parseMat(sigOnly))).toBe(msg);
  });
});

describe('parseMat rejects malformed elements', () => {
  it('an element whose size runs past the end, without allocating it', () => {
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, MI.matrix, true);
    new DataView(tag.buffer).setUint32(4, 0xfffffff0, true);
    expect(dataError(() => parseMat(concat([matHeader(), tag])))).toMatch(/runs past the end/);
  });

  it('a small data element claiming more than 4 bytes', () => {
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, (7 << 16) | MI.int8, true);
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([1, 1]), tag, doubles([1])])))).toMatch(/small data element/);
  });

  it('garbage, truncated and oversized compressed elements', () => {
    const rng = new Random(9);
    const garbage = Uint8Array.from({ length: 200 }, () => rng.nextInt(256));
    expect(dataError(() => parseMat(concat([matHeader(), element(MI.compressed, garbage, { small: false })])))).toMatch(/inflate/);
    const good = deflateSync(variableElement(matrixSpec('X', [[1, 2, 3]])));
    const cut = element(MI.compressed, good.subarray(0, good.length - 6), { small: false });
    expect(dataError(() => parseMat(concat([matHeader(), cut])))).toMatch(/inflate/);
    const ok = concat([matHeader(), compressedElement(variableElement(matrixSpec('X', [[1, 2, 3]])))]);
    expect(dataError(() => parseMat(ok, undefined, { maxInflatedBytes: 16 }))).toMatch(/inflate/);
    expect(parseMat(ok).variables).toHaveLength(1);
  });

  it('a compressed element inside a compressed element, or holding a non-matrix element', () => {
    const nested = compressedElement(compressedElement(variableElement(matrixSpec('X', [[1]]))));
    expect(dataError(() => parseMat(concat([matHeader(), nested])))).toMatch(/nested compressed/);
    const notMatrix = compressedElement(doubles([1, 2]));
    expect(dataError(() => parseMat(concat([matHeader(), notMatrix])))).toMatch(/unexpected miDOUBLE/);
  });

  it('unknown element types at top level and trailing non-zero bytes', () => {
    expect(dataError(() => parseMat(concat([matHeader(), element(99, new Uint8Array(8))])))).toMatch(/unknown type 99/);
    const file = concat([writeMat([matrixSpec('X', [[1]])]), Uint8Array.from([1, 2, 3])]);
    expect(dataError(() => parseMat(file))).toMatch(/truncated data element tag/);
  });

  it('bad array flags, unknown class, bad dims, bad name', () => {
    expect(dataError(() => parseMat(rawMatrix([doubles([1]), dims([1, 1]), name('X'), doubles([1])])))).toMatch(/array flags/);
    expect(dataError(() => parseMat(rawMatrix([flags(42), dims([1, 1]), name('X'), doubles([1])])))).toMatch(/unknown array class 42/);
    expect(dataError(() => parseMat(rawMatrix([flags(6), doubles([1]), name('X'), doubles([1])])))).toMatch(/dimensions element/);
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([-1, 2]), name('X'), doubles([1])])))).toMatch(/negative dimension/);
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([1, 1]), doubles([1]), doubles([1])])))).toMatch(/name element/);
  });

  it('data that does not match the dims, the type width or the class', () => {
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([2, 2]), name('X'), doubles([1, 2, 3])])))).toMatch(
      /variable "X": real part has 3 values but dims 2x2 need 4/,
    );
    const odd = element(MI.int16, Uint8Array.from([1, 2, 3]), { small: false });
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([1, 1]), name('X'), odd])))).toMatch(/whole number of miINT16/);
    const text = element(MI.utf8, Uint8Array.from([65, 66]), { small: false });
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([1, 2]), name('X'), text])))).toMatch(/not numeric/);
    expect(dataError(() => parseMat(rawMatrix([flags(6), dims([1, 2]), name('X')])))).toMatch(/truncated data element tag/);
    expect(dataError(() => parseMat(rawMatrix([flags(6, 0x800), dims([1, 2]), name('Z'), doubles([1, 2])])))).toMatch(
      /without an imaginary part/,
    );
    const badImag = rawMatrix([flags(6, 0x800), dims([1, 2]), name('Z'), doubles([1, 2]), doubles([1])]);
    expect(dataError(() => parseMat(badImag))).toMatch(/imaginary part has 1 values/);
  });

  it('inconsistent sparse arrays', () => {
    const ints = (v: number[]) => element(MI.int32, encodeNumbers(v, 'int32'), { small: false });
    const sparse = (ir: number[], jc: number[], pr: number[], d = [3, 2]) =>
      rawMatrix([flags(5), dims(d), name('S'), ints(ir), ints(jc), doubles(pr)]);
    expect(parseMat(sparse([0, 2], [0, 1, 2], [1, 2])).variables[0].sparse?.pr.length).toBe(2);
    expect(dataError(() => parseMat(sparse([0, 3], [0, 1, 2], [1, 2])))).toMatch(/ir\[1\] = 3 is outside 3 rows/);
    expect(dataError(() => parseMat(sparse([0, 1], [0, 2, 1], [1, 2])))).toMatch(/jc is decreasing/);
    expect(dataError(() => parseMat(sparse([0, 1], [0, 2], [1, 2])))).toMatch(/jc has 2 entries but 2 columns need 3/);
    expect(dataError(() => parseMat(sparse([0, 1], [1, 1, 2], [1, 2])))).toMatch(/jc\[0\]/);
    expect(dataError(() => parseMat(sparse([0], [0, 1, 2], [1, 2])))).toMatch(/jc counts 2 nonzeros but ir has 1/);
    expect(dataError(() => parseMat(sparse([0, 1], [0, 1, 2], [1])))).toMatch(/pr has 1 values/);
    expect(dataError(() => parseMat(sparse([0, -1], [0, 1, 2], [1, 2])))).toMatch(/not a valid index/);
    expect(dataError(() => parseMat(sparse([0, 1], [0, 1, 2], [1, 2], [2, 2, 1])))).toMatch(/3 dimensions/);
    expect(dataError(() => parseMat(rawMatrix([flags(5), dims([2, 1]), name('S'), ints([0]), ints([0, 1])])))).toMatch(
      /without values/,
    );
  });
});

/** Files covering each code path; `boundaries` are the offsets where a whole element ends. */
function variants(): { label: string; bytes: Uint8Array; boundaries: number[] }[] {
  const vars: VarSpec[] = [
    matrixSpec('X', [[1, -2, 3], [4, 5, -6]], 'int16'),
    { kind: 'sparse', name: 'S', rows: 3, cols: 2, ir: [0, 2], jc: [0, 1, 2], pr: [1, 2], storedAs: 'uint8' },
    { kind: 'numeric', name: 'Y', dims: [1, 2], values: [1, 2], storedAs: 'uint8' },
    { kind: 'char', name: 'note', rows: ['hi there'] },
  ];
  const out = [];
  for (const endian of ['le', 'be'] as Endian[]) {
    for (const compress of [false, true]) {
      for (const small of [true, false]) {
        const parts = [matHeader({ endian }), ...vars.map((v) => variableElement(v, { endian, compress, small }))];
        const boundaries: number[] = [];
        let at = 0;
        for (const p of parts) boundaries.push((at += p.length));
        out.push({ label: `${endian} ${compress ? 'compressed' : 'plain'} small=${small}`, bytes: concat(parts), boundaries });
      }
    }
  }
  return out;
}

describe('parseMat on truncated files', () => {
  for (const { label, bytes, boundaries } of variants()) {
    it(`throws DataFormatError at every cut that is not an element boundary (${label})`, () => {
      expect(parseMat(bytes).variables).toHaveLength(4);
      for (let cut = 0; cut < bytes.length; cut++) {
        const k = boundaries.indexOf(cut);
        if (k >= 0) {
          // A file that ends between elements is a valid file with fewer variables.
          expect(parseMat(bytes.subarray(0, cut)).variables).toHaveLength(k);
        } else {
          dataError(() => parseMat(bytes.subarray(0, cut)));
        }
      }
    });
  }
});

describe('parseMat on randomly corrupted files', () => {
  it('either parses or throws DataFormatError, never another error', () => {
    const rng = new Random(2024);
    let failures = 0;
    let trials = 0;
    for (const { bytes } of variants()) {
      for (let t = 0; t < 400; t++) {
        const copy = bytes.slice();
        const flips = 1 + rng.nextInt(4);
        for (let f = 0; f < flips; f++) copy[rng.nextInt(copy.length)] = rng.nextInt(256);
        trials++;
        try {
          parseMat(copy);
        } catch (e) {
          if (!(e instanceof DataFormatError)) throw e;
          failures++;
        }
      }
    }
    // Most corruptions must be caught; the rest hit values or padding, which no format can detect.
    expect(failures).toBeGreaterThan(trials / 4);
  });

  it('corruption inside compressed data reaches the element parser and is caught too', () => {
    const rng = new Random(7);
    const vars: VarSpec[] = [matrixSpec('X', [[1, 2], [3, 4]], 'uint16'), { kind: 'sparse', name: 'S', rows: 2, cols: 2, ir: [1], jc: [0, 0, 1], pr: [5] }];
    for (const endian of ['le', 'be'] as Endian[]) {
      for (const v of vars) {
        const body = element(MI.matrix, matrixBody(v, { endian }), { endian, small: false });
        for (let t = 0; t < 300; t++) {
          const copy = body.slice();
          copy[rng.nextInt(copy.length)] = rng.nextInt(256);
          try {
            parseMat(concat([matHeader({ endian }), compressedElement(copy, endian)]));
          } catch (e) {
            if (!(e instanceof DataFormatError)) throw e;
          }
        }
      }
    }
  });
});

// Small MAT-files that decode into far more memory than they hold, or into errors of unbounded size.
// Each case reads the file in a child process with a 256 MiB heap: what it builds must stay within a
// small multiple of what the file or maxDenseBytes allows, so reading ends in a result or a
// DataFormatError, never in "JavaScript heap out of memory" (an abort no catch can stop). Sizes are
// chosen so that a lean decoder needs a few tens of MiB.
//   F1 mat.ts latin1()/readName: a variable name decoded one character at a time into a rope (~31 heap
//      bytes a character), and no bound on a name's length.
//   F2 mat.ts readChars/fromCodes: char data turned into an array of numbers, then into a rope one
//      code point at a time (~40 heap bytes a character).
//   F3 mat.ts CELL_ENTRY_BYTES / readCells: each top-level cell array has its own maxDenseBytes budget,
//      and an empty cell is counted at 128 bytes where it takes ~300.
//   F4 mat.ts parseElements: top-level variables are counted against nothing (~500 heap bytes for a
//      56-byte variable).
//   F5 mat.ts checkDenseSize and others: messages hold dims.join('x') whole.
//   F19 mat.ts sparseToDense (and dataset.ts sparseToRowMajor): jc from the caller is looped over unchecked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError, ValidationError } from '../../lib/errors';
import { datasetFromMatFile } from '../../lib/data/dataset';
import { CELL_ENTRY_BYTES, MAX_DIMS, parseMat, sparseToDense, type MatFile, type MatVariable, type SparseMatrix } from '../../lib/data/mat';
import { ROOT, ensureBuilt } from '../helpers/cli';
import { dataError } from '../helpers/data-errors';
import { compressedElement, concat, element, encodeNumbers, matHeader, matrixSpec, MI, MX, writeMat, type CellSpec } from '../helpers/mat-writer';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'npset-mat-complexity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAP_MIB = 256;

/** Reads `file` with readMat in a child of a HEAP_MIB heap; what it printed: "ok ..." or the error's class and message. */
function readInChild(file: string, options: Record<string, unknown> = {}) {
  const script = path.join(dir, `read-${path.basename(file)}.js`);
  writeFileSync(
    script,
    `const { readMat } = require(${JSON.stringify(path.join(ROOT, 'dist', 'data', 'index.js'))});
readMat(${JSON.stringify(file)}, ${JSON.stringify(options)}).then(
  (m) => console.log('ok', m.variables.length),
  (e) => console.log(e.constructor.name, e.message.slice(0, 200)),
);`,
  );
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, script], { encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, signal: r.signal, out: r.stdout.trim(), err: r.stderr.slice(0, 300) };
}

function expectNoCrash(r: ReturnType<typeof readInChild>): void {
  expect(r.err).not.toMatch(/heap out of memory|FATAL/);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/^(ok|DataFormatError) /);
}

const flags = (classId: number) => element(MI.uint32, encodeNumbers([classId, 0], 'uint32'));
const dimsEl = (dims: number[]) => element(MI.int32, encodeNumbers(dims, 'int32'));
const matrix = (body: Uint8Array[]) => element(MI.matrix, concat(body), { small: false });

describe('MAT-files that would decode into gigabytes of heap', () => {
  it('F1: a variable name of 16 million bytes (16 KiB compressed)', () => {
    const name = element(MI.int8, new Uint8Array(16e6).fill(0x41));
    const v = matrix([flags(MX.double), dimsEl([1, 1]), name, element(MI.double, encodeNumbers([1], 'double'))]);
    const file = path.join(dir, 'long-name.mat');
    writeFileSync(file, concat([matHeader(), compressedElement(v)]));
    expectNoCrash(readInChild(file));
  });

  it('F2: a 1 x 16,000,000 char array (16 KiB compressed)', () => {
    const v = matrix([flags(MX.char), dimsEl([1, 16e6]), element(MI.int8, Uint8Array.of(0x43)), element(MI.utf8, new Uint8Array(16e6).fill(0x41))]);
    const file = path.join(dir, 'long-chars.mat');
    writeFileSync(file, concat([matHeader(), compressedElement(v)]));
    expectNoCrash(readInChild(file));
  });

  it('F3: three cell arrays of 400,000 empty cells each, with maxDenseBytes 64 MiB', () => {
    const n = 400_000;
    const empty = element(MI.matrix, new Uint8Array(0), { small: false }); // an 8-byte empty element: []
    const cells = new Uint8Array(n * empty.length);
    for (let i = 0; i < n; i++) cells.set(empty, i * empty.length);
    const parts = [matHeader()];
    for (let k = 0; k < 3; k++) {
      parts.push(compressedElement(matrix([flags(MX.cell), dimsEl([n, 1]), element(MI.int8, Uint8Array.of(0x43, 0x30 + k)), cells])));
    }
    const file = path.join(dir, 'many-cells.mat');
    writeFileSync(file, concat(parts));
    expectNoCrash(readInChild(file, { maxDenseBytes: 64 * 2 ** 20 }));
  });

  it('F3: cell arrays that each fit the budget alone are refused together', () => {
    const maxDenseBytes = 64 * 1024; // 128 cells or variables
    const empties = (name: string): CellSpec => ({ kind: 'cell', name, cells: Array.from({ length: 100 }, () => matrixSpec('', [])) });
    expect(parseMat(writeMat([empties('A')]), undefined, { maxDenseBytes }).variables[0].cells).toHaveLength(100);
    for (const compress of [false, true]) {
      expect(dataError(() => parseMat(writeMat([empties('A'), empties('B')], { compress }), undefined, { maxDenseBytes }))).toMatch(
        /^cannot hold the contents of cell array "B" .* with the variables before it, .*over the maxDenseBytes limit of 64\.0 KiB/,
      );
    }
  });

  it('F3: cells of N x 0 char arrays count their rows against the budget (8 bytes each)', () => {
    // 40 cells of 2^22 empty rows each: 4 million strings a cell, 1.3 GB of row slots in all, from a file of a few KiB.
    const rows: CellSpec = { kind: 'cell', name: 'c', cells: Array.from({ length: 40 }, () => ({ kind: 'char' as const, name: '', rows: [], dims: [2 ** 22, 0] })) };
    const file = path.join(dir, 'empty-rows.mat');
    writeFileSync(file, writeMat([rows], { compress: true }));
    const r = readInChild(file, { maxDenseBytes: 64 * 2 ** 20 });
    expectNoCrash(r);
    expect(r.out).toMatch(/^DataFormatError .*cannot hold the contents of cell array "c\{2\}"/);
  });

  it('F4: 1,000,000 empty top-level variables (a 56 MB file), with maxDenseBytes 16 MiB', () => {
    const name = element(MI.int8, Uint8Array.of(0x61)); // a small element: 'a'
    const v = matrix([flags(MX.double), dimsEl([0, 0]), name, element(MI.double, new Uint8Array(0))]);
    const n = 1_000_000;
    const body = new Uint8Array(n * v.length);
    for (let i = 0; i < n; i++) body.set(v, i * v.length);
    const file = path.join(dir, 'many-variables.mat');
    writeFileSync(file, concat([matHeader(), body]));
    expectNoCrash(readInChild(file, { maxDenseBytes: 16 * 2 ** 20 }));
  });

  it('F4: variables count against the budget, CELL_ENTRY_BYTES each', () => {
    const maxDenseBytes = 64 * 1024;
    const fits = maxDenseBytes / CELL_ENTRY_BYTES;
    const vars = (n: number) => Array.from({ length: n }, (_, i) => matrixSpec(`v${i}`, []));
    expect(parseMat(writeMat(vars(fits)), undefined, { maxDenseBytes }).variables).toHaveLength(fits);
    expect(dataError(() => parseMat(writeMat(vars(fits + 1)), undefined, { maxDenseBytes }))).toMatch(
      new RegExp(`^cannot hold variable ${fits + 1} with the ${fits} before it, counting ${CELL_ENTRY_BYTES} bytes a variable`),
    );
  });
});

describe('errors about MAT-files stay one short line', () => {
  it('F5: a variable of 1,000,000 dims is refused with a message of bounded length', () => {
    const dims = new Array<number>(1_000_000).fill(2147483647);
    const v = matrix([flags(MX.double), dimsEl(dims), element(MI.int8, Uint8Array.of(0x58)), element(MI.double, encodeNumbers([1], 'double'))]);
    let err: unknown;
    try {
      parseMat(concat([matHeader(), compressedElement(v)]), 'dims.mat');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message.length).toBeLessThan(2000);
    expect((err as Error).message).toMatch(new RegExp(`an array of 1000000 dims, more than the ${MAX_DIMS} read`));
  });

  it('F5: dims within MAX_DIMS are shortened in messages', () => {
    expect(MAX_DIMS).toBeGreaterThanOrEqual(1000);
    const dims = new Array<number>(1000).fill(2147483647);
    const v = matrix([flags(MX.double), dimsEl(dims), element(MI.int8, Uint8Array.of(0x58)), element(MI.double, encodeNumbers([1], 'double'))]);
    for (const file of [concat([matHeader(), v]), concat([matHeader(), compressedElement(v)])]) {
      const message = dataError(() => parseMat(file));
      expect(message).toMatch(/^cannot decode variable "X" .*, a 2147483647x2147483647x2147483647x2147483647x\.\.\. \(1000 dims\) double array/);
      expect(message.length).toBeLessThan(2000);
    }
  });

  it('F5: dims of a MatFile built by hand are shortened in the messages of datasetFromMatFile', () => {
    const many = new Array<number>(1_000_000).fill(2);
    const num = (name: string, dims: number[]): MatVariable => ({ name, className: 'double', dims, complex: false, data: new Float64Array(1) });
    const char: MatVariable = { name: 'Y', className: 'char', dims: many, complex: false, text: 'a' };
    const cell: MatVariable = { name: 'Y', className: 'cell', dims: many, complex: false, cells: [] };
    const labelCell: MatVariable = { name: 'Y', className: 'cell', dims: [1, 1], complex: false, cells: [{ ...char, name: '' }] };
    const cases: [MatFile['variables'], RegExp][] = [
      [[num('X', many), num('Y', [2, 1])], /^X \(variable "X"\) must be a 2-D matrix but has dims 2x2x2x2x\.\.\. \(1000000 dims\)$/],
      [[num('X', [2, 2]), num('Y', many)], /^Y \(variable "Y"\) must be a vector but has dims 2x2x2x2x\.\.\. \(1000000 dims\)$/],
      [[num('X', [2, 2]), char], /^Y \(variable "Y"\) is a char array of dims 2x2x2x2x\.\.\. \(1000000 dims\);/],
      [[num('X', [2, 2]), cell], /^Y \(variable "Y"\) must be a vector of cells .* but has dims 2x2x2x2x\.\.\. \(1000000 dims\)$/],
      [[num('X', [2, 2]), labelCell], /^Y \(variable "Y"\) must hold one string per cell, but cell 1 .*, dims 2x2x2x2x\.\.\. \(1000000 dims\), not/],
      [[num('A', many), num('B', many)], /the file holds "A" double 2x2x2x2x\.\.\. \(1000000 dims\), "B" double 2x2x2x2x/],
    ];
    for (const [variables, expected] of cases) {
      const message = dataError(() => datasetFromMatFile({ header: '', variables }, 'd'));
      expect(message).toMatch(expected);
      expect(message.length).toBeLessThan(2000);
    }
  });
});

describe('sparse matrices from the caller are checked before they are looped over', () => {
  const sparse = (jc: number[], ir: number[] = [0], pr: number[] = [1], rows = 1): SparseMatrix => ({
    rows,
    cols: jc.length - 1,
    ir: Int32Array.from(ir),
    jc: Int32Array.from(jc),
    pr: Float64Array.from(pr),
  });

  it('F19: sparseToDense refuses a jc that runs past ir and pr (the loop went as far as jc said)', () => {
    expect(() => sparseToDense(sparse([0, 1e6]))).toThrow(/^Expected 1000000 row indices, as jc\[1\] counts for sparse matrix\.ir but received an? Int32Array of length 1$/);
    expect(() => sparseToDense(sparse([0, 1e6]))).toThrow(ValidationError);
    const bad: [SparseMatrix, RegExp][] = [
      [sparse([0]), /^Expected 0 row indices, as jc\[0\] counts for sparse matrix\.ir/], // no columns, one row index
      [{ ...sparse([0, 1]), jc: Int32Array.of(0) }, /2 column offsets \(cols \+ 1\) for sparse matrix\.jc but received an? Int32Array of length 1/],
      [sparse([1, 1]), /0, the first column offset for sparse matrix\.jc\[0\] but received 1/],
      [sparse([0, 2, 1], [0, 0]), /an integer >= jc\[1\] \(2\) for sparse matrix\.jc\[2\] but received 1/],
      [sparse([0, 1], [0], [1, 2]), /1 values, as jc\[1\] counts for sparse matrix\.pr/],
      [sparse([0, 1], [1]), /a row index, an integer >= 0 and < 1 \(rows\) for sparse matrix\.ir\[0\] but received 1/],
      [sparse([0, 1], [-1]), /sparse matrix\.ir\[0\] but received -1/],
      [{ ...sparse([0, 1]), rows: -1 }, /an integer >= 0 for sparse matrix\.rows/],
      [{ ...sparse([0, 1]), pr: 'x' as unknown as Float64Array }, /a Float64Array of values for sparse matrix\.pr/],
      [null as unknown as SparseMatrix, /sparse matrix \{ rows, cols, ir, jc, pr \} for sparse matrix but received null/],
    ];
    for (const [s, message] of bad) {
      expect(() => sparseToDense(s)).toThrow(ValidationError);
      expect(() => sparseToDense(s)).toThrow(message);
    }
    // Valid: plain arrays; duplicates in a column add up; empty columns.
    expect(Array.from(sparseToDense({ ...sparse([0, 1]), pr: [1] as unknown as Float64Array }))).toEqual([1]);
    expect(Array.from(sparseToDense(sparse([0, 0, 2, 2], [1, 1], [2, 3], 2)))).toEqual([0, 0, 0, 5, 0, 0]);
  });

  it('F19: datasetFromMatFile checks a sparse X built by hand', () => {
    const y: MatVariable = { name: 'Y', className: 'double', dims: [2, 1], complex: false, data: Float64Array.of(0, 1) };
    const x = (s: SparseMatrix): MatVariable => ({ name: 'X', className: 'sparse', dims: [2, 2], complex: false, sparse: s });
    const ok = datasetFromMatFile({ header: '', variables: [x(sparse([0, 1, 2], [0, 1], [3, 4], 2)), y] }, 'd');
    expect(Array.from(ok.X)).toEqual([3, 0, 0, 4]);
    expect(() => datasetFromMatFile({ header: '', variables: [x(sparse([0, 1, 1e6], [0, 1], [3, 4], 2)), y] }, 'd')).toThrow(
      /^Expected 1000000 row indices, as jc\[2\] counts for X \(variable "X"\)\.sparse\.ir/,
    );
    expect(() => datasetFromMatFile({ header: '', variables: [x(sparse([0, 1], [0], [3], 2)), y] }, 'd')).toThrow(ValidationError);
    expect(() => datasetFromMatFile({ header: '', variables: [x(sparse([0, 1, 2], [0, 1], [3, 4], 3)), y] }, 'd')).toThrow(
      /^X \(variable "X"\)\.sparse is 3x2 but the dims of X are 2x2$/,
    );
  });
});

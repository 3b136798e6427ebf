/**
 * Text labels in MAT-files (a char matrix, a label per row, or a cell vector of strings) and the
 * parsing of cell arrays they need, with its limits: nesting depth, declared sizes, the memory that
 * many small cells would take.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../lib/errors';
import { loadCsvDataset } from '../../lib/data/csv';
import { datasetFromMatFile, validateDataset, type Dataset, type MatDatasetOptions } from '../../lib/data/dataset';
import { CELL_ENTRY_BYTES, MAX_CELL_DEPTH, parseMat, type MatVariable } from '../../lib/data/mat';
import { dataError } from '../helpers/data-errors';
import {
  cellstrSpec, charMatrixSpec, concat, element, encodeNumbers, matHeader, matrixBody, matrixSpec, MI, MX, variableElement, writeMat,
  type CellSpec, type Endian, type VarSpec,
} from '../helpers/mat-writer';

const ENDIANS: Endian[] = ['le', 'be'];
const COMPRESS = [false, true];

/** 6 samples of 2 features. */
const ROWS = Array.from({ length: 6 }, (_, i) => [i, 10 - i]);
const X = matrixSpec('X', ROWS);
const TEXTS = ['AML', 'ALL', 'B-cell', 'ALL', 'AML', 'B-cell'];

function load(vars: VarSpec[], options?: MatDatasetOptions, endian: Endian = 'le', compress = false): Dataset {
  return datasetFromMatFile(parseMat(writeMat(vars, { endian, compress })), 'test', options);
}


/** Classes in code-unit order: ALL 0, AML 1, B-cell 2. */
function expectTextLabels(d: Dataset): void {
  expect(d.labelNames).toEqual(['ALL', 'AML', 'B-cell']);
  expect(d.labels).toEqual([0, 1, 2]);
  expect(d.classes).toBe(3);
  expect(Array.from(d.y)).toEqual([1, 0, 2, 0, 1, 2]);
  expect(Array.from(d.X)).toEqual(ROWS.flat());
  validateDataset(d);
}

/**
 * The miMATRIX element of a 1x1 cell holding {'a'} nested `depth` levels deep ({{'a'}} for 2), built
 * from the inside out without recursion, so that it can be deeper than any stack.
 */
function deepCell(name: string, depth: number, endian: Endian): Uint8Array {
  const tag = (size: number) => encodeNumbers([MI.matrix, size], 'uint32', endian);
  const prefix = (n: string) => matrixBody({ kind: 'cell', name: n, dims: [1, 1], cells: [] }, { endian });
  const parts: Uint8Array[] = [matrixBody({ kind: 'char', name: '', rows: ['a'] }, { endian })];
  let size = parts[0].length;
  for (let d = 1; d <= depth; d++) {
    const p = prefix(d === depth ? name : '');
    parts.push(tag(size), p); // read back to front: this level's name, then its one element
    size += 8 + p.length;
  }
  parts.push(tag(size));
  return concat(parts.reverse());
}

/** A cell holding `inner` nested `depth` levels deep: depth 1 is {inner}. */
function nested(name: string, depth: number, inner: VarSpec): CellSpec {
  let c: CellSpec = { kind: 'cell', name: '', cells: [inner] };
  for (let d = 1; d < depth; d++) c = { kind: 'cell', name: '', cells: [c] };
  return { ...c, name };
}

describe('text labels', () => {
  it('reads a char matrix, a label per row, trimming MATLAB\'s trailing spaces', () => {
    const padded = charMatrixSpec('Y', TEXTS);
    expect(padded.rows[0]).toBe('AML   ');
    for (const endian of ENDIANS) {
      for (const compress of COMPRESS) {
        expectTextLabels(load([X, padded], undefined, endian, compress));
        expectTextLabels(load([X, { ...padded, utf8: true }], undefined, endian, compress));
      }
    }
  });

  it('reads a cell vector of strings, a column or a row, plain or compressed, in both byte orders', () => {
    for (const endian of ENDIANS) {
      for (const compress of COMPRESS) {
        expectTextLabels(load([X, cellstrSpec('Y', TEXTS)], undefined, endian, compress));
        expectTextLabels(load([cellstrSpec('Y', TEXTS, [1, 6]), X], undefined, endian, compress));
      }
    }
  });

  it('keeps the code-unit order of the CSV loader, case and accents included', async () => {
    const texts = ['b', 'B', 'a', 'é', 'Z', 'a', 'ab', 'A b'];
    const rows = texts.map((_, i) => [i, i % 3]);
    const d = load([matrixSpec('X', rows), cellstrSpec('Y', texts)]);
    const dir = mkdtempSync(path.join(tmpdir(), 'npset-matlabels-'));
    try {
      const csv = path.join(dir, 'same.csv');
      writeFileSync(csv, rows.map((r, i) => `${r.join(',')},${texts[i]}`).join('\n'));
      const fromCsv = await loadCsvDataset(csv);
      expect(d.labelNames).toEqual(['A b', 'B', 'Z', 'a', 'ab', 'b', 'é']);
      expect(d.labelNames).toEqual(fromCsv.labelNames);
      expect(Array.from(d.y)).toEqual(Array.from(fromCsv.y));
      expect(d.labels).toEqual(fromCsv.labels);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds text labels by pair name and by shape, and takes them as named', () => {
    const fea = matrixSpec('fea', ROWS);
    expectTextLabels(load([fea, charMatrixSpec('gnd', TEXTS)]));
    expectTextLabels(load([cellstrSpec('diagnosis', TEXTS), matrixSpec('expr', ROWS), cellstrSpec('genes', ['g1', 'g2'])]));
    expectTextLabels(load([matrixSpec('expr', ROWS), charMatrixSpec('names', TEXTS), cellstrSpec('other', TEXTS)], { y: 'names' }));
    // A cell of numbers is not a label candidate: two candidates would be ambiguous, one is not.
    const numbers: VarSpec = { kind: 'cell', name: 'ids', dims: [6, 1], cells: ROWS.map((r) => matrixSpec('', [[r[0]]])) };
    expectTextLabels(load([numbers, matrixSpec('expr', ROWS), cellstrSpec('diagnosis', TEXTS)]));
  });

  it('names the cell that is not a string, and its class', () => {
    const cells = cellstrSpec('Y', TEXTS).cells.slice();
    cells[2] = matrixSpec('', [[3]]);
    expect(dataError(() => load([X, { kind: 'cell', name: 'Y', dims: [6, 1], cells }]))).toBe(
      'Y (variable "Y") must hold one string per cell, but cell 3 (1-based) is of class double, dims 1x1',
    );
    cells[2] = { kind: 'char', name: '', rows: ['ab', 'cd'] };
    expect(dataError(() => load([X, { kind: 'cell', name: 'Y', dims: [6, 1], cells }]))).toBe(
      'Y (variable "Y") must hold one string per cell, but cell 3 (1-based) is of class char, dims 2x2, not a single row of characters',
    );
    cells[2] = { kind: 'struct', name: '', fields: [] };
    expect(dataError(() => load([X, { kind: 'cell', name: 'Y', dims: [6, 1], cells }]))).toMatch(/cell 3 \(1-based\) is of class struct, dims 1x1$/);
  });

  it('refuses empty labels', () => {
    const blank = TEXTS.slice();
    blank[4] = '';
    expect(dataError(() => load([X, cellstrSpec('Y', blank)]))).toBe(
      'Y (variable "Y") has an empty label in cell 5 (1-based); every sample needs one',
    );
    expect(dataError(() => load([X, charMatrixSpec('Y', blank)]))).toBe(
      'Y (variable "Y") has an empty label in row 5 (1-based; trailing spaces trimmed); every sample needs one',
    );
  });

  it('needs one text label per sample, with the hint of numeric labels', () => {
    expect(dataError(() => load([X, cellstrSpec('Y', TEXTS.slice(0, 5))]))).toBe('Y has 5 labels but X has 6 rows (samples)');
    expect(dataError(() => load([X, cellstrSpec('Y', ['a', 'b'])]))).toBe('Y has 2 labels but X has 6 rows (samples); is X stored features x samples?');
    expect(dataError(() => load([X, { kind: 'char', name: 'Y', rows: ['ABABAB'] }]))).toBe(
      'Y has 1 label (a 1x6 char array is one label, not one per character: save a char matrix with one row per label, ' +
        'or a cell array of strings) but X has 6 rows (samples)',
    );
    const grid: VarSpec = { ...cellstrSpec('Y', TEXTS), dims: [2, 3] };
    expect(dataError(() => load([X, grid]))).toBe('Y (variable "Y") must be a vector of cells (one string per sample) but has dims 2x3');
  });

  it('refuses labels in cells nested too deep, without a crash however deep', () => {
    for (const endian of ENDIANS) {
      for (const depth of [2, MAX_CELL_DEPTH + 1, 100_000]) {
        const file = concat([matHeader({ endian }), variableElement(X, { endian }), deepCell('Y', depth, endian)]);
        const message = dataError(() => datasetFromMatFile(parseMat(file), 'deep', { y: 'Y' }));
        expect(message).toBe('Y (variable "Y") must hold one string per cell, but cell 1 (1-based) is of class cell, dims 1x1');
      }
    }
  });
});

describe('parseMat: cell arrays', () => {
  it('parses the elements of cells (numbers, text, empty arrays, cells) and the rows of char matrices', () => {
    const c: CellSpec = {
      kind: 'cell',
      name: 'C',
      dims: [2, 2],
      cells: [matrixSpec('', [[1, 2]], 'uint8'), { kind: 'char', name: '', rows: ['hi'] }, nested('', 1, matrixSpec('', [[7]])), matrixSpec('', [])],
    };
    for (const endian of ENDIANS) {
      for (const compress of COMPRESS) {
        const [v, t] = parseMat(writeMat([c, charMatrixSpec('T', ['ab', 'c'])], { endian, compress })).variables;
        expect(v.dims).toEqual([2, 2]);
        const cells = v.cells as MatVariable[];
        expect(cells.map((x) => [x.name, x.className, x.dims])).toEqual([
          ['', 'double', [1, 2]], ['', 'char', [1, 2]], ['', 'cell', [1, 1]], ['', 'double', [0, 0]],
        ]);
        expect(Array.from(cells[0].data ?? [])).toEqual([1, 2]);
        expect(cells[1].text).toBe('hi');
        expect(Array.from(cells[2].cells?.[0].data ?? [])).toEqual([7]);
        expect(t.lines).toEqual(['ab', 'c ']);
        expect(t.text).toBe('ab\nc ');
      }
    }
  });

  it(`reads cells ${MAX_CELL_DEPTH} levels deep and keeps deeper ones without their contents`, () => {
    const deep = nested('D', 50, { kind: 'char', name: '', rows: ['x'] });
    const [v, after] = parseMat(writeMat([deep, matrixSpec('after', [[1]])])).variables;
    let c: MatVariable = v;
    for (let d = 1; d < MAX_CELL_DEPTH; d++) c = (c.cells as MatVariable[])[0];
    expect(c.cells?.[0].className).toBe('cell');
    expect(c.cells?.[0].cells).toBeUndefined();
    expect(after.name).toBe('after');
  });

  it('refuses a cell array whose declared dims its bytes cannot hold, before reading it', () => {
    const huge: CellSpec = { ...cellstrSpec('C', ['a', 'b']), dims: [1e9, 1] };
    for (const compress of COMPRESS) {
      const message = dataError(() => parseMat(writeMat([huge], { compress })));
      expect(message).toMatch(/^variable "C" \(.*\), a 1000000000x1 cell array, declares 1000000000 cells, but its \d+ bytes hold \d+ at most \(8 bytes a cell at least\)/);
    }
    // Fewer cells than the dims declare, and enough bytes for them: the element after is not a cell.
    const short: CellSpec = { ...cellstrSpec('C', ['a', 'b', 'c', 'd', 'e']), dims: [1, 6] };
    expect(() => parseMat(writeMat([short]))).toThrow(DataFormatError);
  });

  it('bounds the rows of a char array without characters (N x 0), which take no bytes in the file', () => {
    const many: VarSpec = { kind: 'char', name: 'T', rows: [], dims: [2 ** 31 - 1, 0] };
    for (const compress of COMPRESS) {
      expect(dataError(() => parseMat(writeMat([many], { compress })))).toMatch(
        /^variable "T": cannot hold the 2147483647 rows of a 2147483647x0 char array: it needs 16\.0 GiB .* over the maxDenseBytes limit of 1\.0 GiB/,
      );
    }
    expect(parseMat(writeMat([{ ...many, dims: [3, 0] }])).variables[0].lines).toEqual(['', '', '']);
  });

  it('counts CELL_ENTRY_BYTES a cell against maxDenseBytes, nested cells included', () => {
    // The cell array itself counts CELL_ENTRY_BYTES too, as every variable: `fits` cells and it fill the limit.
    const empties = (name: string, n: number): CellSpec => ({ kind: 'cell', name, cells: Array.from({ length: n }, () => matrixSpec('', [])) });
    const maxDenseBytes = 64 * 1024;
    const fits = Math.floor(maxDenseBytes / CELL_ENTRY_BYTES) - 1;
    expect(parseMat(writeMat([empties('C', fits)]), undefined, { maxDenseBytes }).variables[0].cells).toHaveLength(fits);
    for (const compress of COMPRESS) {
      const message = dataError(() => parseMat(writeMat([empties('C', 2000)], { compress }), undefined, { maxDenseBytes }));
      expect(message).toMatch(
        new RegExp(`cell array "C" .*counting ${CELL_ENTRY_BYTES} bytes a cell or variable beside the values of cells: it needs .* over the maxDenseBytes limit of 64\\.0 KiB`),
      );
    }
    // 10 cells of 100: each level fits alone, not all together.
    const tree: CellSpec = { kind: 'cell', name: 'T', cells: Array.from({ length: 10 }, () => empties('', 100)) };
    expect(dataError(() => parseMat(writeMat([tree]), undefined, { maxDenseBytes }))).toMatch(/cell array "T\{\d+\}/);
    // The values of the cells count too.
    const big: CellSpec = { kind: 'cell', name: 'V', cells: Array.from({ length: 20 }, () => matrixSpec('', [Array.from({ length: 500 }, (_, i) => i % 256)], 'uint8')) };
    expect(dataError(() => parseMat(writeMat([big]), undefined, { maxDenseBytes }))).toMatch(/cell array "V\{\d+\}"/);
  });

  it('throws DataFormatError for every truncation of a file with cell and char labels', () => {
    for (const compress of COMPRESS) {
      // Z first: a cut between two variables must not leave a whole dataset.
      const file = writeMat([charMatrixSpec('Z', TEXTS), cellstrSpec('Y', TEXTS), X], { compress, endian: 'be' });
      for (let cut = 0; cut < file.length; cut++) {
        expect(() => datasetFromMatFile(parseMat(file.subarray(0, cut)), 'cut')).toThrow(DataFormatError);
      }
      expectTextLabels(datasetFromMatFile(parseMat(file), 'whole'));
    }
  });
});

describe('char labels stored as bytes that are not UTF-8 (scipy writes a numpy bytes array, dtype S, as it is)', () => {
  /** A char matrix of `rows` (equal lengths), one byte a character, column-major, in an miUTF8 element. */
  function byteChars(name: string, rows: Uint8Array[]): Uint8Array {
    const cols = rows[0].length;
    const bytes = new Uint8Array(rows.length * cols);
    rows.forEach((r, i) => r.forEach((b, j) => (bytes[j * rows.length + i] = b)));
    return concat([
      element(MI.uint32, encodeNumbers([MX.char, 0], 'uint32')),
      element(MI.int32, encodeNumbers([rows.length, cols], 'int32')),
      element(MI.int8, Uint8Array.from('Y', (c) => c.charCodeAt(0))),
      element(MI.utf8, bytes),
    ]);
  }

  it('Latin-1 labels are read a character a byte: café and cafè stay two classes', () => {
    const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    const labels = ['caf\u00e9', 'caf\u00e8', 'caf\u00e9', 'cafe', 'caf\u00e8', 'cafe'];
    const y = element(MI.matrix, byteChars('Y', labels.map(latin1)), { small: false });
    const file = concat([matHeader(), variableElement(X), y]);
    const d = datasetFromMatFile(parseMat(file), 'latin1');
    expect(d.labelNames).toEqual(['cafe', 'caf\u00e8', 'caf\u00e9']);
    expect(Array.from(d.y, (k) => d.labelNames![k])).toEqual(labels);
  });

  it('UTF-8 bytes, one byte a place in a row, are read as UTF-8 (Octave and scipy bytes alike)', () => {
    const utf8 = (s: string) => new TextEncoder().encode(s);
    const labels = ['caf\u00e9', 'cafe ', 'caf\u00e8', 'caf\u00e9', 'cafe ', 'caf\u00e8'];
    const y = element(MI.matrix, byteChars('Y', labels.map(utf8)), { small: false });
    const d = datasetFromMatFile(parseMat(concat([matHeader(), variableElement(X), y])), 'utf8');
    expect(d.labelNames).toEqual(['cafe', 'caf\u00e8', 'caf\u00e9']);
  });
});

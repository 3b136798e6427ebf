/**
 * Which variables of a MAT-file loadMatDataset takes when the caller names neither (or only one) of
 * them: X and Y, then the well-known pairs (fea/gnd, data/label, ...), then the only matrix with the
 * only label vector of one entry per row; anything else is an error that lists the variables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { loadData, prepareData } from '../../lib/experiment/prepare';
import { datasetFromMatFile, loadMatDataset, type Dataset, type MatDatasetOptions } from '../../lib/data/dataset';
import { parseMat } from '../../lib/data/mat';
import { matrixSpec, writeMat, type Endian, type VarSpec } from '../helpers/mat-writer';
import { dataError } from '../helpers/data-errors';

/** 6 samples of 3 features, labels 1, 2, 3 twice. */
const ROWS = Array.from({ length: 6 }, (_, i) => [i, (i * 5) % 7, 2 - i]);
const LABELS = [1, 2, 3, 1, 2, 3];

const feats = (name: string): VarSpec => matrixSpec(name, ROWS);
const column = (name: string, values: number[] = LABELS): VarSpec => ({ kind: 'numeric', name, dims: [values.length, 1], values });
const row = (name: string, values: number[] = LABELS): VarSpec => ({ kind: 'numeric', name, dims: [1, values.length], values });

function load(vars: VarSpec[], options?: MatDatasetOptions, endian: Endian = 'le', compress = false): Dataset {
  return datasetFromMatFile(parseMat(writeMat(vars, { endian, compress })), 'test', options);
}

/** The dataset holds ROWS and LABELS (or the features scaled by `scale`, to tell decoys apart). */
function expectData(d: Dataset, scale = 1): void {
  expect(d.samples).toBe(6);
  expect(d.features).toBe(3);
  expect(Array.from(d.X)).toEqual(ROWS.flat().map((v) => v * scale));
  expect(d.labels).toEqual([1, 2, 3]);
  expect(Array.from(d.y)).toEqual([0, 1, 2, 0, 1, 2]);
}


const decoy = (name: string): VarSpec => matrixSpec(name, ROWS.map((r) => r.map((v) => v * 10)));

describe('choosing the variables by well-known names', () => {
  it('reads Deng Cai\'s fea and gnd, in any case, both byte orders, plain or compressed', () => {
    for (const endian of ['le', 'be'] as Endian[]) {
      for (const compress of [false, true]) {
        expectData(load([feats('fea'), column('gnd')], undefined, endian, compress));
        expectData(load([column('Gnd'), feats('FEA')], undefined, endian, compress));
      }
    }
  });

  it('tries data/label, data/labels, features/labels, inputs/targets, in that order, after X and Y', () => {
    expectData(load([feats('data'), column('label')]));
    expectData(load([feats('data'), row('labels')]));
    expectData(load([feats('features'), column('labels')]));
    expectData(load([feats('inputs'), column('targets')]));
    // X and Y come first, then the pairs in order.
    expectData(load([decoy('fea'), column('gnd'), feats('X'), column('Y')]));
    expectData(load([decoy('data'), column('labels'), column('gnd'), feats('fea')]));
    expectData(load([decoy('features'), column('labels', [3, 3, 3, 3, 3, 3]), column('label'), feats('data')]));
  });

  it('skips a pair whose features are not numeric, and then goes by shape', () => {
    const struct: VarSpec = { kind: 'struct', name: 'data', fields: [matrixSpec('a', [[1]])] };
    expectData(load([struct, column('label'), feats('A')]));
  });

  it('finds the other variable when only X or only Y is there by name', () => {
    // X, another matrix (so no single matrix) and a label vector named by a pair.
    expectData(load([feats('X'), decoy('Xtest'), column('labels')]));
    // X and the only vector with one entry per row of X (the test labels have 3).
    expectData(load([feats('X'), decoy('Xtest'), column('y_train'), column('y_test', [1, 2, 3])]));
    // Y and the only matrix.
    expectData(load([column('Y'), feats('train_x'), row('weights', [1, 2, 3])]));
  });
});

describe('choosing the variables by shape', () => {
  it('takes the only 2-D matrix and the only label vector with one entry per row, whatever their names', () => {
    const note: VarSpec = { kind: 'char', name: 'note', rows: ['made by hand'] };
    for (const endian of ['le', 'be'] as Endian[]) {
      expectData(load([note, row('b'), matrixSpec('n', [[6]]), feats('A'), row('w', [1, 2, 3])], undefined, endian));
    }
    // A sparse matrix is a matrix; a sparse label vector is a label vector.
    const ir: number[] = [];
    const jc = [0];
    const pr: number[] = [];
    for (let j = 0; j < 3; j++) {
      ROWS.forEach((r, i) => {
        if (r[j] !== 0) {
          ir.push(i);
          pr.push(r[j]);
        }
      });
      jc.push(ir.length);
    }
    const sparse: VarSpec = { kind: 'sparse', name: 'M', rows: 6, cols: 3, ir, jc, pr };
    expectData(load([sparse, column('classes')]));
  });

  it('lists the variables, with class and dims, when two matrices could be the features', () => {
    const message = dataError(() => load([feats('A'), decoy('B'), row('b')]));
    expect(message).toMatch(/^cannot tell which variables hold the features and the labels; the file holds "A" double 6x3, "B" double 6x3, "b" double 1x6\. /);
    expect(message).toContain('Tried X and Y, then fea/gnd, data/label, data/labels, features/labels, inputs/targets (any case)');
    expect(message).toContain('there are 2 ("A", "B")');
    expect(message).toMatch(/Name them with the x and y options of loadMatDataset \(--x-var NAME --y-var NAME on the command line\)$/);
  });

  it('says why else it could not choose: no matrix, no or two label vectors, a transposed matrix', () => {
    expect(dataError(() => load([row('a'), row('b')]))).toMatch(/"a" double 1x6, "b" double 1x6\. .*: there is none/);
    expect(dataError(() => load([feats('A'), row('a', [1, 2, 3])]))).toContain('no label vector has 6 entries, one per row of "A"');
    expect(dataError(() => load([feats('A'), row('a'), column('b')]))).toContain('2 label vectors have 6 entries, one per row of "A" ("a", "b")');
    const transposed = matrixSpec('A', ROWS[0].map((_, j) => ROWS.map((r) => r[j]))); // 3x6
    expect(dataError(() => load([transposed, row('a')]))).toContain(
      '"a" has one per column: is "A" stored features x samples? Transpose it',
    );
    const complex: VarSpec = { kind: 'numeric', name: 'Z', dims: [2, 2], values: [1, 2, 3, 4], imag: [0, 0, 0, 1] };
    expect(dataError(() => load([complex, decoy('B')]))).toContain('"Z" complex double 2x2, "B" double 6x3');
  });

  it('lists at most 20 variables', () => {
    const many = Array.from({ length: 25 }, (_, i) => feats(`m${i}`));
    expect(dataError(() => load(many))).toMatch(/"m19" double 6x3, \.\.\. \(25 in all\)\. Tried/);
  });
});

describe('choosing with the x and y options', () => {
  it('takes a named x and finds y (Y, a pair\'s label name, or by shape), excluding x', () => {
    expectData(load([feats('A'), decoy('B'), row('b')], { x: 'A' }));
    expectData(load([feats('A'), decoy('B'), column('gnd'), row('b', [3, 3, 3, 3, 3, 3])], { x: 'a' }));
    expectData(load([decoy('X'), feats('A'), column('Y')], { x: 'A' }));
    const message = dataError(() => load([feats('A'), decoy('B'), row('b'), row('c')], { x: 'A' }));
    expect(message).toMatch(/^cannot tell which variable holds the labels for the features "A" \(6x3, chosen by the x option\); the file holds "A" double 6x3, /);
    expect(message).toContain('2 have 6 entries ("b", "c")');
    expect(message).toMatch(/Name it with the y option of loadMatDataset \(--y-var NAME on the command line\)$/);
  });

  it('takes a named y and finds x (X, a pair\'s features name, or the only matrix), excluding y', () => {
    expectData(load([feats('A'), row('b'), row('c', [3, 3, 3, 3, 3, 3])], { y: 'b' }));
    expectData(load([feats('features'), decoy('B'), row('b')], { y: 'b' }));
    const message = dataError(() => load([feats('A'), decoy('B'), row('b')], { y: 'b' }));
    expect(message).toMatch(/^cannot tell which variable holds the features for the labels "b" \(chosen by the y option\); .*there are 2 \("A", "B"\)\. Name it with the x option of loadMatDataset \(--x-var NAME on the command line\)$/);
  });

  it('never guesses for a name that is given but missing, and lists what there is', () => {
    const vars = [feats('A'), row('b')];
    expect(dataError(() => load(vars, { x: 'fea' }))).toBe('no variable "fea" (found: "A" double 6x3, "b" double 1x6)');
    expect(dataError(() => load(vars, { y: 'gnd' }))).toBe('no variable "gnd" (found: "A" double 6x3, "b" double 1x6)');
    expect(dataError(() => load(vars, { x: 'A', y: 'C' }))).toBe('no variable "C" (found: "A" double 6x3, "b" double 1x6)');
  });
});

describe('loadMatDataset', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npset-matvars-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a fea/gnd file and names the file in the listing error', async () => {
    const good = path.join(dir, 'cai.mat');
    writeFileSync(good, writeMat([feats('fea'), column('gnd')], { compress: true }));
    expectData(await loadMatDataset(good));
    const bad = path.join(dir, 'two.mat');
    writeFileSync(bad, writeMat([feats('A'), decoy('B'), row('b')]));
    await expect(loadMatDataset(bad)).rejects.toThrow(`${bad}: cannot tell which variables hold the features and the labels; the file holds "A" double 6x3`);
    expectData(await loadMatDataset(bad, { x: 'A', y: 'b' }));
  });

  it('loadData and prepareData pass matX and matY, for MAT-files only', async () => {
    const bad = path.join(dir, 'pick.mat');
    writeFileSync(bad, writeMat([feats('A'), decoy('B'), row('b')]));
    expectData(await loadData(bad, { matX: 'A', matY: 'b' }));
    expectData(await loadData(bad, { matX: 'A' }));
    await expect(loadData(bad, { matY: 'b' })).rejects.toThrow(/cannot tell which variable holds the features for the labels "b"/);
    const p = await prepareData({ file: bad, matX: 'B', matY: 'b', seed: 1 });
    expect(p.name).toBe('pick');
    expect(p.train.samples + p.test.samples).toBe(6);
    const csv = path.join(dir, 'x.csv');
    await expect(loadData(csv, { matX: 'A' })).rejects.toThrow(
      new ValidationError(`Expected a MAT-file (matX is for MAT-files only) but received ${JSON.stringify(csv)}`),
    );
    await expect(loadData(undefined, { matY: 'b' })).rejects.toThrow('Expected a MAT-file (matY is for MAT-files only) but received no file');
    await expect(prepareData({ file: csv, matY: 'b' })).rejects.toBeInstanceOf(ValidationError);
    await expect(prepareData({ file: bad, matX: '' })).rejects.toThrow(/non-empty string for matX/);
    await expect(prepareData({ file: bad, matY: 3 as never })).rejects.toThrow(/for matY but received 3/);
  });
});

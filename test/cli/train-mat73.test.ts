/**
 * `npset train` and `npset predict` on MAT v7.3 (HDF5) files: they train as v5 files do, and a damaged
 * or non-MATLAB HDF5 file gives one "npset: ..." line (the HDF5 library's own error stack stays off
 * stderr) and exit code 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';
import { writeCellstrDataset, writeMat73 } from '../helpers/mat73-writer';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mat73');
let tmp: string;
cliTempDir('npset-cli-mat73-', (dir) => {
  tmp = dir;
  writeFileSync(path.join(dir, 'cut.mat'), readFileSync(path.join(FIXTURES, 'layout.mat')).subarray(0, 2000));
});
beforeAll(async () => {
  await writeCellstrDataset(path.join(tmp, 'cellstr-dataset.mat'));
  // HDF5 as h5py writes it: no MAT header, no MATLAB_class.
  await writeMat73(path.join(tmp, 'h5py-plain.mat'), [{ kind: 'numeric', name: 'X', dims: [3, 4], values: new Float64Array(12), className: 'double' }], {
    plain: true,
    noClass: true,
  });
});

describe('npset with MAT v7.3 files', () => {
  it('train reads X and cell-array labels from a v7.3 file, and predict reads it too', async () => {
    const model = path.join(tmp, 'm.npset');
    const args = ['train', '--data', path.join(tmp, 'cellstr-dataset.mat'), '--hidden', '8', '--epochs', '2', '--threads', '1'];
    const { json } = await runJson([...args, '--save-model', model]);
    expect(json.dataset).toBe('cellstr-dataset');
    expect(json.layers).toEqual([5, 8, 3]);
    expect(json.trainSamples).toBe(6);
    const r = await runCli(['predict', '--model', model, '--data', path.join(tmp, 'cellstr-dataset.mat'), '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).samples).toBe(9);
  });

  it('a damaged v7.3 file: one line, exit code 2, nothing from the HDF5 library', async () => {
    const r = await runCli(['train', '--data', path.join(tmp, 'cut.mat')]);
    expectUsageError(r, /cut\.mat: cannot open it as a MAT v7\.3 \(HDF5\) file: its HDF5 structure is damaged or truncated$/);
    expect(r.stderr).not.toMatch(/HDF5-DIAG/);
  });

  it('an HDF5 file that MATLAB did not write: one line that says why', async () => {
    const r = await runCli(['train', '--data', path.join(tmp, 'h5py-plain.mat')]);
    expectUsageError(r, /h5py-plain\.mat: an HDF5 file that MATLAB did not write/);
  });
});

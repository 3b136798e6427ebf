/**
 * MAT v7.3 (HDF5) files made to hurt the reader: what HDF5 lets a file declare that MATLAB never writes
 * (other files to open, references anywhere, sizes without storage, filters, odd dataspaces and types).
 * Each is refused with a DataFormatError naming the file, or read as MATLAB's layout says, fast and
 * within maxDenseBytes. Most files are written here with h5wasm; three more with h5wasm and then edited byte by
 * byte (test/helpers/mat73-hostile-writer.ts); what neither can write is in test/fixtures/mat73/hostile/ (made by
 * make_hostile.py with h5py).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMat, type MatVariable } from '../../lib/data/mat';
import { DataFormatError } from '../../lib/errors';
import { ensureBuilt, ROOT } from '../helpers/cli';
import { mat73UserBlock, writeBadChunk, writeCellstrDataset } from '../helpers/mat73-writer';
import { EFL_TARGET, writeBadName, writeDeflateTwice, writeExternalStorage } from '../helpers/mat73-hostile-writer';
import { tempFiles } from '../helpers/temp-files';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
type H5File = InstanceType<H5['File']>;

const HOSTILE = path.join(__dirname, '..', 'fixtures', 'mat73', 'hostile');
const hostile = (name: string) => path.join(HOSTILE, name);
const tmp = tempFiles('npset-mat73-hostile-');
let fileCount = 0;

/**
 * Writes a file with h5wasm (`fill` makes its contents), then puts MATLAB's user block in front
 * (`extra` zero bytes after it make a larger user block, which HDF5 finds too). Returns its path.
 */
async function h5file(fill: (f: H5File, h5: H5) => void, extra = 0): Promise<string> {
  const h5: H5 = await import('h5wasm/node');
  await h5.ready;
  const dir = path.join(tmp.dir, `f${fileCount++}`);
  mkdirSync(dir);
  const file = path.join(dir, 'hostile.mat');
  const f = new h5.File(file, 'w');
  try {
    fill(f, h5);
  } finally {
    f.close();
  }
  writeFileSync(file, Buffer.concat([mat73UserBlock(), new Uint8Array(extra), readFileSync(file)]));
  return file;
}

/** A dataset of `data` with MATLAB_class `cls` (any other attributes: `attrs`). */
function dataset(g: H5File | ReturnType<H5File['create_group']>, name: string, data: unknown, shape: number[] | null, cls: string, dtype?: string) {
  const d = g.create_dataset({ name, data: data as Float64Array, shape, ...(dtype ? { dtype } : {}) });
  d.create_attribute('MATLAB_class', cls);
  return d;
}

/**
 * A chunked dataset of one value, then declared as `shape`: HDF5 stores no chunk it was not given,
 * so a file of 2 KiB declares any size.
 */
function declared(f: H5File, name: string, shape: number[], dtype: string, cls: string) {
  const d = f.create_dataset({
    name, data: dtype === '<Q' ? new BigUint64Array(1) : new Float64Array(1), shape: shape.map(() => 1),
    maxshape: shape.map(() => null), chunks: shape.map(() => 16), dtype,
  } as Parameters<H5File['create_dataset']>[0]);
  d.resize(shape);
  d.create_attribute('MATLAB_class', cls);
  return d;
}

async function refused(p: Promise<unknown>, file: string, pattern: RegExp): Promise<DataFormatError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DataFormatError);
  const message = (e as Error).message;
  expect(message.startsWith(`${file}: `), message).toBe(true);
  expect(message).toMatch(pattern);
  return e as DataFormatError;
}

function byName(vars: MatVariable[]): Record<string, MatVariable> {
  return Object.fromEntries(vars.map((v) => [v.name, v]));
}

describe('sizes a v7.3 file declares without the bytes to back them', () => {
  it('huge dims over chunks never written are refused from the dims', async () => {
    const file = await h5file((f) => void declared(f, 'X', [2 ** 20, 2 ** 20], '<d', 'double'));
    await refused(readMat(file), file, /variable "X": cannot decode the 1099511627776 values of its 1048576x1048576 array .*maxDenseBytes/);
  });

  it('MATLAB_empty on a large dataset: its dims are not read from it (512 MiB were, into the WebAssembly heap)', async () => {
    const file = await h5file((f) => declared(f, 'E', [2 ** 26], '<Q', 'double').create_attribute('MATLAB_empty', 1, null, '<B'));
    const h5: H5 = await import('h5wasm/node');
    const heap = h5.Module.HEAPU8.length;
    const t = Date.now();
    const m = await readMat(file);
    expect(m.variables[0]).toMatchObject({ name: 'E', className: 'double', dims: [0, 0] });
    expect(h5.Module.HEAPU8.length - heap).toBeLessThan(64 * 2 ** 20);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('an N x 0 char array (N empty rows, no characters) is held to maxDenseBytes at 8 bytes a row, as in v5 files', async () => {
    // HDF5 dims 0 x 2^20 are MATLAB's 2^20 x 0: the reader made 2^20 strings whatever the limit (2^40
    // rows crashed the process). Empty (MATLAB_empty) ones had no rows beyond the limit.
    const file = await h5file((f) => void declared(f, 'C', [0, 2 ** 20], '<H', 'char'));
    await refused(readMat(file, { maxDenseBytes: 2 ** 20 }), file, /variable "C": cannot hold the 1048576 rows of a 1048576x0 char array: .*maxDenseBytes/);
    const v = (await readMat(file, { maxDenseBytes: 2 ** 23 })).variables[0];
    expect(v).toMatchObject({ className: 'char', dims: [2 ** 20, 0] });
    expect(v.lines!.length).toBe(2 ** 20);
    const empty = await h5file((f) => {
      dataset(f, 'E', new BigUint64Array([2n ** 20n, 0n]), [2], 'char').create_attribute('MATLAB_empty', 1, null, '<B');
    });
    await refused(readMat(empty, { maxDenseBytes: 2 ** 20 }), empty, /variable "E": cannot hold the 1048576 rows of a 1048576x0 char array: .*maxDenseBytes/);
    expect((await readMat(empty, { maxDenseBytes: 2 ** 23 })).variables[0].lines!.length).toBe(2 ** 20);
  });

  it('a null dataspace (no dims at all) is an empty array, not one 0 or one NUL character', async () => {
    const file = hostile('null-dataspace.mat');
    const v = byName((await readMat(file)).variables);
    expect(v.n).toMatchObject({ className: 'double', dims: [0, 0], data: new Float64Array(0) });
    expect(v.c).toMatchObject({ className: 'char', dims: [0, 0], text: '' });
    expect(v.cc).toMatchObject({ className: 'cell', dims: [0, 0], cells: [] });
    expect(v.X.dims).toEqual([2, 3]);
  });

  it('complex elements padded to 1 MiB each are refused (a slab of them took 1 GiB of the WebAssembly heap)', async () => {
    const file = await h5file((f) => {
      const members = [
        { name: 'real', type: 1, size: 8, offset: 0, signed: false, littleEndian: true, vlen: false },
        { name: 'imag', type: 1, size: 8, offset: 2 ** 20, signed: false, littleEndian: true, vlen: false },
      ];
      const d = f.create_dataset({
        name: 'Z', data: new Map([['real', [1]], ['imag', [2]]]), shape: [1], maxshape: [null], chunks: [1],
        dtype: { compound_type: { members, nmembers: 2 } },
      } as unknown as Parameters<H5File['create_dataset']>[0]);
      d.resize([1000]);
      d.create_attribute('MATLAB_class', 'double');
    });
    await refused(readMat(file), file, /variable "Z": its values are stored as HDF5 type class 6, not as numbers/);
  });
});

describe('what HDF5 reads that it should not, or reads and does not say it failed', () => {
  it('a chunk that does not inflate is an error (its values were whatever the heap held)', async () => {
    const file = path.join(tmp.dir, 'bad-chunk.mat');
    await writeBadChunk(file);
    await refused(readMat(file), file, /variable "X": cannot read it: .*HDF5 could not read its values/);
  });

  it('a chunk behind two deflate filters is refused before it is inflated (564 bytes that inflate to 256 MiB)', async () => {
    const file = path.join(tmp.dir, 'deflate-twice.mat');
    await writeDeflateTwice(file);
    const t = Date.now();
    await refused(readMat(file), file, /variable "X": its chunks are compressed 2 times \(deflate, deflate\); MATLAB compresses them once/);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('a virtual dataset is refused: its values are in other files', async () => {
    const file = hostile('virtual.mat');
    await refused(readMat(file), file, /variable "v": a virtual dataset \(its values are in other files\), which MATLAB does not write/);
  });

  it('external storage (values in a raw file the dataset names) is not read', async () => {
    // The file it names is missing here: the values were whatever the WebAssembly heap held.
    const file = path.join(tmp.dir, 'external-storage.mat');
    await writeExternalStorage(file);
    await refused(readMat(file), file, /variable "e": cannot read it: .*HDF5 could not read its values/);
  });

  it('an external link at the root is no variable: the file it names is not read', async () => {
    const other = await h5file((f) => void dataset(f, 'secret', new Float64Array([1, 2, 3]), [3], 'double'));
    const file = await h5file((f) => {
      dataset(f, 'a', new Float64Array([7]), [1], 'double');
      f.create_external_link(other, '/secret', 'x');
      f.create_external_link(other, '/', 'g');
    });
    expect((await readMat(file)).variables.map((v) => v.name)).toEqual(['a']);
  });

  it('soft links at the root are no variables: dangling, in a loop, or to a variable', async () => {
    const file = await h5file((f) => {
      dataset(f, 'a', new Float64Array([7]), [1], 'double');
      f.create_soft_link('/nowhere', 'dangling');
      f.create_soft_link('/loop2', 'loop1');
      f.create_soft_link('/loop1', 'loop2');
      f.create_soft_link('/a', 'alias');
    });
    expect((await readMat(file)).variables.map((v) => v.name)).toEqual(['a']);
  });
});

/**
 * Runs `readMat(file)` (or readMat73, given the header text of the file's user block) in a child process
 * (dist/, built if stale) in `cwd`; it is killed after 20 s.
 */
function readInChild(file: string, cwd: string, v73Header?: string): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  const read =
    v73Header === undefined
      ? `require(${JSON.stringify(path.join(ROOT, 'dist', 'data', 'mat.js'))}).readMat(${JSON.stringify(file)})`
      : `require(${JSON.stringify(path.join(ROOT, 'dist', 'data', 'mat73.js'))}).readMat73(${JSON.stringify(file)}, ${JSON.stringify(v73Header)}, 2 ** 30)`;
  const script = `${read}.then((m) => console.log('read', m.variables.map((v) => v.name).join(',')), (e) => console.log(e.name, e.message))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

const hasMkfifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).error === undefined;

describe.runIf(hasMkfifo)('files a v7.3 file names are not opened: a FIFO there hung the process', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('the target of an external link', async () => {
    const dir = path.join(tmp.dir, 'fifo-link');
    mkdirSync(dir);
    const fifo = path.join(dir, 'fifo.h5');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const file = await h5file((f) => {
      dataset(f, 'a', new Float64Array([7]), [1], 'double');
      f.create_external_link(fifo, '/x', 'x');
    });
    const r = await readInChild(file, dir);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe('read a\n');
    expect(r.stderr).toBe('');
  });

  it('the raw file of external storage, named relative to the working directory', async () => {
    const dir = path.join(tmp.dir, 'fifo-efl');
    mkdirSync(dir);
    expect(spawnSync('mkfifo', [path.join(dir, EFL_TARGET)]).status).toBe(0);
    mkdirSync(path.join(tmp.dir, 'efl'));
    const file = path.join(tmp.dir, 'efl', 'external-storage.mat');
    await writeExternalStorage(file);
    const r = await readInChild(file, dir);
    expect(r.signal).toBeNull();
    expect(r.stdout).toMatch(/^DataFormatError .*external-storage\.mat: variable "e": cannot read it: /);
    expect(r.stderr).toBe('');
  });

  it('the file itself, when its path is a FIFO by the time HDF5 opens it (readMat checked it before)', async () => {
    const dir = path.join(tmp.dir, 'fifo-self');
    mkdirSync(dir);
    const fifo = path.join(dir, 'data.mat');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await readInChild(fifo, dir, 'MATLAB 7.3 MAT-file');
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(`DataFormatError ${fifo}: cannot open it as a MAT v7.3 (HDF5) file: its HDF5 structure is damaged or truncated\n`);
  });
});

describe('cell arrays whose references go where MATLAB never points them', () => {
  it('a cell array that refers to itself is refused (it was unrolled to the depth limit)', async () => {
    const file = await h5file((f) => {
      const x = dataset(f, 'x', new Float64Array([1]), [1], 'double');
      const c = dataset(f, 'c', [x.create_reference(), x.create_reference()], [1, 2], 'cell');
      c.write_slice([[0, 1], [1, 2]], [c.create_reference()]);
    });
    await refused(readMat(file), file, /variable "c": cell 2 of 2: its reference leads back to the cell array that holds it/);
  });

  it('null references, region references and a reference to the root group are refused', async () => {
    const nulls = await h5file((f, h5) => {
      const d = f.create_dataset({ name: 'c', data: [new h5.Reference(new Uint8Array(8))], shape: [1, 1], maxshape: [null, null], chunks: [100, 100] });
      d.resize([1000, 1000]); // a million null references, in 2 KiB
      d.create_attribute('MATLAB_class', 'cell');
    });
    const t = Date.now();
    await refused(readMat(nulls), nulls, /variable "c": cell 1 of 1000000: its reference leads to no object .*null reference/);
    expect(Date.now() - t).toBeLessThan(1000);
    const regions = await h5file((f) => {
      const x = dataset(f, 'x', new Float64Array([1, 2, 3]), [3], 'double');
      dataset(f, 'c', [x.create_region_reference([[0, 2]])], [1, 1], 'cell');
    });
    await refused(readMat(regions), regions, /variable "c": its cells are region references, not object references/);
    const root = await h5file((f) => void dataset(f, 'c', [f.create_reference()], [1, 1], 'cell'));
    await refused(readMat(root), root, /variable "c": cell 1 of 1: its reference leads to no object in #refs# or at the root/);
  });

  it("100,000 empty cells that all refer to #refs#/a (MATLAB's []) read at once, as empty doubles", async () => {
    // Each reference was looked up by HDF5 (which walks the whole file) and its target read again: 30 s.
    const file = await h5file((f) => {
      const a = dataset(f.create_group('#refs#'), 'a', new BigUint64Array([0n, 0n]), [2], 'canonical empty');
      a.create_attribute('MATLAB_empty', 1, null, '<B');
      const ref = a.create_reference();
      dataset(f, 'c', Array.from({ length: 100_000 }, () => ref), [1000, 100], 'cell');
    });
    const c = (await readMat(file)).variables[0];
    expect(c.dims).toEqual([100, 1000]);
    expect(c.cells).toHaveLength(100_000);
    expect(c.cells![99_999]).toEqual({ name: '', className: 'double', dims: [0, 0], complex: false, data: new Float64Array(0) });
  }, 10_000);

  it('a cell array of 3000 strings reads in a second or two (HDF5 walked the file for each reference: a minute)', async () => {
    const labels = Array.from({ length: 3000 }, (_, i) => `class${i % 7}`);
    const file = await h5file((f) => {
      const refs = f.create_group('#refs#');
      const targets = labels.map((t, i) => dataset(refs, `s${i}`, Uint16Array.from(t, (ch) => ch.charCodeAt(0)), [t.length, 1], 'char').create_reference());
      dataset(f, 'y', targets, [1, labels.length], 'cell');
    });
    const y = (await readMat(file)).variables[0];
    expect(y.cells!.map((c) => c.text)).toEqual(labels);
  }, 10_000);

  it('a reference read again counts against the budget each time: sparse matrices, N x 0 char arrays', async () => {
    // 100 cells refer to one sparse matrix of 65,537 column offsets (jc, never written: all 0), and 100
    // to one 65,536 x 0 char array: each copy was counted as nothing.
    const file = await h5file((f) => {
      const refs = f.create_group('#refs#');
      const s = refs.create_group('s');
      s.create_attribute('MATLAB_class', 'double');
      s.create_attribute('MATLAB_sparse', 3n as unknown as number, null, '<Q');
      const jc = s.create_dataset({ name: 'jc', data: new BigUint64Array(1), shape: [1], maxshape: [null], chunks: [4096], dtype: '<Q' } as Parameters<H5File['create_dataset']>[0]);
      jc.resize([2 ** 16 + 1]);
      dataset(f, 'S', Array.from({ length: 100 }, () => s.create_reference()), [1, 100], 'cell');
    });
    expect((await readMat(file)).variables[0].cells![99].sparse!.cols).toBe(2 ** 16);
    await refused(readMat(file, { maxDenseBytes: 8 * 2 ** 20 }), file, /variable "S": cannot hold the values of its cells: .*maxDenseBytes/);
    const chars = await h5file((f) => {
      const e = dataset(f.create_group('#refs#'), 'e', new BigUint64Array([2n ** 16n, 0n]), [2], 'char');
      e.create_attribute('MATLAB_empty', 1, null, '<B');
      dataset(f, 'E', Array.from({ length: 100 }, () => e.create_reference()), [1, 100], 'cell');
    });
    expect((await readMat(chars)).variables[0].cells![99].lines!.length).toBe(2 ** 16);
    await refused(readMat(chars, { maxDenseBytes: 8 * 2 ** 20 }), chars, /variable "E": cannot hold the values of its cells: .*maxDenseBytes/);
  });

  it('cells nested 5 levels deep, 100 references a level to the next, are refused by the budget at once', async () => {
    // 100^5 cells from a 20 KiB file: the reader read them one by one for minutes.
    const file = await h5file((f) => {
      const refs = f.create_group('#refs#');
      let target = dataset(refs, 'leaf', new Float64Array(1000).fill(1), [1000, 1], 'double');
      for (let level = 0; level < 4; level++) {
        const ref = target.create_reference();
        target = dataset(refs, `level${level}`, Array.from({ length: 100 }, () => ref), [1, 100], 'cell');
      }
      const ref = target.create_reference();
      dataset(f, 'c', Array.from({ length: 100 }, () => ref), [1, 100], 'cell');
    });
    await refused(readMat(file), file, /variable "c": cannot hold .*maxDenseBytes/);
  }, 10_000);
});

describe('names, types and layouts MATLAB does not write', () => {
  it('a variable whose name is not UTF-8 is an error, not left out', async () => {
    const file = path.join(tmp.dir, 'bad-name.mat');
    await writeBadName(file);
    await refused(readMat(file), file, /HDF5 finds no object by its name \(a name that is not UTF-8 text, or a damaged file\)/);
  });

  it('a variable name longer than MAX_NAME_BYTES is refused, as in v5 files', async () => {
    const file = await h5file((f) => void dataset(f, 'n'.repeat(5000), new Float64Array([1]), [1], 'double'));
    await refused(readMat(file), file, /a variable name of 5000 bytes, longer than the 4096 read/);
  });

  it('MATLAB_class as a number, a list of strings or a variable-length string', async () => {
    const file = await h5file((f) => {
      f.create_dataset({ name: 'a', data: new Float64Array([1, 2]) }).create_attribute('MATLAB_class', 7);
      f.create_dataset({ name: 'b', data: new Float64Array([1, 2]) }).create_attribute('MATLAB_class', ['double', 'char']);
      f.create_dataset({ name: 'c', data: new Int16Array([1, 2]) }).create_attribute('MATLAB_class', 'int16', null, 'S');
    });
    const v = byName((await readMat(file)).variables);
    // Not a class name: taken as the stored numbers, as for a dataset without one.
    expect(v.a).toMatchObject({ className: 'double', data: new Float64Array([1, 2]) });
    expect(v.b).toMatchObject({ className: 'double', data: new Float64Array([1, 2]) });
    expect(v.c).toMatchObject({ className: 'int16', data: new Float64Array([1, 2]) });
  });

  it('a user block of 1024 bytes (HDF5 finds the superblock there too) reads as MATLAB\'s 512', async () => {
    const fill = (f: H5File) => void dataset(f, 'X', new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2], 'double');
    const file = await h5file(fill, 512);
    const m = await readMat(file);
    expect(m.header).toMatch(/^MATLAB 7\.3 MAT-file/);
    expect(m.variables).toEqual((await readMat(await h5file(fill))).variables);
  });

  it('a file cut at every 512 bytes is a DataFormatError each time, and quickly', async () => {
    const whole = path.join(tmp.dir, 'cellstr-dataset.mat');
    await writeCellstrDataset(whole);
    const good = readFileSync(whole);
    for (let n = 512; n < good.length; n += 512) {
      const file = tmp.write('cut.mat', good.subarray(0, n));
      const t = Date.now();
      await refused(readMat(file), file, /./);
      expect(Date.now() - t).toBeLessThan(1000);
    }
  });

  it('two reads at once of the same file, and a directory', async () => {
    const file = path.join(HOSTILE, '..', 'layout.mat');
    const bad = path.join(tmp.dir, 'bad-chunk-2.mat');
    await writeBadChunk(bad);
    const [a, b] = await Promise.all([readMat(file), readMat(file), readMat(bad).catch(() => undefined)]);
    expect(b).toEqual(a);
    await refused(readMat(HOSTILE), HOSTILE, /it is a directory/);
  });
});

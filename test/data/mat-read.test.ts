// readMat reads regular files only, and checks the 128-byte header before reading the rest:
// `--data /dev/zero` used to read forever, and a large non-MAT file was read in full first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataFormatError } from '../../lib/errors';
import { loadMatDataset } from '../../lib/data/dataset';
import { readMat } from '../../lib/data/mat';
import { matHeader, matrixSpec, writeMat } from '../helpers/mat-writer';

// Count what readMat opens and reads, through a pass-through wrapper of fs/promises.open.
const io = vi.hoisted(() => ({ opened: 0, bytesRead: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fsp.open = async (...args) => {
    const fh = await fsp.open(...args);
    io.opened++;
    const read = fh.read.bind(fh) as (...a: unknown[]) => Promise<{ bytesRead: number }>;
    fh.read = (async (...a: unknown[]) => {
      const r = await read(...a);
      io.bytesRead += r.bytesRead;
      return r;
    }) as typeof fh.read;
    return fh;
  };
  return { ...fsp, open };
});

const dir = mkdtempSync(path.join(tmpdir(), 'npset-mat-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  io.opened = 0;
  io.bytesRead = 0;
});

async function readError(file: string): Promise<string> {
  const e = await readMat(file).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataFormatError);
  expect((e as DataFormatError).file).toBe(file);
  return (e as Error).message;
}

describe('readMat: what it reads', () => {
  it('refuses a directory', async () => {
    const sub = path.join(dir, 'adir.mat');
    mkdirSync(sub);
    expect(await readError(sub)).toBe(`${sub}: cannot read the file: it is a directory, not a regular file`);
    await expect(loadMatDataset(sub)).rejects.toThrow(`${sub}: cannot read the file: it is a directory, not a regular file`);
  });

  it.skipIf(!existsSync('/dev/null'))('refuses a character device (/dev/null, like /dev/zero) without opening it', async () => {
    expect(await readError('/dev/null')).toBe('/dev/null: cannot read the file: it is a character device, not a regular file');
    expect(io.opened).toBe(0);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO without waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.mat');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here: nothing to test
    }
    expect(await readError(fifo)).toBe(`${fifo}: cannot read the file: it is a FIFO (named pipe), not a regular file`);
  });

  it('reads only the header of a large file that is not a MAT-file', async () => {
    const file = path.join(dir, 'big.txt');
    writeFileSync(file, Buffer.alloc(4 * 2 ** 20, 'x'));
    expect(await readError(file)).toMatch(/bad endian indicator/);
    expect(io.opened).toBe(1);
    // The 128-byte header, and as far as a v7.3 file's HDF5 signature after its 512-byte user block.
    expect(io.bytesRead).toBe(520);
  });

  it('reads the whole of a MAT-file, and reports short and missing files', async () => {
    const file = path.join(dir, 'ok.mat');
    const bytes = writeMat([matrixSpec('X', [[1, 2], [3, 4]]), matrixSpec('Y', [[1], [2]])]);
    writeFileSync(file, bytes);
    const mat = await readMat(file);
    expect(mat.variables.map((v) => v.name)).toEqual(['X', 'Y']);
    expect(io.bytesRead).toBe(bytes.length);

    const short = path.join(dir, 'short.mat');
    writeFileSync(short, matHeader().subarray(0, 100));
    expect(await readError(short)).toBe(`${short}: file too short for a MAT-file header (100 of 128 bytes)`);
    const empty = path.join(dir, 'empty.mat');
    writeFileSync(empty, '');
    expect(await readError(empty)).toMatch(/too short for a MAT-file header \(0 of 128 bytes\)/);
    // numpy's savetxt output is often named .dat: a text file gets a hint, a binary one does not.
    const text = path.join(dir, 'data.dat');
    writeFileSync(text, Array.from({ length: 20 }, (_, i) => `${i}.5,${i % 3},${i % 2}`).join('\r\n'));
    expect(await readError(text)).toMatch(/bad endian indicator in the header \(expected "IM" or "MI"\); it looks like text: a CSV\/TSV file is read as one when it is named \.csv, \.tsv or \.txt/);
    writeFileSync(text, '1,2,0\n3,4,1\n');
    expect(await readError(text)).toMatch(/too short for a MAT-file header \(12 of 128 bytes\); it looks like text/);
    writeFileSync(text, Buffer.alloc(200, 7));
    expect(await readError(text)).not.toMatch(/looks like text/);
    const missing = path.join(dir, 'missing.mat');
    expect(await readError(missing)).toMatch(/^.*missing\.mat: cannot read the file: ENOENT/);
  });

  it('checks the options before touching the file', async () => {
    await expect(readMat('/dev/null', { maxInflatedBytes: 0 })).rejects.toThrow(/maxInflatedBytes/);
    expect(io.opened).toBe(0);
  });
});

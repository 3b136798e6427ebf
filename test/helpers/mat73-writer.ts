/**
 * A MAT v7.3 writer for tests only, on h5wasm: MATLAB's HDF5 layout (MATLAB_class attributes, dims
 * reversed, cells as references into #refs#, sparse groups), then the 512-byte user block with the
 * MAT header put in front (the HDF5 library finds the superblock after it and reads the addresses
 * from there). test/fixtures/mat73/make_fixtures.py writes the committed fixtures with h5py instead,
 * with MATLAB's fixed-length string attributes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
type H5Group = InstanceType<H5['Group']>;

export type Mat73Var =
  | {
      kind: 'numeric';
      name: string;
      /** MATLAB's dims (rows first). */
      dims: number[];
      /** Column-major values, stored with the typed array's own type. */
      values: Float64Array | Float32Array | Int16Array | Uint16Array | Uint8Array | Int32Array;
      className: string;
      compress?: boolean;
    }
  | { kind: 'cellstr'; name: string; texts: string[] }
  | { kind: 'sparse'; name: string; rows: number; cols: number; ir: number[]; jc: number[]; pr: number[] };

const MAT_HEADER = 'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Sun Nov 29 20:00:00 2026 HDF5 schema 1.00 .';

/** The 512-byte user block: header text, subsystem offset, version 0x0200, 'IM'. */
export function mat73UserBlock(): Uint8Array {
  const block = new Uint8Array(512);
  block.set(Buffer.from(MAT_HEADER.padEnd(124, ' '), 'latin1'));
  block.set([0x00, 0x02, 0x49, 0x4d], 124);
  return block;
}

function numeric(g: H5Group, name: string, dims: number[], values: Mat73Var & { kind: 'numeric' }, withClass: boolean): void {
  const shape = dims.slice().reverse();
  // Chunked and gzip-compressed as MATLAB writes larger variables: when asked, or beyond 1024 values unless told not to.
  const big = values.compress ?? values.values.length > 1024;
  const d = g.create_dataset({
    name,
    data: values.values,
    shape,
    ...(big ? { chunks: shape.map((s, i) => (i === 0 ? Math.max(1, Math.min(s, Math.ceil(65536 / (values.values.length / s)))) : s)), compression: 'gzip' as const, compression_opts: 3 } : {}),
  });
  if (withClass) d.create_attribute('MATLAB_class', values.className);
}

/**
 * Write `vars` as a MAT v7.3 file at `file`: with the MAT user block unless `plain`; `noClass` leaves out the
 * MATLAB_class of numeric variables (with `plain`: HDF5 as h5py writes it, not MATLAB).
 */
export async function writeMat73(file: string, vars: Mat73Var[], options: { plain?: boolean; noClass?: boolean } = {}): Promise<void> {
  const h5: H5 = await import('h5wasm/node');
  await h5.ready;
  const f = new h5.File(file, 'w');
  try {
    for (const v of vars) {
      if (v.kind === 'numeric') numeric(f, v.name, v.dims, v, !options.noClass);
      else if (v.kind === 'cellstr') {
        const refs = f.keys().includes('#refs#') ? (f.get('#refs#') as H5Group) : f.create_group('#refs#');
        const targets = v.texts.map((t, i) => {
          const d = refs.create_dataset({ name: `${v.name}_${i}`, data: Uint16Array.from(t, (c) => c.charCodeAt(0)), shape: [t.length, 1] });
          d.create_attribute('MATLAB_class', 'char');
          return d.create_reference();
        });
        const c = f.create_dataset({ name: v.name, data: targets, shape: [1, v.texts.length] });
        c.create_attribute('MATLAB_class', 'cell');
      } else {
        const g = f.create_group(v.name);
        g.create_attribute('MATLAB_class', 'double');
        g.create_attribute('MATLAB_sparse', BigInt(v.rows) as unknown as number, null, '<Q');
        if (v.pr.length > 0) {
          g.create_dataset({ name: 'data', data: Float64Array.from(v.pr) });
          g.create_dataset({ name: 'ir', data: BigUint64Array.from(v.ir, BigInt) as unknown as Float64Array });
        }
        g.create_dataset({ name: 'jc', data: BigUint64Array.from(v.jc, BigInt) as unknown as Float64Array });
      }
    }
  } finally {
    f.close();
  }
  if (options.plain) return;
  const bytes = readFileSync(file);
  writeFileSync(file, Buffer.concat([mat73UserBlock(), bytes]));
}

/** The labels of cellstrDataset, one a sample. */
export const CELLSTR_LABELS = ['tumour', 'normal', 'normal', 'tumour', 'other', 'normal', 'tumour', 'other', 'other'];

/** A data set as loadMatDataset reads it: X 9x5 int16 (compressed), Y a cell array of CELLSTR_LABELS. */
export async function writeCellstrDataset(file: string): Promise<void> {
  const X = Int16Array.from({ length: 45 }, (_, k) => ((k * 5) % 7) - 3);
  await writeMat73(file, [
    { kind: 'numeric', name: 'X', dims: [9, 5], values: X, className: 'int16', compress: true },
    { kind: 'cellstr', name: 'Y', texts: CELLSTR_LABELS },
  ]);
}

/**
 * 'X', 64x64 doubles in one gzip chunk whose deflate stream has 30 bytes flipped, so that inflating it fails.
 * The stream is found as the one zlib stream in the file that inflates to the chunk's 32 KiB.
 */
export async function writeBadChunk(file: string): Promise<void> {
  const values = Float64Array.from({ length: 4096 }, (_, k) => k);
  await writeMat73(file, [{ kind: 'numeric', name: 'X', dims: [64, 64], values, className: 'double' }]);
  const bytes = readFileSync(file);
  for (let at = 0; at + 2 < bytes.length; at++) {
    if (bytes[at] !== 0x78 || ((bytes[at] << 8) | bytes[at + 1]) % 31 !== 0) continue;
    let inflated: Buffer;
    try {
      inflated = inflateSync(bytes.subarray(at));
    } catch {
      continue;
    }
    if (inflated.length !== values.byteLength) continue;
    for (let i = at + 10; i < at + 40; i++) bytes[i] ^= 0x55;
    writeFileSync(file, bytes);
    return;
  }
  throw new Error(`no deflate stream of the chunk found in ${file}`);
}


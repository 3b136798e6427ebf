/**
 * HDF5 files read through h5wasm (the HDF5 C library compiled to WebAssembly), knowing nothing of what
 * a file holds: loading h5wasm once, with HDF5's stderr sent to the null device and every file but the
 * one being read kept closed to HDF5; links, attributes and object references; a dataset's values read
 * in slabs, each read checked; the stored numbers' types. MATLAB's layout on top of it is in mat73.ts.
 */
import { openSync, statSync } from 'node:fs';
import { devNull } from 'node:os';
import { resolve } from 'node:path';

export type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
type H5Module = H5['Module'];
export type Metadata = ReturnType<H5Module['get_dataset_metadata']>;

/** An open HDF5 file, as the functions here read it. */
export interface H5File {
  h5: H5;
  m: H5Module;
  fid: bigint;
}

/** Bytes read from HDF5 at a time (8 Mi float64): the WebAssembly heap grows to about this and stays. */
const SLAB_BYTES = 64 * 2 ** 20;
/** h5wasm's type classes (HDF5's H5T_class_t). */
export const H5T_INTEGER = 0;
export const H5T_FLOAT = 1;
const H5T_STRING = 3;
export const H5T_COMPOUND = 6;
export const H5T_REFERENCE = 7;
/** The bytes of an HDF5 object reference (hobj_ref_t, an address), the kind MATLAB writes. */
export const OBJECT_REF_BYTES = 8;
/**
 * HDF5 filters that leave a chunk's size as it is (shuffle, fletcher32). Each other one can inflate
 * it (deflate ~1000x); two of them in a row (deflate twice) make a 6 KiB file fill the WebAssembly
 * heap (2 GiB) for seconds.
 */
const SIZE_KEEPING_FILTERS = new Set([2, 3]);
/** Emscripten's ENOENT (its errno numbers are its own). */
const ENOENT = 44;

/** The part of Emscripten's FS that loadH5 changes. */
interface EmscriptenFs {
  getStream(fd: number): { nfd?: number } | null;
  open(path: unknown, ...rest: unknown[]): unknown;
  ErrnoError: new (errno: number) => Error;
}

let h5: Promise<H5> | undefined;
/** While a file is read: its path, resolved, the one file HDF5 may open. */
let openable: string | undefined;

/** h5wasm, loaded once. The HDF5 library prints its error stack on stderr: that goes to the null device. */
export async function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    const module = await m.ready;
    // Emscripten's NODERAWFS writes fd 2 to the stream's real descriptor, `nfd`.
    const fs = module.FS as unknown as EmscriptenFs;
    const stderr = fs.getStream(2);
    if (stderr && typeof stderr.nfd === 'number') stderr.nfd = openSync(devNull, 'w');
    // HDF5 opens the files that a file names (external links, virtual datasets, external storage, and
    // its plugin folders): while a file is read, every other open fails as a missing file would. The
    // file itself must still be a regular file (readMat checked it, but the path may have changed since):
    // opening a FIFO waits for a writer, and HDF5's open is synchronous.
    const open = fs.open;
    fs.open = function (this: unknown, path: unknown, ...rest: unknown[]) {
      if (openable !== undefined && (typeof path !== 'string' || resolve(path) !== openable || !statSync(path, { throwIfNoEntry: false })?.isFile())) {
        throw new fs.ErrnoError(ENOENT);
      }
      return open.call(this, path, ...rest);
    };
    return m;
  });
  try {
    return await h5;
  } catch (e) {
    h5 = undefined; // a later call tries again
    throw e;
  }
}

/** Run `f` (synchronous) with the file at `path` the only one that HDF5 may open. */
export function onlyOpening<T>(path: string, f: () => T): T {
  openable = resolve(path);
  try {
    return f();
  } finally {
    openable = undefined;
  }
}

/**
 * Run `f` with process.stderr muted. Emscripten prints (console.error) when HDF5 asks for more memory
 * than the WebAssembly heap may have, which a crafted compressed chunk can make it do; `f` is
 * synchronous, so nothing else writes meanwhile.
 */
export function muted<T>(f: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof write;
  try {
    return f();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * The path of link `name` in `group` (a path of hard links), or undefined when it is no hard link: soft
 * and external links are not MATLAB's (and lead out of the file, or nowhere), and a name with '/' in it
 * (which HDF5 does not let a writer make) would be taken for a path through other links.
 */
export function childPath(f: H5File, group: string, name: string): string | undefined {
  if (name === '' || name === '.' || name.includes('/')) return undefined;
  const p = group === '/' ? `/${name}` : `${group}/${name}`;
  try {
    if (f.m.get_symbolic_link(f.fid, p) !== null || 'filename' in f.m.get_external_link(f.fid, p)) return undefined;
  } catch {
    return undefined; // a link that cannot be told: not a variable
  }
  return p;
}

/**
 * An attribute of the object at `p` (`names`, its attributes' names): a string (trailing NULs removed)
 * or a number when it holds one; null when it holds anything else (it is not read: an attribute may be
 * an array of any size); undefined when there is none.
 */
export function attributeValue(f: H5File, p: string, names: string[], key: string): string | number | null | undefined {
  if (!names.includes(key)) return undefined;
  try {
    const a = new f.h5.Attribute(f.fid, p, key);
    const { type, total_size: n } = a.metadata;
    if (n !== 1 || (type !== H5T_STRING && type !== H5T_INTEGER && type !== H5T_FLOAT)) return null;
    const v = a.value;
    if (typeof v === 'string') return v.replace(/\0+$/, '');
    return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : null;
  } catch {
    return null; // a type h5wasm cannot read (a 2-byte float, a 3-byte integer): not MATLAB's
  }
}

/** The filters of the chunked dataset at `p` that can inflate a chunk (all but SIZE_KEEPING_FILTERS). */
export function inflatingFilters(f: H5File, p: string): ReturnType<H5Module['get_dataset_filters']> {
  return f.m.get_dataset_filters(f.fid, p).filter((x) => !SIZE_KEEPING_FILTERS.has(x.id));
}

/** The address that an object reference to `p` holds, or undefined when there is no object at `p`. */
export function objectAddress(f: H5File, p: string): bigint | undefined {
  try {
    const ref = f.m.create_object_reference(f.fid, p);
    if (ref.length === OBJECT_REF_BYTES) return Buffer.from(ref).readBigUInt64LE(0);
  } catch {
    // not an object (a dangling link): no reference leads to it
  }
  return undefined;
}

/** The `count` object references of a dataset (addresses; 0 for a null reference), read in slabs. */
export function readReferences(f: H5File, p: string, meta: Metadata, count: number): BigUint64Array {
  const out = new BigUint64Array(count);
  let at = 0;
  for (const box of boxes(meta.shape ?? [], meta.size)) {
    const bytes = readRaw(f, p, meta.size, box);
    const refs = new BigUint64Array(bytes.buffer, bytes.byteOffset, box.n);
    out.set(refs.subarray(0, Math.min(box.n, count - at)), at);
    at += box.n;
  }
  if (at !== count) throw new Error(`read ${at} of its ${count} references`);
  return out;
}

interface Box {
  /** Where it starts and how far it goes along each dim (null for a scalar dataspace: all of it). */
  offset: number[] | null;
  count: number[] | null;
  /** Its values. */
  n: number;
}

/**
 * The boxes that cover a dataset of `shape` (values of `size` bytes) in storage order, SLAB_BYTES each
 * at most (one row of the last dim at least): the trailing dims that fit whole, a range of the one
 * before, and one index of each dim before that.
 */
export function* boxes(shape: number[], size: number): Generator<Box> {
  if (shape.length === 0) {
    yield { offset: null, count: null, n: 1 };
    return;
  }
  if (shape.some((s) => s === 0)) return;
  const slab = Math.max(1, Math.floor(SLAB_BYTES / size));
  let k = shape.length - 1;
  let inner = 1;
  while (k >= 0 && inner * shape[k] <= slab) inner *= shape[k--];
  if (k < 0) {
    yield { offset: shape.map(() => 0), count: shape.slice(), n: inner };
    return;
  }
  const step = Math.max(1, Math.floor(slab / inner));
  const index = new Array<number>(k).fill(0);
  const tail = shape.slice(k + 1);
  for (;;) {
    for (let s = 0; s < shape[k]; s += step) {
      const c = Math.min(step, shape[k] - s);
      yield { offset: [...index, s, ...tail.map(() => 0)], count: [...index.map(() => 1), c, ...tail], n: c * inner };
    }
    let j = k - 1;
    while (j >= 0 && ++index[j] === shape[j]) index[j--] = 0;
    if (j < 0) return;
  }
}

/**
 * The bytes of one box of a dataset, in h5wasm's memory type (the stored type, little-endian). Read
 * through h5wasm's module because its Dataset.slice ignores what HDF5's read returns: a chunk that does
 * not inflate, or storage in a file that cannot be opened, gave whatever the heap held.
 */
export function readRaw(f: H5File, p: string, size: number, box: Box): Uint8Array {
  const bytes = box.n * size;
  const ptr = f.m._malloc(Math.max(1, bytes));
  if (ptr === 0) throw new Error(`the WebAssembly heap cannot hold ${bytes} bytes`);
  try {
    const count = box.count && box.count.map(BigInt);
    const status = f.m.get_dataset_data(f.fid, p, count, box.offset && box.offset.map(BigInt), count && count.map(() => 1n), BigInt(ptr));
    if (status < 0) throw new Error('HDF5 could not read its values');
    return f.m.HEAPU8.slice(ptr, ptr + bytes);
  } finally {
    f.m._free(ptr);
  }
}

export type NumberAt = (view: DataView, offset: number) => number;

/** A reader of one stored number (little-endian, as h5wasm asks HDF5 for it): integers and floats of MATLAB's sizes. */
export function numberAt(m: Pick<Metadata, 'type' | 'size' | 'signed'>): NumberAt | undefined {
  if (m.type === H5T_FLOAT) {
    if (m.size === 8) return (v, o) => v.getFloat64(o, true);
    if (m.size === 4) return (v, o) => v.getFloat32(o, true);
  } else if (m.type === H5T_INTEGER) {
    if (m.size === 1) return m.signed ? (v, o) => v.getInt8(o) : (v, o) => v.getUint8(o);
    if (m.size === 2) return m.signed ? (v, o) => v.getInt16(o, true) : (v, o) => v.getUint16(o, true);
    if (m.size === 4) return m.signed ? (v, o) => v.getInt32(o, true) : (v, o) => v.getUint32(o, true);
    if (m.size === 8) return m.signed ? (v, o) => Number(v.getBigInt64(o, true)) : (v, o) => Number(v.getBigUint64(o, true));
  }
  return undefined;
}

/** A typed array over stored numbers of type `m` (as numberAt takes), for reading them fast. */
export function typedView(m: Metadata, b: Uint8Array): ArrayLike<number> | BigInt64Array | BigUint64Array {
  const [buf, off, n] = [b.buffer, b.byteOffset, b.byteLength / m.size];
  if (m.type === H5T_FLOAT) return m.size === 8 ? new Float64Array(buf, off, n) : new Float32Array(buf, off, n);
  switch (m.size) {
    case 1:
      return m.signed ? new Int8Array(buf, off, n) : b;
    case 2:
      return m.signed ? new Int16Array(buf, off, n) : new Uint16Array(buf, off, n);
    case 4:
      return m.signed ? new Int32Array(buf, off, n) : new Uint32Array(buf, off, n);
    default:
      return m.signed ? new BigInt64Array(buf, off, n) : new BigUint64Array(buf, off, n);
  }
}

/** What numbers the stored type holds, for messages: '2-byte floats', 'HDF5 type class 3'. */
export function typeText(m: Metadata): string {
  if (m.type === H5T_FLOAT) return `${m.size}-byte floats`;
  if (m.type === H5T_INTEGER) return `${m.size}-byte integers`;
  return `HDF5 type class ${m.type}${m.vlen ? ' (variable length)' : ''}`;
}

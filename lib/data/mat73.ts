/**
 * MATLAB v7.3 MAT-file reader (the format of `save -v7.3`, MATLAB's default for variables over 2 GiB).
 *
 * A v7.3 file is an HDF5 file behind a 512-byte user block that holds the MAT header text. It is read
 * with h5wasm (the HDF5 C library compiled to WebAssembly), imported only when such a file is read.
 * MATLAB's layout, as MATLAB writes it and as hdf5storage and mat73 read it:
 * - each variable is a dataset or group at the root, with a `MATLAB_class` attribute ('double', 'char',
 *   'cell', 'struct', ...); names starting with '#' (`#refs#`, `#subsystem#`) are MATLAB's own;
 * - an array's HDF5 dims are MATLAB's reversed (HDF5 is row-major), so its values come in MATLAB's
 *   column-major order;
 * - an empty array is a dataset of its dims (uint64) with `MATLAB_empty` = 1;
 * - a sparse matrix is a group with `MATLAB_sparse` = its row count and datasets `data`, `ir`, `jc`
 *   (CSC, 0-based; `data` and `ir` absent when it has no nonzeros);
 * - a complex array is a compound type {real, imag};
 * - a char array holds UTF-16 code units (uint16); a logical one uint8;
 * - a cell array is a dataset of object references to datasets in `#refs#`.
 * The result is the MatFile that parseMat gives for a v5 file, under the same limits: maxDenseBytes
 * bounds each array of numbers (checked from the dims before reading) and the budget of variables and
 * cells. Values are read in slabs, so the WebAssembly heap (which never shrinks) stays small.
 */
import { openSync } from 'node:fs';
import { devNull } from 'node:os';
import { DataFormatError } from '../errors';
import { denseLimitText } from './limits';
import { dimsText } from './mat-dims';
import { CELL_ENTRY_BYTES, MAX_CELL_DEPTH, charArrayText, type MatFile, type MatVariable, type SparseMatrix } from './mat';

type H5 = typeof import('h5wasm/node', { with: { 'resolution-mode': 'import' } });
type Entity = ReturnType<InstanceType<H5['File']>['get']>;
type Dataset = InstanceType<H5['Dataset']>;
type Group = InstanceType<H5['Group']>;
type H5File = InstanceType<H5['File']>;

/** Values read from HDF5 at a time (64 MiB as float64): the WebAssembly heap grows to about this and stays. */
const SLAB_VALUES = 8 * 2 ** 20;
const NUMERIC_CLASSES = new Set([
  'double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'logical',
]);
/** h5wasm's type classes (HDF5's H5T_class_t). */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_COMPOUND = 6;
const H5T_REFERENCE = 7;

let h5: Promise<H5> | undefined;

/** h5wasm, loaded once. The HDF5 library prints its error stack on stderr: that goes to the null device. */
function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    const module = await m.ready;
    // Emscripten's NODERAWFS writes fd 2 to the stream's real descriptor, `nfd`.
    const fs = module.FS as unknown as { getStream(fd: number): { nfd?: number } | null };
    const stderr = fs.getStream(2);
    if (stderr && typeof stderr.nfd === 'number') stderr.nfd = openSync(devNull, 'w');
    return m;
  });
  return h5;
}

interface Budget {
  used: number;
  max: number;
}

/** One file being read: what the reading of each variable needs. */
interface Reader {
  h5: H5;
  file: H5File;
  path: string;
  maxDense: number;
  budget: Budget;
  /** Whether any object had a MATLAB_class attribute: an HDF5 file without one was not written by MATLAB. */
  matlab: boolean;
}

/**
 * Read a MAT v7.3 file. `header` is the text of its user block (empty for an HDF5 file without one).
 * Throws DataFormatError for a damaged file and for arrays beyond maxDense.
 */
export async function readMat73(path: string, header: string, maxDense: number): Promise<MatFile> {
  let lib: H5;
  try {
    lib = await loadH5();
  } catch (e) {
    h5 = undefined; // a later call tries again
    throw new DataFormatError(`cannot read MAT v7.3 (HDF5) files: the h5wasm package did not load (${errorText(e)})`, path, { cause: e });
  }
  let file: H5File;
  try {
    file = new lib.File(path, 'r');
    // h5wasm does not check what H5Fopen returned: a negative id is a file HDF5 could not open.
    if (!(file.file_id > 0n)) throw new Error(`H5Fopen returned ${file.file_id}`);
  } catch (e) {
    throw new DataFormatError(`cannot open it as a MAT v7.3 (HDF5) file: its HDF5 structure is damaged or truncated`, path, { cause: e });
  }
  try {
    const r: Reader = { h5: lib, file, path, maxDense, budget: { used: 0, max: maxDense }, matlab: false };
    const variables: MatVariable[] = [];
    for (const name of keysOf(r, file, '')) {
      if (name.startsWith('#')) continue;
      r.budget.used += CELL_ENTRY_BYTES;
      if (r.budget.used > r.budget.max) {
        throw new DataFormatError(
          `cannot hold variable ${variables.length + 1} with the ${variables.length} before it, counting ${CELL_ENTRY_BYTES} bytes a ` +
            `variable or cell beside the values of cells: ${denseLimitText(r.budget.used, r.budget.max)}`,
          path,
        );
      }
      const v = readEntity(r, entityAt(r, name), name, name, 1);
      if (v) variables.push(v);
    }
    // HDF5 from other writers (h5py, HDF5.jl, rhdf5) may store an array in either orientation: reading it
    // as MATLAB's could swap samples and features without a word.
    if (!r.matlab && variables.length > 0 && !header.startsWith('MATLAB')) {
      throw new DataFormatError(
        'an HDF5 file that MATLAB did not write (no MAT header, no MATLAB_class attributes), so the orientation of ' +
          "its arrays is unknown; save the data from MATLAB (save -v7.3 or -v7), or as a CSV file",
        path,
      );
    }
    return { header, variables };
  } finally {
    try {
      file.close();
    } catch {
      // a file that could not be read may not close cleanly either; its error was reported
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function keysOf(r: Reader, g: Group, name: string): string[] {
  try {
    return g.keys();
  } catch (e) {
    throw new DataFormatError(`cannot list the variables${name ? ` of ${JSON.stringify(name)}` : ''}: the HDF5 file is damaged (${errorText(e)})`, r.path, { cause: e });
  }
}

function entityAt(r: Reader, name: string): Entity {
  try {
    return r.file.get(name);
  } catch (e) {
    throw new DataFormatError(`variable ${JSON.stringify(name)}: cannot open it: the HDF5 file is damaged (${errorText(e)})`, r.path, { cause: e });
  }
}

/**
 * The variable (or cell) that an HDF5 object holds, or undefined for links and named types, which are
 * not MATLAB variables. `label` names it in messages (`c{2}` for a cell); `depth` is 1 for a variable.
 */
function readEntity(r: Reader, e: Entity, name: string, label: string, depth: number): MatVariable | undefined {
  const err = (message: string, cause?: unknown) =>
    new DataFormatError(`variable ${JSON.stringify(label)}: ${message}`, r.path, cause === undefined ? undefined : { cause });
  try {
    if (e instanceof r.h5.Dataset) return readDataset(r, e, name, label, depth, err);
    if (e instanceof r.h5.Group) return readGroup(r, e, name, label, err);
    return undefined;
  } catch (x) {
    if (x instanceof DataFormatError) throw x;
    throw err(`cannot read it: the HDF5 file is damaged (${errorText(x)})`, x);
  }
}

type ErrorOf = (message: string, cause?: unknown) => DataFormatError;

function attribute(o: Dataset | Group, key: string): unknown {
  const a = o.attrs[key];
  return a === undefined ? undefined : a.value;
}

function textAttribute(o: Dataset | Group, key: string): string | undefined {
  const v = attribute(o, key);
  return typeof v === 'string' ? v.replace(/\0+$/, '') : undefined;
}

/** The MATLAB_class of an object, noting that the file has one. */
function matlabClass(r: Reader, o: Dataset | Group): string | undefined {
  const c = textAttribute(o, 'MATLAB_class');
  if (c !== undefined) r.matlab = true;
  return c;
}

function readGroup(r: Reader, g: Group, name: string, label: string, err: ErrorOf): MatVariable {
  const className = matlabClass(r, g) ?? 'struct';
  const rows = attribute(g, 'MATLAB_sparse');
  if (rows === undefined) return { name, className, dims: [1, 1], complex: false };
  const nrows = Number(rows);
  if (!Number.isSafeInteger(nrows) || nrows < 0) throw err(`MATLAB_sparse (its row count) is ${String(rows)}, not a count`);
  const part = (key: string) => {
    const keys = keysOf(r, g, label);
    if (!keys.includes(key)) return undefined;
    const d = g.get(key);
    if (!(d instanceof r.h5.Dataset)) throw err(`its ${key} is not a dataset`);
    return d;
  };
  const jcSet = part('jc');
  if (!jcSet) throw err('sparse matrix without jc (its column offsets)');
  const jc = readIndices(r, jcSet, 'jc', err);
  const cols = jc.length - 1;
  if (cols < 0) throw err('jc is empty (a sparse matrix has one more column offset than columns)');
  if (jc[0] !== 0) throw err(`jc[0] is ${jc[0]} (expected 0)`);
  for (let j = 0; j < cols; j++) if (jc[j + 1] < jc[j]) throw err(`jc is decreasing at column ${j}`);
  const nnz = jc[cols];
  const irSet = part('ir');
  const dataSet = part('data');
  const ir = irSet ? readIndices(r, irSet, 'ir', err) : new Int32Array(0);
  if (ir.length < nnz) throw err(`jc counts ${nnz} nonzeros but ir has ${ir.length}`);
  for (let k = 0; k < nnz; k++) if (ir[k] >= nrows) throw err(`ir[${k}] = ${ir[k]} is outside ${nrows} rows`);
  const v: MatVariable = { name, className: 'sparse', dims: [nrows, cols], complex: false };
  let pr: Float64Array;
  if (dataSet) {
    const values = readValues(r, dataSet, 'data', err);
    pr = values.data;
    if (values.complex) {
      v.complex = true;
      v.imaginaryZero = values.imaginaryZero;
    }
    if (pr.length < nnz) throw err(`data has ${pr.length} values but jc counts ${nnz} nonzeros`);
  } else if (nnz === 0 || className === 'logical') {
    pr = new Float64Array(nnz).fill(1);
  } else {
    throw err('sparse matrix without data (its values)');
  }
  const sparse: SparseMatrix = { rows: nrows, cols, ir: ir.slice(0, nnz), jc, pr: pr.length === nnz ? pr : pr.slice(0, nnz) };
  v.sparse = sparse;
  return v;
}

function readDataset(r: Reader, d: Dataset, name: string, label: string, depth: number, err: ErrorOf): MatVariable {
  const meta = d.metadata;
  // Without MATLAB_class (not MATLAB's writing), numbers are taken as double.
  const stored = meta.type === H5T_FLOAT || meta.type === H5T_INTEGER ? 'double' : 'unknown';
  const className = matlabClass(r, d) ?? stored;
  const shape = d.shape ?? [];
  if (attribute(d, 'MATLAB_empty') !== undefined && Number(attribute(d, 'MATLAB_empty')) !== 0) {
    return { ...emptyOf(r, d, className), name };
  }
  // HDF5 lists the dims slowest first: MATLAB's, reversed. A 1-D dataset is a column.
  const dims = shape.length === 0 ? [1, 1] : shape.length === 1 ? [shape[0], 1] : shape.slice().reverse();
  const v: MatVariable = { name, className, dims, complex: false };
  if (NUMERIC_CLASSES.has(className)) {
    const values = readValues(r, d, 'values', err);
    v.data = values.data;
    if (values.complex) {
      v.complex = true;
      v.imaginaryZero = values.imaginaryZero;
    }
  } else if (className === 'char') {
    const { data } = readValues(r, d, 'characters', err);
    Object.assign(v, charArrayText(data, dims));
  } else if (className === 'cell') {
    if (meta.type !== H5T_REFERENCE) throw err(`a cell array stored as HDF5 type class ${meta.type}, not as references`);
    if (depth < MAX_CELL_DEPTH + 1) v.cells = readCells(r, d, label, dims, depth, err);
  }
  // struct, object, function handle, string: kept as a named entry without data.
  return v;
}

/** An empty array: the dataset holds its dims (MATLAB's order). */
function emptyOf(r: Reader, d: Dataset, className: string): MatVariable {
  let dims = [0, 0];
  try {
    const raw = d.value;
    if (raw !== null && typeof raw === 'object' && 'length' in raw && (raw as ArrayLike<unknown>).length <= 64) {
      const ds = Array.from(raw as ArrayLike<number | bigint>, Number);
      if (ds.length >= 2 && ds.every((x) => Number.isSafeInteger(x) && x >= 0) && ds.some((x) => x === 0)) dims = ds;
    }
  } catch {
    // the dims are only shown in messages: [0, 0] will do
  }
  const v: MatVariable = { name: '', className, dims, complex: false };
  if (NUMERIC_CLASSES.has(className)) v.data = new Float64Array(0);
  // An N x 0 char array is N empty rows, held only when N is within the limit (8 bytes a row).
  if (className === 'char') v.text = '';
  if (className === 'char' && dims.length === 2 && dims[0] * 8 <= r.maxDense) v.lines = new Array<string>(dims[0]).fill('');
  if (className === 'cell') v.cells = [];
  return v;
}

function readCells(r: Reader, d: Dataset, label: string, dims: number[], depth: number, err: ErrorOf): MatVariable[] {
  const count = dims.reduce((a, b) => a * b, 1);
  r.budget.used += count * CELL_ENTRY_BYTES;
  if (r.budget.used > r.budget.max) {
    throw err(
      `cannot hold the contents of its ${count} cells with the variables before it, counting ${CELL_ENTRY_BYTES} bytes a cell ` +
        `or variable beside the values of cells: ${denseLimitText(r.budget.used, r.budget.max)}`,
    );
  }
  const refs = d.value;
  if (!Array.isArray(refs) || refs.length !== count) throw err(`a ${dimsText(dims)} cell array holds ${Array.isArray(refs) ? refs.length : 0} references`);
  const cells: MatVariable[] = [];
  refs.forEach((ref, i) => {
    const cellLabel = `${label}{${i + 1}}`;
    if (!(ref instanceof r.h5.Reference)) throw err(`cell ${i + 1} of ${count} is not an object reference`);
    let target: unknown;
    try {
      target = r.file.dereference(ref);
    } catch (x) {
      throw err(`cell ${i + 1} of ${count}: its reference leads nowhere (${errorText(x)})`, x);
    }
    const cell = target instanceof r.h5.Dataset || target instanceof r.h5.Group ? readEntity(r, target, '', cellLabel, depth + 1) : undefined;
    if (!cell) throw err(`cell ${i + 1} of ${count}: its reference is not to a dataset or group`);
    r.budget.used += (cell.data?.length ?? 0) * 8 + (cell.text?.length ?? 0) * 4;
    if (r.budget.used > r.budget.max) throw err(`cannot hold the values of its cells: ${denseLimitText(r.budget.used, r.budget.max)}`);
    cells.push(cell);
  });
  return cells;
}

interface Values {
  data: Float64Array;
  complex: boolean;
  imaginaryZero?: boolean;
}

/**
 * A dataset's numbers as float64 in its stored order (MATLAB's column-major), the real part of a complex
 * one; refused beyond maxDense before anything is read, and read SLAB_VALUES at a time.
 */
function readValues(r: Reader, d: Dataset, what: string, err: ErrorOf): Values {
  const meta = d.metadata;
  const shape = d.shape ?? [];
  const count = shape.reduce((a, b) => a * b, 1);
  const complex = meta.type === H5T_COMPOUND && isComplexType(meta);
  if (!complex && ((meta.type !== H5T_INTEGER && meta.type !== H5T_FLOAT) || meta.vlen)) {
    throw err(`its ${what} are stored as HDF5 type class ${meta.type}${meta.vlen ? ' (variable length)' : ''}, not as numbers`);
  }
  if (count * 8 > r.maxDense) {
    throw err(`cannot decode the ${count} ${what} of its ${dimsText(shape.slice().reverse())} array to 8 bytes each: ${denseLimitText(count * 8, r.maxDense)}`);
  }
  const out = new Float64Array(count);
  let imaginaryZero = true;
  const put = (slab: unknown, at: number) => {
    if (complex) {
      const pairs = slab as [number, number][];
      for (let i = 0; i < pairs.length; i++) {
        out[at + i] = pairs[i][0];
        if (pairs[i][1] !== 0) imaginaryZero = false;
      }
      return pairs.length;
    }
    const a = slab as ArrayLike<number | bigint>;
    if (typeof a[0] === 'bigint') for (let i = 0; i < a.length; i++) out[at + i] = Number(a[i]);
    else out.set(a as ArrayLike<number>, at);
    return a.length;
  };
  if (shape.length === 0) {
    put([d.value], 0);
  } else {
    const perRow = shape.slice(1).reduce((a, b) => a * b, 1);
    const step = Math.max(1, Math.floor(SLAB_VALUES / Math.max(1, perRow)));
    let at = 0;
    for (let row = 0; row < shape[0] && perRow > 0; row += step) {
      at += put(d.slice([[row, Math.min(shape[0], row + step)]]), at);
    }
    if (at !== count) throw err(`read ${at} of its ${count} ${what}`);
  }
  return complex ? { data: out, complex, imaginaryZero } : { data: out, complex };
}

function isComplexType(meta: Dataset['metadata']): boolean {
  const members = meta.compound_type?.members ?? [];
  return members.length === 2 && members[0].name === 'real' && members[1].name === 'imag' && members.every((m) => m.type === H5T_FLOAT || m.type === H5T_INTEGER);
}

/** Row and column offsets as int32 (0-based), each checked. */
function readIndices(r: Reader, d: Dataset, what: string, err: ErrorOf): Int32Array {
  const { data } = readValues(r, d, what, err);
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) throw err(`${what}[${i}] = ${x} is not a valid index`);
    out[i] = x;
  }
  return out;
}

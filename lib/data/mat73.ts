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
 * - a cell array is a dataset of object references to datasets in `#refs#`; the empty cells of one all
 *   refer to `#refs#/a` (MATLAB_class 'canonical empty').
 * The result is the MatFile that parseMat gives for a v5 file, under the same limits: maxDenseBytes
 * bounds each array of numbers (checked from the dims before reading) and the budget of variables and
 * cells. Values are read in slabs, so the WebAssembly heap (which never shrinks) stays small.
 *
 * An HDF5 file can ask for more than a MAT-file does, and the reader refuses or ignores it:
 * - other files: HDF5 opens the target of an external link, the sources of a virtual dataset and the
 *   raw files of a dataset with external storage (which could be any file, or a FIFO that never
 *   answers); while a file is read, opening any other file fails, and soft and external links are not
 *   variables;
 * - h5wasm does not check what HDF5's reads return: a chunk that does not inflate came back as
 *   whatever the heap held. Values are read here through h5wasm's module, each read checked;
 * - references: a cell may refer to any object, itself included, and many cells to one object. A
 *   reference is looked up among `#refs#` and the root (HDF5's own lookup walks the whole file for each,
 *   minutes for a cell array of 10,000 strings); an object referred to again is not read again, but
 *   counts against the budget each time; a cell array that refers back to itself is refused;
 * - attributes are read only when they hold one value (a string or a number), as MATLAB's do;
 * - a null dataspace is an empty array; a name that is not UTF-8, or longer than MAX_NAME_BYTES, is an
 *   error (h5wasm changes the first, and could not find the variable).
 * HDF5 inflates a compressed chunk whole, whatever its dims say, and deflate inflates up to ~1000x: a
 * chunk compressed twice is refused (6 KiB could fill the WebAssembly heap), but one of 2 MiB can
 * still make the heap grow to its maximum (2 GiB, for good) before the read fails; Emscripten's message
 * about it is kept off stderr.
 */
import { DataFormatError } from '../errors';
import { H5T_COMPOUND, H5T_FLOAT, H5T_INTEGER, H5T_REFERENCE, OBJECT_REF_BYTES, attributeValue, boxes, childPath, inflatingFilters, loadH5, muted, numberAt, objectAddress, onlyOpening, readRaw, readReferences, typeText, typedView, type H5, type H5File, type Metadata, type NumberAt } from './hdf5';
import { denseLimitText } from './limits';
import { dimsText } from './mat-dims';
import { CELL_ENTRY_BYTES, MAX_CELL_DEPTH, MAX_NAME_BYTES, charArrayText, decodedBytes, type MatFile, type MatVariable, type SparseMatrix } from './mat';

const NUMERIC_CLASSES = new Set([
  'double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'logical',
]);
/** HDF5's most dims (H5S_MAX_RANK): an empty array's dims are read from a dataset of at most this many. */
const MAX_RANK = 32;
/** The most bytes of a complex element (two 8-byte numbers, and room for padding). */
const MAX_COMPLEX_BYTES = 32;

interface Budget {
  used: number;
  max: number;
}

/** One file being read: what the reading of each variable needs. */
interface Reader extends H5File {
  path: string;
  maxDense: number;
  budget: Budget;
  /** Whether any object had a MATLAB_class attribute: an HDF5 file without one was not written by MATLAB. */
  matlab: boolean;
  /** Whether a group had Octave's OCTAVE_NEW_FORMAT attribute (Octave's save -hdf5 layout). */
  octave?: boolean;
  /** The objects cells may refer to (hard links in `#refs#` and at the root), by address; made when the first cell is read. */
  targets?: Map<bigint, string>;
  /** Cells read, by path and depth, with what each cost the budget: one referred to again is not read again. */
  done: Map<string, { v: MatVariable; cost: number }>;
  /** The cell arrays being read: a reference to one of them is a cycle. */
  reading: Set<string>;
  /** Leave the values of a dense numeric variable beyond maxDense unread (MatVariable.unread) instead of refusing the file. */
  lenient: boolean;
}

/**
 * Read a MAT v7.3 file. `header` is the text of its user block (empty for an HDF5 file without one).
 * Throws DataFormatError for a damaged file and for arrays beyond maxDense.
 */
export async function readMat73(path: string, header: string, maxDense: number, lenient = false): Promise<MatFile> {
  let lib: H5;
  try {
    lib = await loadH5();
  } catch (e) {
    throw new DataFormatError(`cannot read MAT v7.3 (HDF5) files: the h5wasm package did not load (${errorText(e)})`, path, { cause: e });
  }
  return muted(() => onlyOpening(path, () => readFile(lib, path, header, maxDense, lenient)));
}

function readFile(lib: H5, path: string, header: string, maxDense: number, lenient: boolean): MatFile {
  let file: InstanceType<H5['File']>;
  try {
    file = new lib.File(path, 'r');
    // h5wasm does not check what H5Fopen returned: a negative id is a file HDF5 could not open.
    if (!(file.file_id > 0n)) throw new Error(`H5Fopen returned ${file.file_id}`);
  } catch (e) {
    throw new DataFormatError(`cannot open it as a MAT v7.3 (HDF5) file: its HDF5 structure is damaged or truncated`, path, { cause: e });
  }
  try {
    const r: Reader = {
      h5: lib, m: lib.Module, fid: file.file_id, path, maxDense, budget: { used: 0, max: maxDense }, matlab: false, done: new Map(), reading: new Set(), lenient,
    };
    const variables: MatVariable[] = [];
    for (const name of namesIn(r, '/')) {
      if (name.startsWith('#')) continue;
      const p = childPath(r, '/', name);
      if (p === undefined) continue;
      if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
        throw new DataFormatError(`a variable name of ${Buffer.byteLength(name)} bytes, longer than the ${MAX_NAME_BYTES} read (MATLAB's take 63 at most)`, path);
      }
      r.budget.used += CELL_ENTRY_BYTES;
      if (r.budget.used > r.budget.max) {
        throw new DataFormatError(
          `cannot hold variable ${variables.length + 1} with the ${variables.length} before it, counting ${CELL_ENTRY_BYTES} bytes a ` +
            `variable or cell beside the values of cells: ${denseLimitText(r.budget.used, r.budget.max)}`,
          path,
        );
      }
      const v = readObject(r, p, name, name, 1);
      if (v) variables.push(v);
    }
    // HDF5 from other writers (h5py, HDF5.jl, rhdf5) may store an array in either orientation: reading it
    // as MATLAB's could swap samples and features without a word.
    if (!r.matlab && variables.length > 0 && !header.startsWith('MATLAB')) {
      if (r.octave) {
        throw new DataFormatError("an HDF5 file in Octave's own layout (save -hdf5), not MATLAB's v7.3; in Octave, save a MAT-file with -v7 (save -v7 data.mat X Y)", path);
      }
      throw new DataFormatError(
        'an HDF5 file that MATLAB did not write (no MAT header, no MATLAB_class attributes), so the orientation of ' +
          'its arrays is unknown; save the data from MATLAB (save -v7.3 or -v7) or Octave (save -v7), or as a CSV file',
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

/** The names of the links in a group. */
function namesIn(r: Reader, group: string, label?: string): string[] {
  try {
    return r.m.get_names(r.fid, group, false);
  } catch (e) {
    throw new DataFormatError(`cannot list the variables${label ? ` of ${JSON.stringify(label)}` : ''}: the HDF5 file is damaged (${errorText(e)})`, r.path, { cause: e });
  }
}

/**
 * The variable (or cell) that the object at `p` holds, or undefined for named types and links of other
 * kinds, which are not MATLAB variables. `label` names it in messages (`c{2}` for a cell); `depth` is 1
 * for a variable.
 */
function readObject(r: Reader, p: string, name: string, label: string, depth: number): MatVariable | undefined {
  const err = (message: string, cause?: unknown) =>
    new DataFormatError(`variable ${JSON.stringify(label)}: ${message}`, r.path, cause === undefined ? undefined : { cause });
  try {
    const type = r.m.get_type(r.fid, p);
    if (type === r.m.H5G_DATASET) return readDataset(r, p, name, label, depth, err);
    if (type === r.m.H5G_GROUP) return readGroup(r, p, name, label, err);
    // A name that is not UTF-8 comes back from h5wasm changed, and finds nothing: said, not skipped.
    if (type < 0) throw err('HDF5 finds no object by its name (a name that is not UTF-8 text, or a damaged file)');
    return undefined;
  } catch (x) {
    if (x instanceof DataFormatError) throw x;
    throw err(`cannot read it: the HDF5 file is damaged (${errorText(x)})`, x);
  }
}

type ErrorOf = (message: string, cause?: unknown) => DataFormatError;

/** The MATLAB_class of an object, noting that the file has one. */
function matlabClass(r: Reader, p: string, names: string[]): string | undefined {
  const c = attributeValue(r, p, names, 'MATLAB_class');
  if (typeof c !== 'string') return undefined;
  r.matlab = true;
  return c;
}

function readGroup(r: Reader, p: string, name: string, label: string, err: ErrorOf): MatVariable {
  const attrs = r.m.get_attribute_names(r.fid, p);
  if (attrs.includes('OCTAVE_NEW_FORMAT')) r.octave = true;
  const className = matlabClass(r, p, attrs) ?? 'struct';
  const rows = attributeValue(r, p, attrs, 'MATLAB_sparse');
  if (rows === undefined) return { name, className, dims: [1, 1], complex: false };
  const nrows = Number(rows);
  if (typeof rows !== 'number' || !Number.isSafeInteger(nrows) || nrows < 0) {
    throw err(`MATLAB_sparse (its row count) is ${rows === null ? 'not one number' : `${JSON.stringify(rows)}, not a count`}`);
  }
  const members = namesIn(r, p, label);
  const part = (key: string): { p: string; meta: Metadata } | undefined => {
    if (!members.includes(key)) return undefined;
    const at = childPath(r, p, key);
    if (at === undefined || r.m.get_type(r.fid, at) !== r.m.H5G_DATASET) throw err(`its ${key} is not a dataset`);
    return { p: at, meta: datasetMetadata(r, at, err) };
  };
  const jcSet = part('jc');
  if (!jcSet) throw err('sparse matrix without jc (its column offsets)');
  const jc = readIndices(r, jcSet.p, jcSet.meta, 'jc', err);
  const cols = jc.length - 1;
  if (cols < 0) throw err('jc is empty (a sparse matrix has one more column offset than columns)');
  if (jc[0] !== 0) throw err(`jc[0] is ${jc[0]} (expected 0)`);
  for (let j = 0; j < cols; j++) if (jc[j + 1] < jc[j]) throw err(`jc is decreasing at column ${j}`);
  const nnz = jc[cols];
  const irSet = part('ir');
  const dataSet = part('data');
  const ir = irSet ? readIndices(r, irSet.p, irSet.meta, 'ir', err) : new Int32Array(0);
  if (ir.length < nnz) throw err(`jc counts ${nnz} nonzeros but ir has ${ir.length}`);
  for (let k = 0; k < nnz; k++) if (ir[k] >= nrows) throw err(`ir[${k}] = ${ir[k]} is outside ${nrows} rows`);
  const v: MatVariable = { name, className: 'sparse', dims: [nrows, cols], complex: false };
  let pr: Float64Array;
  if (dataSet) {
    const values = readValues(r, dataSet.p, dataSet.meta, 'data', err);
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

function datasetMetadata(r: Reader, p: string, err: ErrorOf): Metadata {
  const meta = r.m.get_dataset_metadata(r.fid, p);
  // Its values are in other files (which HDF5 would open): MATLAB does not write such datasets.
  if (meta.virtual_sources) throw err('a virtual dataset (its values are in other files), which MATLAB does not write');
  if (meta.chunks) {
    const inflating = inflatingFilters(r, p);
    if (inflating.length > 1) {
      throw err(`its chunks are compressed ${inflating.length} times (${inflating.map((f) => f.name || f.id).join(', ')}); MATLAB compresses them once`);
    }
  }
  return meta;
}

function readDataset(r: Reader, p: string, name: string, label: string, depth: number, err: ErrorOf): MatVariable {
  const meta = datasetMetadata(r, p, err);
  const attrs = r.m.get_attribute_names(r.fid, p);
  // Without MATLAB_class (not MATLAB's writing), numbers are taken as double.
  const stored = meta.type === H5T_FLOAT || meta.type === H5T_INTEGER ? 'double' : 'unknown';
  const className = matlabClass(r, p, attrs) ?? stored;
  // A null dataspace (H5S_NULL) holds no values at all: an empty array.
  if (meta.shape === null) return emptyArray(r, name, className, [0, 0], err);
  const empty = attributeValue(r, p, attrs, 'MATLAB_empty');
  if (empty !== undefined && empty !== 0) return emptyArray(r, name, className, emptyDims(r, p, meta, err), err);
  const shape = meta.shape;
  // HDF5 lists the dims slowest first: MATLAB's, reversed. A 1-D dataset is a column.
  const dims = shape.length === 0 ? [1, 1] : shape.length === 1 ? [shape[0], 1] : shape.slice().reverse();
  const v: MatVariable = { name, className, dims, complex: false };
  if (NUMERIC_CLASSES.has(className)) {
    // A variable the caller may not need (loadMatDataset reads X and Y): its refusal is kept for when it is chosen.
    const over = depth === 1 && r.lenient ? overLimit(r, meta, 'values', err) : undefined;
    // Without the file's name, which DataFormatError adds again where it is thrown.
    if (over) return { ...v, complex: meta.type === H5T_COMPOUND, unread: over.message.slice(r.path.length + 2) };
    const values = readValues(r, p, meta, 'values', err);
    v.data = values.data;
    if (values.complex) {
      v.complex = true;
      v.imaginaryZero = values.imaginaryZero;
    }
  } else if (className === 'char') {
    const { data } = readValues(r, p, meta, 'characters', err);
    // A 2^40 x 0 char array has no characters to refuse, but would have 2^40 empty rows.
    checkCharRows(r, dims, err);
    Object.assign(v, charArrayText(data, dims));
  } else if (className === 'cell') {
    if (meta.type !== H5T_REFERENCE) throw err(`a cell array stored as HDF5 type class ${meta.type}, not as references`);
    if (depth < MAX_CELL_DEPTH + 1) v.cells = readCells(r, p, meta, label, dims, depth, err);
  }
  // struct, object, function handle, string: kept as a named entry without data.
  return v;
}

/** Refuse a 2-D char array whose rows, one string each, maxDense cannot hold (8 bytes a row), as parseMat does. */
function checkCharRows(r: Reader, dims: number[], err: ErrorOf): void {
  if (dims.length === 2 && dims[0] * 8 > r.maxDense) {
    throw err(`cannot hold the ${dims[0]} rows of a ${dimsText(dims)} char array: ${denseLimitText(dims[0] * 8, r.maxDense)}`);
  }
}

/**
 * The dims of an empty array, which its dataset holds (MATLAB's order), or [0, 0] when the dataset is
 * not a short list of integers with a 0 among them. Only such a dataset is read: MATLAB_empty can be set
 * on any dataset, of any size.
 */
function emptyDims(r: Reader, p: string, meta: Metadata, err: ErrorOf): number[] {
  const shape = meta.shape ?? [];
  const n = shape.reduce((a, b) => a * b, 1);
  if (meta.type !== H5T_INTEGER || shape.length > 2 || n < 2 || n > MAX_RANK) return [0, 0];
  const ds = Array.from(readValues(r, p, meta, 'dims', err).data);
  return ds.every((x) => Number.isSafeInteger(x) && x >= 0) && ds.some((x) => x === 0) ? ds : [0, 0];
}

function emptyArray(r: Reader, name: string, className: string, dims: number[], err: ErrorOf): MatVariable {
  // MATLAB's [] that the empty cells of a cell array refer to (#refs#/a): an empty double, as in a v5 file.
  const cls = className === 'canonical empty' ? 'double' : className;
  const v: MatVariable = { name, className: cls, dims, complex: false };
  if (NUMERIC_CLASSES.has(cls)) v.data = new Float64Array(0);
  if (cls === 'char') {
    // An N x 0 char array is N empty rows, held only when N is within the limit (8 bytes a row).
    checkCharRows(r, dims, err);
    v.text = '';
    if (dims.length === 2) v.lines = new Array<string>(dims[0]).fill('');
  }
  if (cls === 'cell') v.cells = [];
  return v;
}

function readCells(r: Reader, p: string, meta: Metadata, label: string, dims: number[], depth: number, err: ErrorOf): MatVariable[] {
  const count = dims.reduce((a, b) => a * b, 1);
  r.budget.used += count * CELL_ENTRY_BYTES;
  if (r.budget.used > r.budget.max) {
    throw err(
      `cannot hold the contents of its ${count} cells with the variables before it, counting ${CELL_ENTRY_BYTES} bytes a cell ` +
        `or variable beside the values of cells: ${denseLimitText(r.budget.used, r.budget.max)}`,
    );
  }
  if (meta.ref_type !== 'object' || meta.size !== OBJECT_REF_BYTES) {
    throw err(`its cells are ${meta.ref_type === 'region' ? 'region references' : `references of ${meta.size} bytes`}, not object references`);
  }
  if (count === 0) return [];
  const refs = readReferences(r, p, meta, count);
  r.targets ??= referenceTargets(r);
  const cells: MatVariable[] = [];
  r.reading.add(p);
  try {
    for (let i = 0; i < count; i++) {
      const cellLabel = `${label}{${i + 1}}`;
      const target = refs[i] === 0n ? undefined : r.targets.get(refs[i]);
      if (target === undefined) {
        throw err(`cell ${i + 1} of ${count}: its reference leads to no object in #refs# or at the root${refs[i] === 0n ? ' (it is a null reference)' : ''}`);
      }
      if (r.reading.has(target)) throw err(`cell ${i + 1} of ${count}: its reference leads back to the cell array that holds it`);
      // An object referred to again (MATLAB's empty cells all refer to #refs#/a) is not read again: its
      // variable is shared, and counts against the budget as much as when it was read.
      const key = `${depth + 1}:${target}`;
      const before = r.budget.used;
      let cell: MatVariable | undefined;
      const done = r.done.get(key);
      if (done) {
        r.budget.used += done.cost;
        cell = { ...done.v };
      } else {
        cell = readObject(r, target, '', cellLabel, depth + 1);
        if (!cell) throw err(`cell ${i + 1} of ${count}: its reference is not to a dataset or group`);
        r.budget.used += decodedBytes(cell);
        r.done.set(key, { v: cell, cost: r.budget.used - before });
      }
      if (r.budget.used > r.budget.max) throw err(`cannot hold the values of its cells: ${denseLimitText(r.budget.used, r.budget.max)}`);
      cells.push(cell);
    }
  } finally {
    r.reading.delete(p);
  }
  return cells;
}

/**
 * The objects cells may refer to, by the address their references hold: the hard links in `#refs#`
 * (where MATLAB puts them) and at the root. HDF5's own lookup from a reference (H5Rdereference and
 * H5Iget_name) walks the whole file for each.
 */
function referenceTargets(r: Reader): Map<bigint, string> {
  const targets = new Map<bigint, string>();
  const add = (p: string) => {
    const address = objectAddress(r, p);
    if (address !== undefined) targets.set(address, p);
  };
  for (const name of namesIn(r, '/')) {
    const p = childPath(r, '/', name);
    if (p === undefined) continue;
    add(p);
    // Its links are not told apart as the root's are (that would double the time this takes): a soft
    // link leads to an object in the file, and an external one to no object (the file cannot be opened).
    if (name === '#refs#' && r.m.get_type(r.fid, p) === r.m.H5G_GROUP) {
      for (const child of namesIn(r, p, name)) if (child !== '' && child !== '.' && !child.includes('/')) add(`${p}/${child}`);
    }
  }
  return targets;
}

interface Values {
  data: Float64Array;
  complex: boolean;
  imaginaryZero?: boolean;
}

/**
 * A dataset's numbers as float64 in its stored order (MATLAB's column-major), the real part of a complex
 * one; refused beyond maxDense before anything is read, and read in slabs (boxes, hdf5.ts).
 */
function readValues(r: Reader, p: string, meta: Metadata, what: string, err: ErrorOf): Values {
  const shape = meta.shape ?? [];
  const count = shape.reduce((a, b) => a * b, 1);
  const members = meta.type === H5T_COMPOUND ? complexMembers(meta) : undefined;
  if (!members && (meta.vlen || !numberAt(meta))) throw err(`its ${what} are stored as ${typeText(meta)}, not as numbers`);
  const over = overLimit(r, meta, what, err);
  if (over) throw over;
  const out = new Float64Array(count);
  let imaginaryZero = true;
  let at = 0;
  for (const box of boxes(shape, meta.size)) {
    const bytes = readRaw(r, p, meta.size, box);
    if (members) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [re, im] = members;
      for (let i = 0, o = 0; i < box.n; i++, o += meta.size) {
        out[at + i] = re.read(view, o + re.offset);
        if (im.read(view, o + im.offset) !== 0) imaginaryZero = false;
      }
    } else {
      const a = typedView(meta, bytes);
      if (a instanceof BigInt64Array || a instanceof BigUint64Array) for (let i = 0; i < a.length; i++) out[at + i] = Number(a[i]);
      else out.set(a, at);
    }
    at += box.n;
  }
  if (at !== count) throw err(`read ${at} of its ${count} ${what}`);
  return members ? { data: out, complex: true, imaginaryZero } : { data: out, complex: false };
}

/** The refusal of a dataset whose values, at 8 bytes each, maxDense cannot hold; undefined when it can. */
function overLimit(r: Reader, meta: Metadata, what: string, err: ErrorOf): DataFormatError | undefined {
  const shape = meta.shape ?? [];
  const count = shape.reduce((a, b) => a * b, 1);
  if (count * 8 <= r.maxDense) return undefined;
  return err(`cannot decode the ${count} ${what} of its ${dimsText(shape.slice().reverse())} array to 8 bytes each: ${denseLimitText(count * 8, r.maxDense)}`);
}

/** The readers of a complex type's parts: a compound of two numbers named real and imag, in that order. */
function complexMembers(meta: Metadata): [{ read: NumberAt; offset: number }, { read: NumberAt; offset: number }] | undefined {
  const members = meta.compound_type?.members ?? [];
  // A crafted type can make one element any size (its padding): read in slabs, it is held to MATLAB's.
  if (members.length !== 2 || members[0].name !== 'real' || members[1].name !== 'imag' || meta.size > MAX_COMPLEX_BYTES) return undefined;
  const [re, im] = members.map((m) => numberAt(m));
  // Each part within the element (a crafted type can put one past its end).
  if (!re || !im || members.some((m) => m.offset < 0 || m.offset + m.size > meta.size)) return undefined;
  return [
    { read: re, offset: members[0].offset },
    { read: im, offset: members[1].offset },
  ];
}

/** Row and column offsets as int32 (0-based), each checked. */
function readIndices(r: Reader, p: string, meta: Metadata, what: string, err: ErrorOf): Int32Array {
  const { data } = readValues(r, p, meta, what, err);
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) throw err(`${what}[${i}] = ${x} is not a valid index`);
    out[i] = x;
  }
  return out;
}

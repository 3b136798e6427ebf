/**
 * A small MAT v5 writer for tests only: it produces the files the reader must accept (every stored
 * type, both byte orders, compressed or plain elements, small data elements) and the raw pieces
 * needed to build malformed ones.
 */
import { deflateSync } from 'node:zlib';

export type Endian = 'le' | 'be';
export type StoredType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'single' | 'double' | 'int64' | 'uint64';
export type NumericClass = StoredType | 'logical';

/** Data element type codes. */
export const MI = {
  int8: 1, uint8: 2, int16: 3, uint16: 4, int32: 5, uint32: 6, single: 7, double: 9, int64: 12, uint64: 13,
  matrix: 14, compressed: 15, utf8: 16, utf16: 17, utf32: 18,
} as const;

const WIDTH: Record<StoredType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, single: 4, double: 8, int64: 8, uint64: 8,
};

/** mxCLASS codes. */
export const MX = {
  cell: 1, struct: 2, object: 3, char: 4, sparse: 5, double: 6, single: 7, int8: 8, uint8: 9,
  int16: 10, uint16: 11, int32: 12, uint32: 13, int64: 14, uint64: 15, function: 16, opaque: 17,
} as const;

export interface NumericSpec {
  kind: 'numeric';
  name: string;
  dims: number[];
  /** Column-major values (bigint allowed for 64-bit stored types). */
  values: ArrayLike<number | bigint>;
  className?: NumericClass;
  /** Stored data type (default: the class's own type; uint8 for logical). */
  storedAs?: StoredType;
  imag?: ArrayLike<number>;
}

export interface SparseSpec {
  kind: 'sparse';
  name: string;
  rows: number;
  cols: number;
  ir: number[];
  jc: number[];
  pr: number[];
  pi?: number[];
  storedAs?: StoredType;
  logical?: boolean;
  /** Leave out the values element (allowed for logical sparse arrays). */
  omitPr?: boolean;
}

export interface CharSpec {
  kind: 'char';
  name: string;
  /** One string per row; all rows the same length. */
  rows: string[];
  utf8?: boolean;
  /** Declared dims (default [rows, columns]; may disagree with rows, to build malformed files). */
  dims?: number[];
}

export interface CellSpec {
  kind: 'cell';
  name: string;
  /** Column-major elements. */
  cells: VarSpec[];
  /** Declared dims (default [1, cells.length]; may disagree with cells, to build malformed files). */
  dims?: number[];
}

export interface StructSpec {
  kind: 'struct';
  name: string;
  fields: VarSpec[];
}

export type VarSpec = NumericSpec | SparseSpec | CharSpec | CellSpec | StructSpec;

export interface ElementOptions {
  endian?: Endian;
  /** Use the 4-byte small data element format when the data fits (default true). */
  small?: boolean;
}

export interface WriteOptions extends ElementOptions {
  /** Compress every variable (true), none (false, default), or decide per variable. */
  compress?: boolean | ((spec: VarSpec, index: number) => boolean);
  headerText?: string;
  version?: number;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The 128-byte header: text, subsystem offset, version, endian indicator. */
export function matHeader(options: { endian?: Endian; text?: string; version?: number } = {}): Uint8Array {
  const le = (options.endian ?? 'le') === 'le';
  const out = new Uint8Array(128).fill(0x20);
  const text = options.text ?? 'MATLAB 5.0 MAT-file, Platform: test, Created on: Thu Jan  1 00:00:00 1970';
  for (let i = 0; i < Math.min(116, text.length); i++) out[i] = text.charCodeAt(i);
  out.fill(0, 116, 124);
  const dv = new DataView(out.buffer);
  dv.setUint16(124, options.version ?? 0x0100, le);
  dv.setUint16(126, 0x4d49, le); // 'M' 'I' as a 16-bit number: reads back as bytes "IM" in little-endian
  return out;
}

/** A data element: tag, data, padding to 8 bytes (or a small element when it fits). */
export function element(type: number, data: Uint8Array, options: ElementOptions = {}): Uint8Array {
  const le = (options.endian ?? 'le') === 'le';
  if ((options.small ?? true) && data.length <= 4 && data.length > 0) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, ((data.length << 16) | type) >>> 0, le);
    out.set(data, 4);
    return out;
  }
  const padded = type === MI.compressed ? data.length : Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, data.length, le);
  out.set(data, 8);
  return out;
}

/** Encode numbers in a stored type and byte order. */
export function encodeNumbers(values: ArrayLike<number | bigint>, type: StoredType, endian: Endian = 'le'): Uint8Array {
  const le = endian === 'le';
  const w = WIDTH[type];
  const out = new Uint8Array(values.length * w);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * w;
    switch (type) {
      case 'int8': dv.setInt8(o, Number(v)); break;
      case 'uint8': dv.setUint8(o, Number(v)); break;
      case 'int16': dv.setInt16(o, Number(v), le); break;
      case 'uint16': dv.setUint16(o, Number(v), le); break;
      case 'int32': dv.setInt32(o, Number(v), le); break;
      case 'uint32': dv.setUint32(o, Number(v), le); break;
      case 'single': dv.setFloat32(o, Number(v), le); break;
      case 'double': dv.setFloat64(o, Number(v), le); break;
      case 'int64': dv.setBigInt64(o, BigInt(v), le); break;
      case 'uint64': dv.setBigUint64(o, BigInt(v), le); break;
    }
  }
  return out;
}

function arrayFlags(classId: number, opts: ElementOptions, extra: { complex?: boolean; logical?: boolean; nzmax?: number } = {}): Uint8Array {
  const flags = classId | (extra.complex ? 0x800 : 0) | (extra.logical ? 0x200 : 0);
  return element(MI.uint32, encodeNumbers([flags, extra.nzmax ?? 0], 'uint32', opts.endian), opts);
}

function dimsElement(dims: number[], opts: ElementOptions): Uint8Array {
  return element(MI.int32, encodeNumbers(dims, 'int32', opts.endian), opts);
}

function nameElement(name: string, opts: ElementOptions): Uint8Array {
  return element(MI.int8, Uint8Array.from(name, (c) => c.charCodeAt(0)), opts);
}

/** The body (sub-elements) of a variable's miMATRIX element. */
export function matrixBody(spec: VarSpec, opts: ElementOptions = {}): Uint8Array {
  const e = opts.endian ?? 'le';
  switch (spec.kind) {
    case 'numeric': {
      const cls = spec.className ?? 'double';
      const stored = spec.storedAs ?? (cls === 'logical' ? 'uint8' : cls);
      const parts = [
        arrayFlags(cls === 'logical' ? MX.uint8 : MX[cls], opts, { complex: !!spec.imag, logical: cls === 'logical' }),
        dimsElement(spec.dims, opts),
        nameElement(spec.name, opts),
        element(MI[stored], encodeNumbers(spec.values, stored, e), opts),
      ];
      if (spec.imag) parts.push(element(MI[stored], encodeNumbers(spec.imag, stored, e), opts));
      return concat(parts);
    }
    case 'sparse': {
      const stored = spec.storedAs ?? 'double';
      const parts = [
        arrayFlags(MX.sparse, opts, { complex: !!spec.pi, logical: spec.logical, nzmax: Math.max(1, spec.ir.length) }),
        dimsElement([spec.rows, spec.cols], opts),
        nameElement(spec.name, opts),
        element(MI.int32, encodeNumbers(spec.ir, 'int32', e), opts),
        element(MI.int32, encodeNumbers(spec.jc, 'int32', e), opts),
      ];
      if (!spec.omitPr) parts.push(element(MI[stored], encodeNumbers(spec.pr, stored, e), opts));
      if (spec.pi) parts.push(element(MI[stored], encodeNumbers(spec.pi, stored, e), opts));
      return concat(parts);
    }
    case 'char': {
      const rows = spec.rows.length;
      const cols = rows ? [...spec.rows[0]].length : 0;
      const chars: number[] = [];
      // Column-major, like every MATLAB array (each row split into code points once).
      const points = spec.rows.map((row) => Array.from(row, (ch) => ch.codePointAt(0) ?? 0));
      for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) chars.push(points[r][c]);
      const data = spec.utf8
        ? element(MI.utf8, new TextEncoder().encode(String.fromCodePoint(...chars)), opts)
        : element(MI.uint16, encodeNumbers(chars, 'uint16', e), opts);
      return concat([arrayFlags(MX.char, opts), dimsElement(spec.dims ?? [rows, cols], opts), nameElement(spec.name, opts), data]);
    }
    case 'cell':
      return concat([
        arrayFlags(MX.cell, opts),
        dimsElement(spec.dims ?? [1, spec.cells.length], opts),
        nameElement(spec.name, opts),
        ...spec.cells.map((c) => element(MI.matrix, matrixBody({ ...c, name: '' }, opts), opts)),
      ]);
    case 'struct': {
      const width = Math.max(1, ...spec.fields.map((f) => f.name.length + 1));
      const names = new Uint8Array(width * spec.fields.length);
      spec.fields.forEach((f, i) => names.set(Uint8Array.from(f.name, (c) => c.charCodeAt(0)), i * width));
      return concat([
        arrayFlags(MX.struct, opts),
        dimsElement([1, 1], opts),
        nameElement(spec.name, opts),
        element(MI.int32, encodeNumbers([width], 'int32', e), opts),
        element(MI.int8, names, opts),
        ...spec.fields.map((f) => element(MI.matrix, matrixBody({ ...f, name: '' }, opts), opts)),
      ]);
    }
  }
}

/** A top-level variable element, plain or compressed. */
export function variableElement(spec: VarSpec, opts: ElementOptions & { compress?: boolean } = {}): Uint8Array {
  const matrix = element(MI.matrix, matrixBody(spec, opts), { ...opts, small: false });
  return opts.compress ? compressedElement(matrix, opts.endian) : matrix;
}

/** Wrap element bytes in an miCOMPRESSED element. */
export function compressedElement(inner: Uint8Array, endian: Endian = 'le'): Uint8Array {
  return element(MI.compressed, new Uint8Array(deflateSync(inner)), { endian, small: false });
}

/** A complete MAT v5 file holding `vars` in the given order. */
export function writeMat(vars: VarSpec[], options: WriteOptions = {}): Uint8Array {
  const endian = options.endian ?? 'le';
  const parts = [matHeader({ endian, text: options.headerText, version: options.version })];
  vars.forEach((v, i) => {
    const compress = typeof options.compress === 'function' ? options.compress(v, i) : !!options.compress;
    parts.push(variableElement(v, { endian, small: options.small, compress }));
  });
  return concat(parts);
}

/** A cell array of strings (char row vectors), a column as MATLAB's {'a'; 'b'} by default. */
export function cellstrSpec(name: string, texts: string[], dims: number[] = [texts.length, 1]): CellSpec {
  return { kind: 'cell', name, dims, cells: texts.map((t): CharSpec => ({ kind: 'char', name: '', rows: [t] })) };
}

/** A char matrix of labels, a row each, padded with trailing spaces as MATLAB's char({'a'; 'bbb'}). */
export function charMatrixSpec(name: string, texts: string[]): CharSpec {
  const width = Math.max(0, ...texts.map((t) => [...t].length));
  return { kind: 'char', name, rows: texts.map((t) => t + ' '.repeat(width - [...t].length)) };
}

/** A double matrix given as rows (converted to MATLAB's column-major order). */
export function matrixSpec(name: string, rows: number[][], storedAs?: StoredType, className: NumericClass = 'double'): NumericSpec {
  const r = rows.length;
  const c = r ? rows[0].length : 0;
  const values: number[] = [];
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) values.push(rows[i][j]);
  return { kind: 'numeric', name, dims: [r, c], values, storedAs, className };
}

/** The features of a tiny MAT fixture: 12 samples of 3 features. */
export const SMALL_X: readonly number[][] = Array.from({ length: 12 }, (_, i) => [i, (i * 7) % 5, (i * 3) % 4]);

/** A tiny MAT-file: SMALL_X with 3 classes of 4 samples (labels 1, 2, 3). */
export function smallMat(): Uint8Array {
  return writeMat([matrixSpec('X', [...SMALL_X]), matrixSpec('Y', SMALL_X.map((_, i) => [(i % 3) + 1]))]);
}

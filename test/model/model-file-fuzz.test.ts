/**
 * Seeded fuzzing of SparseMLP.load: saved SET, NPSET and dense models, mutated byte by byte (flips, runs of
 * 0x00/0xFF, truncation, appended garbage, preamble fields) and structurally (the JSON header parsed, edited
 * and written back with a consistent header length, so that the edit reaches the checks behind the JSON
 * parse: the array table, the options, the layers, the extras, the core's checks of the arrays).
 *
 * Every mutated file must either load into a model that predicts and evaluates a batch of its width, or be
 * refused with a ModelFileError (load's documented error) naming the file, with a message. Anything else (a
 * plain TypeError or RangeError, another error class, a hang, a result of the wrong shape) is collected and
 * the test fails listing every such case; a crash of the process fails the whole file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitStandardizer, makeSyntheticDataset } from '../../lib/data';
import { DivergenceError, NpsetError, OverflowError } from '../../lib/errors';
import { ModelFileError, SparseMLP } from '../../lib/model';
import { Rng, describeError, settleWithin } from '../helpers/fuzz';

const dir = mkdtempSync(join(tmpdir(), 'npset-model-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------
// The model file's layout (lib/model/model-file.ts): "NPSETMDL", version u32, header length u32, JSON, pad to 8, data.

interface TableEntry {
  name: string;
  dtype: string;
  offset: number;
  length: number;
}

interface Parsed {
  header: Record<string, unknown> & { arrays: TableEntry[] };
  headerStart: number;
  headerEnd: number;
  dataStart: number;
  data: Buffer;
}

function parse(bytes: Buffer): Parsed {
  const length = bytes.readUInt32LE(12);
  const dataStart = Math.ceil((16 + length) / 8) * 8;
  return {
    header: JSON.parse(bytes.toString('utf8', 16, 16 + length)),
    headerStart: 16,
    headerEnd: 16 + length,
    dataStart,
    data: bytes.subarray(dataStart),
  };
}

/** Raw JSON text put as it is in place of a value (1e400, NaN, deep nesting). */
class Raw {
  constructor(readonly text: string) {}
}
/** Keys written a first time before an object's own (JSON.parse keeps the last): duplicated keys. */
const DUPLICATES = Symbol('duplicates');
type WithDuplicates = Record<string, unknown> & { [DUPLICATES]?: [string, unknown][] };

function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of (v as WithDuplicates)[DUPLICATES] ?? []) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
    for (const [k, x] of Object.entries(v)) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A file with `json` as its header, the header length written to match and the data moved to the new alignment. */
function withJson(p: Parsed, json: string): Buffer {
  const text = Buffer.from(json, 'utf8');
  const head = Buffer.alloc(Math.ceil((16 + text.length) / 8) * 8);
  head.write('NPSETMDL', 0, 'latin1');
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(text.length, 12);
  text.copy(head, 16);
  return Buffer.concat([head, p.data]);
}

// ---------------------------------------------------------------------------------------------------------
// Mutations. Each returns the mutated bytes and a description (kept short: it names a failing case).

type Mutation = (rng: Rng, good: Buffer, p: Parsed) => { bytes: Buffer; what: string };

const NUMBERS: readonly unknown[] = [
  0, -0, 1, -1, 2, 7, 8, 0.5, -8, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 8, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e300, -1e300, 5e-324,
  new Raw('1e400'), new Raw('-1e400'), new Raw('1E-400'), 'NaN', 'Infinity', '-Infinity', '8', ' 8 ', '0x10', '', null, true, false, [], {}, [8], { length: 8 },
];
const STRINGS: readonly unknown[] = [
  '', 'f64', 'f32', 'i32', 'i64', 'toString', '__proto__', 'constructor', 'layer0.rowPtr', 'layer0.col', 'layer1.values', 'standardizer.mean',
  'npset-model', 'relu', 'all-relu', 'mse', 'bernoulli', 'x'.repeat(10_000), '\u0000', '\ud800', 'é', 0, 8, null, [], {}, true,
];

/** Every path (keys from the root) to a value of the header, containers included. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let v = root as Record<string | number, unknown>;
  for (const k of path) v = v[k] as Record<string | number, unknown>;
  return v;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
}

function deleteAt(root: unknown, path: (string | number)[]): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
}

/** Another value for `v`: near numbers, numbers of other kinds, strings, other types, containers changed. */
function otherValue(rng: Rng, v: unknown): unknown {
  if (typeof v === 'number') {
    const r = rng.int(4);
    if (r === 0) return v + rng.pick([1, -1, 8, -8, 4, -4]);
    if (r === 1) return v * rng.pick([2, 1000, -1, 0.5]);
    if (r === 2) return rng.int(1 << rng.int(31));
    return rng.pick(NUMBERS);
  }
  if (typeof v === 'string') return rng.pick(STRINGS);
  if (typeof v === 'boolean') return rng.pick([!v, 0, 1, 'true', null]);
  if (Array.isArray(v)) {
    const a = [...v];
    const r = rng.int(6);
    if (r === 0 && a.length > 0) a.splice(rng.int(a.length), 1);
    else if (r === 1 && a.length > 0) a.splice(rng.int(a.length), 0, structuredClone(a[rng.int(a.length)]));
    else if (r === 2) a.push(rng.pick([...NUMBERS, ...STRINGS]));
    else if (r === 3) a.reverse();
    else if (r === 4) return [];
    else return rng.pick([null, {}, 'array', 0]);
    return a;
  }
  if (v !== null && typeof v === 'object') return rng.pick([null, [], 'object', 0, {}]);
  return rng.pick([...NUMBERS, ...STRINGS]);
}

type Header = Parsed['header'];
type Edit = (rng: Rng, h: Header) => string;

/** Edits of the parsed header; each returns what it did. */
const EDITS: readonly Edit[] = [
  // Any value anywhere in the header.
  (rng, h) => {
    const path = rng.pick(paths(h));
    const v = otherValue(rng, getAt(h, path));
    setAt(h, path, v);
    return `${path.join('.')} = ${toJson(v).slice(0, 40)}`;
  },
  // A key dropped.
  (rng, h) => {
    const path = rng.pick(paths(h));
    deleteAt(h, path);
    return `drop ${path.join('.')}`;
  },
  // A key duplicated, with another value first (JSON.parse keeps the second) or second.
  (rng, h) => {
    const objects = paths(h).filter((p) => {
      const v = getAt(h, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const path = rng.int(4) === 0 ? [] : rng.pick(objects.length ? objects : [[]]);
    const obj = (path.length ? getAt(h, path) : h) as WithDuplicates;
    const keys = Object.keys(obj);
    if (keys.length === 0) return 'no key to duplicate';
    const key = rng.pick(keys);
    const other = otherValue(rng, obj[key]);
    if (rng.int(2) === 0) {
      obj[DUPLICATES] = [...(obj[DUPLICATES] ?? []), [key, other]];
      return `duplicate ${[...path, key].join('.')} (first ${toJson(other).slice(0, 30)})`;
    }
    obj[DUPLICATES] = [...(obj[DUPLICATES] ?? []), [key, obj[key]]];
    obj[key] = other;
    return `duplicate ${[...path, key].join('.')} (last ${toJson(other).slice(0, 30)})`;
  },
  // A key added to an object: unknown, a name of Object.prototype, an option that must not be saved.
  (rng, h) => {
    const objects = paths(h).filter((p) => {
      const v = getAt(h, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const path = rng.int(3) === 0 ? [] : rng.pick(objects.length ? objects : [[]]);
    const obj = (path.length ? getAt(h, path) : h) as WithDuplicates;
    const key = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'threads', 'x', 'layers', 'format']);
    const value = rng.pick<unknown>([{ layers: [1, 2] }, { format: 'npset-model' }, 4, null, 'x', [8, 4, 3]]);
    obj[DUPLICATES] = [...(obj[DUPLICATES] ?? []), [key, value]]; // written as an own key, even "__proto__"
    return `add ${[...path, key].join('.')} = ${toJson(value)}`;
  },
  // An entry of the array table: its length, offset, type or name.
  (rng, h) => {
    const table = h.arrays;
    if (!Array.isArray(table) || table.length === 0 || !table.every((e) => e !== null && typeof e === 'object')) return 'no array table to edit';
    const i = rng.int(table.length);
    const e = table[i];
    const field = rng.pick(['length', 'offset', 'dtype', 'name', 'swap', 'drop', 'copy'] as const);
    switch (field) {
      case 'length':
        e.length = rng.pick<number>([e.length + 1, e.length - 1, e.length * 2, 0, -1, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 1.5, e.length + 2 * rng.int(16)]);
        return `arrays[${i}] ${e.name}.length = ${e.length}`;
      case 'offset':
        e.offset = rng.pick<number>([e.offset + 8, e.offset - 8, e.offset + 1, 0, -8, 2 ** 32, 2 ** 53, rng.pick(table).offset]);
        return `arrays[${i}] ${e.name}.offset = ${e.offset}`;
      case 'dtype':
        e.dtype = rng.pick(['f64', 'f32', 'i32', 'F64', 'u8', '']);
        return `arrays[${i}] ${e.name}.dtype = ${e.dtype}`;
      case 'name': {
        const to = rng.pick([...table.map((t) => t.name), 'layer9.col', '', 'layer0.rowptr']);
        const was = e.name;
        e.name = to;
        return `arrays[${i}] ${was} renamed ${to}`;
      }
      case 'swap': {
        const j = rng.int(table.length);
        [table[i].name, table[j].name] = [table[j].name, table[i].name];
        return `arrays[${i}] and [${j}] swap names`;
      }
      case 'drop':
        table.splice(i, 1);
        return `arrays[${i}] ${e.name} dropped`;
      case 'copy':
        table.push({ ...e, name: rng.int(2) ? e.name : `${e.name}2` });
        return `arrays[${i}] ${e.name} copied`;
    }
  },
  // A layer size: options.layers, or header.layers' rows/cols/sparse.
  (rng, h) => {
    const options = h.options as { layers: number[] };
    const layers = h.layers as { rows: number; cols: number; sparse: boolean }[];
    if (!Array.isArray(options?.layers) || !Array.isArray(layers) || !layers.every((l) => l !== null && typeof l === 'object')) return 'no layers to edit';
    const r = options.layers.length === 0 ? 2 : layers.length === 0 ? rng.int(3) : rng.int(5);
    if (r === 0 || r === 1) {
      const k = rng.int(options.layers.length);
      options.layers[k] = rng.pick<number>([options.layers[k] + 1, options.layers[k] - 1, options.layers[k] * 10, 0, 1, 2, 2 ** 31, 3e9, -3, 1.5]);
      return `options.layers[${k}] = ${options.layers[k]}`;
    }
    if (r === 2) {
      const k = rng.int(options.layers.length + 1);
      if (rng.int(2)) options.layers.splice(k, 0, rng.pick([1, 5, 100]));
      else options.layers.splice(Math.min(k, options.layers.length - 1), 1);
      return `options.layers = ${JSON.stringify(options.layers)}`;
    }
    const l = rng.int(layers.length);
    const key = rng.pick(['rows', 'cols', 'sparse'] as const);
    if (key === 'sparse') layers[l].sparse = !layers[l].sparse;
    else layers[l][key] = rng.pick([layers[l][key] + 1, 0, 2 ** 31]);
    return `layers[${l}].${key} = ${String(layers[l][key])}`;
  },
  // The extras: labels, names, the standardizer flag, metadata.
  (rng, h) => {
    if (h.extras !== undefined && (h.extras === null || typeof h.extras !== 'object' || Array.isArray(h.extras))) return 'no extras to edit';
    const extras = (h.extras ?? {}) as Record<string, unknown>;
    h.extras = extras;
    const key = rng.pick(['labels', 'labelNames', 'featureNames', 'standardizer', 'metadata'] as const);
    const v = extras[key];
    let to: unknown;
    if (key === 'standardizer') to = rng.pick([!v, 'true', 1, null]);
    else if (key === 'metadata') to = rng.pick([new Raw('['.repeat(200_000) + ']'.repeat(200_000)), { a: [1, { b: null }] }, 'x'.repeat(1 << 16), null]);
    else if (Array.isArray(v) && v.length > 0) to = otherValue(rng, v);
    else to = rng.pick([[1, 2, 3], ['a', 'b', 'c'], [1, 1, 2], ['a', 'a', 'b'], [0, -0, 1], [1, null, 3], ['', 'x', 'y'], []]);
    extras[key] = to;
    return `extras.${key} = ${toJson(to).slice(0, 40)}`;
  },
];

/** Where the values of the array table entry `e` start in the file. */
function arrayStart(p: Parsed, e: TableEntry): number {
  return p.dataStart + e.offset;
}

const MUTATIONS: readonly (readonly [string, Mutation])[] = [
  ['flip bytes anywhere', (rng, good) => {
    const b = Buffer.from(good);
    const n = 1 + rng.int(8);
    const at: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = rng.int(b.length);
      b[k] = rng.int(256);
      at.push(k);
    }
    return { bytes: b, what: `bytes ${at.join(',')}` };
  }],
  ['flip bytes of the data', (rng, good, p) => {
    const b = Buffer.from(good);
    const n = 1 + rng.int(4);
    const at: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = p.dataStart + rng.int(b.length - p.dataStart);
      b[k] = rng.int(256);
      at.push(k);
    }
    return { bytes: b, what: `bytes ${at.join(',')}` };
  }],
  ['flip bytes of the header', (rng, good, p) => {
    const b = Buffer.from(good);
    const k = p.headerStart + rng.int(p.headerEnd - p.headerStart);
    b[k] = rng.pick([0x22, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x30 + rng.int(10), 0x2d, 0x00, 0xff, 0xc3, rng.int(256)]);
    return { bytes: b, what: `byte ${k} = 0x${b[k].toString(16)}` };
  }],
  ['run of 0x00 or 0xFF', (rng, good) => {
    const b = Buffer.from(good);
    const start = rng.int(b.length);
    const len = 1 + rng.int(64);
    const fill = rng.pick([0x00, 0xff]);
    b.fill(fill, start, Math.min(b.length, start + len));
    return { bytes: b, what: `0x${fill.toString(16)} x ${len} at ${start}` };
  }],
  ['truncated', (rng, good) => {
    const cut = rng.int(good.length);
    return { bytes: good.subarray(0, cut), what: `cut at ${cut} of ${good.length}` };
  }],
  ['appended garbage', (rng, good) => {
    const n = 1 + rng.int(300);
    return { bytes: Buffer.concat([good, rng.int(3) === 0 ? Buffer.alloc(n) : rng.bytes(n)]), what: `${n} bytes` };
  }],
  ['preamble field', (rng, good, p) => {
    const b = Buffer.from(good);
    const field = rng.pick([8, 12]);
    const was = b.readUInt32LE(field);
    const v = rng.pick([0, 1, 2, was + 1, was - 1, was + 8, was - 8, 0xffffffff, 16 * 2 ** 20, 16 * 2 ** 20 + 1, b.length, p.headerEnd, rng.int(2 ** 32)]) >>> 0;
    b.writeUInt32LE(v, field);
    return { bytes: b, what: `${field === 8 ? 'version' : 'header length'} = ${v}` };
  }],
  ['nasty value in an array', (rng, good, p) => {
    const b = Buffer.from(good);
    const nonEmpty = p.header.arrays.filter((e) => e.length > 0);
    const e = rng.pick(nonEmpty);
    const start = arrayStart(p, e);
    const i = rng.int(e.length);
    let v: number;
    if (e.dtype === 'f64') {
      v = rng.pick([-1, 0.5, NaN, Infinity, -Infinity, 1e300, 2 ** 53, 2 ** 31, 2 ** 32, rng.int(100), -0]);
      b.writeDoubleLE(v, start + 8 * i);
    } else if (e.dtype === 'i32') {
      v = rng.pick([-1, -(2 ** 31), 2 ** 31 - 1, rng.int(100), 1000]);
      b.writeInt32LE(v, start + 4 * i);
    } else {
      v = rng.pick([NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 0]);
      b.writeFloatLE(v, start + 4 * i);
    }
    return { bytes: b, what: `${e.name}[${i}] = ${v}` };
  }],
  ['header edits', (rng, _good, p) => {
    const h = structuredClone(p.header);
    const n = 1 + rng.int(3);
    const did: string[] = [];
    for (let i = 0; i < n; i++) did.push(rng.pick(EDITS)(rng, h));
    return { bytes: withJson(p, toJson(h)), what: did.join('; ') };
  }],
];

// ---------------------------------------------------------------------------------------------------------
// The outcome of loading one file.

type Outcome = { kind: 'loaded' | 'refused' | 'skipped' } | { kind: 'bad'; problem: string };

/** Longest a load (or a prediction, an evaluation, an epoch) of these small models may take. */

/** What a loaded model must do: predict and evaluate a batch of its width, with results of the right shape. */
async function exercise(m: SparseMLP): Promise<string | undefined> {
  const inputs = m.inputs;
  const classes = m.classes;
  if (!Number.isSafeInteger(inputs) || inputs < 1 || !Number.isSafeInteger(classes) || classes < 2) {
    return `loaded a model of ${inputs} inputs and ${classes} classes`;
  }
  // A few samples, fewer when the model is wide (a forged size the arrays happen to allow).
  const samples = Math.max(1, Math.min(5, Math.floor(2 ** 22 / inputs)));
  const X = new Float32Array(samples * inputs);
  for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 13) / 3 - 2;
  const y = Int32Array.from({ length: samples }, (_, i) => i % classes);
  const t = m.topology();
  if (t.neurons.length !== m.options.layers.length || t.neurons[0] !== inputs) return `topology ${JSON.stringify(t.neurons)} for layers ${m.options.layers}`;
  try {
    const proba = await settleWithin(() => m.predictProba(X), 'predictProba');
    if (!(proba instanceof Float32Array) || proba.length !== samples * classes) return `predictProba gave ${proba?.length} values for ${samples}x${classes}`;
    const pred = await settleWithin(() => m.predict(X), 'predict');
    if (!(pred instanceof Int32Array) || pred.length !== samples) return `predict gave ${pred?.length} classes for ${samples} samples`;
    const out = pred.findIndex((c) => !(c >= 0 && c < classes));
    if (out >= 0) return `predict gave class ${pred[out]} of ${classes}`;
    const ev = await settleWithin(() => m.evaluate({ X, y, samples, features: inputs }), 'evaluate');
    if (typeof ev.loss !== 'number' || !(ev.accuracy >= 0 && ev.accuracy <= 1)) return `evaluate gave ${JSON.stringify(ev)}`;
  } catch (e) {
    // A forged weight near the float32 limit (3.4e38) overflows the forward pass: reported as such, typed.
    if (!(e instanceof OverflowError) || !hasHugeWeight(m)) return `loaded, but using it threw ${describeError(e)}`;
  }
  // One epoch of training (with evolution) from where the file left off: weights that overflowed (a
  // forged value) may make it diverge, which fit reports with a DivergenceError.
  try {
    await settleWithin(() => m.fit({ X, y, samples, features: inputs }, { epochs: 1, batchSize: 2 }), 'fit');
  } catch (e) {
    if (!(e instanceof DivergenceError)) return `loaded, but fit threw ${describeError(e)}`;
  }
  return undefined;
}

/** Whether some weight or bias is beyond 1e15 in magnitude (or not finite), enough to overflow float32 sums. */
function hasHugeWeight(m: SparseMLP): boolean {
  for (let l = 0; l < m.options.layers.length - 1; l++) {
    const c = m.layer(l);
    if (c.values.some((v) => !(Math.abs(v) < 1e15)) || c.bias.some((v) => !(Math.abs(v) < 1e15))) return true;
  }
  return false;
}

/**
 * Layer sizes beyond this are not loaded: a sparse first layer of 10^8 inputs is a valid model that a
 * 3 KiB file can declare (its arrays do not grow with the inputs), which load refuses or builds depending on
 * the machine's memory (an estimate against it), and whose use takes gigabytes and seconds.
 */
const MAX_TRIED_NEURONS = 2 ** 20;

/** Whether the header that load will parse declares a layer larger than MAX_TRIED_NEURONS (and valid). */
function tooLarge(bytes: Buffer): boolean {
  try {
    const h = JSON.parse(bytes.toString('utf8', 16, 16 + bytes.readUInt32LE(12)));
    const layers: unknown = h?.options?.layers;
    return Array.isArray(layers) && layers.some((n) => Number.isInteger(n) && n > MAX_TRIED_NEURONS && n <= 2 ** 31 - 1);
  } catch {
    return false;
  }
}

async function outcome(file: string, bytes: Buffer): Promise<Outcome> {
  if (tooLarge(bytes)) return { kind: 'skipped' };
  writeFileSync(file, bytes);
  let m: SparseMLP;
  try {
    m = await settleWithin(() => SparseMLP.load(file, { threads: 1 }), 'SparseMLP.load');
  } catch (e) {
    if (!(e instanceof NpsetError)) return { kind: 'bad', problem: `untyped error ${describeError(e)}` };
    if (!(e instanceof ModelFileError)) return { kind: 'bad', problem: `${e.constructor.name} rather than ModelFileError: ${e.message}` };
    if (e.file !== file || !e.message.startsWith(`${file}: `) || e.message.length <= file.length + 2) {
      return { kind: 'bad', problem: `ModelFileError without the file or a message: ${JSON.stringify(e.message)}` };
    }
    return { kind: 'refused' };
  }
  try {
    const problem = await exercise(m);
    return problem === undefined ? { kind: 'loaded' } : { kind: 'bad', problem };
  } finally {
    m.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------

interface Base {
  label: string;
  bytes: Buffer;
}
const bases: Base[] = [];

beforeAll(async () => {
  const d = makeSyntheticDataset({ samples: 60, features: 8, classes: 3, seed: 7 });
  const data = { X: d.X, y: d.y, samples: d.samples, features: d.features };
  const save = async (label: string, m: SparseMLP, options?: Parameters<SparseMLP['save']>[1]) => {
    const file = join(dir, `${label}.npset`);
    await m.save(file, options);
    m.dispose();
    bases.push({ label, bytes: readFileSync(file) });
  };

  const set = await SparseMLP.create({ layers: [8, 12, 10, 3], epsilon: 3, seed: 1, threads: 1 });
  await set.fit(data, { epochs: 2, zeta: 0.3 });
  await save('SET', set);

  const npset = await SparseMLP.create({ layers: [8, 16, 12, 3], epsilon: 3, seed: 2, threads: 1 });
  await npset.fit(data, { epochs: 3, pruning: { alpha: 0.2, beta: 0, gamma: 5 } });
  await save('NPSET', npset, {
    standardizer: fitStandardizer(d.X, d.samples, d.features),
    labels: [10, 20, 30],
    labelNames: ['setosa', 'versicolor', 'virginica'],
    featureNames: Array.from({ length: 8 }, (_, j) => `f${j}`),
    metadata: { dataset: 'synthetic', epochs: 3 },
  });

  const dense = await SparseMLP.create({ layers: [8, 6, 3], dense: true, seed: 3, threads: 1, activation: 'all-relu', loss: 'mse' });
  await dense.fit(data, { epochs: 1 });
  await save('dense', dense, { optimizerState: false, labels: [-1, 0, 1] });
});

/** Mutated copies of every base file, per mutation kind (three times as many header edits). */
const PER_KIND = 100;
const copiesOf = (kind: string) => (kind === 'header edits' ? 3 * PER_KIND : PER_KIND);

describe('SparseMLP.load of randomly mutated model files', () => {
  it('the unmutated files load and predict', async () => {
    expect(bases.map((b) => b.label)).toEqual(['SET', 'NPSET', 'dense']);
    for (const b of bases) expect(await outcome(join(dir, `plain-${b.label}.npset`), b.bytes)).toEqual({ kind: 'loaded' });
  });

  for (const [kind, mutate] of MUTATIONS) {
    it(`${kind}: every copy loads and predicts, or is refused with a ModelFileError`, async () => {
      const rng = new Rng(0x5eed ^ (kind.length * 7919) ^ (kind.charCodeAt(0) * 31));
      const problems: string[] = [];
      const count = { loaded: 0, refused: 0, skipped: 0 };
      for (const base of bases) {
        const p = parse(base.bytes);
        for (let t = 0; t < copiesOf(kind); t++) {
          const { bytes, what } = mutate(rng, base.bytes, p);
          const file = join(dir, `${base.label}-${t}.npset`);
          const o = await outcome(file, bytes);
          if (o.kind === 'bad') problems.push(`${base.label} #${t} (${what}): ${o.problem}`);
          else count[o.kind]++;
        }
      }
      expect(problems).toEqual([]);
      expect(count.loaded + count.refused + count.skipped).toBe(bases.length * copiesOf(kind));
      expect(count.skipped).toBeLessThan(copiesOf(kind) / 10);
      // The fuzzing reached the checks: copies were refused (bytes after the last array are ignored, by design).
      if (kind !== 'appended garbage') expect(count.refused).toBeGreaterThan(0);
    });
  }
});

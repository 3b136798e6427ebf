/**
 * Seeded fuzzing of the public functions that test/model/api-fuzz.test.ts does not call, with hostile arguments:
 *
 * - the report layer: toCsv, toMarkdown, toPlainTable (random columns and rows), renderLineChart,
 *   renderFacetedLineChart, renderScalingChart (about 40 charts in all: each render takes 50-200 ms), formatInt,
 *   formatPercent, mean, std, classificationMetrics, withLabels;
 * - the data layer: parseMat (hostile non-buffer arguments, file names and options only: its bytes are fuzzed in
 *   test/data/mat-fuzz.test.ts), sparseToDense, denseData, Random and createRandom (hostile seeds, every method),
 *   allocateTest, findPaperDataset, PAPER_DATASETS and METHOD_SPECS (frozen to the leaves);
 * - splitAndStandardize and prepareData with hostile options (prepareData reads small real files in place from
 *   /work/shared/datasets/asu when they are there, and nonexistent paths, a directory, /dev/null);
 * - the loaders' arguments: loadCsvDataset, loadCsvFeatures, loadMatDataset, loadMatFeatures on small valid files
 *   with hostile options (Proxies, throwing and shifting getters among them) and hostile paths.
 *
 * Each call must settle (within HANG_MS) with a sane result, checked against an independent expectation where that
 * is cheap (a mean, a table's line count, a chart that is SVG without NaN, metrics in [0, 1], splits that
 * partition the samples), or throw an NpsetError with a documented code and a non-empty message ("Expected X for
 * Y but received Z" for a ValidationError). What the caller's own code throws (a getter, a Proxy trap, a revoked
 * Proxy touched) may come back as it is. Never: a V8 TypeError or RangeError, a non-Error thrown, a hang, NaN or
 * undefined where a number is documented, arguments that a call changed (shuffle's array aside). Every other
 * outcome is collected, and each test fails listing the distinct findings with the case that found them.
 * API_FUZZ_SEED runs other seeds; API_FUZZ_LOG=1 prints the outcomes per call, API_FUZZ_LOG=trace every call.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import {
  METHODS,
  METHOD_SPECS,
  NpsetError,
  PAPER_DATASETS,
  Random,
  ValidationError,
  allocateTest,
  classificationMetrics,
  createRandom,
  denseData,
  findPaperDataset,
  formatInt,
  formatPercent,
  loadCsvDataset,
  loadCsvFeatures,
  loadMatDataset,
  loadMatFeatures,
  makeSyntheticDataset,
  mean,
  parseMat,
  prepareData,
  renderFacetedLineChart,
  renderLineChart,
  renderScalingChart,
  sparseToDense,
  splitAndStandardize,
  std,
  toCsv,
  toMarkdown,
  toPlainTable,
  validateDataset,
  withLabels,
  type Column,
  type Dataset,
  type PreparedData,
} from '../../lib';
import { dataDir } from '../helpers/data-dir';
import { NUMBERS, detach, hostileFrom, isArrayNoThrow, isDetachedView, revokedProxy, tag, tagOf, throwingGetter as labelledThrowingGetter, throwingProxy } from '../helpers/hostile';
import { CODES, CallerError, FuzzGroup, REVOKED, Rng, badDataset, badFeatures, describeError } from '../helpers/fuzz';

/** Seed 29 was picked among 0-39 for finding the most of the distinct issues (40 of 57 kinds); API_FUZZ_SEED runs another. */
const SEED = Number(process.env.API_FUZZ_SEED ?? 29);
/** Cases per test: about 3,000 calls, 2-3 s of calls on 2 cores (the 40 charts take half of it). */
const CASES = { tables: 300, stats: 700, charts: 40, data: 600, split: 80, loaders: 120 };
const LOG = process.env.API_FUZZ_LOG ?? '';

// The shared datasets beside the repository (or NPSET_DATA_DIR), as the other tests find them.
const ASU = join(dataDir(), 'asu');
const LUNG = join(ASU, 'lung_discrete.mat');
const YALE = join(ASU, 'Yale.mat');
const HAVE_LUNG = existsSync(LUNG);
const HAVE_YALE = existsSync(YALE);

const dir = mkdtempSync(join(tmpdir(), 'npset-public-api-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A labelled CSV of 3 samples, 2 features and text labels x/y, with a header. */
const CSV_DATA = join(dir, 'small.csv');
writeFileSync(CSV_DATA, 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n');
/** A CSV of features only: 2 samples, 3 features, with a header. */
const CSV_FEATURES = join(dir, 'features.csv');
writeFileSync(CSV_FEATURES, 'p,q,r\n1,2,3\n4,5,6\n');
/** A CSV whose labels are numbers, for prepareData: 12 samples, 2 classes. */
const CSV_PREPARE = join(dir, 'prep.csv');
writeFileSync(CSV_PREPARE, `f1,f2,cls\n${Array.from({ length: 12 }, (_, i) => `${i},${(i * 7) % 5},${i % 2}`).join('\n')}\n`);
const SUBDIR = join(dir, 'a-directory.csv');
mkdirSync(SUBDIR);

// ---------------------------------------------------------------------------------------------------------
// Outcomes and findings.

/** The form of every ValidationError message. */
const EXPECTED_FORM = /^Expected .+ for .+ but received .+/s;

/** Why `e` is not an error the package documents, or undefined when it is. */
function untyped(e: unknown): string | undefined {
  if (e instanceof CallerError) return undefined;
  if (!(e instanceof Error)) return `a non-Error was thrown: ${describeError(e)}`;
  if (typeof e.message !== 'string' || e.message.trim() === '') return `${e.constructor.name} with an empty message`;
  if (e instanceof ValidationError && !EXPECTED_FORM.test(e.message)) return `a ValidationError not of the form "Expected X for Y but received Z": ${e.message.slice(0, 200)}`;
  if (e instanceof NpsetError) return CODES.has(e.code) ? undefined : `${e.constructor.name} with the undocumented code ${String(e.code)}`;
  if (e instanceof TypeError && REVOKED.test(e.message)) return undefined;
  const code = (e as { code?: unknown }).code;
  return `an untyped ${describeError(e)}${typeof code === 'string' ? ` (code ${code})` : ''}`;
}


/**
 * A group of this harness's cases (test/helpers/fuzz.ts FuzzGroup): one finding per call and kind (the first two
 * parts of what went wrong, digits aside); the arguments given as `inputs` must come back unchanged.
 */
class Group extends FuzzGroup {
  constructor(name: string) {
    super(name, {
      seed: SEED,
      log: LOG,
      untyped,
      kindOf: (what) => what.split(': ').slice(0, 2).join(': ').replace(/["'[({].*$/, '').slice(0, 100),
      snap,
    });
  }
}

/**
 * What an argument holds, to tell whether a call changed it: own properties (getters not run), elements, a
 * typed array's values, whether it is frozen. A Proxy is opaque (its traps are not run).
 */
function snap(v: unknown, depth = 0, seen = new Set<object>()): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return `fn:${Object.keys(v).join(',')}`;
  if (v === null || typeof v !== 'object') return String(v);
  if (types.isProxy(v)) return 'Proxy';
  if (seen.has(v)) return '<cycle>';
  if (depth > 5) return '...';
  seen.add(v);
  try {
    if (ArrayBuffer.isView(v)) {
      if (v.byteLength === 0) return `${v.constructor.name}(empty or detached)`;
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      return `${v.constructor.name}[${Buffer.from(bytes).toString('hex')}]`;
    }
    if (types.isAnyArrayBuffer(v)) return `ArrayBuffer[${Buffer.from(new Uint8Array(v)).toString('hex')}]`;
    if (types.isMap(v)) return `Map{${[...v.entries()].map(([k, x]) => `${snap(k, depth + 1, seen)}:${snap(x, depth + 1, seen)}`).join(',')}}`;
    const d = Object.getOwnPropertyDescriptors(v);
    const parts = Reflect.ownKeys(d).map((k) => {
      const p = d[k as string];
      return `${String(k)}:${'value' in p ? snap(p.value, depth + 1, seen) : 'accessor'}`;
    });
    return `${Object.isFrozen(v) ? 'frozen' : ''}{${parts.join(',')}}`;
  } finally {
    seen.delete(v);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values. Objects made here are labelled in TAGS, so that describing them never runs a getter or a trap.

/** A short description of an argument, for the findings; touches no getter or Proxy made here. */
function show(v: unknown, depth = 0): string {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}...(${v.length})` : v);
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return tagOf(v) ?? 'fn';
    if (v === null || typeof v !== 'object') return String(v);
    const t = tagOf(v);
    if (t) return t;
    if (types.isProxy(v)) return 'Proxy';
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length?: number }).length ?? v.byteLength})`;
    if (depth > 1) return Array.isArray(v) ? '[...]' : '{...}';
    if (Array.isArray(v)) {
      const items = Array.from({ length: Math.min(v.length, 6) }, (_, i) => (i in v ? show(Object.getOwnPropertyDescriptor(v, i)?.value, depth + 1) : '<hole>'));
      return `[${items.join(',')}${v.length > 6 ? `,...(${v.length})` : ''}]`;
    }
    const d = Object.getOwnPropertyDescriptors(v);
    const keys = Object.keys(d).slice(0, 14);
    return `{${keys.map((k) => `${k}:${'value' in d[k] ? show(d[k].value, depth + 1) : 'getter'}`).join(',')}}`;
  } catch {
    return '<unprintable>';
  }
}

const STRINGS: readonly string[] = ['', '1', '2', '0x10', 'NaN', 'X', 'Y', 'label', '__proto__', 'constructor', '\u0000', '💥', '<b>&amp;', 'x'.repeat(5000)];
const JUNK_KEYS: readonly string[] = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'lenght', 'Seed', ''];

function sparse(values: Record<number, unknown>, length: number): unknown[] {
  const a: unknown[] = [];
  a.length = length;
  for (const [i, v] of Object.entries(values)) a[Number(i)] = v;
  return tag(a, `sparse[${Array.from({ length }, (_, i) => (i in a ? show(a[i]) : '<hole>')).join(',')}]`);
}

/** A getter that returns `first` for its first `reads` reads, then `later`. */
function shiftingGetter<T extends object>(o: T, key: string | number, first: unknown, later: unknown, reads = 1): T {
  const label = show(o);
  let n = 0;
  Object.defineProperty(o, key, { enumerable: true, configurable: true, get: () => (n++ < reads ? first : later) });
  return tag(o, `${label} with ${key} ${show(first)} then ${show(later)} after ${reads} reads`);
}

const OBJECTS: readonly ((rng: Rng, depth: number) => unknown)[] = [
  () => ({}),
  () => [],
  (rng, d) => [hostile(rng, d + 1), hostile(rng, d + 1)],
  () => sparse({ 1: 1 }, 2),
  (rng, d) => ({ a: { b: { c: hostile(rng, d + 1) } } }),
  () => new Float32Array([1, 2, 3, 4]),
  () => new Int32Array([1, 0]),
  () => new Float64Array([1.5]),
  () => new BigInt64Array(2),
  () => new Uint8Array(3),
  () => tag(new Proxy(new Float32Array(4), {}), 'Proxy(Float32Array(4))'),
  () => tag(new Float32Array(new SharedArrayBuffer(16)), 'Float32Array(SharedArrayBuffer, 4)'),
  () => tag(detach(new Float32Array(4)), 'Float32Array(detached)'),
  () => new DataView(new ArrayBuffer(8)),
  () => new ArrayBuffer(8),
  () => throwingGetter({}, 'value'),
  (rng, d) => tag(new Proxy({ v: hostile(rng, d + 1) }, {}), 'Proxy({v})'),
  () => throwingProxy(),
  () => revokedProxy(),
  (rng, d) => tag(Object.freeze({ v: hostile(rng, d + 1) }), 'frozen {v}'),
  () => tag(Object.create(null) as object, 'Object.create(null)'),
  () => new Date(0),
  () => tag(new Map([['a', 1]]), 'Map'),
  () => tag({ valueOf: () => 2, toString: () => '2' }, '{valueOf: 2}'),
];

/** `o` with a getter `key` that throws the caller's own error. */
const throwingGetter = <T extends object>(o: T, key: string | number): T => labelledThrowingGetter(o, key, show(o));

/** Anything at all. */
const hostile = hostileFrom(STRINGS, () => OBJECTS);

/**
 * Whether `v` is `k` labels (strings or numbers) as withLabels reads them: true or false when that can be told
 * without running the caller's code, undefined when an element is behind a getter or `v` is a Proxy.
 */
function labelList(v: unknown, k: number): boolean | undefined {
  if (!isArrayNoThrow(v)) return false;
  if (types.isProxy(v)) return undefined;
  if (v.length !== k) return false;
  for (let i = 0; i < k; i++) {
    const d = Object.getOwnPropertyDescriptor(v, i);
    if (d === undefined) return Object.prototype.hasOwnProperty.call(Array.prototype, i) ? undefined : false;
    if (!('value' in d)) return undefined;
    if (typeof d.value !== 'string' && typeof d.value !== 'number') return false;
  }
  return true;
}

/**
 * An options object: each key absent or valid (`valid[key]`), then (in about 40% of the objects none) a few keys
 * hostile, now and then an unknown key. `tainted`: something not valid was put in.
 */
function optionsObject(
  rng: Rng,
  valid: Record<string, (r: Rng) => unknown>,
  accepts: Record<string, (v: unknown) => boolean> = {},
  hostileKeys: readonly number[] = [0, 0, 0, 1, 1, 1, 2, 3],
): { o: Record<string, unknown>; tainted: boolean } {
  const keys = Object.keys(valid);
  const o: Record<string, unknown> = {};
  for (const key of keys) if (rng.chance(0.45)) o[key] = valid[key](rng);
  const hostileKeysSet = new Set<string>();
  for (let k = rng.pick(hostileKeys); k > 0; k--) {
    const key = rng.pick(keys);
    o[key] = hostile(rng);
    hostileKeysSet.add(key);
  }
  // A hostile value that happens to be valid for its key (a string title, 2 for a seed) taints nothing.
  let tainted = [...hostileKeysSet].some((key) => o[key] !== undefined && !accepts[key]?.(o[key]));
  if (rng.chance(0.07)) {
    Object.defineProperty(o, rng.pick(JUNK_KEYS.filter((k) => !keys.includes(k))), { value: hostile(rng), enumerable: true, configurable: true, writable: true });
    tainted = true;
  }
  return { o, tainted };
}

/**
 * The options object (`plain`: it, or it frozen, or a transparent Proxy of it), or the same in a hostile form
 * (a throwing getter, a getter that answers a valid value first and a hostile one later, inherited keys), or
 * anything, or undefined. `plain`: the call sees `o`'s keys as they are.
 */
function disguise(rng: Rng, o: Record<string, unknown>, valid: Record<string, (r: Rng) => unknown>): { value: unknown; plain: boolean } {
  switch (rng.int(20)) {
    case 0:
      return { value: tag(Object.freeze(o), `frozen ${show(o)}`), plain: true };
    case 1:
      return { value: tag(new Proxy(o, {}), `Proxy(${show(o)})`), plain: true };
    case 2:
      return { value: throwingGetter(o, rng.pick([...Object.keys(o), 'x'])), plain: false };
    case 3:
    case 4: {
      const key = rng.pick(Object.keys(valid));
      return { value: shiftingGetter(o, key, valid[key](rng), hostile(rng), 1 + rng.int(2)), plain: false };
    }
    case 5:
      return { value: hostile(rng), plain: false };
    case 6:
      return { value: undefined, plain: false };
    case 7: {
      const key = rng.pick(Object.keys(valid));
      return { value: tag(Object.setPrototypeOf({ ...o }, { [key]: hostile(rng) }) as object, `${show(o)} with an inherited ${key}`), plain: false };
    }
    default:
      return { value: o, plain: true };
  }
}

const isText = (v: unknown) => typeof v === 'string';
const isName = (v: unknown) => typeof v === 'string' && v !== '';
const isBool = (v: unknown) => typeof v === 'boolean';
const intIn = (lo: number, hi: number) => (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= lo && v <= hi;
const isColumn = (v: unknown) => isName(v) || intIn(0, Number.MAX_SAFE_INTEGER)(v);

/** A non-empty array or typed array (not a Proxy, DataView or BigInt array) of finite numbers, no getters. */
function finiteList(v: unknown): boolean {
  if (types.isProxy(v) || !(Array.isArray(v) || (types.isTypedArray(v) && !types.isBigInt64Array(v) && !types.isBigUint64Array(v)))) return false;
  const a = v as ArrayLike<unknown>;
  if (a.length === 0) return false;
  for (let i = 0; i < a.length; i++) {
    const d = Array.isArray(a) ? Object.getOwnPropertyDescriptor(a, i) : { value: a[i] };
    if (!d || !('value' in d) || typeof d.value !== 'number' || !Number.isFinite(d.value)) return false;
  }
  return true;
}

/** Class indices in [0, classes): a non-empty array or number typed array, no getters. */
function indexList(v: unknown, classes: number): boolean {
  return finiteList(v) && Array.from(v as ArrayLike<number>).every((c) => Number.isInteger(c) && c >= 0 && c < classes);
}

/** A number array: finite numbers of several magnitudes, as an array or a typed array. */
function finiteNumbers(rng: Rng, n: number): number[] {
  const scale = rng.pick([1, 1e-300, 1e-200, 1e200, 1e300, 1.7e308, 2 ** 53]);
  return Array.from({ length: n }, () => {
    if (rng.chance(0.1)) return rng.pick([0, -0, Number.MIN_VALUE, 1.7e308, -1.7e308, 0.1]);
    return (rng.next() - 0.5) * 2 * scale;
  });
}

/** `a` (a fresh array) with element `i` read through a getter that answers `first` once, then `later`. */
function withShiftingElement(a: unknown[], i: number, later: unknown): unknown[] {
  return shiftingGetter(a, i, a[i], later, 1);
}

/** Close enough: equal, or within `rel` of the larger magnitude of the values it came from. */
function near(got: number, want: number, scale: number, rel = 1e-9): boolean {
  if (Object.is(got, want)) return true;
  return Number.isFinite(got) && Number.isFinite(want) && Math.abs(got - want) <= rel * Math.max(scale, Number.MIN_VALUE * 1e10);
}

// ---------------------------------------------------------------------------------------------------------
// Tests.

describe('fuzzed calls of the report, data and experiment helpers', () => {
  it('toCsv, toMarkdown, toPlainTable with random columns and rows', async () => {
    const g = new Group('tables');
    const rng = new Rng(SEED);
    const HEADERS = ['Name', 'acc|uracy', 'two\nlines', '精度', '👍🏽', 'a\\|b', 'é', '', ' ', '\r\n'];
    const CELLS: readonly (() => unknown)[] = [
      () => rng.pick(NUMBERS),
      () => rng.pick(['', 'x', 'a|b', 'c\\', 'line\nbreak', 'q"uote', 'comma,', '精度', '👨‍👩‍👧', '\u0301', '\t', '\u0000']),
      () => rng.pick([true, false, null, undefined]),
      () => hostile(rng),
    ];
    for (let k = 0; k < CASES.tables; k++) {
      g.caseId = String(k);
      let valid: boolean | undefined = true;
      const ncols = 1 + rng.int(4);
      const keys = Array.from({ length: ncols }, (_, i) => rng.pick([`k${i}`, `key ${i}`, `constructor${i}`, `__proto__${i}`]));
      const columns: unknown[] = keys.map((key, i) => {
        const c: Record<string, unknown> = { key, header: rng.pick(HEADERS) };
        if (rng.chance(0.3)) c.align = rng.pick(['left', 'right']);
        if (rng.chance(0.25)) c.format = tag((r: unknown) => (r !== null && typeof r === 'object' ? `<${typeof (r as Record<string, unknown>)[`x${i}`]}>` : 'none'), 'format');
        if (rng.chance(0.2)) c.csv = tag((r: unknown) => (r !== null && typeof r === 'object' ? 1.5 : null), 'csv');
        return c;
      });
      const nrows = rng.int(6);
      const rows: unknown[] = Array.from({ length: nrows }, () => Object.fromEntries(keys.map((key) => [key, rng.pick(CELLS)()])));
      // Rows may hold anything a caller has (numbers, objects, BigInts, symbols): their cells are the caller's values.
      const hostileCells = rows.some((r) => Object.values(r as object).some((v) => v !== null && (typeof v === 'object' || typeof v === 'symbol' || typeof v === 'function' || typeof v === 'bigint')));
      switch (rng.int(14)) {
        case 0: {
          const i = rng.int(ncols);
          const field = rng.pick(['key', 'header', 'align', 'format', 'csv']);
          (columns[i] as Record<string, unknown>)[field] = hostile(rng);
          const v = (columns[i] as Record<string, unknown>)[field];
          if (field === 'key') valid = typeof v === 'string' && v !== '' && !keys.some((x, j) => j !== i && x === v);
          else if (field === 'header') valid = typeof v === 'string';
          else if (field === 'align') valid = v === undefined || v === 'left' || v === 'right';
          else valid = v === undefined || typeof v === 'function';
          if (typeof v === 'function' && (field === 'format' || field === 'csv')) valid = undefined; // a hostile function's results are its own
          break;
        }
        case 1:
          columns[rng.int(ncols)] = hostile(rng);
          valid = false;
          break;
        case 2:
          columns.length += 1; // a hole at the end
          valid = false;
          break;
        case 3:
          if (nrows > 0) {
            delete rows[rng.int(nrows)]; // a hole among the rows
            valid = false;
          }
          break;
        case 4:
          if (nrows > 0) rows[rng.int(nrows)] = hostile(rng); // a row that is not an object: its cells are empty
          break;
        case 5:
          if (nrows > 0) throwingGetter(rows[rng.int(nrows)] as object, rng.pick(keys));
          valid = undefined; // refused or not, as the columns read the row
          break;
        case 6:
          if (ncols > 1) {
            (columns[1] as Record<string, unknown>).key = keys[0]; // a duplicate key
            valid = false;
          }
          break;
        default:
          break;
      }
      const colsArg: unknown = rng.chance(0.05) ? hostile(rng) : columns;
      const rowsArg: unknown = rng.chance(0.05) ? hostile(rng) : rows;
      if (colsArg !== columns) valid = false;
      else if (rowsArg !== rows) valid = isArrayNoThrow(rowsArg) && !types.isProxy(rowsArg) ? undefined : false;
      const args = `${show(colsArg)}, ${show(rowsArg)}`;
      const lines = (s: string) => s.split('\n').slice(0, -1);
      const nout = isArrayNoThrow(rowsArg) ? rowsArg.length : -1;
      const keysNow = () => columns.map((c) => (c !== null && typeof c === 'object' && !types.isProxy(c) ? Object.getOwnPropertyDescriptor(c, 'key')?.value : undefined));
      const accepted = () => (valid === false ? 'invalid columns or rows were accepted' : undefined);
      await g.probe('toMarkdown', args, () => toMarkdown(colsArg as Column<unknown>[], rowsArg as unknown[]), (s) => {
        if (typeof s !== 'string' || !s.endsWith('\n')) return `not a newline-ended string: ${show(s)}`;
        const ls = lines(s);
        if (ls.length !== nout + 2) return `the wrong number of lines: ${ls.length} for ${nout} rows`;
        for (const l of ls) {
          let pipes = 0;
          for (let i = 0; i < l.length; i++) {
            if (l[i] === '\\') i++;
            else if (l[i] === '|') pipes++;
          }
          if (pipes !== ncols + 1) return `a line with the wrong number of cell borders: ${pipes} for ${ncols} columns in ${JSON.stringify(l.slice(0, 80))}`;
        }
        return accepted();
      }, [colsArg, rowsArg]);
      await g.probe('toPlainTable', args, () => toPlainTable(colsArg as Column<unknown>[], rowsArg as unknown[]), (s) => {
        if (typeof s !== 'string' || !s.endsWith('\n')) return `not a newline-ended string: ${show(s)}`;
        const ls = lines(s);
        if (ls.length !== nout + 2) return `the wrong number of lines: ${ls.length} for ${nout} rows`;
        if (!/^-+( {2}-+)*$/.test(ls[1])) return `a malformed rule line: ${JSON.stringify(ls[1])}`;
        return accepted();
      }, [colsArg, rowsArg]);
      await g.probe('toCsv', args, () => toCsv(colsArg as Column<unknown>[], rowsArg as unknown[]), (s) => {
        if (typeof s !== 'string') return `not a string: ${show(s)}`;
        const records = parseCsv(s, { relax_column_count: true }) as string[][];
        if (records.length !== nout + 1) return `the wrong number of records: ${records.length} for ${nout} rows`;
        if (records.some((r) => r.length !== ncols)) return `the wrong number of fields: a record of other than ${ncols}`;
        if (valid && !hostileCells && records[0].join('\u0001') !== keysNow().join('\u0001')) return `a header that is not the keys: ${records[0]} for ${keysNow()}`;
        return accepted();
      }, [colsArg, rowsArg]);
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.tables);
    expect(g.report()).toEqual([]);
  });

  it('mean, std, formatInt, formatPercent, classificationMetrics, withLabels', async () => {
    const g = new Group('stats');
    const rng = new Rng(SEED + 1);
    for (let k = 0; k < CASES.stats; k++) {
      g.caseId = String(k);
      switch (k % 5) {
        case 0: {
          // mean and std: finite numbers (checked against an independent, scaled computation) or something else.
          const values = finiteNumbers(rng, 1 + rng.int(8));
          let xs: unknown = values;
          let valid = true;
          let readOnce: number[] | undefined;
          switch (rng.int(9)) {
            case 0:
              xs = Float64Array.from(values);
              break;
            case 1:
              xs = Int32Array.from(values.map((v) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v)))));
              break;
            case 2: {
              const a = values.slice() as unknown[];
              a[rng.int(a.length)] = hostile(rng);
              xs = a;
              break;
            }
            case 3:
              // Read once, the element is its first answer: the values are `values` (a later answer is never seen).
              xs = withShiftingElement(values.slice(), rng.int(values.length), rng.pick([NaN, 'x', undefined, Infinity, 10n]));
              readOnce = values;
              break;
            case 4:
              xs = hostile(rng);
              break;
            default:
              break;
          }
          if (valid && !readOnce) valid = finiteList(xs);
          const finite = valid ? Array.from((readOnce ?? xs) as ArrayLike<number>) : [];
          const max = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const s = max === 0 ? 1 : max;
          const scaled = finite.map((v) => v / s);
          const m0 = scaled.reduce((a, v) => a + v, 0) / Math.max(1, scaled.length);
          const wantMean = m0 * s;
          const wantStd = finite.length < 2 ? 0 : Math.sqrt(scaled.reduce((a, v) => a + (v - m0) ** 2, 0) / (finite.length - 1)) * s;
          const args = show(xs);
          await g.probe('mean', args, () => mean(xs as number[]), (v) => {
            if (!valid) return `invalid values accepted: gave ${show(v)}`;
            return near(v, wantMean, max, 1e-12) ? undefined : `${v}, expected ${wantMean}`;
          }, [xs]);
          await g.probe('std', args, () => std(xs as number[]), (v) => {
            if (!valid) return `invalid values accepted: gave ${show(v)}`;
            if (!(v >= 0)) return `${v}`;
            return near(v, wantStd, max, 1e-9) ? undefined : `${v}, expected ${wantStd}`;
          }, [xs]);
          break;
        }
        case 1: {
          const n = rng.chance(0.7) ? rng.pick(NUMBERS) * (rng.chance(0.5) ? rng.next() : 1) : hostile(rng);
          const valid = typeof n === 'number' && Number.isFinite(n);
          await g.probe('formatInt', show(n), () => formatInt(n as number), (s) => {
            if (!valid) return `invalid ${show(n)} accepted`;
            if (!/^-?\d{1,3}(,\d{3})*$/.test(s) || s === '-0') return `no grouped integer: ${JSON.stringify(s.slice(0, 60))}`;
            return BigInt(s.replace(/,/g, '')) === BigInt(Math.round(n as number)) ? undefined : `${s.slice(0, 60)} for ${n}`;
          });
          const digits: unknown = rng.chance(0.7) ? undefined : rng.chance(0.6) ? rng.int(21) : hostile(rng);
          const dValid = digits === undefined || (typeof digits === 'number' && Number.isInteger(digits) && digits >= 0 && digits <= 20);
          await g.probe('formatPercent', `${show(n)}, ${show(digits)}`, () => formatPercent(n as number, digits as number), (s) => {
            if (!valid || !dValid) return `invalid arguments accepted: gave ${JSON.stringify(s.slice(0, 40))}`;
            if (!/^-?\d+(\.\d+)?%$/.test(s)) return `no percentage in digits: ${JSON.stringify(s.slice(0, 60))}`;
            const d = (digits as number | undefined) ?? 2;
            const want = (n as number) * 100;
            return Math.abs(want) < 1e15 && Math.abs(Number(s.slice(0, -1)) - want) > 10 ** -d + 1e-9 * Math.abs(want) ? `${s} for ${n}` : undefined;
          });
          break;
        }
        default: {
          // classificationMetrics and withLabels.
          const classes: unknown = rng.chance(0.85) ? 1 + rng.int(5) : rng.pick<unknown>([0, -1, 1.5, 64, 4097, 2 ** 53, NaN, '3', hostile(rng)]);
          const kc = typeof classes === 'number' && Number.isSafeInteger(classes) && classes >= 1 && classes <= 4096 ? classes : 0;
          const n = 1 + rng.int(10);
          const kk = Math.max(1, Math.min(kc || 3, 6));
          const t = Array.from({ length: n }, () => rng.int(kk));
          const p = Array.from({ length: n }, () => rng.int(kk));
          let actual: unknown = rng.chance(0.3) ? Int32Array.from(t) : t.slice();
          let predicted: unknown = rng.chance(0.3) ? Uint8Array.from(p) : p.slice();
          let valid = kc > 0;
          let shifted = false;
          switch (rng.int(10)) {
            case 0:
              predicted = p.slice(1);
              valid = false;
              break;
            case 1: {
              const a = t.slice() as unknown[];
              a[rng.int(n)] = rng.pick<unknown>([-1, kk, 0.5, NaN, '0', null, 10n, hostile(rng)]);
              actual = a;
              valid = false;
              break;
            }
            case 2:
              // Read once, the element is its first answer: the labels are `t` (a later answer is never seen).
              actual = withShiftingElement(t.slice(), rng.int(n), rng.pick<unknown>([kk + 5, -1, 'x', undefined]));
              shifted = true;
              break;
            case 3:
              predicted = hostile(rng);
              valid = false;
              break;
            case 4:
              actual = tag(new Proxy(t.slice(), {}), 'Proxy(array)');
              break;
            case 5:
              actual = [];
              predicted = [];
              valid = false;
              break;
            default:
              break;
          }
          // Judged independently of how the case was made (a hostile value may be a valid index); a Proxy of the array as the array.
          const av = types.isProxy(actual) || shifted ? t : actual;
          valid = kc > 0 && indexList(av, kc) && indexList(predicted, kc) && (av as ArrayLike<number>).length === (predicted as ArrayLike<number>).length;
          const tt = valid ? Array.from(av as ArrayLike<number>) : t;
          const pp = valid ? Array.from(predicted as ArrayLike<number>) : p;
          const args = `${show(actual)}, ${show(predicted)}, ${show(classes)}`;
          const r = await g.probe('classificationMetrics', args, () => classificationMetrics(actual as number[], predicted as number[], classes as number), (m) => {
            if (!valid) return 'invalid arguments accepted';
            const correct = tt.reduce((c, v, i) => c + Number(v === pp[i]), 0);
            if (m.samples !== tt.length || m.correct !== correct) return `${m.correct} of ${m.samples} correct, expected ${correct} of ${tt.length}`;
            for (const key of ['accuracy', 'balancedAccuracy', 'macroPrecision', 'macroRecall', 'macroF1'] as const) {
              if (!(m[key] >= 0 && m[key] <= 1)) return `${key} ${m[key]}`;
            }
            if (m.confusion.length !== kc || m.confusion.some((row) => row.length !== kc)) return `a confusion matrix of ${m.confusion.length} rows for ${kc} classes`;
            if (m.confusion.flat().reduce((a, b) => a + b, 0) !== tt.length) return 'confusion counts do not sum to the samples';
            for (const c of m.perClass) {
              for (const key of ['precision', 'recall', 'f1'] as const) if (!(c[key] >= 0 && c[key] <= 1)) return `perClass[${c.class}].${key} ${c[key]}`;
            }
            return undefined;
          }, [actual, predicted]);
          if (r.ok && valid) {
            const m = r.value;
            const labelsValid = Array.from({ length: kc }, (_, i) => rng.pick([`c${i}`, i * 10]));
            let labels: unknown = labelsValid;
            let lValid: boolean | undefined = true;
            switch (rng.int(6)) {
              case 0:
                labels = labelsValid.slice(0, Math.max(0, kc - 1));
                lValid = kc === 0;
                break;
              case 1:
                labels = hostile(rng);
                // Anything at all can still be kc strings and numbers (["X", 2] for 2 classes).
                lValid = labelList(labels, kc);
                break;
              case 2: {
                const a = labelsValid.slice() as unknown[];
                a[rng.int(a.length)] = hostile(rng);
                labels = a;
                lValid = a.every((v) => typeof v === 'string' || typeof v === 'number');
                break;
              }
              default:
                break;
            }
            const metrics: unknown = rng.chance(0.15) ? hostile(rng) : m;
            if (metrics !== m) lValid = false;
            await g.probe('withLabels', `metrics of ${kc} classes, ${show(labels)}`, () => withLabels(metrics as typeof m, labels as string[]), (w) => {
              if (lValid === false) return `invalid arguments accepted: perClass labels ${show(w.perClass?.map((c) => c.label))}`;
              if (lValid === undefined) return undefined;
              for (let c = 0; c < kc; c++) if (!Object.is(w.perClass[c].label, (labels as unknown[])[c])) return `a class labelled wrongly: ${c} as ${show(w.perClass[c].label)}`;
              return w.accuracy === m.accuracy ? undefined : 'the metrics changed';
            }, [labels, metrics]);
          }
        }
      }
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.stats);
    expect(g.report()).toEqual([]);
  });

  it('renderLineChart, renderFacetedLineChart, renderScalingChart', async () => {
    const g = new Group('charts');
    const rng = new Rng(SEED + 2);
    const TEXTS = ['accuracy', 'Epoch', 'a<b>&"c"', 'ünïcödé 精度', 'x'.repeat(300), 'tab\there', 'nul\u0000here', 'bell\u0007', 'constructor', 'toString', '__proto__'];
    // Values within the charts' bound of 1e300 (beyond it they are refused: test/model/api-findings.test.ts).
    const coord = () => (rng.chance(0.8) ? rng.next() * 10 : rng.pick([0, -0, 1e-300, 1e300, -1e300, 2 ** 53]));
    const points = (n: number) => Array.from({ length: n }, () => ({ x: coord(), y: coord() }));
    const series = (names: string[]) => Array.from({ length: 1 + rng.int(3) }, () => ({ name: rng.pick(names), points: points(1 + rng.int(5)), ...(rng.chance(0.3) ? { dash: rng.chance(0.5) } : {}) }));
    const svgProblem = (s: string): string | undefined => {
      if (typeof s !== 'string' || !s.startsWith('<svg') || !s.trimEnd().endsWith('</svg>')) return `not an SVG: ${show(s)}`;
      // In geometry only: a title may well read "NaN".
      const geometry = /\b(?:d|x|y|x1|x2|y1|y2|transform|width|height)="[^"]*(?:NaN|Infinity|undefined)/;
      const at = s.search(geometry);
      if (at >= 0) return `NaN, Infinity or undefined in the SVG's geometry: ...${s.slice(Math.max(0, at - 20), at + 80)}...`;
      // eslint-disable-next-line no-control-regex -- what XML 1.0 forbids
      const bad = s.search(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      if (bad >= 0) return `a character that XML forbids (U+${s.charCodeAt(bad).toString(16).padStart(4, '0')}) in the SVG`;
      return undefined;
    };
    const LINE_VALID: Record<string, (r: Rng) => unknown> = {
      title: (r) => r.pick(TEXTS),
      xTitle: (r) => r.pick(TEXTS),
      yTitle: (r) => r.pick(TEXTS),
      yDomain: (r) => (r.chance(0.5) ? [0, 1] : [-1e300, 1e300]),
      dashLabels: () => ['train', 'test'],
      width: (r) => r.pick([20, 100, 480]),
      height: (r) => r.pick([20, 100, 300]),
    };
    for (let k = 0; k < CASES.charts; k++) {
      g.caseId = String(k);
      const kind = k % 3;
      if (kind === 2) {
        const threads = [1, 2, 4, 8].slice(0, 1 + rng.int(4));
        const phase = (name: string) => ({ name, speedup: threads.map((t) => t * rng.next()), efficiency: threads.map(() => rng.next()) });
        const valid: Record<string, (r: Rng) => unknown> = {
          title: (r) => r.pick(TEXTS),
          threads: () => threads,
          phases: (r) => ['forward', 'backward', 'evolve'].slice(0, 1 + r.int(3)).map(phase),
          width: (r) => r.pick([20, 320]),
          height: (r) => r.pick([20, 260]),
        };
        const { o, tainted } = optionsObject(rng, valid, { title: isText, width: intIn(20, 10_000), height: intIn(20, 10_000) }, [0, 0, 0, 0, 1, 1, 2]);
        if (o.threads === undefined) o.threads = threads;
        if (o.phases === undefined) o.phases = [phase('forward')];
        if (!tainted && rng.chance(0.3)) (o.phases as { speedup: number[] }[])[0].speedup[0] = rng.pick([1e300, Number.MIN_VALUE, 2 ** 53]);
        const { value, plain } = disguise(rng, o, valid);
        const r = await g.probe('renderScalingChart', show(value), () => renderScalingChart(value as never), (s) => svgProblem(s) ?? (plain && tainted ? 'invalid options accepted' : undefined), [value]);
        if (!r.ok && plain && !tainted && r.error instanceof ValidationError) g.add('renderScalingChart', show(value), `valid options refused: ${describeError(r.error)}`);
        continue;
      }
      const names = ['set', 'npset', 'Dense-MLP', '<script>', 'constructor', '__proto__'];
      const valid: Record<string, (r: Rng) => unknown> = kind === 0 ? { ...LINE_VALID, series: () => series(names) } : {
        ...LINE_VALID,
        panels: (r) => ['lung', 'Yale', r.pick(['a|b', 'valueOf']), '精度'].slice(0, 1 + r.int(4)).map((title) => ({ title, series: series(names) })),
        columns: (r) => r.pick([1, 2, 3, 100]),
      };
      const accepts = {
        title: isText,
        xTitle: isName,
        yTitle: isName,
        width: intIn(20, 10_000),
        height: intIn(20, 10_000),
        columns: intIn(1, 100),
        yDomain: (v: unknown) => isArrayNoThrow(v) && v.length === 2 && Number.isFinite(v[0]) && Number.isFinite(v[1]) && v[0] < v[1],
      };
      const { o, tainted } = optionsObject(rng, valid, accepts, [0, 0, 0, 0, 1, 1, 2]);
      if (o.xTitle === undefined) o.xTitle = 'x';
      if (o.yTitle === undefined) o.yTitle = 'y';
      if (kind === 0 && o.series === undefined) o.series = series(names);
      if (kind === 1 && o.panels === undefined) o.panels = [{ title: 'p', series: series(names) }];
      const { value, plain } = disguise(rng, o, valid);
      const call = kind === 0 ? 'renderLineChart' : 'renderFacetedLineChart';
      const run = kind === 0 ? () => renderLineChart(value as never) : () => renderFacetedLineChart(value as never);
      const r = await g.probe(call, show(value), run, (s) => svgProblem(s) ?? (tainted && plain ? 'invalid options accepted' : undefined), [value]);
      if (!r.ok && plain && !tainted && r.error instanceof ValidationError) g.add(call, show(value), `valid options refused: ${describeError(r.error)}`);
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.charts);
    expect(g.report()).toEqual([]);
  });

  it('parseMat arguments, sparseToDense, denseData, Random, allocateTest, findPaperDataset, PAPER_DATASETS, METHOD_SPECS', async () => {
    const g = new Group('data');
    const rng = new Rng(SEED + 3);
    const lungBytes = HAVE_LUNG ? readFileSync(LUNG) : undefined;

    // The reference tables are frozen to the leaves, and every dataset is found by its names.
    const notFrozen = (v: unknown, path: string): string | undefined => {
      if (v === null || typeof v !== 'object') return undefined;
      if (!Object.isFrozen(v)) return `${path} is not frozen`;
      for (const [key, x] of Object.entries(v)) {
        const bad = notFrozen(x, `${path}.${key}`);
        if (bad) return bad;
      }
      return undefined;
    };
    for (const [name, v] of [['PAPER_DATASETS', PAPER_DATASETS], ['METHOD_SPECS', METHOD_SPECS], ['METHODS', METHODS]] as const) {
      const bad = notFrozen(v, name);
      if (bad) g.add(name, '', bad);
    }
    for (const m of METHODS) if (!METHOD_SPECS[m]) g.add('METHOD_SPECS', m, 'no spec for a method of METHODS');

    for (let k = 0; k < CASES.data; k++) {
      g.caseId = String(k);
      switch (k % 6) {
        case 0: {
          // parseMat: a real file's bytes (or something else), a file name, options.
          const buffer: unknown = lungBytes && rng.chance(0.6) ? rng.pick<unknown>([lungBytes, new Uint8Array(lungBytes)]) : hostile(rng);
          const file: unknown = rng.chance(0.6) ? rng.pick([undefined, 'lung.mat']) : hostile(rng);
          const { o, tainted } = optionsObject(
            rng,
            { maxDenseBytes: (r) => r.pick([2 ** 30, 2 ** 20, 1]), maxInflatedBytes: (r) => r.pick([2 ** 31 - 1, 2 ** 20, 1]) },
            { maxDenseBytes: intIn(1, Number.MAX_SAFE_INTEGER), maxInflatedBytes: intIn(1, Number.MAX_SAFE_INTEGER) },
          );
          const options: unknown = rng.chance(0.3) ? undefined : rng.chance(0.9) ? o : hostile(rng);
          const fileValid = file === undefined || typeof file === 'string';
          await g.probe('parseMat', `${show(buffer)}, ${show(file)}, ${show(options)}`, () => parseMat(buffer as Uint8Array, file as string, options as never), (m) => {
            if (!fileValid) return `a file name that is no string accepted: ${show(file)}`;
            if (tainted && options === o) return 'invalid options accepted';
            if (!Array.isArray(m.variables) || m.variables.length === 0) return 'no variables';
            return undefined;
          }, [options]);
          break;
        }
        case 1: {
          // sparseToDense and denseData: a small sparse matrix, valid or with something wrong.
          const rows = rng.int(4);
          const cols = rng.int(4);
          const jc = [0];
          const ir: number[] = [];
          const pr: number[] = [];
          for (let j = 0; j < cols; j++) {
            for (let i = 0; i < rows; i++) {
              if (rng.chance(0.4)) {
                ir.push(i);
                pr.push(rng.chance(0.9) ? rng.next() * 10 - 5 : rng.pick([NaN, Infinity, -0, 1e308]));
              }
            }
            jc.push(ir.length);
          }
          const s: Record<string, unknown> = { rows, cols, ir: rng.chance(0.5) ? Int32Array.from(ir) : ir.slice(), jc: rng.chance(0.5) ? Int32Array.from(jc) : jc.slice(), pr: rng.chance(0.5) ? Float64Array.from(pr) : pr.slice() };
          let valid = true;
          switch (rng.int(8)) {
            case 0: {
              const key = rng.pick(['rows', 'cols', 'ir', 'jc', 'pr']);
              const before = s[key];
              s[key] = hostile(rng);
              // A hostile value can still describe a valid matrix: the very count it replaces (cols 0 for jc [0]),
              // or an empty list of row indices or values when there are no nonzeros.
              const v = s[key];
              const emptyList =
                (isArrayNoThrow(v) || (types.isTypedArray(v) && !types.isBigInt64Array(v) && !types.isBigUint64Array(v) && !isDetachedView(v))) &&
                (v as ArrayLike<unknown>).length === 0;
              // More rows than the row indices need is a valid matrix too (2^53 - 1 rows of no columns included);
              // only small ones are judged here, as the expected dense copy is rows x cols.
              const rowsFit = key === 'rows' && Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) * cols <= 4096 && ir.every((i) => i < (v as number));
              valid = (typeof before === 'number' && v === before) || rowsFit || (ir.length === 0 && (key === 'ir' || key === 'pr') && emptyList);
              break;
            }
            case 1:
              if (pr.length) {
                const a = pr.slice() as unknown[];
                a[rng.int(a.length)] = rng.pick<unknown>(['1', 'x', null, undefined, 10n, Symbol('v'), {}, [2]]);
                s.pr = a;
                valid = false;
              }
              break;
            case 2:
              if (pr.length) {
                s.pr = BigInt64Array.from(pr.map(() => 1n));
                valid = false;
              }
              break;
            case 3:
              // Read once, the value is its first answer: the matrix is still `pr`'s.
              if (pr.length) s.pr = withShiftingElement(pr.slice(), 0, 'later');
              break;
            default:
              break;
          }
          const wantRows = valid ? (s.rows as number) : rows;
          const want = new Float64Array(wantRows * cols);
          for (let j = 0; j < cols; j++) for (let q = jc[j]; q < jc[j + 1]; q++) want[j * wantRows + ir[q]] += pr[q];
          const limit = rng.pick([1, 8, 1024]);
          const options: unknown = rng.chance(0.7) ? undefined : rng.chance(0.5) ? { maxDenseBytes: limit } : hostile(rng);
          const limitOk = !(types.isProxy(options) === false && options !== null && typeof options === 'object' && 'maxDenseBytes' in options) || wantRows * cols * 8 <= limit;
          const same = (d: Float64Array) => {
            if (!types.isFloat64Array(d)) return `not a Float64Array: ${show(d)}`;
            if (!valid) return `an invalid sparse matrix accepted: gave ${show(Array.from(d))}`;
            if (!limitOk) return `accepted over the limit ${show(options)}`;
            if (d.length !== want.length || d.some((v, i) => !Object.is(v, want[i]) && !(v === 0 && want[i] === 0))) return `${show(Array.from(d))}, expected ${show(Array.from(want))}`;
            return undefined;
          };
          await g.probe('sparseToDense', `${show(s)}, ${show(options)}`, () => sparseToDense(s as never, options as never), same, [s]);
          const v: unknown = rng.pick<() => unknown>([
            () => ({ name: 'S', className: 'sparse', dims: [rows, cols], complex: false, sparse: s }),
            () => ({ name: 'D', className: 'double', dims: [rows, cols], complex: false, data: want }),
            () => ({ name: 'C', className: 'char', dims: [1, 2], complex: false, text: 'ab' }),
            () => ({ name: 'W', className: 'double', dims: [1, 1], complex: false, data: hostile(rng) }),
            () => hostile(rng),
          ])();
          await g.probe('denseData', `${show(v)}, ${show(options)}`, () => denseData(v as never, options as never), (d) => {
            if (!types.isFloat64Array(d)) return `not a Float64Array: ${show(d)}`;
            const o = v as Record<string, unknown>;
            if (o.sparse !== undefined) return same(d);
            return d === o.data ? undefined : 'not the variable\'s data';
          }, [v]);
          break;
        }
        case 2: {
          // Random and createRandom: seeds, determinism, every method.
          const seed: unknown = rng.chance(0.5) ? rng.pick([0, 1, -1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), undefined, -0]) : hostile(rng);
          const sValid = seed === undefined || (typeof seed === 'number' && Number.isSafeInteger(seed));
          const make = rng.chance(0.5) ? () => new Random(seed as number) : () => createRandom(seed as number);
          const r = await g.probe('new Random', show(seed), make, (x) => (sValid ? (x instanceof Random ? undefined : show(x)) : `seed ${show(seed)} accepted`));
          if (!r.ok || !(r.value instanceof Random)) break;
          const a = r.value;
          const b = new Random(seed as number);
          const seq = [a.nextUint32(), a.nextFloat(), a.normal(), a.normal(), a.nextInt(7)];
          const again = [b.nextUint32(), b.nextFloat(), b.normal(), b.normal(), b.nextInt(7)];
          if (seq.some((v, i) => !Object.is(v, again[i]))) g.add('Random', show(seed), `not deterministic: ${seq} vs ${again}`);
          if (!(Number.isInteger(seq[0]) && seq[0] >= 0 && seq[0] < 2 ** 32)) g.add('Random.nextUint32', show(seed), `${seq[0]}`);
          if (!(seq[1] >= 0 && seq[1] < 1)) g.add('Random.nextFloat', show(seed), `${seq[1]}`);
          if (!Number.isFinite(seq[2]) || !Number.isFinite(seq[3])) g.add('Random.normal', show(seed), `${seq[2]}, ${seq[3]}`);
          const n: unknown = rng.chance(0.5) ? rng.pick([1, 2, 3, 1000, 2 ** 32]) : hostile(rng);
          const nValid = typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 2 ** 32;
          await g.probe('Random.nextInt', show(n), () => a.nextInt(n as number), (x) => (nValid ? (Number.isInteger(x) && x >= 0 && x < (n as number) ? undefined : `${x}`) : `n ${show(n)} accepted`));
          const items = Array.from({ length: rng.int(8) }, (_, i) => i * 3);
          const arr: unknown = rng.pick<() => unknown>([
            () => items.slice(),
            () => Float32Array.from(items),
            () => Int32Array.from(items),
            () => tag(new Proxy(items.slice(), {}), 'Proxy(array)'),
            () => tag(Object.freeze(items.slice()), `frozen ${show(items)}`),
            () => ({ length: rng.pick([2, 2 ** 40, -1, NaN, Infinity, '3']) }),
            () => 'abc',
            () => hostile(rng),
          ])();
          const aValid = isArrayNoThrow(arr) ? !Object.isFrozen(arr) || arr.length < 2 : types.isTypedArray(arr) && !isDetachedView(arr);
          const multiset = (x: unknown) => Array.from(x as ArrayLike<unknown>, (v) => show(v)).sort().join('|');
          const before = aValid ? multiset(arr) : '';
          await g.probe('Random.shuffle', show(arr), () => a.shuffle(arr as number[]), (x) => {
            if (!aValid) return `an argument that is no mutable array accepted: ${show(arr)}`;
            if (x !== arr) return 'not the same array';
            return multiset(x) === before ? undefined : `not a permutation: ${multiset(x).slice(0, 80)}`;
          });
          break;
        }
        case 3: {
          // allocateTest: class sizes, a test size, whether singletons may go.
          const counts = Array.from({ length: 1 + rng.int(5) }, () => rng.pick([0, 1, 1, 2, 3, 5, 10]));
          let c: unknown = rng.chance(0.3) ? Int32Array.from(counts) : counts.slice();
          let cValid = true;
          let shiftedCounts = false;
          switch (rng.int(8)) {
            case 0: {
              const a = counts.slice() as unknown[];
              a[rng.int(a.length)] = hostile(rng);
              c = a;
              cValid = a.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 2 ** 31 - 1);
              break;
            }
            case 1:
              // Judged by what it is: a hostile value may be a typed array of valid sizes.
              c = hostile(rng);
              cValid =
                !types.isProxy(c) &&
                (Array.isArray(c) || (types.isTypedArray(c) && !types.isBigInt64Array(c) && !types.isBigUint64Array(c) && (c as Uint8Array).byteLength > 0)) &&
                Array.from(c as ArrayLike<unknown>).every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 2 ** 31 - 1);
              break;
            case 2:
              // Read once, the size is its first answer: the sizes are `counts` (a later answer, even 'x', is never seen).
              c = withShiftingElement(counts.slice(), 0, rng.pick<unknown>([2 ** 31, -1, 1e9, 2 ** 31 - 1, 'x']));
              shiftedCounts = true;
              break;
            case 3:
              c = new DataView(new ArrayBuffer(8));
              cValid = false;
              break;
            default:
              break;
          }
          const vals = cValid ? Array.from((shiftedCounts ? counts : c) as ArrayLike<number>) : [];
          const n = vals.reduce((a, b) => a + b, 0);
          const singles: unknown = rng.chance(0.6) ? undefined : rng.chance(0.5) ? rng.chance(0.5) : hostile(rng);
          const may = singles === undefined ? true : singles;
          const cap = vals.map((m) => (m >= 2 ? m - 1 : may === true ? m : 0));
          const capacity = cap.reduce((a, b) => a + b, 0);
          const testSize: unknown = rng.chance(0.75) ? rng.int(n + 2) : hostile(rng);
          const othersValid = cValid && typeof testSize === 'number' && Number.isSafeInteger(testSize) && testSize >= 0 && testSize <= capacity;
          const valid = othersValid && (singles === undefined || typeof singles === 'boolean');
          await g.probe('allocateTest', `${show(c)}, ${show(testSize)}, ${show(singles)}`, () => allocateTest(c as number[], testSize as number, singles as boolean), (alloc) => {
            if (!valid) return othersValid ? `a singletonsMayGo that is no boolean accepted: ${show(singles)}` : `invalid arguments accepted: gave ${show(alloc)}`;
            if (!types.isInt32Array(alloc) || alloc.length !== vals.length) return show(alloc);
            if (alloc.reduce((a, b) => a + b, 0) !== testSize) return `${alloc} does not sum to ${testSize}`;
            return alloc.every((x, i) => x >= 0 && x <= cap[i]) ? undefined : `${alloc} beyond the capacities ${cap}`;
          }, [c]);
          break;
        }
        default: {
          // findPaperDataset: names that must find their dataset, others that must not.
          const d = rng.pick(PAPER_DATASETS);
          const variants = [d.key, d.file, d.displayName, d.key.toUpperCase(), `/some/dir/${d.file}`, `C:\\data\\${d.file}`, `  ${d.displayName} `, d.key.replace(/_/g, '-')];
          const name: unknown = rng.chance(0.5) ? rng.pick(variants) : rng.chance(0.5) ? rng.pick([`${d.key}x`, `${d.key}.csv`, '', 'lung_', '.mat', '/', '__proto__', 'constructor']) : hostile(rng);
          const expected = typeof name === 'string' && variants.includes(name) ? d : undefined;
          await g.probe('findPaperDataset', show(name), () => findPaperDataset(name as string), (x) => {
            if (x !== undefined && !PAPER_DATASETS.includes(x)) return `not an entry of PAPER_DATASETS: ${show(x)}`;
            if (expected && x !== expected) return `${show(x?.key)}, expected ${d.key}`;
            if (typeof name !== 'string' && x !== undefined) return `${x.key} for a non-string`;
            return undefined;
          }, [name]);
        }
      }
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.data);
    expect(g.report()).toEqual([]);
  });

  it('splitAndStandardize and prepareData with random options', async () => {
    const g = new Group('split');
    const rng = new Rng(SEED + 4);
    const base = makeSyntheticDataset({ samples: 30, features: 4, classes: 3, seed: 5 });
    const fraction = (v: unknown) => typeof v === 'number' && v > 0 && v < 1;
    const SPLIT_ACCEPTS = { testFraction: fraction, validationFraction: fraction, seed: intIn(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) };
    const SPLIT_VALID: Record<string, (r: Rng) => unknown> = {
      testFraction: (r) => r.pick([0.2, 1 / 3, 0.5]),
      validationFraction: (r) => r.pick([0.1, 0.25]),
      seed: (r) => r.pick([0, 1, 7, -3, 2 ** 40]),
    };
    const counts = (d: Dataset) => {
      const c = new Array<number>(d.classes).fill(0);
      for (const v of d.y) c[v]++;
      return c;
    };
    /** What is wrong with prepared data from a dataset of `n` samples with class sizes `want`. */
    const partitionProblem = (p: PreparedData, n: number, want: number[] | undefined, features: number) => {
      const parts = [p.train, p.test, ...(p.validation ? [p.validation] : [])];
      const bad = parts.map((d) => badDataset(d)).find((x) => x);
      if (bad) return bad;
      if (parts.reduce((a, d) => a + d.samples, 0) !== n) return `${parts.map((d) => d.samples).join(' + ')} samples of ${n}`;
      if (p.features !== features || parts.some((d) => d.features !== features)) return `${p.features} features, expected ${features}`;
      if (want) {
        const got = parts.map(counts).reduce((a, c) => a.map((x, i) => x + c[i]));
        if (got.join() !== want.join()) return `class sizes ${got}, expected ${want}`;
      }
      return undefined;
    };
    for (let k = 0; k < CASES.split; k++) {
      g.caseId = String(k);
      if (k % 2 === 0) {
        let d: Record<string, unknown> = { ...base, X: base.X.slice(), y: base.y.slice(), labels: base.labels.slice() };
        let dValid: boolean | undefined = true;
        switch (rng.int(10)) {
          case 0:
            d.samples = base.samples + rng.pick([-5, 5]);
            dValid = false;
            break;
          case 1:
            d.y = Int32Array.from(base.y, (v, i) => (i === 0 ? base.classes + 1 : v));
            dValid = false;
            break;
          case 2:
            d[rng.pick(['X', 'y', 'name', 'classes', 'labels', 'features'])] = hostile(rng);
            dValid = undefined;
            break;
          case 3:
            d = throwingGetter(d, rng.pick(['X', 'y', 'samples']));
            dValid = false;
            break;
          case 4:
            d = tag(Object.freeze(d), 'frozen dataset 30x4');
            break;
          case 5:
            d.X = Float32Array.from(base.X, (v, i) => (i === 7 ? rng.pick([NaN, Infinity]) : v));
            dValid = false;
            break;
          case 6:
            d.labels = rng.pick([[2, 1, 0], [0, 0, 1], [0, NaN, 2], ['a', 'b', 'c']]);
            dValid = false;
            break;
          default:
            break;
        }
        const consistent = (() => {
          try {
            validateDataset(d as unknown as Dataset);
            return true;
          } catch {
            return false;
          }
        })();
        const dataArg: unknown = rng.chance(0.06) ? hostile(rng) : d;
        const { o, tainted } = optionsObject(rng, SPLIT_VALID, SPLIT_ACCEPTS, [0, 0, 0, 1, 1, 2]);
        const { value, plain } = disguise(rng, o, SPLIT_VALID);
        await g.probe('splitAndStandardize', `${dataArg === d ? `dataset 30x4 ${show(d)}` : show(dataArg)}, ${show(value)}`, () => splitAndStandardize(dataArg as Dataset, value as never), (p) => {
          if (dataArg !== d || !consistent || dValid === false) return 'an invalid dataset was accepted';
          if (plain && tainted) return 'invalid options accepted';
          return partitionProblem(p, base.samples, counts(base), base.features);
        }, [dataArg, value]);
      } else {
        const FILES = [
          ...(HAVE_LUNG ? [LUNG, LUNG] : []),
          ...(HAVE_YALE ? [YALE] : []),
          CSV_PREPARE,
          CSV_PREPARE,
          join(dir, 'missing.mat'),
          join(dir, 'missing.csv'),
          dir,
          SUBDIR,
          '/dev/null',
          `${CSV_PREPARE}/`,
          `${CSV_PREPARE}\u0000.csv`,
          '',
        ];
        const PREPARE_VALID: Record<string, (r: Rng) => unknown> = {
          ...SPLIT_VALID,
          file: (r) => r.pick(FILES),
          labelColumn: (r) => r.pick(['cls', 2, 'CLS']),
          csvHeader: () => true,
          matX: () => 'X',
          matY: () => 'Y',
        };
        const accepts = { ...SPLIT_ACCEPTS, file: () => false, labelColumn: isColumn, csvHeader: isBool, matX: isName, matY: isName };
        const { o, tainted } = optionsObject(rng, PREPARE_VALID, accepts, [0, 0, 0, 1, 1, 2]);
        if (!('file' in o) && rng.chance(0.8)) o.file = rng.pick(FILES);
        const file = o.file;
        const { value, plain } = disguise(rng, o, PREPARE_VALID);
        const expected = file === LUNG ? { n: 73, features: 325 } : file === YALE ? { n: 165, features: 1024 } : file === CSV_PREPARE ? { n: 12, features: 2 } : file === undefined ? undefined : null;
        await g.probe('prepareData', show(value), () => prepareData(value as never), (p) => {
          if (!plain) return undefined;
          if (expected === null) return `read ${show(file)}`;
          if (tainted) return 'invalid options accepted';
          return expected ? partitionProblem(p, expected.n, undefined, expected.features) : partitionProblem(p, p.train.samples + p.test.samples + (p.validation?.samples ?? 0), undefined, p.features);
        }, [value]);
      }
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.split);
    expect(g.report()).toEqual([]);
  });

  it('loadCsvDataset, loadCsvFeatures, loadMatDataset, loadMatFeatures with hostile options and paths', async () => {
    const g = new Group('loaders');
    const rng = new Rng(SEED + 5);
    const PATHS: readonly unknown[] = ['', dir, SUBDIR, '/dev/null', join(dir, 'none.csv'), `${CSV_DATA}\u0000`, `${CSV_DATA}/`, 42, null, Symbol('p'), new URL(`file://${CSV_DATA}`), Buffer.from(CSV_DATA), ['a.csv']];
    const LOADERS = [
      { call: 'loadCsvDataset', file: CSV_DATA, run: loadCsvDataset, valid: { label: (r: Rng) => r.pick(['label', 2, 'LABEL']), header: () => true, delimiter: () => ',', maxDenseBytes: () => 1 << 20, maxFileBytes: () => 1 << 20 }, shape: [3, 2] },
      { call: 'loadCsvFeatures', file: CSV_FEATURES, run: loadCsvFeatures, valid: { header: () => true, delimiter: () => ',', maxDenseBytes: () => 1 << 20, maxFileBytes: () => 1 << 20 }, shape: [2, 3] },
      ...(HAVE_LUNG
        ? [
            { call: 'loadMatDataset', file: LUNG, run: loadMatDataset, valid: { x: () => 'X', y: () => 'Y', maxDenseBytes: () => 2 ** 30 }, shape: [73, 325] },
            { call: 'loadMatFeatures', file: LUNG, run: loadMatFeatures, valid: { x: () => 'X', maxDenseBytes: () => 2 ** 30 }, shape: [73, 325] },
          ]
        : []),
    ] as const;
    for (let k = 0; k < CASES.loaders; k++) {
      g.caseId = String(k);
      const l = LOADERS[k % LOADERS.length];
      const valid = l.valid as Record<string, (r: Rng) => unknown>;
      // What else would be valid for these files: the label column's other names, the limits above their sizes.
      const accepts = {
        label: (v: unknown) => v === 'label' || v === 'LABEL' || v === 2,
        header: (v: unknown) => v === true,
        delimiter: (v: unknown) => v === ',',
        maxDenseBytes: intIn(1 << 20, Number.MAX_SAFE_INTEGER),
        maxFileBytes: intIn(1 << 20, Number.MAX_SAFE_INTEGER),
        // Features alone may come from Y too: 73 samples of one feature.
        x: (v: unknown) => v === 'X' || (l.call === 'loadMatFeatures' && v === 'Y'),
        y: (v: unknown) => v === 'Y',
      };
      const { o, tainted } = optionsObject(rng, valid, accepts, [0, 0, 0, 1, 1, 2]);
      const { value, plain } = disguise(rng, o, valid);
      const path: unknown = rng.chance(0.7) ? l.file : rng.pick(PATHS);
      const args = `${show(path)}, ${show(value)}`;
      const r = await g.probe(l.call, args, () => (l.run as (p: unknown, o: unknown) => Promise<Dataset>)(path, value), (d) => {
        if (path !== l.file) return `read ${show(path)}`;
        const bad = l.call.endsWith('Dataset') ? badDataset(d) : badFeatures(d);
        if (bad) return bad;
        if (!plain) return undefined;
        if (tainted) return 'invalid options accepted';
        const shape = o.x === 'Y' ? [l.shape[0], 1] : l.shape;
        return d.samples === shape[0] && d.features === shape[1] ? undefined : `${d.samples}x${d.features}, expected ${shape.join('x')}`;
      }, [value]);
      if (!r.ok && path === l.file && plain && !tainted && value !== undefined) g.add(l.call, args, `valid options refused: ${describeError(r.error)}`);
    }
    expect(g.calls).toBeGreaterThanOrEqual(CASES.loaders);
    expect(g.report()).toEqual([]);
  });
});

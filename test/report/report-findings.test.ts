/**
 * One test per finding of the fuzzing of the report and data helpers (test/report/public-api-fuzz.test.ts,
 * 2026-11-29): unchecked arguments, elements read twice, holes, cell values without a text, chart texts that
 * crash vega or break the SVG, and values that overflow a chart's scale.
 */
import { describe, expect, it } from 'vitest';
import {
  Random,
  ValidationError,
  allocateTest,
  classificationMetrics,
  denseData,
  formatPercent,
  makeSyntheticDataset,
  mean,
  parseMat,
  renderFacetedLineChart,
  renderLineChart,
  sparseToDense,
  splitAndStandardize,
  std,
  subset,
  toCsv,
  toMarkdown,
  toPlainTable,
  withLabels,
  type Column,
} from '../../lib';
import { detach } from '../helpers/hostile';

/** `a` with element `i` behind a getter that answers `first` once and `later` afterwards. */
function shifting<T>(a: T[], i: number, later: unknown): T[] {
  const first = a[i];
  let reads = 0;
  Object.defineProperty(a, i, { get: () => (reads++ === 0 ? first : later) });
  return a;
}

describe('metrics and statistics', () => {
  it('withLabels checks the metrics and one label per class', () => {
    const m = classificationMetrics([0, 1], [0, 1], 2);
    expect(() => withLabels(undefined as never, ['a', 'b'])).toThrow(ValidationError);
    expect(() => withLabels(m, ['a'])).toThrow(/an array of 2 labels \(one per class\) for labels but received an array of length 1/);
    expect(() => withLabels(m, 'ab' as never)).toThrow(/for labels but received "ab"/);
    expect(() => withLabels(m, ['a', {}] as never)).toThrow(/a string or a number for labels\[1\] but received an object/);
    expect(withLabels(m, ['a', 20]).perClass.map((c) => c.label)).toEqual(['a', 20]);
  });

  it('classificationMetrics, mean and std read each element once', () => {
    const m = classificationMetrics(shifting([0, 1, 1], 0, 5), [0, 1, 0], 2);
    expect(m.correct).toBe(2);
    expect(mean(shifting([1, 2, 3], 1, 'x'))).toBe(2);
    expect(std(shifting([1, 2, 3], 2, 10n))).toBe(1);
  });

  it('formatPercent writes huge fractions in digits, never Infinity or an exponent', () => {
    expect(formatPercent(1e21)).toBe('100000000000000000000000.00%');
    expect(formatPercent(-1e19, 0)).toBe('-1000000000000000000000%');
    expect(formatPercent(1e307)).toMatch(/^9{10}\d+\.00%$/);
    expect(formatPercent(0.8735)).toBe('87.35%');
  });
});

describe('tables', () => {
  const cols: Column<Record<string, unknown>>[] = [{ key: 'a', header: 'A' }];

  it('refuses holes in columns and rows, by index', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => toMarkdown([cols[0], ,] as never, [{ a: 1 }])).toThrow(/a column object for columns\[1\] but received undefined/);
    // eslint-disable-next-line no-sparse-arrays
    for (const render of [toMarkdown, toCsv, toPlainTable]) expect(() => render(cols, [, { a: 1 }] as never)).toThrow(/a row object for rows\[0\] but received undefined/);
  });

  it('a cell without an obvious text is refused by name; BigInts are written', () => {
    for (const render of [toMarkdown, toCsv, toPlainTable]) {
      expect(() => render(cols, [{ a: 1 }, { a: Symbol('s') }])).toThrow(/a string, number, boolean or null .* for rows\[1\]\.a but received Symbol\(s\)/);
      expect(() => render(cols, [{ a: Object.create(null) }])).toThrow(/for rows\[0\]\.a but received an object/);
    }
    expect(toCsv(cols, [{ a: 12345678901234567890n }])).toBe('a\n12345678901234567890\n');
    expect(toMarkdown(cols, [{ a: null }, { a: true }])).toContain('| true |');
  });
});

describe('charts', () => {
  const series = (name: string) => [{ name, points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }];

  it('texts that name Object.prototype properties render (vega took them for operators)', async () => {
    for (const t of ['constructor', 'toString', 'hasOwnProperty']) {
      const svg = await renderLineChart({ title: t, xTitle: t, yTitle: 'y', series: series(t) });
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(t);
    }
    const facets = await renderFacetedLineChart({ xTitle: 'x', yTitle: 'y', panels: [{ title: 'valueOf', series: series('a') }] });
    expect(facets).toContain('valueOf');
  });

  it('characters XML forbids become U+FFFD, so the SVG stays valid XML', async () => {
    const svg = await renderLineChart({ title: 'a\u0000b\u0007', xTitle: 'x\uD800', yTitle: 'y', series: series('s\u001f') });
    // eslint-disable-next-line no-control-regex -- what XML 1.0 forbids
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(svg).toContain('a\uFFFDb\uFFFD');
  });

  it('values beyond 1e300 are refused: the scale arithmetic would write NaN into the SVG', async () => {
    await expect(renderLineChart({ xTitle: 'x', yTitle: 'y', series: [{ name: 'a', points: [{ x: 0, y: 1.7e308 }] }] })).rejects.toThrow(
      /a finite number >= -1e\+300 and <= 1e\+300 for series\[0\]\.points\[0\]\.y but received 1\.7e\+308/,
    );
    const svg = await renderLineChart({ xTitle: 'x', yTitle: 'y', yDomain: [0, 1], series: [{ name: 'a', points: [{ x: 0, y: 0 }, { x: 1, y: 1e300 }] }] });
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});

describe('data helpers', () => {
  it('denseData and sparseToDense check what they are given', () => {
    expect(() => denseData(null as never)).toThrow(/a variable of a MAT-file .* for variable but received null/);
    expect(() => denseData({ name: 'X', className: 'double', dims: [1, 1], complex: false, data: 'oops' } as never)).toThrow(/a Float64Array .* for variable\.data but received "oops"/);
    const s = { rows: 2, cols: 1, ir: Int32Array.from([0, 1]), jc: Int32Array.from([0, 2]) };
    expect(() => sparseToDense({ ...s, pr: [null, 'x'] } as never)).toThrow(/a number for sparse matrix\.pr\[0\] but received null/);
    expect(() => sparseToDense({ ...s, pr: new BigInt64Array(2) } as never)).toThrow(/a Float64Array of values for sparse matrix\.pr/);
    expect(Array.from(sparseToDense({ ...s, pr: shifting([1.5, 2], 0, 'later') }))).toEqual([1.5, 2]);
  });

  it('Random.shuffle takes writable arrays and typed arrays only', () => {
    const r = new Random(1);
    for (const bad of [null, 'abc', { length: 3 }, 5, Object.freeze([1, 2, 3])]) {
      expect(() => r.shuffle(bad as never)).toThrow(/an array or typed array that can be written for array/);
    }
    expect(r.shuffle([1, 2, 3]).sort()).toEqual([1, 2, 3]);
  });

  it('allocateTest reads each size once and checks singletonsMayGo', () => {
    expect(() => allocateTest(new DataView(new ArrayBuffer(8)) as never, 0)).toThrow(/an array of class sizes for counts but received a DataView/);
    expect(() => allocateTest([1, 1], 2, 'no' as never)).toThrow(/a boolean for singletonsMayGo but received "no"/);
    // The getter's later 'x' would have made the seat loop spin forever.
    expect(Array.from(allocateTest(shifting([3, 2], 0, 'x'), 2))).toEqual([1, 1]);
  });

  it('a detached typed array is refused as a list of numbers, not read as an empty one', () => {
    const gone = () => detach(new Float64Array(0));
    expect(() => sparseToDense({ rows: 0, cols: 1, ir: gone(), jc: Int32Array.from([0, 0]), pr: new Float64Array(0) } as never)).toThrow(
      /an Int32Array of row indices for sparse matrix\.ir but received a Float64Array \(detached\)/,
    );
    expect(() => classificationMetrics(detach(Int32Array.from([0])), Int32Array.from([0]), 2)).toThrow(/an array of class indices .* \(detached\)/);
    const d = makeSyntheticDataset({ samples: 10, features: 2, classes: 2, seed: 1 });
    expect(() => subset(d, detach(Int32Array.from([0, 1])))).toThrow(/an array of sample indices for indices but received an Int32Array \(detached\)/);
  });

  it('parseMat checks the name it puts into messages', () => {
    expect(() => parseMat(new Uint8Array(10), Symbol('f') as never)).toThrow(/a string .* for file but received Symbol\(f\)/);
  });

  it('splitAndStandardize validates the whole dataset first, naming places in it', () => {
    const d = makeSyntheticDataset({ samples: 30, features: 4, classes: 3, seed: 5 });
    expect(() => splitAndStandardize({ ...d, y: d.y.map((v, i) => (i === 0 ? 7 : v)) })).toThrow(/a class index in \[0, 2\] for dataset\.y\[0\] but received 7/);
    expect(() => splitAndStandardize({ ...d, labels: [2, 1, 0] })).toThrow(/finite labels in strictly ascending order for dataset\.labels\[1\]/);
  });
});

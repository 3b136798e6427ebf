/**
 * Charts as SVG text, rendered in Node by vega-lite + vega's headless 'none' renderer: no browser,
 * no canvas, no installed fonts (text widths are estimated). All user text travels as data or
 * spec strings, so vega does the SVG escaping.
 */
import { ValidationError } from '../errors';
import { expectInteger, expectNumber, expectOptions, expectString, fail, rejectUnknownKeys } from '../validate';

/** A point of a line chart. */
export interface Point {
  x: number;
  y: number;
}

/** One line of a chart. Arrays may be readonly: the charts never change what they are given. */
export interface LineSeries {
  /** Legend entry; series that share a name share a colour (e.g. train and test of one method). */
  name: string;
  /** The points, joined in this order (at least one). */
  points: readonly Point[];
  /** Draw dashed, e.g. for test accuracy next to a solid train curve. @default false */
  dash?: boolean | undefined;
}

/** renderLineChart's options. */
export interface LineChartOptions {
  /** Title above the chart; none by default. */
  title?: string | undefined;
  xTitle: string;
  yTitle: string;
  /** The lines (at least one). */
  series: readonly LineSeries[];
  /** The y axis' range [min, max] (lines are clipped to it); by default it fits the data. */
  yDomain?: readonly [number, number] | undefined;
  /** Legend labels for solid and dashed lines, e.g. ['train', 'test']; without it no dash legend is drawn. */
  dashLabels?: readonly [string, string] | undefined;
  /** Width of the plot area in pixels (20 to 10000). @default 480 */
  width?: number | undefined;
  /** Height of the plot area in pixels (20 to 10000). @default 300 */
  height?: number | undefined;
}

/** renderFacetedLineChart's options: LineChartOptions' with `panels` for `series`. */
export interface FacetedLineChartOptions {
  /** Title above the panels; none by default. */
  title?: string | undefined;
  xTitle: string;
  yTitle: string;
  /** One panel per entry, in this order, with distinct titles (at least one). */
  panels: readonly { title: string; series: readonly LineSeries[] }[];
  /** Panels per row. @default 2 */
  columns?: number | undefined;
  /** The y axis' range [min, max], shared by the panels; by default it fits the data. */
  yDomain?: readonly [number, number] | undefined;
  /** Legend labels for solid and dashed lines, e.g. ['train', 'test']. */
  dashLabels?: readonly [string, string] | undefined;
  /** Width of one panel in pixels. @default 260 */
  width?: number | undefined;
  /** Height of one panel in pixels. @default 200 */
  height?: number | undefined;
}

/** renderScalingChart's options. */
export interface ScalingChartOptions {
  /** Title above the charts; none by default. */
  title?: string | undefined;
  /** Distinct thread counts (the x axis). */
  threads: readonly number[];
  /** One line per phase: its speedup and parallel efficiency at each thread count. */
  phases: readonly { name: string; speedup: readonly number[]; efficiency: readonly number[] }[];
  /** Width of each of the two charts in pixels. @default 320 */
  width?: number | undefined;
  /** Height of each of the two charts in pixels. @default 260 */
  height?: number | undefined;
}

// vega and vega-lite are ESM-only; under module node16 TypeScript keeps this import() as a real one.
type Libs = {
  vega: typeof import('vega', { with: { 'resolution-mode': 'import' } });
  vl: typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });
};
let libs: Promise<Libs> | undefined;
function loadLibs(): Promise<Libs> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}

/** Compile a vega-lite spec and render it headlessly to SVG. */
async function renderSpec(spec: Record<string, unknown>): Promise<string> {
  const { vega, vl } = await loadLibs();
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// ---- validation ------------------------------------------------------------------------------

/** The characters XML 1.0 forbids (controls but tab and line breaks, U+FFFE, U+FFFF, lone surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A text as the SVG can hold it: characters XML forbids become U+FFFD (the SVG would not parse), and a text that
 * names a property of Object.prototype ("constructor", "toString") gets a zero-width space in front, since
 * vega's runtime takes such a title for one of its operators and throws.
 */
function svgText(t: string): string {
  const clean = t.replace(NOT_XML, '\uFFFD');
  return Object.hasOwn(Object.prototype, clean) ? `\u200B${clean}` : clean;
}

/** A non-empty string for the chart, made safe for the SVG. */
function chartText(name: string, v: unknown): string {
  return svgText(expectString(name, v));
}

function optionalTitle(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail('a string', name, v);
  return svgText(v);
}

/** Chart values at most this large: beyond it, vega's scale arithmetic (spans, pixel positions) overflows to NaN. */
const MAX_CHART_VALUE = 1e300;
const chartValue = (name: string, v: unknown, min = -MAX_CHART_VALUE) => expectNumber(name, v, { min, max: MAX_CHART_VALUE });

function size(name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : expectInteger(name, v, { min: 20, max: 10_000 });
}

function yDomainOf(v: unknown): [number, number] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2) fail('an array [min, max]', 'yDomain', v);
  const lo = chartValue('yDomain[0]', v[0]);
  const hi = chartValue('yDomain[1]', v[1]);
  if (!(lo < hi)) fail(`a maximum greater than ${lo}`, 'yDomain[1]', hi);
  return [lo, hi];
}

function dashLabelsOf(v: unknown): [string, string] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2) fail('an array [solidLabel, dashedLabel]', 'dashLabels', v);
  const labels: [string, string] = [chartText('dashLabels[0]', v[0]), chartText('dashLabels[1]', v[1])];
  if (labels[0] === labels[1]) fail('two different labels', 'dashLabels', v);
  return labels;
}

function nonEmptyArray(name: string, v: unknown, what: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) fail(`a non-empty array of ${what}`, name, v);
  return v;
}

interface Row {
  panel: string;
  series: string;
  line: number; // one path per (panel, series) even when names repeat
  style: string; // legend text of the dash style
  x: number;
  y: number;
}

/** Validate a list of series and flatten it into data rows. `line` numbering continues across panels. */
function seriesRows(name: string, v: unknown, panel: string, firstLine: number, styles: [string, string]): Row[] {
  const rows: Row[] = [];
  nonEmptyArray(name, v, 'series').forEach((s, i) => {
    const sn = `${name}[${i}]`;
    const o = expectOptions(sn, s);
    rejectUnknownKeys(sn, o, ['name', 'points', 'dash']);
    const series = chartText(`${sn}.name`, o.name);
    if (o.dash !== undefined && typeof o.dash !== 'boolean') fail('a boolean', `${sn}.dash`, o.dash);
    const style = styles[o.dash === true ? 1 : 0];
    nonEmptyArray(`${sn}.points`, o.points, '{ x, y } points').forEach((p, k) => {
      const pn = `${sn}.points[${k}]`;
      if (p === null || typeof p !== 'object') fail('an { x, y } point', pn, p);
      const { x, y } = p as Record<string, unknown>;
      rows.push({ panel, series, line: firstLine + i, style, x: chartValue(`${pn}.x`, x), y: chartValue(`${pn}.y`, y) });
    });
  });
  return rows;
}

function uniqueNames(rows: Row[]): string[] {
  return [...new Set(rows.map((r) => r.series))];
}

// ---- specs -----------------------------------------------------------------------------------

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const STYLES: [string, string] = ['solid', 'dashed'];

/** The shared line layer: colour by series name (in the caller's order), dash by style. */
function lineEncoding(rows: Row[], o: { xTitle: string; yTitle: string; yDomain?: [number, number]; dashLabels?: [string, string] }) {
  return {
    x: { field: 'x', type: 'quantitative', title: o.xTitle, scale: { zero: false } },
    y: {
      field: 'y',
      type: 'quantitative',
      title: o.yTitle,
      scale: o.yDomain ? { domain: o.yDomain } : { zero: false },
    },
    color: { field: 'series', type: 'nominal', title: null, scale: { domain: uniqueNames(rows) } },
    strokeDash: {
      field: 'style',
      type: 'nominal',
      scale: { domain: o.dashLabels ?? STYLES, range: [[1, 0], [6, 4]] },
      legend: o.dashLabels ? { title: null } : null,
    },
    detail: { field: 'line', type: 'nominal' },
  };
}

function commonLineOptions(fn: string, opts: unknown, extra: string[]) {
  const o = expectOptions(fn, opts);
  rejectUnknownKeys(fn, o, ['title', 'xTitle', 'yTitle', 'yDomain', 'dashLabels', 'width', 'height', ...extra]);
  return {
    o,
    title: optionalTitle('title', o.title),
    xTitle: chartText('xTitle', o.xTitle),
    yTitle: chartText('yTitle', o.yTitle),
    yDomain: yDomainOf(o.yDomain),
    dashLabels: dashLabelsOf(o.dashLabels),
  };
}

/** One line chart: a line per series, coloured by name, optionally dashed. */
export async function renderLineChart(opts: LineChartOptions): Promise<string> {
  const c = commonLineOptions('renderLineChart options', opts, ['series']);
  const rows = seriesRows('series', c.o.series, '', 0, c.dashLabels ?? STYLES);
  return renderSpec({
    $schema: SCHEMA,
    ...(c.title !== undefined && { title: c.title }),
    width: size('width', c.o.width, 480),
    height: size('height', c.o.height, 300),
    data: { values: rows },
    mark: { type: 'line', clip: c.yDomain !== undefined },
    encoding: lineEncoding(rows, c),
  });
}

/** Small multiples: one panel per entry of `panels` (e.g. one per dataset), sharing axes and legend. */
export async function renderFacetedLineChart(opts: FacetedLineChartOptions): Promise<string> {
  const c = commonLineOptions('renderFacetedLineChart options', opts, ['panels', 'columns']);
  const columns = c.o.columns === undefined ? 2 : expectInteger('columns', c.o.columns, { min: 1, max: 100 });
  const rows: Row[] = [];
  const titles = new Set<string>();
  let lines = 0;
  nonEmptyArray('panels', c.o.panels, '{ title, series } panels').forEach((p, i) => {
    const o = expectOptions(`panels[${i}]`, p);
    rejectUnknownKeys(`panels[${i}]`, o, ['title', 'series']);
    const title = chartText(`panels[${i}].title`, o.title);
    // Panels are grouped by title, so two panels with one title would silently merge.
    if (titles.has(title)) {
      throw new ValidationError(`Expected unique panel titles for panels but received ${JSON.stringify(title)} twice`);
    }
    titles.add(title);
    const panelRows = seriesRows(`panels[${i}].series`, o.series, title, lines, c.dashLabels ?? STYLES);
    lines += (o.series as unknown[]).length;
    for (const r of panelRows) rows.push(r); // not push(...rows): a spread of 100,000s of points overflows the stack
  });
  return renderSpec({
    $schema: SCHEMA,
    // Composite charts anchor their title at the start by default; centre it like a single chart's.
    ...(c.title !== undefined && { title: { text: c.title, anchor: 'middle' } }),
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, sort: [...titles], header: { labelFontSize: 13 } },
    columns,
    spec: {
      width: size('width', c.o.width, 260),
      height: size('height', c.o.height, 200),
      mark: { type: 'line', clip: c.yDomain !== undefined },
      encoding: lineEncoding(rows, c),
    },
  });
}

/** Thread scaling: speedup (with the ideal y = x) and parallel efficiency, one line per phase. */
export async function renderScalingChart(opts: ScalingChartOptions): Promise<string> {
  const o = expectOptions('renderScalingChart options', opts);
  rejectUnknownKeys('renderScalingChart options', o, ['title', 'threads', 'phases', 'width', 'height']);
  const title = optionalTitle('title', o.title);
  const threads = nonEmptyArray('threads', o.threads, 'positive integers').map((t, i) =>
    expectInteger(`threads[${i}]`, t, { min: 1 }),
  );
  if (new Set(threads).size !== threads.length) fail('distinct thread counts', 'threads', o.threads);
  const IDEAL = 'ideal';
  const rows: { phase: string; threads: number; speedup: number; efficiency: number }[] = [];
  const names = new Set<string>();
  nonEmptyArray('phases', o.phases, '{ name, speedup, efficiency } phases').forEach((p, i) => {
    const po = expectOptions(`phases[${i}]`, p);
    rejectUnknownKeys(`phases[${i}]`, po, ['name', 'speedup', 'efficiency']);
    const name = chartText(`phases[${i}].name`, po.name);
    if (names.has(name) || name === IDEAL) fail('a unique phase name', `phases[${i}].name`, name);
    names.add(name);
    for (const key of ['speedup', 'efficiency'] as const) {
      const v = po[key];
      if (!Array.isArray(v) || v.length !== threads.length) {
        fail(`an array of ${threads.length} numbers (one per thread count)`, `phases[${i}].${key}`, v);
      }
    }
    threads.forEach((t, k) =>
      rows.push({
        phase: name,
        threads: t,
        speedup: chartValue(`phases[${i}].speedup[${k}]`, (po.speedup as unknown[])[k], 0),
        efficiency: chartValue(`phases[${i}].efficiency[${k}]`, (po.efficiency as unknown[])[k], 0),
      }),
    );
  });
  const width = size('width', o.width, 320);
  const height = size('height', o.height, 260);
  const x = { field: 'threads', type: 'quantitative', title: 'Threads', axis: { values: threads, format: 'd' } };
  // The ideal lines (speedup = threads, efficiency = 1) join the colour legend in grey, so the reader can tell what they are.
  const color = {
    field: 'phase',
    type: 'nominal',
    title: null,
    scale: { domain: [...names, IDEAL], range: [...palette(names.size), '#888888'] },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2 },
  };
  const ideal = { values: threads.map((t) => ({ phase: IDEAL, threads: t, speedup: t, efficiency: 1 })) };
  const idealMark = { type: 'line', strokeDash: [6, 4] };
  return renderSpec({
    $schema: SCHEMA,
    ...(title !== undefined && { title: { text: title, anchor: 'middle' } }),
    hconcat: [
      {
        title: 'Speedup',
        width,
        height,
        layer: [
          { data: ideal, mark: idealMark, encoding: { x, y: { field: 'speedup', type: 'quantitative', title: 'Speedup (×)' }, color } },
          {
            data: { values: rows },
            mark: { type: 'line', point: true },
            encoding: { x, y: { field: 'speedup', type: 'quantitative', title: 'Speedup (×)' }, color },
          },
        ],
      },
      {
        title: 'Parallel efficiency',
        width,
        height,
        layer: [
          { data: ideal, mark: idealMark, encoding: { x, y: { field: 'efficiency', type: 'quantitative', title: 'Efficiency' }, color } },
          {
            data: { values: rows },
            mark: { type: 'line', point: true },
            encoding: { x, y: { field: 'efficiency', type: 'quantitative', title: 'Efficiency' }, color },
          },
        ],
      },
    ],
  });
}

// vega's default 'tableau10' scheme, spelled out because the ideal line needs an explicit range entry.
const TABLEAU10 = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];
function palette(n: number): string[] {
  return Array.from({ length: n }, (_, i) => TABLEAU10[i % TABLEAU10.length]);
}

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import {
  type LineChartOptions,
  type LineSeries,
  renderFacetedLineChart,
  renderLineChart,
  renderScalingChart,
} from '../../lib/report/plot';

// ---- a small XML well-formedness check for SVG text (no XML parser among the dependencies) ----
const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);/g;
const NAME = '[A-Za-z_][\\w.:-]*';
const ATTRS = `(?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*`;
const TOKEN = new RegExp(`<!--[\\s\\S]*?-->|<\\?[\\s\\S]*?\\?>|<(/?)(${NAME})(${ATTRS})\\s*(/?)>|<|[^<]+`, 'g');

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

interface SvgSummary {
  /** Decoded text content of every <text> element. */
  texts: string[];
  /** Number of elements by tag name. */
  counts: Map<string, number>;
}

/** Fail unless `svg` is one balanced <svg> element with well-formed tags, attributes and entities. */
function checkSvg(svg: string): SvgSummary {
  expect(svg.startsWith('<svg')).toBe(true);
  const stack: string[] = [];
  const texts: string[] = [];
  const counts = new Map<string, number>();
  let roots = 0;
  let textBuffer: string | undefined;
  for (const m of svg.matchAll(TOKEN)) {
    const [tok, close, name, attrs, selfClose] = m;
    if (tok === '<') throw new Error(`Malformed tag at offset ${m.index}: ${svg.slice(m.index, m.index! + 60)}`);
    if (tok.startsWith('<!--') || tok.startsWith('<?')) continue;
    if (name === undefined) {
      // Character data: no bare '&', and only inside the root.
      if (stack.length === 0 && tok.trim()) throw new Error(`Text outside the root: ${tok.slice(0, 40)}`);
      if (tok.replace(ENTITY, '').includes('&')) throw new Error(`Unescaped & in text: ${tok.slice(0, 60)}`);
      if (textBuffer !== undefined) textBuffer += tok;
      continue;
    }
    if (attrs && attrs.replace(ENTITY, '').includes('&')) throw new Error(`Unescaped & in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      if (name === 'text' && textBuffer !== undefined) {
        texts.push(decode(textBuffer));
        textBuffer = undefined;
      }
      continue;
    }
    if (stack.length === 0) roots++;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (!selfClose) {
      stack.push(name);
      if (name === 'text') textBuffer = '';
    }
  }
  expect(stack, 'unclosed elements').toEqual([]);
  expect(roots).toBe(1);
  return { texts, counts };
}

const curve = (n: number, top: number): { x: number; y: number }[] =>
  Array.from({ length: n }, (_, i) => ({ x: i + 1, y: top * (1 - Math.exp(-(i + 1) / 5)) }));

const methods = (top: number): LineSeries[] => [
  { name: 'NPSET-MLP', points: curve(30, top) },
  { name: 'NPSET-MLP', points: curve(30, top - 0.1), dash: true },
  { name: 'SET-MLP', points: curve(30, top - 0.02) },
  { name: 'SET-MLP', points: curve(30, top - 0.12), dash: true },
  { name: 'Dense-MLP', points: curve(30, 1) },
  { name: 'Dense-MLP', points: curve(30, top - 0.2), dash: true },
];

/** Count the line paths vega drew: one <path> inside each line-mark group. */
function linePaths(svg: string): number {
  return svg.match(/<g class="mark-line role-mark[^"]*"[^>]*><path [^>]*\bd="M[^"]+"/g)?.length ?? 0;
}

describe('checkSvg (the test helper itself)', () => {
  it('accepts good SVG and rejects broken SVG', () => {
    expect(checkSvg('<svg a="1"><g><text>x &amp; y</text><path d="M0"/></g></svg>').texts).toEqual(['x & y']);
    expect(() => checkSvg('<svg><g></svg>')).toThrow();
    expect(() => checkSvg('<svg><text>a & b</text></svg>')).toThrow(/Unescaped &/);
    expect(() => checkSvg('<svg><text>a < b</text></svg>')).toThrow(/Malformed/);
    expect(() => checkSvg('<svg></svg><svg></svg>')).toThrow();
    expect(() => checkSvg('<?xml version="1.0"?><svg></svg>')).toThrow();
  });
});

describe('renderLineChart', () => {
  it('renders well-formed SVG with titles, legend entries and one path per series', async () => {
    const svg = await renderLineChart({
      title: 'Accuracy <per> epoch & "seed"',
      xTitle: 'Epoch',
      yTitle: 'Accuracy [%]',
      series: methods(0.9),
      yDomain: [0, 1],
      dashLabels: ['train', 'test'],
    });
    const { texts, counts } = checkSvg(svg);
    for (const t of ['Accuracy <per> epoch & "seed"', 'Epoch', 'Accuracy [%]', 'NPSET-MLP', 'SET-MLP', 'Dense-MLP', 'train', 'test']) {
      expect(texts, t).toContain(t);
    }
    expect(counts.get('path')).toBeGreaterThanOrEqual(6);
    expect(linePaths(svg)).toBe(6);
    expect(svg).toContain('stroke-dasharray="6,4"');
  });

  it('draws no dash legend without dashLabels, and sizes the plot as asked', async () => {
    const svg = await renderLineChart({ xTitle: 'x', yTitle: 'y', series: [{ name: 'only', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }], width: 200, height: 100 });
    const { texts } = checkSvg(svg);
    expect(texts).toContain('only');
    expect(texts).not.toContain('solid');
    expect(linePaths(svg)).toBe(1);
    expect(svg).toContain('d="M0.5,0.5h200v100h-200Z"'); // the plot frame
  });

  it('rejects NaN, empty and malformed input with ValidationError', async () => {
    const ok: LineChartOptions = { xTitle: 'x', yTitle: 'y', series: [{ name: 's', points: [{ x: 0, y: 0 }] }] };
    const bad: [unknown, RegExp][] = [
      [{ ...ok, series: [] }, /non-empty array of series for series/],
      [{ ...ok, series: [{ name: 's', points: [] }] }, /series\[0\]\.points/],
      [{ ...ok, series: [{ name: 's', points: [{ x: 0, y: Number.NaN }] }] }, /Expected a finite number >= -1e\+300 and <= 1e\+300 for series\[0\]\.points\[0\]\.y but received NaN/],
      [{ ...ok, series: [{ name: '', points: [{ x: 0, y: 0 }] }] }, /series\[0\]\.name/],
      [{ ...ok, xTitle: '' }, /xTitle/],
      [{ ...ok, yDomain: [1, 0] }, /yDomain/],
      [{ ...ok, yDomain: [0, Number.NaN] }, /yDomain\[1\]/],
      [{ ...ok, width: -5 }, /width/],
      [{ ...ok, colour: 'red' }, /unknown option "colour"/],
      [undefined, /xTitle/],
    ];
    for (const [opts, msg] of bad) {
      await expect(renderLineChart(opts as LineChartOptions)).rejects.toThrow(ValidationError);
      await expect(renderLineChart(opts as LineChartOptions)).rejects.toThrow(msg);
    }
  });
});

describe('renderFacetedLineChart', () => {
  it('renders one panel per dataset with shared legend (Figure 2 layout)', async () => {
    const panels = ['Lung-discrete', 'Yale', 'madelon', 'PCMAC'].map((title, i) => ({ title, series: methods(0.9 - i * 0.05) }));
    const svg = await renderFacetedLineChart({
      title: 'Learning curves',
      xTitle: 'Epoch',
      yTitle: 'Accuracy',
      panels,
      yDomain: [0, 1],
      dashLabels: ['train', 'test'],
    });
    const { texts } = checkSvg(svg);
    for (const t of ['Learning curves', 'Lung-discrete', 'Yale', 'madelon', 'PCMAC', 'Epoch', 'Accuracy', 'NPSET-MLP', 'Dense-MLP', 'train', 'test']) {
      expect(texts, t).toContain(t);
    }
    // Each method once in the shared legend, not once per panel.
    expect(texts.filter((t) => t === 'SET-MLP')).toHaveLength(1);
    expect(linePaths(svg)).toBe(4 * 6);
  });

  it('rejects duplicate panel titles and empty panels', async () => {
    const base = { xTitle: 'x', yTitle: 'y' };
    const panel = { title: 'A', series: methods(0.9) };
    await expect(renderFacetedLineChart({ ...base, panels: [panel, panel] })).rejects.toThrow(/unique panel titles/);
    await expect(renderFacetedLineChart({ ...base, panels: [] })).rejects.toThrow(ValidationError);
    await expect(renderFacetedLineChart({ ...base, panels: [{ title: 'A', series: [] }] })).rejects.toThrow(ValidationError);
    await expect(renderFacetedLineChart({ ...base, panels: [panel], columns: 0 })).rejects.toThrow(/columns/);
  });
});

describe('renderScalingChart', () => {
  const threads = [1, 2, 4, 8, 16];
  const phases = ['forward', 'backward', 'update', 'evolution', 'pruning', 'epoch'].map((name, i) => {
    const speedup = threads.map((t) => t / (1 + (t - 1) * 0.05 * (i + 1)));
    return { name, speedup, efficiency: speedup.map((s, k) => s / threads[k]) };
  });

  it('renders speedup and efficiency panels with the ideal line', async () => {
    const svg = await renderScalingChart({ title: 'Scaling', threads, phases });
    const { texts } = checkSvg(svg);
    for (const t of ['Scaling', 'Speedup', 'Parallel efficiency', 'Threads', 'Speedup (×)', 'Efficiency', 'ideal', ...phases.map((p) => p.name)]) {
      expect(texts, t).toContain(t);
    }
    for (const t of threads) expect(texts).toContain(String(t));
    // Per panel: one line per phase plus the ideal line.
    expect(linePaths(svg)).toBe(2 * (phases.length + 1));
  });

  it('rejects mismatched lengths, NaN and bad thread counts', async () => {
    const p = phases[0];
    await expect(renderScalingChart({ threads, phases: [{ ...p, speedup: [1, 2] }] })).rejects.toThrow(/array of 5 numbers/);
    await expect(renderScalingChart({ threads, phases: [{ ...p, efficiency: [1, Number.NaN, 1, 1, 1] }] })).rejects.toThrow(
      /Expected a finite number >= 0 and <= 1e\+300 for phases\[0\]\.efficiency\[1\] but received NaN/,
    );
    await expect(renderScalingChart({ threads: [], phases })).rejects.toThrow(ValidationError);
    await expect(renderScalingChart({ threads: [1, 1, 2, 4, 8], phases })).rejects.toThrow(/distinct/);
    await expect(renderScalingChart({ threads: [0, 1, 2, 4, 8], phases })).rejects.toThrow(/threads\[0\]/);
    await expect(renderScalingChart({ threads, phases: [] })).rejects.toThrow(ValidationError);
    await expect(renderScalingChart({ threads, phases: [p, p] })).rejects.toThrow(/unique phase name/);
  });
});

/**
 * The reproduction's report: Table 2 (maximum test accuracy), Table 3 (parameters, neurons, compression),
 * Figure 1 (neuron removal) and Figure 2 (learning curves), each beside the paper's numbers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RemovalPoint } from '../experiment/figure1';
import { METHOD_SPECS, type Method } from '../experiment/methods';
import type { PaperDataset, PaperMethod, PaperTable3 } from '../experiment/paper';
import type { RunResult } from '../experiment/run';
import { renderFacetedLineChart, renderLineChart, type LineSeries } from './plot';
import { formatInt, mean, std } from './stats';
import { toCsv, toMarkdown, type Column } from './table';

export interface Table2Row {
  dataset: string;
  method: Method;
  /** Mean and sample std over seeds of the maximum test accuracy, in percent. */
  mean: number;
  std: number;
  seeds: number;
  paper: number | null;
  diff: number | null;
  params: number;
  neurons: number;
}

/** Our Table 3 numbers for one dataset (the same fields as the paper's), with the paper's beside them. */
export interface Table3Row extends PaperTable3 {
  dataset: string;
  paper: PaperTable3;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const runsOf = (runs: RunResult[], dataset: string, method: Method) => runs.filter((r) => r.dataset === dataset && r.method === method);

export function table2Rows(runs: RunResult[], datasets: PaperDataset[], methods: readonly Method[]): Table2Row[] {
  const rows: Table2Row[] = [];
  for (const p of datasets) {
    for (const method of methods) {
      const rs = runsOf(runs, p.displayName, method);
      if (rs.length === 0) continue;
      const accs = rs.map((r) => 100 * r.maxTestAccuracy);
      const paper = method in p.table2 ? p.table2[method as PaperMethod] : null;
      const m = mean(accs);
      rows.push({
        dataset: p.displayName,
        method,
        mean: round(m),
        std: round(std(accs)),
        seeds: rs.length,
        paper,
        diff: paper === null ? null : round(m - paper),
        params: Math.round(mean(rs.map((r) => r.params))),
        neurons: Math.round(mean(rs.map((r) => r.neurons))),
      });
    }
  }
  return rows;
}

/** Per method, the mean over datasets of our mean and of the paper's number (datasets with runs only). */
export function table2Means(rows: Table2Row[], methods: readonly Method[]): Table2Row[] {
  const out: Table2Row[] = [];
  for (const method of methods) {
    const rs = rows.filter((r) => r.method === method);
    if (rs.length === 0) continue;
    const paper = rs.every((r) => r.paper !== null) ? round(mean(rs.map((r) => r.paper!))) : null;
    const m = round(mean(rs.map((r) => r.mean)));
    out.push({ dataset: 'Mean', method, mean: m, std: NaN, seeds: rs[0].seeds, paper, diff: paper === null ? null : round(m - paper), params: NaN, neurons: NaN });
  }
  return out;
}

/** One method against SET-MLP, paired by dataset and seed (the same data split). */
export interface PairedRow {
  method: Method;
  /** (dataset, seed) pairs with runs of both methods. */
  pairs: number;
  /** Mean over pairs of (method - SET-MLP) maximum test accuracy, percentage points. */
  meanDiff: number;
  /** Standard error of that mean (sample std / sqrt(pairs)); NaN with a single pair. */
  stdError: number;
}

/**
 * Each method's maximum test accuracy minus SET-MLP's on the same dataset and seed. Runs of one seed share
 * the data split (and the NPSET variants SET-MLP's initial network), so the pairs remove much of the
 * seed-to-seed spread that the per-dataset means carry.
 */
export function pairedWithSet(runs: RunResult[], methods: readonly Method[]): PairedRow[] {
  const set = new Map(runs.filter((r) => r.method === 'set').map((r) => [`${r.dataset}\u0000${r.seed}`, r.maxTestAccuracy]));
  const out: PairedRow[] = [];
  for (const method of methods) {
    if (method === 'set') continue;
    const diffs: number[] = [];
    for (const r of runs) {
      const base = r.method === method ? set.get(`${r.dataset}\u0000${r.seed}`) : undefined;
      if (base !== undefined) diffs.push(100 * (r.maxTestAccuracy - base));
    }
    if (diffs.length === 0) continue;
    out.push({
      method,
      pairs: diffs.length,
      meanDiff: round(mean(diffs)),
      stdError: diffs.length > 1 ? round(std(diffs) / Math.sqrt(diffs.length)) : NaN,
    });
  }
  return out;
}

const pairedColumns: Column<PairedRow>[] = [
  { key: 'method', header: 'Method', format: (r) => METHOD_SPECS[r.method].label },
  { key: 'pairs', header: 'Pairs', align: 'right' },
  { key: 'meanDiff', header: 'Mean diff vs SET-MLP (points)', align: 'right', format: (r) => `${r.meanDiff >= 0 ? '+' : ''}${r.meanDiff.toFixed(2)}` },
  { key: 'stdError', header: 'Std error', align: 'right', format: (r) => (Number.isNaN(r.stdError) ? '-' : r.stdError.toFixed(2)) },
];

export function table3Rows(runs: RunResult[], datasets: PaperDataset[]): Table3Row[] {
  const rows: Table3Row[] = [];
  for (const p of datasets) {
    const set = runsOf(runs, p.displayName, 'set');
    const np = runsOf(runs, p.displayName, 'npset');
    if (set.length === 0 || np.length === 0) continue;
    const sizes = [p.features, ...p.hidden, p.classes];
    const paramsFC = sizes.slice(1).reduce((a, n, l) => a + sizes[l] * n, 0);
    const neuronsFC = sizes.slice(0, -1).reduce((a, b) => a + b, 0);
    const paramsSET = Math.round(mean(set.map((r) => r.params)));
    const paramsNPSET = Math.round(mean(np.map((r) => r.params)));
    rows.push({
      dataset: p.displayName,
      paramsFC,
      paramsSET,
      paramsNPSET,
      neuronsFC,
      neuronsSET: Math.round(mean(set.map((r) => r.neurons))),
      neuronsNPSET: Math.round(mean(np.map((r) => r.neurons))),
      compressionSET: round(paramsFC / paramsSET, 1),
      compressionNPSET: round(paramsFC / paramsNPSET, 1),
      paper: p.table3,
    });
  }
  return rows;
}

/**
 * Whether a row has a spread to show. With one seed there is none: Table2Row.std is 0 there (the sample
 * std of one value, as stats.std gives it), but the tables show the mean alone and leave table2.csv's std
 * empty, exactly as for the per-method Mean rows (std NaN); "± 0.00" would read as measured zero variance.
 */
export function hasSpread(r: Table2Row): boolean {
  return r.seeds > 1 && !Number.isNaN(r.std);
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '' : v.toFixed(2));
const signed = (v: number | null) => (v === null ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}`);

const table2Columns: Column<Table2Row>[] = [
  { key: 'dataset', header: 'Dataset' },
  { key: 'method', header: 'Method', format: (r) => METHOD_SPECS[r.method].label, csv: (r) => r.method },
  { key: 'mean', header: 'Ours (%)', align: 'right', format: (r) => (hasSpread(r) ? `${pct(r.mean)} ± ${pct(r.std)}` : pct(r.mean)), csv: (r) => r.mean },
  { key: 'std', header: 'Std', align: 'right', format: (r) => (hasSpread(r) ? pct(r.std) : ''), csv: (r) => (hasSpread(r) ? r.std : null) },
  { key: 'paper', header: 'Paper (%)', align: 'right', format: (r) => pct(r.paper), csv: (r) => r.paper },
  { key: 'diff', header: 'Diff', align: 'right', format: (r) => signed(r.diff), csv: (r) => r.diff },
];

const table3Columns: Column<Table3Row>[] = [
  { key: 'dataset', header: 'Dataset' },
  { key: 'paramsFC', header: 'Params FC', align: 'right', format: (r) => formatInt(r.paramsFC) },
  { key: 'paramsSET', header: 'Params SET (paper)', align: 'right', format: (r) => `${formatInt(r.paramsSET)} (${formatInt(r.paper.paramsSET)})` },
  { key: 'paramsNPSET', header: 'Params NPSET (paper)', align: 'right', format: (r) => `${formatInt(r.paramsNPSET)} (${formatInt(r.paper.paramsNPSET)})` },
  { key: 'neuronsFC', header: 'Neurons FC', align: 'right', format: (r) => formatInt(r.neuronsFC) },
  { key: 'neuronsSET', header: 'Neurons SET', align: 'right', format: (r) => formatInt(r.neuronsSET) },
  { key: 'neuronsNPSET', header: 'Neurons NPSET (paper)', align: 'right', format: (r) => `${formatInt(r.neuronsNPSET)} (${formatInt(r.paper.neuronsNPSET)})` },
  { key: 'compressionSET', header: 'Compression SET (paper)', align: 'right', format: (r) => `${r.compressionSET}× (${r.paper.compressionSET}×)` },
  { key: 'compressionNPSET', header: 'Compression NPSET (paper)', align: 'right', format: (r) => `${r.compressionNPSET}× (${r.paper.compressionNPSET}×)` },
];

const table3Csv: Column<Table3Row>[] = [
  { key: 'dataset', header: 'dataset' },
  ...(['paramsFC', 'paramsSET', 'paramsNPSET', 'neuronsFC', 'neuronsSET', 'neuronsNPSET', 'compressionSET', 'compressionNPSET'] as const).flatMap(
    (k): Column<Table3Row>[] => [
      { key: k, header: k },
      { key: `paper_${k}`, header: `paper_${k}`, csv: (r) => r.paper[k] },
    ],
  ),
];

export function table2Markdown(rows: Table2Row[], means: Table2Row[]): string {
  // The spread is already shown as "mean ± std" in the markdown.
  return toMarkdown(table2Columns.filter((c) => c.key !== 'std'), [...rows, ...means]);
}

export function table3Markdown(rows: Table3Row[]): string {
  return toMarkdown(table3Columns, rows);
}

/** Seeds as ranges of consecutive numbers, ascending: [1, 2, 3, 5] -> "1-3, 5". */
export function seedRanges(seeds: readonly number[]): string {
  const sorted = [...new Set(seeds)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** "3 seeds (1-3), 100 epochs per run": the seeds and epochs of `runs` (a range of epochs when they differ). */
function seedsAndEpochs(runs: readonly RunResult[]): string {
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const epochs = runs.map((r) => r.settings.epochs);
  const lo = epochs.reduce((a, b) => Math.min(a, b)); // not Math.min(...epochs): a spread of 100,000s overflows the stack
  const hi = epochs.reduce((a, b) => Math.max(a, b));
  const e = lo === hi ? `${lo} epoch${lo === 1 ? '' : 's'}` : `${lo}-${hi} epochs`;
  return `${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seedRanges(seeds)}), ${e} per run`;
}

/**
 * The line under Table 2's title: how many seeds (and which) and epochs its numbers come from, e.g.
 * "Mean and standard deviation over 3 seeds (1-3), 100 epochs per run." Empty without runs.
 */
export function table2Caption(runs: readonly RunResult[], rows: readonly Table2Row[]): string {
  const used = runs.filter((r) => rows.some((t) => t.dataset === r.dataset && t.method === r.method));
  if (used.length === 0) return '';
  const seeds = new Set(used.map((r) => r.seed)).size;
  const fewer = rows.some((t) => t.seeds < seeds) ? ' Some rows have runs of fewer seeds (the reproduction did not finish).' : '';
  if (seeds === 1) return `Maximum test accuracy of ${seedsAndEpochs(used)} (no standard deviation with one seed).`;
  return `Mean and standard deviation over ${seedsAndEpochs(used)}.${fewer}`;
}

/** The NPSET runs behind Table 3 that ended before the last pruning step (epoch beta + gamma, from 0). */
function shortNpsetRuns(runs: readonly RunResult[], rows: readonly Table3Row[]): RunResult[] {
  return runs.filter((r) => r.method === 'npset' && rows.some((t) => t.dataset === r.dataset) && r.settings.epochs <= r.settings.beta + r.settings.gamma);
}

/**
 * The lines under Table 3's title: the seeds and epochs of its SET and NPSET runs and, when the NPSET runs
 * were too short for every pruning step (epochs <= beta + gamma), a note that their sizes are not comparable
 * with the paper's. Empty without runs.
 */
export function table3Caption(runs: readonly RunResult[], rows: readonly Table3Row[]): string {
  const used = runs.filter((r) => (r.method === 'set' || r.method === 'npset') && rows.some((t) => t.dataset === r.dataset));
  if (used.length === 0) return '';
  const seeds = new Set(used.map((r) => r.seed)).size;
  let text = `${seeds === 1 ? 'Sizes of' : 'Means over'} ${seedsAndEpochs(used)}.`;
  const short = shortNpsetRuns(runs, rows);
  if (short.length > 0) {
    const { epochs, beta, gamma } = short[0].settings;
    const last = beta + gamma;
    text +=
      `\n\nNote: the runs ended after ${epochs} epoch${epochs === 1 ? '' : 's'}, before NPSET's last pruning at epoch beta + gamma = ${last} ` +
      `(counted from 0; all ${gamma + 1} prunings need ${last + 1} epochs or more), so NPSET's neurons, parameters and compression ` +
      "are not those of the paper's schedule and not comparable with the paper's numbers in brackets.";
  }
  return text;
}

/** Writes table2/table3 as markdown and CSV into `out`. */
export function writeTables(out: string, runs: RunResult[], datasets: PaperDataset[], methods: readonly Method[]): { table2: Table2Row[]; table3: Table3Row[]; means: Table2Row[]; paired: PairedRow[] } {
  const table2 = table2Rows(runs, datasets, methods);
  const means = table2Means(table2, methods);
  const table3 = table3Rows(runs, datasets);
  const paired = pairedWithSet(runs, methods);
  // table2.csv: dataset,method,mean,std,paper,diff (percent)
  writeFileSync(join(out, 'table2.csv'), toCsv(table2Columns, table2));
  const pairedMd = paired.length
    ? '\n## Against SET-MLP, paired by dataset and seed\n\nEach run\'s maximum test accuracy minus SET-MLP\'s with the same dataset and seed (the same split; ' +
      `for the NPSET variants also the same initial network), averaged over the pairs.\n\n${toMarkdown(pairedColumns, paired)}`
    : '';
  const caption = (text: string) => (text ? `${text}\n\n` : '');
  writeFileSync(join(out, 'table2.md'), `# Table 2: maximum test accuracy (%)\n\n${caption(table2Caption(runs, table2))}${table2Markdown(table2, means)}${pairedMd}`);
  writeFileSync(join(out, 'table3.csv'), toCsv(table3Csv, table3));
  writeFileSync(
    join(out, 'table3.md'),
    `# Table 3: parameters, neurons and compression rates (ours, paper in brackets)\n\n${caption(table3.length ? table3Caption(runs, table3) : 'No rows: Table 3 compares runs of SET-MLP and NPSET-MLP, and there are none here.')}${table3Markdown(table3)}`,
  );
  return { table2, table3, means, paired };
}

export async function figure1Svg(points: RemovalPoint[]): Promise<string> {
  return renderLineChart({
    title: 'Lung-discrete: removing first-hidden-layer neurons with the fewest outgoing connections',
    xTitle: 'Neurons removed from the first hidden layer (%)',
    yTitle: 'Test accuracy (%)',
    series: [{ name: 'SET-MLP', points: points.map((p) => ({ x: 100 * p.fraction, y: 100 * p.testAccuracy })) }],
    yDomain: [0, 100],
  });
}

export async function figure2Svg(runs: RunResult[], datasets: string[]): Promise<string | null> {
  const methods: Method[] = ['npset', 'set', 'dense'];
  const panels = [];
  for (const dataset of datasets) {
    const series: LineSeries[] = [];
    for (const method of methods) {
      const r = runs.find((x) => x.dataset === dataset && x.method === method);
      if (!r) continue;
      const name = method === 'dense' ? 'Dense-MLP' : METHOD_SPECS[method].label;
      series.push({ name, points: r.history.map((h) => ({ x: h.epoch + 1, y: 100 * h.trainAccuracy })) });
      series.push({ name, dash: true, points: r.history.map((h) => ({ x: h.epoch + 1, y: 100 * h.testAccuracy })) });
    }
    if (series.length) panels.push({ title: dataset, series });
  }
  if (panels.length === 0) return null;
  return renderFacetedLineChart({
    title: 'Train (solid) and test (dashed) accuracy per epoch',
    xTitle: 'Epoch',
    yTitle: 'Accuracy (%)',
    panels,
    yDomain: [0, 100],
    dashLabels: ['train', 'test'],
  });
}

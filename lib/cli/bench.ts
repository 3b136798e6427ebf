/** `npset bench`: per-phase CPU-scaling profile of SET / NPSET epochs over thread counts. */
import { writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { benchShape, modelBytesEstimate, runBench, WORKLOADS, type BenchResult, type BenchRow, type Workload } from '../experiment/bench';
import type { Dataset } from '../data';
import { loadData } from '../experiment/prepare';
import { ValidationError } from '../errors';
import { native } from '../native';
import { renderScalingChart } from '../report/plot';
import { toMarkdown, toPlainTable, type Column } from '../report/table';
import { fail } from '../validate';
import { LIMITS, column, integer, integerList, number, path } from './args';
import { checkConnections, checkDataset } from './checks';
import { checkDataFlags, delimiterOption, loadOptions, libsvmBaseHint, libsvmBaseOption, maxDenseBytesOption, type DataFlags } from './data-flags';
import { MAT_VAR_HELP } from './train';
import { checkOutFiles, makeOutDir } from './out';

interface BenchFlags extends DataFlags {
  workload: Workload;
  layers?: number[];
  data?: string;
  method: 'set' | 'npset';
  epsilon: number;
  batch?: number;
  samples?: number;
  threads: number[];
  epochs: number;
  warmup: number;
  dense: boolean;
  json?: boolean;
  out?: string;
}

const ms = (v: number) => v.toFixed(1);
const columns: Column<BenchRow>[] = [
  { key: 'threads', header: 'threads', align: 'right', format: (r) => `${r.threads}${r.oversubscribed ? '*' : ''}` },
  { key: 'epochMs', header: 'epoch ms', align: 'right', format: (r) => ms(r.epochMs) },
  { key: 'forward', header: 'forward', align: 'right', format: (r) => ms(r.phasesMs.forward) },
  { key: 'backward', header: 'backward', align: 'right', format: (r) => ms(r.phasesMs.backward) },
  { key: 'update', header: 'update', align: 'right', format: (r) => ms(r.phasesMs.update) },
  { key: 'evolution', header: 'evolution', align: 'right', format: (r) => ms(r.phasesMs.evolution) },
  { key: 'pruning', header: 'pruning', align: 'right', format: (r) => ms(r.phasesMs.pruning) },
  { key: 'gflops', header: 'GFLOP/s', align: 'right', format: (r) => r.gflops.toFixed(1) },
  { key: 'speedup', header: 'speedup', align: 'right', format: (r) => r.speedup.toFixed(2) },
  { key: 'efficiency', header: 'efficiency', align: 'right', format: (r) => r.efficiency.toFixed(2) },
  { key: 'peakRssBytes', header: 'peak RSS MiB', align: 'right', format: (r) => (r.peakRssBytes / 2 ** 20).toFixed(0) },
  { key: 'bytesPerConnection', header: 'bytes/conn', align: 'right', format: (r) => r.bytesPerConnection.toFixed(1) },
];

function header(r: BenchResult): string {
  const m = r.machine;
  return (
    `workload ${r.workload}: layers ${r.layers.join('-')}, ${r.samples} samples, batch ${r.batch}, epsilon ${r.epsilon}, ` +
    `${r.method}, ${r.connections.toLocaleString('en-US')} connections, ${r.epochs} epoch${r.epochs === 1 ? '' : 's'} per row ` +
    `(after ${r.warmup} warm-up${r.interleaved ? '; thread counts in turn, epoch by epoch' : ''})\n` +
    `machine: ${m.cpu}, ${m.cores} cores${m.loadAverage === null ? '' : ` (load average ${m.loadAverage.toFixed(2)} at the start)`}, ${m.numaNodes} NUMA node${m.numaNodes === 1 ? '' : 's'}, caches ${m.caches}, ` +
    `OMP_PROC_BIND=${m.ompProcBind ?? 'unset'} OMP_PLACES=${m.ompPlaces ?? 'unset'} ` +
    `OMP_WAIT_POLICY=${m.ompWaitPolicy ?? 'unset'} GOMP_SPINCOUNT=${m.gompSpinCount ?? 'unset'}, kernels ${r.kernels ?? 'unknown'}\n` +
    `dense sgemm (Eigen): ${r.sgemmGflops === null ? 'n/a' : `${r.sgemmGflops.toFixed(1)} GFLOP/s`}; ` +
    `dense MLP epoch: ${r.dense ? `${ms(r.dense.epochMs)} ms (${r.dense.gflops.toFixed(1)} GFLOP/s, ${r.dense.threads} threads)` : 'n/a (does not fit or skipped)'}\n`
  );
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('profile SET / NPSET epochs per phase and thread count (speedup, efficiency, GFLOP/s, memory)')
    .addOption(new Option('--workload <name>', 'named shape').choices(WORKLOADS).default('gisette'))
    .option('--layers <sizes>', 'layer sizes, comma-separated (overrides the workload\'s; with --data, first and last must be its features and classes)', integerList('--layers', { min: 1, max: LIMITS.neurons }, LIMITS.layers))
    .option('--data <file>', 'MAT-file, .csv/.tsv/.txt file or .svm/.libsvm/.svmlight LIBSVM file to train on instead of synthetic data of the workload\'s shape (its features, classes and samples)', path('--data'))
    .option('--label-column <name|index>', 'CSV/TSV --data only: the label column, by header name or 0-based index (default: the last column)', column('--label-column'))
    .option('--header', 'CSV/TSV --data only: line 1 is a header (default: detected)')
    .option('--no-header', 'CSV/TSV --data only: line 1 is data')
    .option('--x-var <name>', `MAT --data only: ${MAT_VAR_HELP.x}`, path('--x-var', 'a variable name'))
    .option('--y-var <name>', `MAT --data only: ${MAT_VAR_HELP.y}`, path('--y-var', 'a variable name'))
    .addOption(delimiterOption())
    .addOption(maxDenseBytesOption())
    .addOption(libsvmBaseOption())
    .addOption(new Option('--method <m>', 'method').choices(['set', 'npset']).default('set'))
    .option('--epsilon <e>', 'Erdős–Rényi sparsity level', number('--epsilon', { min: 0, minExclusive: true }), 20)
    .option('--batch <b>', 'mini-batch size (default: the workload\'s)', integer('--batch', { min: 1, max: 65536 }))
    .option('--samples <n>', 'synthetic samples (default: the workload\'s; not with --data)', integer('--samples', { min: 1 }))
    .addOption(
      new Option('--threads <list>', 'distinct thread counts, comma-separated; run in ascending order, speedup and efficiency relative to the smallest')
        .argParser(threadCounts)
        .default([1, 2], '1,2'),
    )
    .option('--epochs <n>', 'epochs timed per thread count', integer('--epochs', { min: 1 }), 2)
    .option('--warmup <n>', 'untimed epochs per thread count before the timed ones', integer('--warmup', { min: 0 }), 1)
    .option('--no-dense', 'skip the dense MLP of the same shape')
    .option('--json', 'print one JSON object on stdout')
    .option('--out <dir>', 'write bench.json, bench.md and (with two or more thread counts) bench.svg into this directory', path('--out', 'a directory'))
    .action(async (f: BenchFlags) => {
      if (f.workload === 'custom' && !f.layers && !f.data) fail('--layers or --data', '--workload custom', 'neither');
      if (f.layers) checkLayers(f.layers);
      // Checked (and created) first: a bad --out must not cost a whole benchmark.
      const out = f.out === undefined ? undefined : makeOutDir('--out', f.out);
      if (out) checkOutFiles('--out', out, ['bench.json', 'bench.md', 'bench.svg']);
      checkDataFlags(f.data, f);
      const data = f.data === undefined ? undefined : await loadData(f.data, loadOptions(f)).catch(libsvmBaseHint);
      if (data) checkData(f, data);
      const shape = benchShape({ workload: f.workload, layers: f.layers, samples: f.samples, data, batch: f.batch });
      if (!data) checkSyntheticFits(shape.samples, shape.layers[0]);
      checkConnections(shape.layers, f.epsilon, f.layers ? '--layers and --epsilon' : '--epsilon');
      checkModelFits(shape.layers, f.epsilon, shape.batch, f.layers ? '--layers and --epsilon' : '--epsilon');
      const progress = f.json ? undefined : (m: string) => process.stderr.write(`${m}\n`);
      const result = await runBench(
        { workload: f.workload, layers: f.layers, samples: f.samples, data, method: f.method, epsilon: f.epsilon, batch: f.batch, threads: f.threads, epochs: f.epochs, warmup: f.warmup, dense: f.dense, onProgress: progress },
        (threads) => native().sgemmGflops(threads),
      );
      result.kernels = native().kernels;
      if (out) await writeOutputs(out, result);
      if (f.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        const oversubscribed = result.rows.some((r) => r.oversubscribed) ? '* oversubscribed: more threads than cores\n' : '';
        const notes = result.notes.map((n) => `note: ${n}\n`).join('');
        process.stdout.write(`${header(result)}\n${toPlainTable(columns, result.rows)}${oversubscribed}${notes}`);
      }
    });
}

const threadList = integerList('--threads', { min: 1, max: 4096 });

/**
 * --threads: distinct counts, sorted ascending. Speedup and efficiency are relative to the first row, which
 * must therefore be the smallest count; a repeated count would be timed twice and "speed up" against itself.
 */
export function threadCounts(v: string): number[] {
  const counts = threadList(v);
  const repeated = counts.filter((t, i) => counts.indexOf(t) !== i);
  if (repeated.length > 0) {
    fail(`distinct thread counts (${[...new Set(repeated)].join(', ')} given more than once)`, '--threads', v);
  }
  return [...counts].sort((a, b) => a - b);
}

/** At least inputs and classes, and 2 classes or more. */
function checkLayers(layers: number[]): void {
  if (layers.length < 2) fail('at least 2 sizes (inputs and classes)', '--layers', layers.join(','));
  if (layers[layers.length - 1] < 2) fail('a last size (classes) of at least 2', '--layers', layers.join(','));
}

/**
 * With --data, the file decides the inputs, the classes and the samples. --layers must agree with it
 * rather than be silently changed, and --samples, which it would override, is an error.
 */
function checkData(f: BenchFlags, data: Dataset): void {
  const file = JSON.stringify(f.data);
  checkDataset('--data', f.data, data, 1);
  if (f.samples !== undefined) {
    throw new ValidationError(`Expected no --samples with --data ${file}, whose ${data.samples} samples are used, but received ${f.samples}`);
  }
  const l = f.layers;
  if (l && (l[0] !== data.features || l[l.length - 1] !== data.classes)) {
    const fixed = [data.features, ...l.slice(1, -1), data.classes].join(',');
    throw new ValidationError(
      `Expected sizes that start with ${data.features} and end with ${data.classes} for --layers with --data ${file} ` +
        `(its features and classes; e.g. --layers ${fixed}) but received ${JSON.stringify(l.join(','))}`,
    );
  }
}

/**
 * Synthetic data of `samples` x `features` float32 values is held twice (the generated array and the
 * native copy) and must fit in a Float32Array (at most 2^32 values): bound --samples before allocating.
 */
function checkSyntheticFits(samples: number, features: number): void {
  const memory = totalmem();
  const maxValues = Math.min(2 ** 32, memory / 8);
  const max = Math.floor(maxValues / features);
  if (samples > max) {
    throw new ValidationError(
      `Expected an integer >= 1 and <= ${max} for --samples (synthetic data of ${features} features, held twice in float32, ` +
        `must fit in this machine's ${(memory / 2 ** 30).toFixed(1)} GiB of memory) but received ${samples}`,
    );
  }
}

/** Before the synthetic data is made (seconds and gigabytes for 2^31 inputs): a model too big for the machine. */
function checkModelFits(layers: number[], epsilon: number, batch: number, flags: string): void {
  const memory = totalmem();
  const bytes = modelBytesEstimate(layers, epsilon, batch);
  if (bytes > memory) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    throw new ValidationError(
      `Expected a model that fits in this machine's ${gib(memory)} of memory for ${flags} but received layers ${layers.join('-')} at epsilon ${epsilon}, which need about ${gib(bytes)}`,
    );
  }
}

async function writeOutputs(out: string, r: BenchResult): Promise<void> {
  writeFileSync(join(out, 'bench.json'), `${JSON.stringify(r, null, 1)}\n`);
  const notes = r.notes.map((n) => `\nNote: ${n}.\n`).join('');
  writeFileSync(join(out, 'bench.md'), `# npset bench\n\n${header(r).replace(/\n/g, '  \n')}\n${toMarkdown(columns, r.rows)}${notes}`);
  const phases = ['forward', 'backward', 'update', 'evolution', 'pruning'] as const;
  const base = r.rows[0];
  const series = [
    { name: 'epoch', speedup: r.rows.map((x) => x.speedup), efficiency: r.rows.map((x) => x.efficiency) },
    ...phases
      .filter((p) => base.phasesMs[p] > 0)
      .map((p) => {
        const sp = r.rows.map((x) => (x.phasesMs[p] > 0 ? base.phasesMs[p] / x.phasesMs[p] : 0));
        return { name: p, speedup: sp, efficiency: sp.map((s, i) => s / (r.rows[i].threads / base.threads)) };
      }),
  ];
  if (r.rows.length > 1) {
    writeFileSync(join(out, 'bench.svg'), await renderScalingChart({ title: `npset bench: ${r.workload} (${r.layers.join('-')})`, threads: r.rows.map((x) => x.threads), phases: series }));
  }
}

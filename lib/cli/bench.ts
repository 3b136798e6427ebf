/** `npset bench`: per-phase CPU-scaling profile of SET / NPSET epochs over thread counts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadMatDataset } from '../data';
import { runBench, WORKLOADS, type BenchResult, type BenchRow, type Workload } from '../experiment/bench';
import { native } from '../native';
import { renderScalingChart } from '../report/plot';
import { toMarkdown, toPlainTable, type Column } from '../report/table';
import { fail } from '../validate';
import { integer, integerList, number } from './args';

interface BenchFlags {
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
    `machine: ${m.cpu}, ${m.cores} cores, ${m.numaNodes} NUMA node${m.numaNodes === 1 ? '' : 's'}, caches ${m.caches}, ` +
    `OMP_PROC_BIND=${m.ompProcBind ?? 'unset'} OMP_PLACES=${m.ompPlaces ?? 'unset'}, kernels ${r.kernels ?? 'unknown'}\n` +
    `dense sgemm (Eigen): ${r.sgemmGflops === null ? 'n/a' : `${r.sgemmGflops.toFixed(1)} GFLOP/s`}; ` +
    `dense MLP epoch: ${r.dense ? `${ms(r.dense.epochMs)} ms (${r.dense.gflops.toFixed(1)} GFLOP/s, ${r.dense.threads} threads)` : 'n/a (does not fit or skipped)'}\n`
  );
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('profile SET / NPSET epochs per phase and thread count (speedup, efficiency, GFLOP/s, memory)')
    .addOption(new Option('--workload <name>', 'named shape').choices(WORKLOADS).default('gisette'))
    .option('--layers <sizes>', 'layer sizes, comma-separated (overrides the workload\'s)', integerList('--layers', { min: 1 }))
    .option('--data <file>', 'MAT-file to train on instead of synthetic data of the workload\'s shape')
    .addOption(new Option('--method <m>', 'method').choices(['set', 'npset']).default('set'))
    .option('--epsilon <e>', 'Erdős–Rényi sparsity level', number('--epsilon', { min: 0, minExclusive: true }), 20)
    .option('--batch <b>', 'mini-batch size (default: the workload\'s)', integer('--batch', { min: 1, max: 65536 }))
    .option('--samples <n>', 'synthetic samples (default: the workload\'s)', integer('--samples', { min: 1 }))
    .option('--threads <list>', 'thread counts, comma-separated', integerList('--threads', { min: 1, max: 4096 }), [1, 2])
    .option('--epochs <n>', 'epochs timed per thread count', integer('--epochs', { min: 1 }), 2)
    .option('--warmup <n>', 'untimed epochs per thread count before the timed ones', integer('--warmup', { min: 0 }), 1)
    .option('--no-dense', 'skip the dense MLP of the same shape')
    .option('--json', 'print one JSON object on stdout')
    .option('--out <dir>', 'write bench.json, bench.md and bench.svg into this directory')
    .action(async (f: BenchFlags) => {
      if (f.workload === 'custom' && !f.layers && !f.data) fail('--layers or --data', '--workload custom', 'neither');
      const data = f.data ? await loadMatDataset(f.data) : undefined;
      const progress = f.json ? undefined : (m: string) => process.stderr.write(`${m}\n`);
      const result = await runBench(
        { workload: f.workload, layers: f.layers, samples: f.samples, data, method: f.method, epsilon: f.epsilon, batch: f.batch, threads: f.threads, epochs: f.epochs, warmup: f.warmup, dense: f.dense, onProgress: progress },
        (threads) => native().sgemmGflops(threads),
      );
      result.kernels = native().kernels;
      if (f.out) await writeOutputs(resolve(f.out), result);
      if (f.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${header(result)}\n${toPlainTable(columns, result.rows)}${f.threads.some((t) => t > result.machine.cores) ? '* oversubscribed: more threads than cores\n' : ''}`);
    });
}

async function writeOutputs(out: string, r: BenchResult): Promise<void> {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.json'), `${JSON.stringify(r, null, 1)}\n`);
  writeFileSync(join(out, 'bench.md'), `# npset bench\n\n${header(r).replace(/\n/g, '  \n')}\n${toMarkdown(columns, r.rows)}`);
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

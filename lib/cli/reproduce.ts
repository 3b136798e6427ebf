/** `npset reproduce`: the paper's Tables 2-3 and Figures 1-2 from the datasets in a directory. */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { findPaperDataset, PAPER_DATASETS, type PaperDataset } from '../experiment/paper';
import { FIGURE2_DATASETS, PAPER_METHODS, REPRODUCE_DEFAULTS, reproduce, type ReproduceResult } from '../experiment/reproduce';
import { figure1Svg, figure2Svg, writeTables } from '../report/paper-report';
import { fail } from '../validate';
import { integer } from './args';

/** ../shared/datasets/asu relative to the working directory, then to the package, when it exists. */
export function defaultDataDir(): string | undefined {
  for (const base of [process.cwd(), resolve(__dirname, '..', '..')]) {
    const dir = resolve(base, '..', 'shared', 'datasets', 'asu');
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

interface ReproduceFlags {
  dataDir?: string;
  out: string;
  seeds: number;
  epochs: number;
  threads: number;
  datasets?: string;
  figures: boolean;
  json?: boolean;
}

function parseDatasets(list: string): PaperDataset[] {
  return list.split(',').map((name) => {
    const p = findPaperDataset(name.trim());
    if (!p) fail(`a dataset of the paper (${PAPER_DATASETS.map((d) => d.key).join(', ')})`, '--datasets', name);
    return p;
  });
}

export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("run the paper's six methods on its datasets and write Tables 2-3, Figures 1-2 and every run's results")
    .option('--data-dir <dir>', 'directory with the paper\'s MAT-files (default: ../shared/datasets/asu when it exists)')
    .option('--out <dir>', 'output directory', 'npset-reproduce')
    .option('--seeds <k>', 'seeds per dataset and method (1..k)', integer('--seeds', { min: 1, max: 1000 }), REPRODUCE_DEFAULTS.seeds)
    .option('--epochs <n>', 'epochs per run (>= 51 for all 41 prunings)', integer('--epochs', { min: 1 }), REPRODUCE_DEFAULTS.epochs)
    .option('--threads <t>', 'OpenMP threads (0: all cores)', integer('--threads', { min: 0, max: 4096 }), 0)
    .option('--datasets <names>', 'only these datasets, comma-separated (e.g. lung_discrete,Yale)')
    .option('--no-figures', 'skip Figure 1 and the Dense-MLP runs of Figure 2')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (flags: ReproduceFlags) => {
      const dataDir = flags.dataDir ?? defaultDataDir();
      if (!dataDir) fail('a directory (no ../shared/datasets/asu found)', '--data-dir', flags.dataDir);
      const out = resolve(flags.out);
      const only = flags.datasets ? parseDatasets(flags.datasets) : undefined;
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const bar = progressBar(!!flags.json);
      const started = Date.now();
      let result: ReproduceResult;
      try {
        result = await reproduce(
          {
            dataDir,
            out,
            seeds: flags.seeds,
            epochs: flags.epochs,
            threads: flags.threads,
            only,
            figures: flags.figures,
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'start') bar?.start(e.totalRuns, 0, { current: '' });
              else if (e.type === 'run-start') bar?.update(e.done, { current: `${e.dataset} ${e.method} seed ${e.seed}` });
              else if (e.type === 'run-end') bar?.update(e.done);
              else if (e.type === 'dataset-error') {
                bar?.stop();
                process.stderr.write(`npset: skipped ${e.dataset} (${e.file}): ${e.message}\n`);
              }
            },
          },
          (r, final) => writeReport(out, r, final),
        );
      } finally {
        bar?.stop();
        process.removeListener('SIGINT', onSigint);
      }
      const summary = summarize(out, result, flags.epochs);
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        process.stdout.write(
          `wrote ${out}/table2.md, table3.md, *.csv, figure1.svg, figure2.svg, results.json ` +
            `(${result.runs.length} runs in ${((Date.now() - started) / 60000).toFixed(1)} min)\n`,
        );
      }
    });
}

function progressBar(quiet: boolean): SingleBar | null {
  if (quiet) return null;
  return new SingleBar({
    format: 'runs {value}/{total} [{bar}] {percentage}% | ETA {eta_formatted} | {current}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 20,
    // Logs and CI (no terminal): a progress line every 30 s instead of a redrawn bar.
    noTTYOutput: true,
    notTTYSchedule: 30_000,
  });
}

async function writeReport(out: string, r: ReproduceResult, final: boolean): Promise<void> {
  writeTables(out, r.runs, r.datasets, PAPER_METHODS);
  if (!final) return;
  if (r.figure1) writeFileSync(join(out, 'figure1.svg'), await figure1Svg(r.figure1));
  const names = r.datasets.filter((d) => FIGURE2_DATASETS.includes(d.key)).map((d) => d.displayName);
  const fig2 = await figure2Svg(r.runs, names);
  if (fig2) writeFileSync(join(out, 'figure2.svg'), fig2);
}

function summarize(out: string, r: ReproduceResult, epochs: number) {
  const { table2 } = writeTables(out, r.runs, r.datasets, PAPER_METHODS);
  return {
    out,
    datasets: r.datasets.map((d) => d.displayName),
    failed: r.failed,
    methods: PAPER_METHODS,
    seeds: r.seeds.length,
    epochs,
    rows: table2.map((t) => ({ dataset: t.dataset, method: t.method, mean: t.mean, std: t.std, paper: t.paper, params: t.params, neurons: t.neurons })),
  };
}

/** `npset reproduce`: the paper's Tables 2-3 and Figures 1-2 from the datasets in a directory. */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Format, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { AbortError, ValidationError } from '../errors';
import { findPaperDataset, PAPER_DATASETS, PAPER_HYPERPARAMETERS, type PaperDataset } from '../experiment/paper';
import { FIGURE2_DATASETS, PAPER_METHODS, REPRODUCE_DEFAULTS, findPaperFiles, reproduce, reproduceMethods, type ReproduceResult } from '../experiment/reproduce';
import { METHOD_SPECS, type Method } from '../experiment/methods';
import { figure1Svg, figure2Svg, hasSpread, table2Rows, writeTables } from '../report/paper-report';
import { fail } from '../validate';
import { LIMITS, integer, path } from './args';
import { CliError } from './errors';
import { checkOutFiles, makeOutDir } from './out';
import { pathText } from '../text';

/** Every file reproduce may write into --out. */
const REPRODUCE_FILES = ['results.json', 'table2.md', 'table2.csv', 'table3.md', 'table3.csv', 'figure1.svg', 'figure2.svg'] as const;

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
  firstSeed: number;
  epochs: number;
  threads: number;
  datasets?: DatasetChoice[];
  methods?: Method[];
  figures: boolean;
  json?: boolean;
}

/** One name of --datasets: the paper's dataset and the name as the user typed it (for messages). */
export interface DatasetChoice {
  paper: PaperDataset;
  name: string;
}

/** Runs too short for the paper's pruning schedule: what the NPSET methods will and will not do. */
export function epochNotes(epochs: number, methods: readonly Method[]): string[] {
  if (!methods.some((m) => METHOD_SPECS[m].prune)) return [];
  const { beta, gamma } = PAPER_HYPERPARAMETERS;
  if (epochs <= beta) return [`--epochs ${epochs} ends before NPSET's first pruning (epoch ${beta + 1}): no neuron will be pruned, so the NPSET methods train as SET`];
  if (epochs <= beta + gamma) {
    return [`--epochs ${epochs} ends before NPSET's last pruning (epoch ${beta + gamma + 1}): ${epochs - beta} of the ${gamma + 1} prunings will run, so NPSET's neurons and parameters are not the paper's`];
  }
  return [];
}

/** --methods: a comma-separated list of the paper's methods, checked as reproduce checks them. */
export function parseMethods(list: string): Method[] {
  const names = list.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) fail(`a comma-separated list of methods, with no empty name (${PAPER_METHODS.join(', ')})`, '--methods', list);
  return reproduceMethods(names as Method[], '--methods');
}

/** --datasets: a non-empty comma-separated list of the paper's datasets (an empty list is an error, not "all"). */
export function parseDatasets(list: string): DatasetChoice[] {
  const names = PAPER_DATASETS.map((d) => d.key).join(', ');
  if (list.split(',').some((name) => name.trim() === '')) {
    fail(`a comma-separated list of datasets of the paper, with no empty name (${names})`, '--datasets', list);
  }
  return list.split(',').map((name) => {
    const p = findPaperDataset(name.trim());
    if (!p) fail(`a dataset of the paper (${names})`, '--datasets', name);
    return { paper: p, name: name.trim() };
  });
}

export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("run the paper's six methods on its datasets and write Tables 2-3, Figures 1-2 and every run's results")
    .option('--data-dir <dir>', 'directory with the paper\'s MAT-files (default: ../shared/datasets/asu when it exists)', path('--data-dir', 'a directory'))
    .option('--out <dir>', 'output directory', path('--out', 'a directory'), 'npset-reproduce')
    .option('--seeds <k>', 'seeds per dataset and method (1..k, or from --first-seed)', integer('--seeds', { min: 1, max: 1000 }), REPRODUCE_DEFAULTS.seeds)
    .option('--first-seed <s>', 'the first seed: runs use seeds s .. s + k - 1 (e.g. --first-seed 4 --seeds 5: seeds 4-8; the files of --out are replaced, not merged)', integer('--first-seed', { min: 0, max: 1_000_000 }), 1)
    .option('--epochs <n>', 'epochs per run (>= 51 for all 41 prunings)', integer('--epochs', { min: 1, max: LIMITS.epochs }), REPRODUCE_DEFAULTS.epochs)
    .option('--threads <t>', 'OpenMP threads (0: OMP_NUM_THREADS when set, else all cores)', integer('--threads', { min: 0, max: 4096 }), 0)
    .option('--datasets <names>', 'only these datasets, comma-separated (e.g. lung_discrete,Yale)', parseDatasets)
    .option('--methods <names>', `only these methods, comma-separated (${PAPER_METHODS.join(', ')}; default all); direct-set and direct-fc need npset, Figure 1 set, Figure 2 set and npset`, parseMethods)
    .option('--no-figures', 'skip Figure 1 and the Dense-MLP runs of Figure 2')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (flags: ReproduceFlags) => {
      const dataDir = flags.dataDir ?? defaultDataDir();
      if (!dataDir) {
        throw new ValidationError(
          'Expected --data-dir: the directory with the paper\'s MAT-files (no ../shared/datasets/asu beside the working directory or the package to default to)',
        );
      }
      // Everything that can be checked is checked before the first run: the data directory, the requested
      // datasets, and the output directory (created now).
      const found = findPaperFiles(dataDir);
      const only = flags.datasets && [...new Set(flags.datasets.map((d) => d.paper))];
      if (only) {
        const absent = only.filter((p) => !found.some((f) => f.paper === p));
        if (absent.length === only.length) {
          // The names as typed (e.g. "Yale"), not the keys they matched ("yale").
          fail(`datasets present in ${dataDir} (${found.map((f) => f.paper.key).join(', ')})`, '--datasets', flags.datasets!.map((d) => d.name).join(','));
        }
        for (const p of absent) process.stderr.write(`npset: skipped ${p.displayName}: no ${p.file} in ${dataDir}\n`);
      }
      const out = makeOutDir('--out', flags.out);
      checkOutFiles('--out', out, REPRODUCE_FILES);
      for (const note of epochNotes(flags.epochs, reproduceMethods(flags.methods))) process.stderr.write(`npset: note: ${note}\n`);
      const written = new Set<string>();
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const bar = flags.json ? null : progressBar(process.stderr);
      const started = Date.now();
      let result: ReproduceResult;
      // Runs in results.json (and the tables) as of the last completed write: what an interruption keeps.
      let kept = 0;
      try {
        result = await reproduce(
          {
            dataDir,
            out,
            seeds: flags.seeds,
            firstSeed: flags.firstSeed,
            epochs: flags.epochs,
            threads: flags.threads,
            only,
            methods: flags.methods,
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
          async (r, final) => {
            written.add('results.json');
            for (const f of await writeReport(out, r, final)) written.add(f);
            kept = r.runs.length;
          },
        );
      } catch (err) {
        if (err instanceof AbortError && controller.signal.aborted) throw interrupted(out, kept);
        throw err;
      } finally {
        bar?.stop();
        process.removeListener('SIGINT', onSigint);
      }
      if (result.runs.length === 0) {
        // Exit code 1, not 2: the arguments were valid; every dataset was tried and failed to load (each
        // reported above), so there is nothing to tabulate.
        const names = result.failed.map((f) => f.dataset).join(', ');
        const what = only ? 'every requested dataset' : `every paper dataset in ${dataDir}`;
        throw new CliError(`no run: ${what} failed to load (${names}); nothing written to ${out}`, 1);
      }
      const summary = summarize(out, result, flags.epochs);
      if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        const files = FILE_ORDER.filter((f) => written.has(f));
        process.stdout.write(
          `wrote ${pathText(out)}/${files.join(', ')} ` +
            `(${result.runs.length} runs in ${formatElapsed(Date.now() - started)})\n`,
        );
      }
    });
}

/**
 * The one line of an interrupted reproduction (exit code 130, as for any abort). results.json and the
 * tables are rewritten as runs finish, and once more when the reproduction is interrupted, so they hold
 * exactly the runs finished before the interruption; the figures are only drawn at the end, so none is written.
 */
function interrupted(out: string, kept: number): CliError {
  if (kept === 0) return new CliError(`interrupted before any run finished; nothing written to ${out}`, 130);
  const runs = `${kept} finished run${kept === 1 ? '' : 's'}`;
  return new CliError(`interrupted; ${runs} kept in ${join(out, 'results.json')} (tables rewritten with them; figures not drawn)`, 130);
}

/** "12.3 s" below a minute, "2.5 min" from there: the elapsed time of the summary line. */
export function formatElapsed(ms: number): string {
  const seconds = Math.round(Math.max(0, ms) / 100) / 10; // as printed: 59.96 s is a minute
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * The progress of the runs, always on `stream` (stderr: stdout is for the summary or the --json object). On a
 * terminal, a bar redrawn in place; elsewhere (a log file, a pipe, CI) no bar and no control characters, but
 * a plain line ("runs 3/13 (23%), ETA 1m30s | ...") at the start, every 30 s and at the end.
 */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }): SingleBar {
  const tty = stream.isTTY === true;
  const head = tty ? 'runs {value}/{total} [{bar}] {percentage}%' : 'runs {value}/{total} ({percentage}%)';
  return new SingleBar({
    // No ETA before a run has finished (cli-progress would say 0s), and no separator before an empty label.
    format: (options, params, payload: { current?: string }) => {
      const eta = params.value > 0 ? `${tty ? ' |' : ','} ETA {eta_formatted}` : '';
      const current = payload.current ? ' | {current}' : '';
      return Format.Formatter({ ...options, format: `${head}${eta}${current}` }, params, payload);
    },
    stream,
    hideCursor: true,
    etaBuffer: 20,
    noTTYOutput: true,
    notTTYSchedule: 30_000,
    // Off a terminal every line already ends with a newline: none more at the end (it would be a blank line).
    clearOnComplete: !tty,
  });
}

const TABLES = ['table2.md', 'table2.csv', 'table3.md', 'table3.csv'];
const FILE_ORDER = [...TABLES, 'figure1.svg', 'figure2.svg', 'results.json'];

/**
 * Writes the tables, and at the end the figures that have data; returns the names of the files written.
 * Called when reproduce saves (lib/experiment/reproduce.ts, SaveSchedule): after the first run, then as often
 * as the cost of the saves allows, and at the end.
 */
async function writeReport(out: string, r: ReproduceResult, final: boolean): Promise<string[]> {
  writeTables(out, r.runs, r.datasets, r.methods);
  const written = [...TABLES];
  if (!final) return written;
  if (r.figure1) {
    writeFileSync(join(out, 'figure1.svg'), await figure1Svg(r.figure1));
    written.push('figure1.svg');
  }
  const names = r.datasets.filter((d) => FIGURE2_DATASETS.includes(d.key)).map((d) => d.displayName);
  const fig2 = await figure2Svg(r.runs, names);
  if (fig2) {
    writeFileSync(join(out, 'figure2.svg'), fig2);
    written.push('figure2.svg');
  }
  return written;
}

function summarize(out: string, r: ReproduceResult, epochs: number) {
  // The tables were written by the last save, with every run: read here, not written again.
  const table2 = table2Rows(r.runs, r.datasets, r.methods);
  return {
    out,
    datasets: r.datasets.map((d) => d.displayName),
    failed: r.failed,
    methods: r.methods,
    seeds: r.seeds.length,
    epochs,
    // std: null for a single seed (no spread), as table2.csv leaves it empty (lib/report/paper-report.ts).
    rows: table2.map((t) => ({ dataset: t.dataset, method: t.method, mean: t.mean, std: hasSpread(t) ? t.std : null, paper: t.paper, params: t.params, neurons: t.neurons })),
  };
}

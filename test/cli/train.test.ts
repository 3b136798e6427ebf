import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { settingNotes, TRAIN_CLI_DEFAULTS } from '../../lib/cli/train';
import { SparseMLP } from '../../lib/model';
import { METHODS } from '../../lib/experiment/methods';
import { PRUNING_DEFAULTS } from '../../lib/model/options';
import { CLI, cliTempDir, ROOT, runCli, runJson, type CliResult } from '../helpers/cli';
import { dataDir, hasDataDir } from '../helpers/data-dir';
import { matrixSpec, writeMat } from '../helpers/mat-writer';

let tmp: string;
cliTempDir('npset-cli-', (dir) => (tmp = dir));

const LUNG = path.join(dataDir(), 'asu', 'lung_discrete.mat');

function isFraction(v: unknown): boolean {
  return typeof v === 'number' && v >= 0 && v <= 1;
}

describe('npset train --json on the built-in synthetic data', () => {
  let first: Record<string, unknown>;
  let firstRun: CliResult;

  beforeAll(async () => {
    ({ json: first, result: firstRun } = await runJson(['train', '--epochs', '3', '--hidden', '50,50']));
  });

  it('prints exactly one JSON object with the documented keys, and nothing on stderr', () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.stdout.endsWith('\n')).toBe(true);
    const j = first;
    for (const key of [
      'dataset', 'method', 'layers', 'neurons', 'params', 'testAccuracy', 'maxTestAccuracy', 'trainAccuracy',
      'epochs', 'epochTimesMs', 'threads', 'settings',
    ]) {
      expect(j, key).toHaveProperty(key);
    }
    expect(j.dataset).toBe('synthetic');
    expect(j.method).toBe('set');
    const layers = j.layers as number[];
    expect(layers).toHaveLength(4);
    expect(layers.slice(1, 3)).toEqual([50, 50]);
    expect(layers[0]).toBeGreaterThan(0);
    expect(layers[3]).toBeGreaterThanOrEqual(2);
    expect(j.neurons).toBe(layers[0] + 50 + 50);
    expect(Number.isInteger(j.params)).toBe(true);
    expect(j.params as number).toBeGreaterThan(0);
    expect(j.params as number).toBeLessThan(layers[0] * 50 + 50 * 50 + 50 * layers[3]);
    expect(isFraction(j.testAccuracy)).toBe(true);
    expect(isFraction(j.maxTestAccuracy)).toBe(true);
    expect(isFraction(j.trainAccuracy)).toBe(true);
    expect(j.maxTestAccuracy as number).toBeGreaterThanOrEqual(j.testAccuracy as number);
    expect(j.epochs).toBe(3);
    const times = j.epochTimesMs as number[];
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toBeGreaterThan(0);
    expect(Number.isInteger(j.threads)).toBe(true);
    expect(j.threads as number).toBeGreaterThanOrEqual(1);
    // SET does not prune: no per-epoch neuron counts
    expect(j).not.toHaveProperty('neuronsPerEpoch');
  });

  it('adds the final model\'s metrics on the test split (testMetrics), consistent with testAccuracy', () => {
    const m = first.testMetrics as { accuracy: number; samples: number; confusion: number[][]; balancedAccuracy: number; macroF1: number; perClass: { label: number; support: number; recall: number }[] };
    expect(m.samples).toBe(first.testSamples);
    expect(m.accuracy).toBe(first.testAccuracy);
    const layers = first.layers as number[];
    expect(m.perClass).toHaveLength(layers[layers.length - 1]);
    expect(m.perClass.map((c) => c.label)).toEqual(m.perClass.map((_, i) => i));
    expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(first.testSamples);
    expect(m.perClass.reduce((a, c) => a + c.support, 0)).toBe(first.testSamples);
    const recalls = m.perClass.filter((c) => c.support > 0).map((c) => c.recall);
    expect(m.balancedAccuracy).toBeCloseTo(recalls.reduce((a, b) => a + b, 0) / recalls.length, 12);
    expect(m.macroF1).toBeGreaterThan(0);
  });

  it('reports the maximum over the per-epoch test accuracies, and the last one', () => {
    const perEpoch = first.testAccuracyPerEpoch as number[];
    expect(perEpoch).toHaveLength(3);
    expect(first.maxTestAccuracy).toBe(Math.max(...perEpoch));
    expect(first.testAccuracy).toBe(perEpoch[2]);
    expect(first.trainAccuracy).toBe((first.trainAccuracyPerEpoch as number[])[2]);
    expect(first.maxTestEpoch).toBe(perEpoch.indexOf(Math.max(...perEpoch)));
    // synthetic data is learnable: the training set is fitted well within 3 epochs
    expect(first.trainAccuracy as number).toBeGreaterThan(0.9);
    expect(first.testAccuracy as number).toBeGreaterThan(0.6);
    // the default 1/3 split of 600 samples
    expect(first.trainSamples).toBe(400);
    expect(first.testSamples).toBe(200);
  });

  it('records the settings, with the documented defaults for options not given', () => {
    const s = first.settings as Record<string, unknown>;
    expect(s).toEqual({
      hidden: [50, 50],
      epochs: 3,
      epsilon: TRAIN_CLI_DEFAULTS.epsilon,
      zeta: TRAIN_CLI_DEFAULTS.zeta,
      batchSize: TRAIN_CLI_DEFAULTS.batch,
      learningRate: TRAIN_CLI_DEFAULTS.lr,
      momentum: TRAIN_CLI_DEFAULTS.momentum,
      weightDecay: TRAIN_CLI_DEFAULTS.weightDecay,
      dropout: TRAIN_CLI_DEFAULTS.dropout,
      alpha: PRUNING_DEFAULTS.alpha,
      beta: PRUNING_DEFAULTS.beta,
      gamma: PRUNING_DEFAULTS.gamma,
      criterion: PRUNING_DEFAULTS.criterion,
      weightInit: TRAIN_CLI_DEFAULTS.weightInit,
      seed: TRAIN_CLI_DEFAULTS.seed,
      threads: TRAIN_CLI_DEFAULTS.threads,
    });
    expect(first.seed).toBe(0);
  });

  it('is deterministic for a seed, and for any thread count', async () => {
    const { json: again } = await runJson(['train', '--epochs', '3', '--hidden', '50,50', '--threads', '1']);
    for (const key of ['params', 'neurons', 'layers', 'testAccuracy', 'maxTestAccuracy', 'trainAccuracy', 'lossPerEpoch', 'testAccuracyPerEpoch']) {
      expect(again[key], key).toEqual(first[key]);
    }
    expect(again.threads).toBe(1);
  });

  it('gives another run for another seed', async () => {
    const { json: other } = await runJson(['train', '--epochs', '3', '--hidden', '50,50', '--seed', '7']);
    expect(other.seed).toBe(7);
    expect((other.settings as { seed: number }).seed).toBe(7);
    expect(other.lossPerEpoch).not.toEqual(first.lossPerEpoch);
  });

  it('honours --weight-init: recorded, and another start than the default', async () => {
    const { json: normal } = await runJson(['train', '--epochs', '3', '--hidden', '50,50', '--weight-init', 'normal']);
    expect((normal.settings as { weightInit: string }).weightInit).toBe('normal');
    // The same seed draws the same topology: the params match, the losses do not.
    expect(normal.params).toBe(first.params);
    expect(normal.lossPerEpoch).not.toEqual(first.lossPerEpoch);
  });

  it('honours --test-fraction and the method', async () => {
    const { json } = await runJson(['train', '--epochs', '2', '--hidden', '20', '--test-fraction', '0.5', '--method', 'dense']);
    expect(json.testSamples).toBe(300);
    expect(json.trainSamples).toBe(300);
    expect(json.method).toBe('dense');
    const layers = json.layers as number[];
    expect(json.params).toBe(layers[0] * 20 + 20 * layers[2]);
  });
});

describe('npset train on the real lung_discrete data', () => {
  it.skipIf(!hasDataDir())('SET reaches the paper\'s accuracy with about its parameter count (Table 3: 13,446)', async () => {
    const { json } = await runJson(['train', '--data', LUNG, '--hidden', '300,300', '--epsilon', '10', '--epochs', '100', '--seed', '1']);
    expect(json.dataset).toBe('lung_discrete');
    expect(json.method).toBe('set');
    expect(json.layers).toEqual([325, 300, 300, 7]);
    expect(json.neurons).toBe(925);
    expect(json.testSamples).toBe(25);
    expect(json.trainSamples).toBe(48);
    expect(Math.abs((json.params as number) - 13446) / 13446).toBeLessThan(0.1);
    expect(json.maxTestAccuracy as number).toBeGreaterThanOrEqual(0.8);
    expect(json.epochTimesMs as number[]).toHaveLength(100);
  });

  it.skipIf(!hasDataDir())('NPSET ends with Table 3\'s 457 neurons and reports per-epoch sizes', async () => {
    const { json } = await runJson(['train', '--data', LUNG, '--method', 'npset', '--epochs', '60', '--hidden', '300,300', '--epsilon', '10', '--seed', '1']);
    expect(json.method).toBe('npset');
    expect(json.layers).toEqual([325, 66, 66, 7]);
    expect(json.neurons).toBe(325 + 66 + 66);
    const neurons = json.neuronsPerEpoch as number[][];
    const params = json.paramsPerEpoch as number[];
    expect(neurons).toHaveLength(60);
    expect(params).toHaveLength(60);
    // no pruning before epoch beta = 10; then 4% of each layer per epoch up to epoch 50
    for (let e = 0; e < 10; e++) expect(neurons[e]).toEqual([300, 300]);
    expect(neurons[10]).toEqual([288, 288]);
    expect(neurons[11]).toEqual([277, 277]);
    for (let e = 50; e < 60; e++) expect(neurons[e]).toEqual([66, 66]);
    for (let e = 1; e < 60; e++) expect(params[e]).toBeLessThanOrEqual(params[e - 1]);
    expect(params[59]).toBe(json.params);
    expect(params[59]).toBeLessThan(params[0] / 3);
    expect(json.maxTestAccuracy as number).toBeGreaterThanOrEqual(0.7);
  });
});

describe('npset train human output', () => {
  it('prints a header, one line per epoch and a summary', async () => {
    const r = await runCli(['train', '--epochs', '4', '--hidden', '20,20']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    const epochLines = lines.filter((l) => /^epoch\s+\d+\/4\b/.test(l));
    expect(epochLines).toHaveLength(4);
    expect(epochLines.map((l) => Number(/^epoch\s+(\d+)/.exec(l)![1]))).toEqual([1, 2, 3, 4]);
    for (const l of epochLines) expect(l).toMatch(/loss \d+\.\d+ .*train \d+\.\d+% .*test \d+\.\d+%/);
    expect(lines[0]).toMatch(/SET-MLP on synthetic: 400 train \/ 200 test samples/);
    for (const label of ['dataset', 'method', 'layers', 'neurons', 'params', 'test accuracy', 'train accuracy', 'time']) {
      expect(lines.some((l) => l.startsWith(label)), label).toBe(true);
    }
    expect(r.stdout).not.toMatch(/^\s*\{/m);
  });
});

describe('npset train errors', () => {
  function expectUsageError(r: CliResult, pattern?: RegExp): void {
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^npset: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (pattern) expect(lines[0]).toMatch(pattern);
  }

  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['--bogus'], /unknown option '--bogus'/],
    ['--epochs abc', ['--epochs', 'abc'], /Expected .* for --epochs but received "abc"/],
    ['--epochs 0', ['--epochs', '0'], /Expected .* for --epochs but received 0/],
    ['--epochs 1.5', ['--epochs', '1.5'], /--epochs/],
    ['--hidden 3,x', ['--hidden', '3,x'], /--hidden.*"3,x"/],
    ['--hidden 0', ['--hidden', '0'], /--hidden/],
    ['--lr -1', ['--lr', '-1'], /Expected .* for --lr but received -1/],
    ['--momentum 1', ['--momentum', '1'], /--momentum/],
    ['--zeta 2', ['--zeta', '2'], /--zeta/],
    ['--test-fraction 1', ['--test-fraction', '1'], /--test-fraction/],
    ['--method bogus', ['--method', 'bogus'], /bogus/],
    ['--criterion bogus', ['--criterion', 'bogus'], /--criterion/],
    ['--weight-init glorot', ['--weight-init', 'glorot'], /^npset: Expected one of he-uniform, xavier-uniform, normal for --weight-init but received "glorot"$/m],
  ];
  it.each(cases)('%s', async (_name, args, pattern) => {
    expectUsageError(await runCli(['train', '--epochs', '1', '--hidden', '5', ...args]), pattern);
  });

  it('a missing file', async () => {
    const missing = path.join(tmp, 'missing.mat');
    expectUsageError(await runCli(['train', '--data', missing, '--epochs', '1']), /missing\.mat/);
  });

  it('a directory instead of a file', async () => {
    expectUsageError(await runCli(['train', '--data', tmp, '--epochs', '1']));
  });

  it('a file that is not a MAT-file', async () => {
    const garbage = path.join(tmp, 'garbage.mat');
    const bytes = Buffer.alloc(400);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    writeFileSync(garbage, bytes);
    expectUsageError(await runCli(['train', '--data', garbage, '--epochs', '1']), /garbage\.mat/);
  });

  it('an empty file', async () => {
    const empty = path.join(tmp, 'empty.mat');
    writeFileSync(empty, '');
    expectUsageError(await runCli(['train', '--data', empty, '--epochs', '1']), /empty\.mat/);
  });

  it('a MAT-file without X and two matrices that could be it', async () => {
    const noX = path.join(tmp, 'no-x.mat');
    const m = [[1, 2], [3, 4], [5, 6], [7, 8]];
    writeFileSync(noX, writeMat([matrixSpec('Y', [[1], [2], [1], [2]]), matrixSpec('Z', m), matrixSpec('W', m)]));
    expectUsageError(await runCli(['train', '--data', noX, '--epochs', '1']), /cannot tell which variable holds the features for the labels "Y"/);
  });

  it('a MAT-file whose labels do not match the rows of X', async () => {
    const bad = path.join(tmp, 'mismatch.mat');
    writeFileSync(bad, writeMat([matrixSpec('X', [[1, 2], [3, 4], [5, 6]]), matrixSpec('Y', [[1], [2]])]));
    expectUsageError(await runCli(['train', '--data', bad, '--epochs', '1']), /mismatch\.mat/);
  });

  it('an unknown command', async () => {
    expectUsageError(await runCli(['bogus']), /unknown command 'bogus'/);
  });
});

describe('npset train --help', () => {
  it('lists every option with its default and exits 0', async () => {
    const r = await runCli(['train', '--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    // one entry per option; descriptions may wrap onto indented continuation lines
    const entries = new Map<string, string>();
    let current: string | undefined;
    for (const line of r.stdout.split('\n')) {
      const m = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line);
      if (m) {
        current = m[1];
        entries.set(current, line);
      } else if (current && /^ {4,}\S/.test(line)) {
        entries.set(current, `${entries.get(current)} ${line.trim()}`);
      } else {
        current = undefined;
      }
    }
    const expected: Record<string, unknown> = {
      '--hidden': TRAIN_CLI_DEFAULTS.hidden,
      '--epochs': TRAIN_CLI_DEFAULTS.epochs,
      '--epsilon': TRAIN_CLI_DEFAULTS.epsilon,
      '--zeta': TRAIN_CLI_DEFAULTS.zeta,
      '--batch': TRAIN_CLI_DEFAULTS.batch,
      '--lr': TRAIN_CLI_DEFAULTS.lr,
      '--momentum': TRAIN_CLI_DEFAULTS.momentum,
      '--weight-decay': TRAIN_CLI_DEFAULTS.weightDecay,
      '--dropout': TRAIN_CLI_DEFAULTS.dropout,
      '--weight-init': TRAIN_CLI_DEFAULTS.weightInit,
      '--seed': TRAIN_CLI_DEFAULTS.seed,
      '--threads': TRAIN_CLI_DEFAULTS.threads,
      '--alpha': PRUNING_DEFAULTS.alpha,
      '--beta': PRUNING_DEFAULTS.beta,
      '--gamma': PRUNING_DEFAULTS.gamma,
      '--criterion': PRUNING_DEFAULTS.criterion,
      '--method': 'set',
    };
    const noValue = ['--data', '--label-column', '--header', '--no-header', '--x-var', '--y-var', '--delimiter', '--max-dense-bytes', '--libsvm-base', '--test-fraction', '--validation-fraction', '--patience', '--lr-schedule', '--lr-warmup', '--save-model', '--json', '--help'];
    expect([...entries.keys()].sort()).toEqual([...Object.keys(expected), ...noValue].sort());
    for (const [flag, value] of Object.entries(expected)) {
      const text = entries.get(flag)!.replace(/\s+/g, ' ');
      // Lists as typed on the command line (1000,1000), strings quoted.
      const shown = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? JSON.stringify(value) : String(value);
      expect(text, flag).toContain(`default: ${shown}`);
    }
    // options without a plain value still say what happens by default
    expect(entries.get('--data')).toMatch(/default: built-in synthetic/);
    expect(entries.get('--label-column')!.replace(/\s+/g, ' ')).toMatch(/default: the last column/);
    expect(entries.get('--x-var')!.replace(/\s+/g, ' ')).toMatch(/MAT --data only: .*\(default: X, then fea, /);
    expect(entries.get('--y-var')!.replace(/\s+/g, ' ')).toMatch(/MAT --data only: .*\(default: Y, then gnd, /);
    expect(entries.get('--delimiter')!.replace(/\s+/g, ' ')).toMatch(/CSV\/TSV --data only: .*\(default: detected\)/);
    expect(entries.get('--max-dense-bytes')!.replace(/\s+/g, ' ')).toMatch(/\(default: 1GiB\)/);
    expect(entries.get('--test-fraction')!.replace(/\s+/g, ' ')).toMatch(/default: ceil\(n \/ 3\)/);
    expect(entries.get('--lr-schedule')!.replace(/\s+/g, ' ')).toMatch(/\(default: constant\): constant, step:EPOCHS\[:FACTOR\]/);
    expect(entries.get('--lr-warmup')!.replace(/\s+/g, ' ')).toMatch(/\(default: 0\)/);
    expect(entries.get('--validation-fraction')!.replace(/\s+/g, ' ')).toMatch(/\(default: none\)/);
    expect(entries.get('--patience')!.replace(/\s+/g, ' ')).toMatch(/default: off\)/);
    // every method is listed
    const method = entries.get('--method')!.replace(/\s+/g, ' ');
    for (const m of METHODS) expect(method).toContain(`"${m}"`);
  });

  it('npset --version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.status).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(r.stdout.trim()).toBe((require('../../package.json') as { version: string }).version);
  });
});

/**
 * Starts `npset train ...args`, sends SIGINT once the first epoch line is out (and, with signals 2, again `gapMs`
 * after the first was taken), and collects the output.
 */
async function interrupted(args: string[], signals: number, gapMs = 500): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string; sent: boolean }> {
  const child = spawn(process.execPath, [CLI, 'train', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  const onLine = () => {
    // Interrupt once training is under way: after the first epoch line.
    if (!sent && /^epoch\s+1\//m.test(stdout)) {
      sent = true;
      child.kill('SIGINT');
    }
  };
  let again = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), onLine()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    // The second signal once the first has been taken (signals sent together may merge into one).
    if (signals > 1 && !again && stderr.includes('stopping after this epoch')) {
      again = true;
      setTimeout(() => child.kill('SIGINT'), gapMs);
    }
  });
  const [status, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  return { status, signal, stdout, stderr, sent };
}

describe('npset train interrupted', () => {
  it('Ctrl-C once: the epoch in progress ends, the summary covers the epochs that ran, the model is saved, exit code 130', async () => {
    const model = path.join(tmp, 'stopped.npset');
    const r = await interrupted(['--epochs', '100000', '--hidden', '100,100', '--threads', '1', '--save-model', model], 1);
    expect(r.sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(130);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines[0]).toBe('npset: stopping after this epoch (Ctrl-C again to stop at once)');
    const last = /^npset: Training was stopped by Ctrl-C after epoch (\d+) of 100000$/.exec(lines[lines.length - 1]);
    expect(last, r.stderr).not.toBeNull();
    const epochs = (r.stdout.match(/^epoch\s+\d+\//gm) ?? []).length;
    expect(Number(last![1])).toBe(epochs);
    expect(r.stdout).toMatch(/^test accuracy /m);
    const loaded = await SparseMLP.load(model);
    expect(loaded.saved!.metadata).toMatchObject({ method: 'set' });
    loaded.dispose();
  });

  it('one interrupt delivered twice within milliseconds (timeout -s INT, a process group) is taken as one Ctrl-C', async () => {
    const model = path.join(tmp, 'twice-delivered.npset');
    const r = await interrupted(['--epochs', '100000', '--hidden', '100,100', '--threads', '1', '--save-model', model], 2, 0);
    expect(r.status).toBe(130);
    expect(r.stdout).toMatch(/^test accuracy /m);
    expect(r.stderr).toMatch(/^npset: Training was stopped by Ctrl-C after epoch \d+ of 100000$/m);
    expect(existsSync(model)).toBe(true);
  });

  it('Ctrl-C twice: stops at once with exit code 130, no summary, no model file', async () => {
    const model = path.join(tmp, 'aborted.npset');
    // Epochs of about 1.4 s, so that the second signal, 0.4 s after the first (a repeat within 0.3 s is taken for the
    // same interrupt), comes while the first epoch after the first runs.
    const slow = ['--hidden', '2000,2000', '--batch', '1', '--lr', '0.001', '--epsilon', '200'];
    const r = await interrupted(['--epochs', '100000', ...slow, '--threads', '1', '--save-model', model], 2, 400);
    expect(r.sent).toBe(true);
    expect(r.status).toBe(130);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines[lines.length - 1]).toMatch(/^npset: .*abort/i);
    expect(r.stdout).not.toMatch(/^test accuracy/m);
    expect(existsSync(model)).toBe(false);
  });
});

describe('npset train notes on settings that will have no effect', () => {
  const flags = { method: 'npset', epochs: 100, beta: 10, gamma: 40, threads: 0 } as Parameters<typeof settingNotes>[0];
  const none = () => false;
  it('says nothing for the defaults', () => {
    expect(settingNotes(flags, none, 2)).toEqual([]);
    expect(settingNotes({ ...flags, method: 'set' }, none, 2)).toEqual([]);
  });
  it('names NPSET flags given to a method that does not prune, and --zeta given to a dense one', () => {
    const given = (n: string) => n === 'alpha' || n === 'gamma' || n === 'zeta';
    expect(settingNotes({ ...flags, method: 'set' }, given, 2)).toEqual(['--alpha, --gamma apply to the NPSET methods only (npset, npset-1st, npset-2nd): ignored with --method set']);
    expect(settingNotes({ ...flags, method: 'dense' }, given, 2)).toHaveLength(2);
    expect(settingNotes({ ...flags, method: 'dense' }, given, 2)[1]).toMatch(/^--zeta applies to sparse methods only: ignored with --method dense/);
  });
  it('says when the epochs end before the first or the last pruning', () => {
    expect(settingNotes({ ...flags, epochs: 10 }, none, 2)).toEqual(['--epochs 10 ends before the first pruning (epoch 11, --beta 10 counted from 0): no neuron will be pruned']);
    expect(settingNotes({ ...flags, epochs: 30 }, none, 2)).toEqual(['--epochs 30 ends before the last pruning (epoch 51): 20 of the 41 scheduled prunings will run']);
    expect(settingNotes({ ...flags, epochs: 51 }, none, 2)).toEqual([]);
    expect(settingNotes({ ...flags, epochs: 50 }, none, 2)).toHaveLength(1);
  });
  it('says when a learning-rate schedule will not do what it says within the epochs', () => {
    const set = { ...flags, method: 'set', lr: 0.01 } as Parameters<typeof settingNotes>[0];
    expect(settingNotes({ ...set, epochs: 3, lrWarmup: 3 }, none, 2)).toEqual(['--lr-warmup 3 lasts the whole run (--epochs 3): the rate never reaches --lr 0.01']);
    expect(settingNotes({ ...set, epochs: 10, lrWarmup: 2, lrSchedule: { type: 'step', stepSize: 8 } }, none, 2)).toEqual(['--lr-schedule step:8 never steps within --epochs 10 after --lr-warmup 2: the rate stays --lr 0.01']);
    expect(settingNotes({ ...set, epochs: 10, lrWarmup: 2, lrSchedule: { type: 'step', stepSize: 7 } }, none, 2)).toEqual([]);
    expect(settingNotes({ ...set, epochs: 10, lrSchedule: { type: 'exponential', factor: 1 } }, none, 2)).toEqual(['--lr-schedule exponential with FACTOR 1 keeps the rate at --lr 0.01']);
    expect(settingNotes({ ...set, epochs: 10, lrSchedule: { type: 'cosine' } }, none, 2)).toEqual([]);
  });

  it('says when there are more threads than cores', () => {
    expect(settingNotes({ ...flags, threads: 3 }, none, 2)).toEqual(['--threads 3 is more than the 2 cores available: threads will share cores, which is usually slower']);
    expect(settingNotes({ ...flags, threads: 2 }, none, 2)).toEqual([]);
  });
  it('prints them on stderr, one line each, and the run goes on', async () => {
    const r = await runCli(['train', '--method', 'npset', '--epochs', '2', '--hidden', '20', '--threads', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('npset: note: --epochs 2 ends before the first pruning (epoch 11, --beta 10 counted from 0): no neuron will be pruned\n');
    expect(JSON.parse(r.stdout).method).toBe('npset');
  });
});


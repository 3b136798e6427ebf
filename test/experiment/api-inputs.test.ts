/**
 * The exported experiment entry points check their inputs as SparseMLP.create does: a ValidationError that
 * names the field, unknown keys refused, and no silent fallback to the built-in synthetic data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSyntheticDataset } from '../../lib/data';
import { ValidationError } from '../../lib/errors';
import { METHODS, METHOD_SPECS } from '../../lib/experiment/methods';
import { CSV_EXTENSIONS, prepareData, splitAndStandardize } from '../../lib/experiment/prepare';
import { RUN_DEFAULTS, runMethod, type RunOptions, type RunSettings } from '../../lib/experiment/run';
import { RUN_SETTINGS } from '../helpers/run-settings';
import { LIMITS } from '../../lib/cli/args';
import { TRAIN_CLI_DEFAULTS } from '../../lib/cli/train';
import { CSV_DELIMITERS } from '../../lib/data/csv';
import { WORKLOADS, WORKLOAD_SHAPES } from '../../lib/experiment/bench';
import { FIGURE2_DATASETS, PAPER_METHODS, REPRODUCE_DEFAULTS } from '../../lib/experiment/reproduce';

const data = splitAndStandardize(makeSyntheticDataset({ samples: 30, features: 6, classes: 2, seed: 3 }), { seed: 1 });
const settings: RunSettings = { ...RUN_SETTINGS, hidden: [8], epochs: 1, epsilon: 2 };

async function rejection(p: () => Promise<unknown>): Promise<Error> {
  let error: unknown;
  try {
    await p();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a ValidationError').toBeInstanceOf(ValidationError);
  return error as Error;
}

describe('runMethod input checks', () => {
  const bad: [string, unknown, RegExp][] = [
    ['no options', undefined, /^Expected an options object for runMethod options but received undefined$/],
    ['empty options', {}, /^Expected prepared data \{ name, train, test, classes, features \} for data but received undefined$/],
    ['an unknown option', { data, method: 'set', settings, onepoch: () => {} }, /unknown option "onepoch"/],
    ['an unknown method', { data, method: 'foo', settings }, /^Expected one of "set", "npset", .*"dense" for method but received "foo"$/],
    ['settings not an object', { data, method: 'set', settings: 5 }, /^Expected a settings object \(any of RUN_DEFAULTS' keys\) for settings but received 5$/],
    ['settings null', { data, method: 'set', settings: null }, /for settings but received null$/],
    ['a hidden size of 0', { data, method: 'set', settings: { ...settings, hidden: [8, 0] } }, /for settings\.hidden\[1\] but received 0$/],
    ['settings with epochs null', { data, method: 'set', settings: { ...settings, epochs: null } }, /for settings\.epochs but received null$/],
    ['a misspelt setting', { data, method: 'set', settings: { ...settings, learningrate: 5 } }, /unknown option "learningrate"/],
    ['a bad setting the method does not use', { data, method: 'set', settings: { ...settings, alpha: 1 } }, /settings\.alpha but received 1$/],
    ['a criterion unknown', { data, method: 'npset', settings: { ...settings, criterion: 'x' } }, /settings\.criterion/],
    ['a weightInit unknown', { data, method: 'set', settings: { ...settings, weightInit: 'glorot' } }, /^Expected one of "he-uniform", "xavier-uniform", "normal" for settings\.weightInit but received "glorot"$/],
    ['zeta out of range (dense ignores it)', { data, method: 'dense', settings: { ...settings, zeta: 2 } }, /settings\.zeta/],
    ['data without test', { data: { ...data, test: undefined }, method: 'set', settings }, /for data\.test but received undefined$/],
    ['data without train', { data: { ...data, train: null }, method: 'set', settings }, /for data\.train but received null$/],
    ['data without features', { data: { ...data, features: undefined }, method: 'set', settings }, /for data\.features/],
    [
      'a test split of another width',
      { data: { ...data, test: { ...data.test, features: 5 } }, method: 'set', settings },
      /^Expected 6 features \(data\.features\) for data\.test\.features but received 5$/,
    ],
    ['onEpoch not a function', { data, method: 'set', settings, onEpoch: 1 }, /for onEpoch but received 1$/],
    ['keepModel not a function', { data, method: 'set', settings, keepModel: {} }, /for keepModel/],
    ['signal not an AbortSignal', { data, method: 'set', settings, signal: {} }, /for signal/],
    ['onDivergence unknown', { data, method: 'set', settings, onDivergence: 'ignore' }, /for onDivergence/],
    ['a schedule function (settings are JSON)', { data, method: 'set', settings: { ...settings, learningRateSchedule: () => 0.1 } }, /a schedule object .* for settings.learningRateSchedule but received a function$/],
    ['a bad schedule field', { data, method: 'set', settings: { ...settings, learningRateSchedule: { type: 'step', stepSize: 0 } } }, /for settings.learningRateSchedule.stepSize but received 0$/],
  ];
  it.each(bad)('%s', async (_name, options, pattern) => {
    const e = await rejection(() => runMethod(options as RunOptions));
    expect(e.message).toMatch(pattern);
  });

  it('still runs with good input, and keeps its own copy of the settings', async () => {
    const hidden = [8];
    const r = await runMethod({ data, method: 'npset', settings: { ...settings, hidden } });
    expect(r.epochs).toBe(1);
    expect(r.settings).toEqual({ ...settings, hidden: [8] });
    hidden[0] = 99;
    expect(r.settings.hidden).toEqual([8]);
  });

  it('builds the model with settings.weightInit, He-uniform when left out', async () => {
    const inits: string[] = [];
    const keepModel = (m: { options: { weightInit: string } }) => void inits.push(m.options.weightInit);
    const normal = await runMethod({ data, method: 'set', settings: { ...settings, weightInit: 'normal' }, keepModel });
    const left = await runMethod({ data, method: 'dense', settings: { ...settings, weightInit: undefined }, keepModel });
    expect(inits).toEqual(['normal', 'he-uniform']);
    expect(normal.settings.weightInit).toBe('normal');
    expect(left.settings.weightInit).toBe(RUN_DEFAULTS.weightInit);
    expect(RUN_DEFAULTS.weightInit).toBe('he-uniform');
  });

  it('records a schedule with its defaults filled in, and each epoch\'s rate', async () => {
    const r = await runMethod({ data, method: 'set', settings: { ...settings, epochs: 3, learningRateSchedule: { type: 'step', stepSize: 2 } } });
    expect(r.settings.learningRateSchedule).toEqual({ type: 'step', stepSize: 2, factor: 0.1, warmupEpochs: 0 });
    expect(r.history.map((h) => h.learningRate)).toEqual([0.01, 0.01, 0.01 * 0.1]);
  });

  it('takes the settings left out (or given as undefined) from RUN_DEFAULTS, and records them all', async () => {
    const r = await runMethod({ data, method: 'set', settings: { hidden: [4], epochs: 2, epsilon: 2, seed: undefined } });
    expect(r.settings).toEqual({ ...RUN_DEFAULTS, hidden: [4], epochs: 2, epsilon: 2 });
    expect(RUN_DEFAULTS).toMatchObject({ hidden: [1000, 1000], epochs: 100, epsilon: 20, batchSize: 8, learningRate: 0.01, seed: 0 });
    expect(Object.isFrozen(RUN_DEFAULTS) && Object.isFrozen(RUN_DEFAULTS.hidden)).toBe(true);
    const without = Object.fromEntries(Object.entries(settings).filter(([k]) => k !== 'zeta'));
    expect((await runMethod({ data, method: 'set', settings: without })).settings.zeta).toBe(RUN_DEFAULTS.zeta);
  });

  it('accepts no hidden layers, as SparseMLP.create does', async () => {
    const r = await runMethod({ data, method: 'set', settings: { ...settings, hidden: [] } });
    expect(r.layers).toEqual([6, 2]);
  });
});

describe('prepareData and splitAndStandardize input checks', () => {
  it('refuses an empty file name instead of training on the synthetic data', async () => {
    const e = await rejection(() => prepareData({ file: '' }));
    expect(e.message).toBe('Expected a non-empty string for file but received ""');
    await rejection(() => prepareData({ file: 5 as unknown as string }));
  });

  it('refuses a misspelt key instead of ignoring it', async () => {
    const e = await rejection(() => prepareData({ fil: 'mydata.mat' } as never));
    expect(e.message).toMatch(/^Expected only the options file, labelColumn, csvHeader, csvDelimiter, matX, matY, maxDenseBytes, libsvmZeroBased, testFraction, validationFraction, seed for prepareData options but received the unknown option "fil"$/);
    await rejection(() => prepareData('mydata.mat' as never));
    await rejection(() => prepareData(null as never));
  });

  it('reads each option once: a getter cannot give the loader one file and the name another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npset-prepare-'));
    try {
      const file = join(dir, 'tiny.csv');
      writeFileSync(file, 'a,b,label\n' + Array.from({ length: 12 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n') + '\n');
      let reads = 0;
      const options = {
        get file() {
          reads++;
          return reads === 1 ? file : null;
        },
      };
      const p = await prepareData(options as never);
      expect(reads).toBe(1);
      expect(p.name).toBe('tiny');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks csvHeader: a boolean, for CSV/TSV files only', async () => {
    await expect(prepareData({ file: 'x.csv', csvHeader: 'yes' as never })).rejects.toThrow(/Expected a boolean for csvHeader but received "yes"$/);
    await expect(prepareData({ file: 'x.mat', csvHeader: true })).rejects.toThrow(/csvHeader is for CSV\/TSV files only\) but received "x\.mat"$/);
    await expect(prepareData({ csvHeader: false })).rejects.toThrow(/but received no file$/);
  });

  it('passes csvDelimiter (CSV/TSV files only) and maxDenseBytes to the loaders', async () => {
    await expect(prepareData({ file: 'x.csv', csvDelimiter: 'x' as never })).rejects.toThrow(/Expected one of ",", ";", "\\t", "\|" for csvDelimiter but received "x"$/);
    await expect(prepareData({ file: 'x.mat', csvDelimiter: ';' })).rejects.toThrow(/csvDelimiter is for CSV\/TSV files only\) but received "x\.mat"$/);
    const dir = mkdtempSync(join(tmpdir(), 'npset-prepare-'));
    try {
      const file = join(dir, 'pipe.csv');
      writeFileSync(file, 'a|b|label\n' + Array.from({ length: 12 }, (_, i) => `${i}|${i % 3}|${i % 2}`).join('\n') + '\n');
      expect((await prepareData({ file, csvDelimiter: '|' })).features).toBe(2);
      await expect(prepareData({ file, csvDelimiter: '|', maxDenseBytes: 8 })).rejects.toThrow(/over the maxDenseBytes limit of 8 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes libsvmZeroBased (LIBSVM files only) to the loader', async () => {
    await expect(prepareData({ file: 'x.csv', libsvmZeroBased: true })).rejects.toThrow(/libsvmZeroBased/);
    await expect(prepareData({ file: 'x.svm', libsvmZeroBased: 'yes' as never })).rejects.toThrow(/Expected a boolean for libsvmZeroBased but received "yes"$/);
    const dir = mkdtempSync(join(tmpdir(), 'npset-prepare-'));
    try {
      // 0-based indices 1 and 2, never 0: 'auto' reads them 1-based (2 features), true 0-based (3).
      const file = join(dir, 'zero.svm');
      writeFileSync(file, Array.from({ length: 12 }, (_, i) => `${i % 2} 1:${i} 2:${i % 3}`).join('\n') + '\n');
      expect((await prepareData({ file })).features).toBe(2);
      expect((await prepareData({ file, libsvmZeroBased: true })).features).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks labelColumn, testFraction and seed', async () => {
    await expect(prepareData({ file: 'x.csv', labelColumn: -1 })).rejects.toThrow(/for labelColumn but received -1$/);
    await expect(prepareData({ file: 'x.csv', labelColumn: '' })).rejects.toThrow(/a column name or a 0-based column index for labelColumn/);
    await expect(prepareData({ file: 'x.csv', labelColumn: true as never })).rejects.toThrow(/for labelColumn but received true$/);
    await expect(prepareData({ testFraction: 2 })).rejects.toThrow(ValidationError);
    await expect(prepareData({ seed: 1.5 })).rejects.toThrow(ValidationError);
  });

  it('still gives the synthetic data when no file is named', async () => {
    const p = await prepareData({ seed: 1 });
    expect(p.name).toBe('synthetic');
    expect((await prepareData({ file: undefined })).name).toBe('synthetic');
  });

  it('splitAndStandardize refuses unknown keys and non-datasets', () => {
    const d = makeSyntheticDataset({ samples: 30, features: 6, classes: 2, seed: 3 });
    expect(() => splitAndStandardize(d, { file: 'x.mat' } as never)).toThrow(/splitAndStandardize options .*unknown option "file"/);
    expect(() => splitAndStandardize(undefined as never)).toThrow(ValidationError);
    expect(splitAndStandardize(d, { testFraction: undefined, seed: 2 }).test.samples).toBe(10);
  });
});

describe('exported method tables', () => {
  it('are frozen to the leaves: no importer can change a later run', () => {
    expect(Object.isFrozen(METHODS)).toBe(true);
    expect(Object.isFrozen(CSV_EXTENSIONS)).toBe(true);
    expect(Object.isFrozen(METHOD_SPECS)).toBe(true);
    for (const m of METHODS) expect(Object.isFrozen(METHOD_SPECS[m]), m).toBe(true);
    const constants = { PAPER_METHODS, FIGURE2_DATASETS, REPRODUCE_DEFAULTS, WORKLOADS, WORKLOAD_SHAPES, CSV_DELIMITERS, LIMITS, TRAIN_CLI_DEFAULTS };
    for (const [name, c] of Object.entries(constants)) expect(Object.isFrozen(c), name).toBe(true);
    for (const [name, w] of Object.entries(WORKLOAD_SHAPES)) expect(Object.isFrozen(w) && Object.isFrozen(w.layers), name).toBe(true);
    expect(Object.isFrozen(TRAIN_CLI_DEFAULTS.hidden)).toBe(true);
    expect(() => {
      (METHOD_SPECS.set as { dense: boolean }).dense = true;
    }).toThrow(TypeError);
    expect(METHOD_SPECS.set.dense).toBe(false);
  });
});

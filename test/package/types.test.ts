/**
 * The public types accept what the README shows and what users write: a strict type check of a script that uses
 * today's API (onEpoch callbacks returning nothing, a boolean or a Promise of one, early stopping, schedules, prepare,
 * runMethod with some settings, save with null), and refusals where the types should catch a mistake (see also
 * types-strict.test.ts, under exactOptionalPropertyTypes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'npset-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diagnostics(source: string): string[] {
  const file = path.join(dir, `t${Math.random().toString(36).slice(2)}.ts`);
  const lib = path.join(ROOT, 'lib', 'index').replace(/\\/g, '/');
  writeFileSync(file, source.replace('NPSET', lib));
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('public types', () => {
  it('accept the documented uses', () => {
    const errors = diagnostics(`
import { SparseMLP, runMethod, prepareData, learningRateAt, type EpochInfo, type Dataset, type PreparedData } from 'NPSET';
export async function f(model: SparseMLP, data: Dataset, prepared: PreparedData): Promise<void> {
  const seen: EpochInfo[] = [];
  await model.fit(data, { onEpoch: (e) => { seen.push(e); } });
  await model.fit(data, { onEpoch: (e) => e.epoch < 3 });
  await model.fit(data, { onEpoch: async () => false, learningRateSchedule: 'cosine' });
  const r = await model.fit(data, { learningRateSchedule: { type: 'step', stepSize: 10, factor: 0.5, warmupEpochs: 2 } });
  const stopped: boolean = r.stoppedEarly;
  await model.fit(data, { learningRateSchedule: (epoch, lr) => lr / (epoch + 1) });
  const rate: number = learningRateAt({ type: 'exponential', factor: 0.9 }, 0.01, 3, 10);
  const input = model.prepare(data);
  await model.evaluate(input);
  const labels: (string | number)[] = model.classLabels;
  await model.save('m.npset', { standardizer: null, labelNames: null });
  const run = await runMethod({ data: prepared, method: 'npset', settings: { hidden: [300, 300], epochs: 60 }, onEpoch: (_i, rec) => { void (seen.length + rec.epoch); } });
  const s: number | undefined = run.stoppedAtEpoch;
  await runMethod({ data: prepared, method: 'set' });
  const withVal = await prepareData({ file: 'x.mat', validationFraction: 0.2, seed: 1 });
  const early = await runMethod({ data: withVal, method: 'set', settings: { patience: 5 } });
  const picked: number | undefined = early.testAccuracyAtBestValidation;
  const valAcc: number | undefined = early.history[0].validationAccuracy;
  void [stopped, rate, labels, s, picked, valAcc, early.earlyStopEpoch, early.bestValidationEpoch];
}
`);
    expect(errors).toEqual([]);
  });

  it('refuse a misspelt schedule type and a schedule without its parameters', () => {
    const errors = diagnostics(`
import { SparseMLP, type Dataset } from 'NPSET';
export async function f(model: SparseMLP, data: Dataset): Promise<void> {
  await model.fit(data, { learningRateSchedule: { type: 'linear' } });
  await model.fit(data, { learningRateSchedule: { type: 'step' } });
}
`);
    expect(errors).toHaveLength(2);
  });
});

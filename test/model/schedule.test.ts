import { describe, expect, it } from 'vitest';
import { learningRateAt, rateAt, resolveLearningRateSchedule, parseLearningRateSchedule } from '../../lib/model/schedule';
import { TRAIN_DEFAULTS, type ResolvedLearningRateSchedule } from '../../lib/model';
import { disposeAfterEach, expectValidationError, snapshot, syntheticSplit } from './helpers';

const LR = 0.02;
const rates = (s: ResolvedLearningRateSchedule, epochs: number) => Array.from({ length: epochs }, (_, e) => rateAt(s, LR, e, epochs));
const resolve = (v: unknown) => resolveLearningRateSchedule(v, LR);

describe('learning-rate schedules: the rate of each epoch', () => {
  it('constant is the default and keeps learningRate', () => {
    expect(TRAIN_DEFAULTS.learningRateSchedule).toBe('constant');
    expect(rates(resolve('constant'), 4)).toEqual([LR, LR, LR, LR]);
  });

  it('step multiplies by factor every stepSize epochs (default factor 0.1)', () => {
    const r = rates(resolve({ type: 'step', stepSize: 3, factor: 0.5 }), 8);
    const want = [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25].map((f) => LR * f);
    r.forEach((v, i) => expect(v).toBeCloseTo(want[i], 15));
    expect(resolve({ type: 'step', stepSize: 2 })).toEqual({ type: 'step', stepSize: 2, factor: 0.1, warmupEpochs: 0 });
  });

  it('exponential multiplies by factor every epoch', () => {
    rates(resolve({ type: 'exponential', factor: 0.9 }), 5).forEach((v, e) => expect(v).toBeCloseTo(LR * 0.9 ** e, 15));
  });

  it('cosine falls from learningRate towards minLearningRate over the epochs, never reaching it', () => {
    const min = 0.002;
    const r = rates(resolve({ type: 'cosine', minLearningRate: min }), 5);
    r.forEach((v, e) => expect(v).toBeCloseTo(min + (LR - min) * 0.5 * (1 + Math.cos((Math.PI * e) / 5)), 15));
    expect(r[0]).toBe(LR);
    for (let e = 1; e < r.length; e++) expect(r[e]).toBeLessThan(r[e - 1]);
    expect(r[4]).toBeGreaterThan(min);
    expect(resolve('cosine')).toEqual({ type: 'cosine', minLearningRate: 0, warmupEpochs: 0 });
    expect(rates(resolve('cosine'), 1)).toEqual([LR]);
  });

  it('a warm-up rises linearly to learningRate, then the schedule starts from its first epoch', () => {
    expect(rates(resolve({ type: 'step', stepSize: 1, factor: 0.5, warmupEpochs: 4 }), 7)).toEqual(
      [0.25, 0.5, 0.75, 1, 1, 0.5, 0.25].map((f) => LR * f),
    );
    // Cosine spans the epochs after the warm-up: 2 warm-up epochs then 4 of cosine.
    const c = rates(resolve({ type: 'cosine', warmupEpochs: 2 }), 6);
    expect(c.slice(0, 3)).toEqual([LR / 2, LR, LR]);
    c.slice(2).forEach((v, k) => expect(v).toBeCloseTo(LR * 0.5 * (1 + Math.cos((Math.PI * k) / 4)), 15));
  });

  it('a decayed rate stops at the smallest positive float (the core keeps rates as 32-bit floats)', () => {
    const r = learningRateAt({ type: 'exponential', factor: 1e-10 }, LR, 10, 20);
    expect(r).toBe(1.401298464324817e-45);
    expect(Math.fround(r)).toBeGreaterThan(0);
    // A tiny learningRate is kept as given, in warm-up epochs too.
    expect(learningRateAt({ type: 'constant', warmupEpochs: 2 }, 1e-39, 0, 4)).toBe(5e-40);
    expect(learningRateAt('constant', 1e-39, 3, 4)).toBe(1e-39);
  });

  it('learningRateAt takes every form fit takes, checked as fit checks it', async () => {
    expect(learningRateAt('cosine', LR, 0, 10)).toBe(LR);
    expect(learningRateAt({ type: 'step', stepSize: 2 }, LR, 2, 10)).toBeCloseTo(LR * 0.1, 15);
    expect(learningRateAt({ type: 'exponential', factor: 0.5 }, LR, 1, 10)).toBe(LR / 2);
    await expectValidationError(() => learningRateAt('cosine', LR, -1, 10), /for epoch but received -1/);
    await expectValidationError(() => learningRateAt('cosine', LR, 10, 10), /<= 9 for epoch but received 10/);
    await expectValidationError(() => learningRateAt('cosine', 0, 0, 10), /for learningRate but received 0/);
    await expectValidationError(() => learningRateAt({ type: 'step' } as never, LR, 0, 10), /learningRateSchedule.stepSize/);
  });

  it('a function gets (epoch, learningRate) and its rate is used as returned', () => {
    const calls: number[][] = [];
    const f = (e: number, lr: number) => (calls.push([e, lr]), lr / (e + 1));
    expect(resolve(f)).toBe(f);
    expect(rates(resolve(f), 3)).toEqual([LR, LR / 2, LR / 3]);
    expect(calls).toEqual([[0, LR], [1, LR], [2, LR]]);
  });
});

describe('learning-rate schedules: bad values are refused with the field named', () => {
  it.each([
    [undefined, /"constant", "cosine", a schedule object/],
    ['step', /one of "constant", "cosine" for learningRateSchedule but received "step"/],
    [42, /for learningRateSchedule but received 42/],
    [[], /for learningRateSchedule but received an array/],
    [{ type: 'linear' }, /learningRateSchedule.type but received "linear"/],
    [{ type: 'step' }, /integer >= 1 .* learningRateSchedule.stepSize but received undefined/],
    [{ type: 'step', stepSize: 2.5 }, /learningRateSchedule.stepSize but received 2.5/],
    [{ type: 'step', stepSize: 2, factor: 0 }, /> 0 and <= 1 for learningRateSchedule.factor but received 0/],
    [{ type: 'exponential' }, /learningRateSchedule.factor but received undefined/],
    [{ type: 'exponential', factor: 1.5 }, /learningRateSchedule.factor but received 1.5/],
    [{ type: 'cosine', minLearningRate: LR }, /< 0.02 \(the starting rate\) for learningRateSchedule.minLearningRate but received 0.02/],
    [{ type: 'cosine', minLearningRate: -1 }, /learningRateSchedule.minLearningRate but received -1/],
    [{ type: 'constant', warmupEpochs: -1 }, /learningRateSchedule.warmupEpochs but received -1/],
  ])('%j', async (value, pattern) => {
    await expectValidationError(() => resolve(value), pattern);
  });

  it('a key of another type is a typo, not ignored', () => {
    expect(() => resolve({ type: 'constant', factor: 0.5 })).toThrow(/for a constant learningRateSchedule but received the unknown option "factor"/);
    expect(() => resolve({ type: 'cosine', stepSize: 3 })).toThrow(/unknown option "stepSize"/);
  });

  it('a function that returns a bad rate is refused with the epoch named', async () => {
    for (const bad of [0, -1, NaN, Infinity, 1e39, '0.1', undefined]) {
      await expectValidationError(
        () => rateAt(resolve(() => bad), LR, 3, 5),
        /for the rate that learningRateSchedule returned for epoch 3 but received/,
      );
    }
  });

  it('the CLI form parses to the same schedules, and a malformed one names the accepted forms', () => {
    expect(parseLearningRateSchedule('--s', 'step:5')).toEqual({ type: 'step', stepSize: 5 });
    expect(parseLearningRateSchedule('--s', 'step:5:0.5')).toEqual({ type: 'step', stepSize: 5, factor: 0.5 });
    expect(parseLearningRateSchedule('--s', 'exp:0.9')).toEqual({ type: 'exponential', factor: 0.9 });
    expect(parseLearningRateSchedule('--s', 'cosine:1e-4')).toEqual({ type: 'cosine', minLearningRate: 1e-4 });
    expect(parseLearningRateSchedule('--s', 'constant')).toEqual({ type: 'constant' });
    for (const bad of ['', 'exp', 'step', 'step:1:2:3', 'cosine:1:2', 'constant:1', 'linear:3']) {
      expect(() => parseLearningRateSchedule('--s', bad)).toThrow(/Expected constant, step:EPOCHS\[:FACTOR\], exponential:FACTOR or cosine\[:MIN_LR\] for --s/);
    }
    // Text where a number belongs stays text, so the range check shows it as typed.
    expect(() => resolveLearningRateSchedule(parseLearningRateSchedule('--s', 'step:0x10'), LR)).toThrow(/received "0x10"/);
  });
});

describe('fit with a learning-rate schedule', () => {
  const { create } = disposeAfterEach();
  const s = syntheticSplit();
  const layers = [s.features, 30, 30, s.classes];

  it('trains each epoch at its scheduled rate: the same weights as trainEpoch at those rates', async () => {
    const a = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    const b = await a.clone();
    const schedule = { type: 'step' as const, stepSize: 1, factor: 0.5, warmupEpochs: 1 };
    const { history, options } = await a.fit(s.train, { epochs: 4, learningRate: LR, learningRateSchedule: schedule, zeta: 0 });
    expect(history.map((h) => h.learningRate)).toEqual([LR, LR, LR / 2, LR / 4]);
    expect(options.learningRateSchedule).toEqual(schedule);
    for (const [e, lr] of [LR, LR, LR / 2, LR / 4].entries()) await b.trainEpoch(s.train, { learningRate: lr }, e);
    expect(snapshot(a)).toEqual(snapshot(b));
    // A constant rate would have trained other weights: the schedule is not ignored.
    const c = await b.clone();
    const d = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    await d.fit(s.train, { epochs: 4, learningRate: LR, zeta: 0 });
    expect(snapshot(d)).not.toEqual(snapshot(c));
  });

  it('without a schedule every epoch reports learningRate', async () => {
    const m = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    const { history } = await m.fit(s.train, { epochs: 2, learningRate: 0.005 });
    expect(history.map((h) => h.learningRate)).toEqual([0.005, 0.005]);
  });

  it('a run resumed from a checkpoint of epoch 2 (initialEpoch 2) ends as the uninterrupted one: rates come from the epoch index', async () => {
    const opts = { epochs: 5, learningRate: LR, learningRateSchedule: { type: 'cosine' as const, warmupEpochs: 1 } };
    const a = await create({ layers, epsilon: 5, seed: 4, threads: 1 });
    let checkpoint: Promise<Awaited<ReturnType<typeof a.clone>>> | undefined;
    const full = await a.fit(s.train, { ...opts, onEpoch: (e) => void (e.epoch === 1 && (checkpoint = a.clone())) });
    const resumedModel = await checkpoint!;
    const resumed = await resumedModel.fit(s.train, { ...opts, initialEpoch: 2 });
    expect(resumed.history.map((h) => h.learningRate)).toEqual(full.history.slice(2).map((h) => h.learningRate));
    expect(snapshot(resumedModel)).toEqual(snapshot(a));
    resumedModel.dispose();
  });

  it('a schedule function that throws or returns a bad rate stops fit before that epoch trains', async () => {
    const m = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    const boom = new Error('boom');
    await expect(m.fit(s.train, { epochs: 3, learningRateSchedule: (e) => { if (e === 1) throw boom; return 0.01; } })).rejects.toBe(boom);
    const before = snapshot(m);
    await expectValidationError(() => m.fit(s.train, { epochs: 3, learningRateSchedule: () => NaN }), /epoch 0 but received NaN/);
    expect(snapshot(m)).toEqual(before);
    // The model is usable afterwards.
    await m.fit(s.train, { epochs: 1 });
  });

  it('refuses a bad schedule before training, under fit\'s option name; trainEpoch takes a rate, not a schedule', async () => {
    const m = await create({ layers, epsilon: 5, seed: 3, threads: 1 });
    const before = snapshot(m);
    await expectValidationError(() => m.fit(s.train, { epochs: 2, learningRateSchedule: { type: 'step', stepSize: 0 } }), /learningRateSchedule.stepSize/);
    await expectValidationError(
      () => m.fit(s.train, { epochs: 2, learningRate: 0.001, learningRateSchedule: { type: 'cosine', minLearningRate: 0.001 } }),
      /< 0.001 \(the starting rate\)/,
    );
    expect(snapshot(m)).toEqual(before);
    await expect(m.trainEpoch(s.train, { learningRateSchedule: 'cosine' } as never)).rejects.toThrow(/unknown option "learningRateSchedule"/);
  });
});

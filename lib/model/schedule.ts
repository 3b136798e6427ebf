/**
 * Learning-rate schedules of fit: the rate of each epoch from the epoch index alone, so that a fit resumed
 * with initialEpoch uses the rates the uninterrupted fit would have.
 */
import { DECIMAL_NOTATION, expectInteger, expectNumber, expectOneOf, fail, orDefault, rejectUnknownKeys } from '../validate';

export const LR_SCHEDULE_TYPES = Object.freeze(['constant', 'step', 'exponential', 'cosine'] as const);
export type LearningRateScheduleType = (typeof LR_SCHEDULE_TYPES)[number];

/**
 * A schedule by name and parameters (epochs counted from 0); every type takes `warmupEpochs` (default 0): a
 * linear rise learningRate * (e + 1) / warmupEpochs over the first warmupEpochs epochs, after which the schedule
 * runs with k = e - warmupEpochs. An optional field given as undefined takes its default.
 */
export type LearningRateScheduleSpec =
  /** learningRate every epoch (after the warm-up). */
  | { type: 'constant'; warmupEpochs?: number | undefined }
  /** learningRate * factor^floor(k / stepSize): stepSize an integer >= 1; factor in (0, 1], default 0.1. */
  | { type: 'step'; stepSize: number; factor?: number | undefined; warmupEpochs?: number | undefined }
  /** learningRate * factor^k: factor in (0, 1]. */
  | { type: 'exponential'; factor: number; warmupEpochs?: number | undefined }
  /** From learningRate down towards minLearningRate (default 0, below learningRate) over the epochs after the warm-up, half a cosine. */
  | { type: 'cosine'; minLearningRate?: number | undefined; warmupEpochs?: number | undefined };

/** A schedule as a function of the epoch (from 0) and fit's learningRate; it must return a rate > 0. */
export type LearningRateFunction = (epoch: number, learningRate: number) => number;

/**
 * fit's learningRateSchedule: 'constant' or 'cosine' (their objects with the defaults; 'step' and 'exponential'
 * need parameters, so only their objects), a schedule object, or a function.
 */
export type LearningRateSchedule = 'constant' | 'cosine' | LearningRateScheduleSpec | LearningRateFunction;

/** A checked schedule: only the keys of its type, defaults filled in. */
export type ResolvedLearningRateSchedule =
  | { type: 'constant'; warmupEpochs: number }
  | { type: 'step'; stepSize: number; factor: number; warmupEpochs: number }
  | { type: 'exponential'; factor: number; warmupEpochs: number }
  | { type: 'cosine'; minLearningRate: number; warmupEpochs: number }
  | LearningRateFunction;

/** The largest finite 32-bit float: the core keeps rates as floats. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** The smallest positive 32-bit float: a decayed rate is never taken below it (as a float it would become 0). */
const FLOAT32_MIN = 1.401298464324817e-45;

const NAME = 'learningRateSchedule';
const KEYS: Record<LearningRateScheduleType, readonly string[]> = {
  constant: ['type', 'warmupEpochs'],
  step: ['type', 'stepSize', 'factor', 'warmupEpochs'],
  exponential: ['type', 'factor', 'warmupEpochs'],
  cosine: ['type', 'minLearningRate', 'warmupEpochs'],
};

/**
 * Checks a schedule against fit's base `learningRate`. Messages name its fields `learningRateSchedule.<key>`, or
 * as `field(key)` says (the CLI names them by its flag's syntax).
 */
export function resolveLearningRateSchedule(
  value: unknown,
  learningRate: number,
  field: (key: string) => string = (key) => `${NAME}.${key}`,
): ResolvedLearningRateSchedule {
  if (typeof value === 'function') return value as LearningRateFunction;
  if (typeof value === 'string') return resolveLearningRateSchedule({ type: expectOneOf(NAME, value, ['constant', 'cosine'] as const) }, learningRate, field);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`"constant", "cosine", a schedule object { type, ... } or a function (epoch, learningRate) => rate`, NAME, value);
  }
  const o = value as Record<string, unknown>;
  const type = expectOneOf(field('type'), o.type, LR_SCHEDULE_TYPES);
  rejectUnknownKeys(`a ${type} ${NAME}`, o, KEYS[type]);
  const warmupEpochs = expectInteger(field('warmupEpochs'), orDefault(o.warmupEpochs, 0), { min: 0, max: 1_000_000 });
  const factor = (fallback?: number) => expectNumber(field('factor'), orDefault(o.factor, fallback), { min: 0, minExclusive: true, max: 1 });
  switch (type) {
    case 'constant':
      return { type, warmupEpochs };
    case 'step':
      return { type, stepSize: expectInteger(field('stepSize'), o.stepSize, { min: 1, max: 1_000_000 }), factor: factor(0.1), warmupEpochs };
    case 'exponential':
      return { type, factor: factor(), warmupEpochs };
    case 'cosine': {
      const min = orDefault(o.minLearningRate, 0);
      if (typeof min === 'number' && Number.isFinite(min) && min >= learningRate) {
        fail(`a finite number >= 0 and < ${learningRate} (the starting rate)`, field('minLearningRate'), min);
      }
      return { type, minLearningRate: expectNumber(field('minLearningRate'), min, { min: 0 }), warmupEpochs };
    }
  }
}

/**
 * The rate of epoch `epoch` (from 0) of a fit of `epochs` epochs in all, for any schedule fit takes (checked as
 * fit checks it): to print or plot a schedule before training.
 */
export function learningRateAt(schedule: LearningRateSchedule, learningRate: number, epoch: number, epochs: number): number {
  const lr = expectNumber('learningRate', learningRate, { min: 0, minExclusive: true, max: FLOAT32_MAX });
  const total = expectInteger('epochs', epochs, { min: 1, max: 1_000_000 });
  const e = expectInteger('epoch', epoch, { min: 0, max: total - 1 });
  return rateAt(resolveLearningRateSchedule(schedule, lr), lr, e, total);
}

/**
 * learningRateAt for a checked schedule (fit's own use). A warm-up of W epochs rises linearly,
 * learningRate * (e + 1) / W; the schedule then runs over the epochs after it (k = e - W of E - W).
 */
export function rateAt(schedule: ResolvedLearningRateSchedule, learningRate: number, epoch: number, epochs: number): number {
  if (typeof schedule === 'function') {
    // What the function throws reaches fit's caller as it is, as onEpoch's errors do.
    const rate: unknown = schedule(epoch, learningRate);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < FLOAT32_MIN || rate > FLOAT32_MAX) {
      fail(`a finite number >= ${FLOAT32_MIN} and <= ${FLOAT32_MAX}`, `the rate that ${NAME} returned for epoch ${epoch}`, rate);
    }
    return rate;
  }
  const w = schedule.warmupEpochs;
  const k = epoch - w;
  let rate: number;
  if (k < 0) rate = learningRate * ((epoch + 1) / w);
  else switch (schedule.type) {
    case 'constant':
      rate = learningRate;
      break;
    case 'step':
      rate = learningRate * schedule.factor ** Math.floor(k / schedule.stepSize);
      break;
    case 'exponential':
      rate = learningRate * schedule.factor ** k;
      break;
    case 'cosine': {
      const span = Math.max(1, epochs - w);
      const m = schedule.minLearningRate;
      // From the top, so that the first epoch's rate is learningRate exactly.
      rate = learningRate - (learningRate - m) * 0.5 * (1 - Math.cos((Math.PI * Math.min(k, span)) / span));
      break;
    }
  }
  return Math.max(rate, FLOAT32_MIN);
}

/**
 * The CLI's form: `constant`, `step:EPOCHS[:FACTOR]`, `exponential:FACTOR` (or `exp:FACTOR`), `cosine[:MIN_LR]`.
 * Only the form is checked here; resolveLearningRateSchedule(spec, lr, flag) checks the numbers, under the flag.
 */
export function parseLearningRateSchedule(flag: string, text: string): LearningRateScheduleSpec {
  const usage = 'constant, step:EPOCHS[:FACTOR], exponential:FACTOR or cosine[:MIN_LR]';
  const [name, ...args] = text.trim().split(':');
  // Text that is not a number stays text, so that the check's message shows what was typed.
  const num = (s: string): number => (DECIMAL_NOTATION.test(s.trim()) ? Number(s) : (s as unknown as number));
  const bad = (): never => fail(usage, flag, text);
  switch (name) {
    case 'constant':
      if (args.length) bad();
      return { type: 'constant' };
    case 'step':
      if (args.length < 1 || args.length > 2) bad();
      return { type: 'step', stepSize: num(args[0]), ...(args.length > 1 ? { factor: num(args[1]) } : {}) };
    case 'exp':
    case 'exponential':
      if (args.length !== 1) bad();
      return { type: 'exponential', factor: num(args[0]) };
    case 'cosine':
      if (args.length > 1) bad();
      return { type: 'cosine', ...(args.length ? { minLearningRate: num(args[0]) } : {}) };
    default:
      return bad();
  }
}

/**
 * The report helpers on hostile input (found by a hostile test round): classificationMetrics refuses a class
 * count whose classes x classes confusion matrix would exhaust memory (1e6 classes: 10^12 counts, a fatal
 * out-of-memory crash of the process, however few the samples); mean and std refuse a DataView, which is
 * an ArrayBuffer view without a length (NaN and -0 before).
 */
import { describe, expect, it } from 'vitest';
import { classificationMetrics, mean, std } from '../../lib';
import { ValidationError } from '../../lib/errors';

describe('classificationMetrics: the confusion matrix is bounded', () => {
  it('refuses 1e6 classes at once, with a ValidationError that says why', () => {
    const started = Date.now();
    expect(() => classificationMetrics([0, 1], [1, 0], 1e6)).toThrow(
      new ValidationError(
        'Expected at most 4096 classes (the confusion matrix holds classes x classes counts) for classes but received 1000000',
      ),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('still takes 4096 classes (16.8 million counts), and the usual inputs', () => {
    const m = classificationMetrics([0, 4095], [0, 1], 4096);
    expect([m.confusion.length, m.confusion[4095].length, m.correct, m.perClass[4095].support]).toEqual([4096, 4096, 1, 1]);
    expect(() => classificationMetrics([0, 1], [0, 1], 4097)).toThrow(/at most 4096 classes/);
  });

  it('refuses NaN, negative, fractional and BigInt indices, and BigInt typed arrays', () => {
    expect(() => classificationMetrics([0, NaN], [0, 1], 2)).toThrow(/^Expected a class index between 0 and 1 for actual\[1\] but received NaN$/);
    expect(() => classificationMetrics([0, 1], [-1, 1], 2)).toThrow(/predicted\[0\] but received -1$/);
    expect(() => classificationMetrics([0.5], [0], 2)).toThrow(/actual\[0\]/);
    expect(() => classificationMetrics([0n] as never, [0], 2)).toThrow(ValidationError);
    expect(() => classificationMetrics(new BigInt64Array(1) as never, [0], 2)).toThrow(/^Expected an array of class indices for actual/);
    expect(() => classificationMetrics(new DataView(new ArrayBuffer(4)) as never, [0], 2)).toThrow(ValidationError);
  });
});

describe('mean and std refuse what is not an array of numbers', () => {
  it('a DataView (no length, no elements) is refused, not NaN or -0', () => {
    const view = new DataView(new ArrayBuffer(8));
    expect(() => mean(view as never)).toThrow(ValidationError);
    expect(() => std(view as never)).toThrow(ValidationError);
    expect(() => mean(new BigInt64Array(2) as never)).toThrow(/for xs but received a BigInt64Array of length 2/);
    expect(mean(new Float32Array([1, 2]))).toBe(1.5);
  });
});

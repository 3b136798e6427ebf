import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { formatInt, formatPercent, mean, std } from '../../lib/report/stats';

describe('mean and std', () => {
  it('computes the mean and the sample standard deviation (n - 1)', () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    // Sum of squared deviations is 32; 32 / 7 with n - 1 (32 / 8 = 4 would give exactly 2).
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(mean(new Float64Array([0.5, 0.75]))).toBe(0.625);
  });

  it('returns 0 spread for a single value', () => {
    expect(std([0.875])).toBe(0);
    expect(mean([0.875])).toBe(0.875);
  });

  it('rejects empty input, NaN and non-arrays', () => {
    expect(() => mean([])).toThrow(ValidationError);
    expect(() => std([])).toThrow(/Expected a non-empty array of finite numbers for xs but received an array of length 0/);
    expect(() => mean([1, Number.NaN])).toThrow(/Expected a finite number for xs\[1\] but received NaN/);
    expect(() => std([1, Infinity])).toThrow(ValidationError);
    expect(() => mean('12' as unknown as number[])).toThrow(ValidationError);
  });
});

describe('formatPercent', () => {
  it('prints a fraction as a percentage with the given digits', () => {
    expect(formatPercent(0.875)).toBe('87.50%');
    expect(formatPercent(0.8735)).toBe('87.35%');
    expect(formatPercent(0.7568, 1)).toBe('75.7%');
    expect(formatPercent(1, 0)).toBe('100%');
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(-0.0125)).toBe('-1.25%');
    expect(formatPercent(1e-9, 4)).toBe('0.0000%');
  });

  it('rejects non-finite values and bad digit counts', () => {
    expect(() => formatPercent(Number.NaN)).toThrow(ValidationError);
    expect(() => formatPercent(0.5, -1)).toThrow(/digits/);
    expect(() => formatPercent(0.5, 1.5)).toThrow(ValidationError);
  });
});

describe('formatInt', () => {
  it('groups thousands like the paper', () => {
    expect(formatInt(13446)).toBe('13,446');
    expect(formatInt(245773000)).toBe('245,773,000');
    expect(formatInt(925)).toBe('925');
    expect(formatInt(1000)).toBe('1,000');
    expect(formatInt(0)).toBe('0');
    expect(formatInt(-1234567)).toBe('-1,234,567');
    expect(formatInt(4435.6)).toBe('4,436');
  });

  it('rejects NaN', () => {
    expect(() => formatInt(Number.NaN)).toThrow(/Expected a finite number for n but received NaN/);
  });
});

describe('stats at the edges of the double range', () => {
  it('takes the mean of huge values without overflowing the sum', () => {
    expect(mean([1e308, 1e308])).toBe(1e308);
    expect(mean([-1.7e308, -1.7e308, -1.7e308]) / -1.7e308).toBeCloseTo(1, 14);
    expect(mean([1e308, -1e308])).toBe(0);
    expect(mean([0, 0])).toBe(0);
    // Subnormal values: scaling must not turn them into 0 or infinity.
    expect(mean([5e-324, 5e-324])).toBe(5e-324);
  });

  it('gives exactly 0 spread for equal values', () => {
    expect(std([0.1, 0.1, 0.1])).toBe(0);
    expect(std([0.7, 0.7, 0.7, 0.7, 0.7])).toBe(0);
    expect(std([1e308, 1e308])).toBe(0);
  });

  it('neither overflows nor underflows the squares', () => {
    expect(std([1e200, -1e200])).toBeCloseTo(Math.SQRT2 * 1e200, -188);
    expect(std([1e308, -1e308]) / 1e308).toBeCloseTo(Math.SQRT2, 12);
    expect(std([1e-200, 3e-200]) / 1e-200).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe('formatPercent and formatInt at the edges', () => {
  it('prints no negative zero after rounding', () => {
    expect(formatPercent(-1e-5)).toBe('0.00%');
    expect(formatPercent(-0)).toBe('0.00%');
    expect(formatPercent(-0.004, 0)).toBe('0%');
    expect(formatPercent(-0.00005, 2)).toBe('-0.01%');
  });

  it('writes every finite integer in grouped digits, not exponent notation', () => {
    expect(formatInt(1e21)).toBe('1,000,000,000,000,000,000,000');
    expect(formatInt(-1.5e22)).toBe('-15,000,000,000,000,000,000,000');
    expect(formatInt(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
    const max = formatInt(Number.MAX_VALUE);
    expect(max).toMatch(/^179(,\d{3}){102}$/);
    expect(max.replace(/,/g, '')).toBe(BigInt(Number.MAX_VALUE).toString());
    expect(formatInt(-0.4)).toBe('0');
  });
});

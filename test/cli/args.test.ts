/** The CLI's option-value parsers (lib/cli/args.ts) and bench's --threads list: notation, ranges, messages. */
import { describe, expect, it } from 'vitest';
import { integer, integerList, number } from '../../lib/cli/args';
import { threadCounts } from '../../lib/cli/bench';
import { ValidationError } from '../../lib/errors';

const lr = number('--lr', { min: 0, minExclusive: true });
const zeta = number('--zeta', { min: 0, max: 1 });
const seed = integer('--seed', { min: 0 });
const hidden = integerList('--hidden', { min: 1 });

describe('number flags: decimal notation only', () => {
  it('accepts decimals with an optional point, sign and exponent', () => {
    expect(lr('0.01')).toBe(0.01);
    expect(lr('.5')).toBe(0.5);
    expect(lr('5.')).toBe(5);
    expect(lr('1e-3')).toBe(0.001);
    expect(lr('2.5E+2')).toBe(250);
    expect(lr('+3')).toBe(3);
    expect(lr(' 7 ')).toBe(7);
    expect(zeta('0')).toBe(0);
  });

  it.each(['0x10', '0X10', '0b11', '0o1', 'Infinity', '1_000', '1e', 'e3', '.', '1.2.3', '--1', ''])('refuses %j with one "Expected ... but received" line', (v) => {
    expect(() => lr(v)).toThrow(ValidationError);
    expect(() => lr(v)).toThrow(`Expected a finite number > 0 and <= 3.4028234663852886e+38 for --lr but received ${JSON.stringify(v)}`);
  });

  it('keeps the parsed number in messages where it is what was typed', () => {
    expect(() => lr('-1')).toThrow(/for --lr but received -1$/);
    expect(() => lr('1e39')).toThrow(/for --lr but received 1e\+39$/);
  });

  it('echoes the typed text when it underflows to 0 (not "received 0")', () => {
    expect(() => lr('1e-400')).toThrow(/for --lr but received "1e-400"$/);
    expect(() => lr('0')).toThrow(/for --lr but received 0$/);
  });
});

describe('integer flags', () => {
  it('state the 2^53 - 1 maximum when no other is given', () => {
    expect(seed('9007199254740991')).toBe(9007199254740991);
    expect(() => seed('9007199254740992')).toThrow('Expected an integer >= 0 and <= 9007199254740991 for --seed but received 9007199254740992');
    expect(() => hidden('5,9007199254740992')).toThrow(/Expected an integer >= 1 and <= 9007199254740991 for --hidden but received 9007199254740992$/);
  });

  it('echo the typed text when it is not exactly representable, not the rounded number', () => {
    expect(() => seed('18446744073709551615')).toThrow(/for --seed but received "18446744073709551615"$/);
    expect(() => seed('9007199254740993')).toThrow(/for --seed but received "9007199254740993"$/);
    expect(() => hidden('10,18446744073709551615')).toThrow(/for --hidden but received "18446744073709551615"$/);
  });

  it('keep a given maximum, and accept decimal digits only', () => {
    expect(() => integer('--epochs', { min: 1, max: 1000 })('1001')).toThrow('Expected an integer >= 1 and <= 1000 for --epochs but received 1001');
    for (const v of ['0x10', '1e1', '1.0', '']) expect(() => seed(v), v).toThrow(`for --seed but received ${JSON.stringify(v)}`);
    expect(Object.is(seed('-0'), 0)).toBe(true);
  });
});

describe('bench --threads', () => {
  it('sorts the counts ascending, so that speedup and efficiency are against the smallest', () => {
    expect(threadCounts('1,2')).toEqual([1, 2]);
    expect(threadCounts('8,1,4,2')).toEqual([1, 2, 4, 8]);
    expect(threadCounts(' 2 , 1 ')).toEqual([1, 2]);
  });

  it('refuses a count given more than once', () => {
    expect(() => threadCounts('2,1,2')).toThrow(ValidationError);
    expect(() => threadCounts('2,1,2')).toThrow('Expected distinct thread counts (2 given more than once) for --threads but received "2,1,2"');
    expect(() => threadCounts('1,1,2,2,2')).toThrow(/\(1, 2 given more than once\)/);
  });

  it('still checks each count', () => {
    expect(() => threadCounts('0,1')).toThrow(/Expected an integer >= 1 and <= 4096 for --threads but received 0/);
    expect(() => threadCounts('1,0x2')).toThrow(/comma-separated list of integers/);
  });
});

/** DECIMAL_NOTATION: which texts are numbers, and that no text makes it backtrack for long (CSV cells, CLI flags). */
import { describe, expect, it } from 'vitest';
import { DECIMAL_NOTATION } from '../../lib/validate';

describe('DECIMAL_NOTATION', () => {
  it('takes decimal numbers and nothing else', () => {
    for (const yes of ['5', '-2', '+7', '5.', '.5', '0.25', '1e-3', '2.5E+4', '007', '1.e5', '12345678901234567890']) {
      expect(DECIMAL_NOTATION.test(yes), yes).toBe(true);
    }
    for (const no of ['', '.', '-', '+.', 'e5', '1e', '1e+', '0x10', '0b11', '0o1', 'Infinity', 'NaN', '1.2.3', '1 2', ' 1', '1,5', '--1', '.e1']) {
      expect(DECIMAL_NOTATION.test(no), no).toBe(false);
    }
  });

  it('answers at once for long runs of digits that end in something else (it used to take time quadratic in the run)', () => {
    // 200,000 digits and a letter: about a minute with the old pattern (past this test's time limit), microseconds now.
    for (const tail of ['x', '.x', '.9e', 'e+', '..']) {
      expect(DECIMAL_NOTATION.test(`${'9'.repeat(200_000)}${tail}`)).toBe(false);
    }
    expect(DECIMAL_NOTATION.test(`${'9'.repeat(200_000)}.${'9'.repeat(200_000)}e+9`)).toBe(true);
  });
});

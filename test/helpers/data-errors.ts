/** Assertions on the loader's errors. */
import { expect } from 'vitest';
import { DataFormatError } from '../../lib/errors';

/** Runs `fn`; it must throw a one-line DataFormatError (not a TypeError, RangeError, ...). Returns the message. */
export function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DataFormatError)) throw new Error(`expected a DataFormatError but got ${String(e)}`, { cause: e });
    expect(e.message).not.toMatch(/\n/);
    return e.message;
  }
  throw new Error('expected a DataFormatError but nothing was thrown');
}

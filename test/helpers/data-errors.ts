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

/**
 * `load` must reject with a one-line DataFormatError whose `file` is `file` and whose message starts with
 * "file: ". Returns the message.
 */
export async function rejectsWithDataError(file: string, load: () => Promise<unknown>): Promise<string> {
  const e = await load().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataFormatError);
  expect((e as DataFormatError).file).toBe(file);
  const message = (e as Error).message;
  expect(message.startsWith(`${file}: `)).toBe(true);
  expect(message).not.toMatch(/\n/);
  return message;
}

/** Assertions on the loader's errors. */
import { expect } from 'vitest';
import { validateDataset, type Dataset } from '../../lib/data/dataset';
import { DataFormatError } from '../../lib/errors';
import { tempFiles } from './temp-files';

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

/**
 * A text loader's test kit (CSV, LIBSVM): `write` puts a file in a fresh folder of one temp dir; `load` writes
 * and loads it, checking the dataset whole; `loadError` gives the message of the one-line DataFormatError that
 * loading `file` must reject with, after "file: ".
 */
export function loaderKit<O>(prefix: string, loader: (file: string, options?: O) => Promise<Dataset>) {
  const { dir, write } = tempFiles(prefix);
  return {
    dir,
    write,
    async load(name: string, text: string | Buffer, options?: O): Promise<Dataset> {
      const d = await loader(write(name, text), options);
      validateDataset(d);
      return d;
    },
    async loadError(file: string, options?: O): Promise<string> {
      return (await rejectsWithDataError(file, () => loader(file, options))).slice(file.length + 2);
    },
  };
}

/** The flags that say how --data is read, shared by train, predict and bench, and the loader options they make. */
import { Option } from 'commander';
import type { CsvDelimiter } from '../data/csv';
import { DataFormatError } from '../errors';
import type { LoadDataOptions } from '../experiment/prepare';
import { byteSize, choice, delimiter } from './args';
import { checkCsvHeader, checkDelimiter, checkLabelColumn, checkLibsvmBase, checkMatVariables } from './checks';

/** What the shared flags hold once parsed (commander's names for --label-column, --header, ...). */
export interface DataFlags {
  labelColumn?: string | number;
  header?: boolean;
  delimiter?: CsvDelimiter;
  xVar?: string;
  yVar?: string;
  maxDenseBytes?: number;
  libsvmBase?: LibsvmBase;
}

/** --libsvm-base: a LIBSVM file's index base, as scikit-learn's zero_based (true, false, 'auto'). */
export type LibsvmBase = '0' | '1' | 'auto';
export const LIBSVM_BASES: readonly LibsvmBase[] = Object.freeze(['0', '1', 'auto']);

// --delimiter, --max-dense-bytes and --libsvm-base: every command that reads --data takes them (after --y-var in its help).

export function delimiterOption(): Option {
  return new Option('--delimiter <d>', 'CSV/TSV --data only: the delimiter, one of "," ";" "|" or tab (default: detected)').argParser(delimiter('--delimiter'));
}

export function maxDenseBytesOption(): Option {
  return new Option('--max-dense-bytes <size>', 'the most memory the dense features of --data may take, e.g. 4GiB (default: 1GiB)').argParser(byteSize('--max-dense-bytes', { min: 1 }));
}

export function libsvmBaseOption(predict = false): Option {
  const auto = predict ? 'the base the model was trained with, else auto' : 'auto';
  return new Option(
    '--libsvm-base <base>',
    `LIBSVM --data only: its indices start at 0 or 1, or auto: 0 when some index is 0, else 1, as scikit-learn (default: ${auto})`,
  ).argParser(choice('--libsvm-base', LIBSVM_BASES));
}

/** loadData's libsvmZeroBased from --libsvm-base: undefined for auto (or not given). */
export function libsvmZeroBased(base: LibsvmBase | undefined): boolean | undefined {
  return base === undefined || base === 'auto' ? undefined : base === '0';
}

/** The loader's words for a forced base ("as zeroBased: false asks") as the flag that forced it; returns the error. */
export function nameLibsvmBaseFlag(e: unknown): unknown {
  if (e instanceof DataFormatError) e.message = e.message.replace(/as zeroBased: (true|false) asks/, (_, z: string) => `as --libsvm-base ${z === 'true' ? 0 : 1} asks`);
  return e;
}

/** A loader's rejection, rethrown with nameLibsvmBaseFlag's words. */
export function libsvmBaseHint(e: unknown): never {
  throw nameLibsvmBaseFlag(e);
}

/** loadData's options from the flags. */
export function loadOptions(f: DataFlags): LoadDataOptions {
  return {
    labelColumn: f.labelColumn,
    csvHeader: f.header,
    csvDelimiter: f.delimiter,
    matX: f.xVar,
    matY: f.yVar,
    maxDenseBytes: f.maxDenseBytes,
    libsvmZeroBased: libsvmZeroBased(f.libsvmBase),
  };
}

/** Each flag of a CSV/TSV, MAT or LIBSVM file refused for another kind of --data (or none), before anything is read. */
export function checkDataFlags(file: string | undefined, f: DataFlags, labels = true): void {
  checkLabelColumn(file, f.labelColumn);
  checkCsvHeader(file, f.header);
  checkDelimiter(file, f.delimiter);
  checkMatVariables(file, f, labels);
  checkLibsvmBase(file, f.libsvmBase);
}

/** The flags that say how --data is read, shared by train, predict and bench, and the loader options they make. */
import { Option } from 'commander';
import type { CsvDelimiter } from '../data/csv';
import type { LoadDataOptions } from '../experiment/prepare';
import { byteSize, delimiter } from './args';
import { checkCsvHeader, checkDelimiter, checkLabelColumn, checkMatVariables } from './checks';

/** What the shared flags hold once parsed (commander's names for --label-column, --header, ...). */
export interface DataFlags {
  labelColumn?: string | number;
  header?: boolean;
  delimiter?: CsvDelimiter;
  xVar?: string;
  yVar?: string;
  maxDenseBytes?: number;
}

// --delimiter and --max-dense-bytes: every command that reads --data takes them (after --y-var in its help).

export function delimiterOption(): Option {
  return new Option('--delimiter <d>', 'CSV/TSV --data only: the delimiter, one of "," ";" "|" or tab (default: detected)').argParser(delimiter('--delimiter'));
}

export function maxDenseBytesOption(): Option {
  return new Option('--max-dense-bytes <size>', 'the most memory the dense features of --data may take, e.g. 4GiB (default: 1GiB)').argParser(byteSize('--max-dense-bytes', { min: 1 }));
}

/** loadData's options from the flags. */
export function loadOptions(f: DataFlags): LoadDataOptions {
  return { labelColumn: f.labelColumn, csvHeader: f.header, csvDelimiter: f.delimiter, matX: f.xVar, matY: f.yVar, maxDenseBytes: f.maxDenseBytes };
}

/** Each flag of a CSV/TSV or a MAT-file refused for the other kind of --data (or none), before anything is read. */
export function checkDataFlags(file: string | undefined, f: DataFlags, labels = true): void {
  checkLabelColumn(file, f.labelColumn);
  checkCsvHeader(file, f.header);
  checkDelimiter(file, f.delimiter);
  checkMatVariables(file, f, labels);
}

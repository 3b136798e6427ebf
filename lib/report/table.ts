/** One table description, three renderings: GitHub markdown, CSV (raw values) and plain terminal text. */
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../errors';
import { expectOneOf, expectString, fail } from '../validate';

export interface Column<R> {
  /** Property of the row shown when no accessor is given; also the CSV header. */
  key: string;
  /** Header in markdown and plain output. */
  header: string;
  align?: 'left' | 'right';
  /** Display text for markdown and plain output. Default: String(row[key]), '' for null/undefined. */
  format?: (row: R) => string;
  /** CSV value. Default: the raw row[key] (numbers unformatted); `format` if the row has no such key. */
  csv?: (row: R) => string | number | null;
}

function checkTable<R>(columns: readonly Column<R>[], rows: readonly R[]): void {
  if (!Array.isArray(columns) || columns.length === 0) fail('a non-empty array of columns', 'columns', columns);
  const keys = new Set<string>();
  columns.forEach((c, i) => {
    if (c === null || typeof c !== 'object') fail('a column object', `columns[${i}]`, c);
    expectString(`columns[${i}].key`, c.key);
    if (typeof c.header !== 'string') fail('a string', `columns[${i}].header`, c.header);
    if (c.align !== undefined) expectOneOf(`columns[${i}].align`, c.align, ['left', 'right'] as const);
    if (c.format !== undefined && typeof c.format !== 'function') fail('a function', `columns[${i}].format`, c.format);
    if (c.csv !== undefined && typeof c.csv !== 'function') fail('a function', `columns[${i}].csv`, c.csv);
    if (keys.has(c.key)) {
      throw new ValidationError(`Expected unique column keys for columns but received ${JSON.stringify(c.key)} twice`);
    }
    keys.add(c.key);
  });
  if (!Array.isArray(rows)) fail('an array of rows', 'rows', rows);
}

function rawValue<R>(row: R, key: string): unknown {
  return row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[key] : undefined;
}

function displayText<R>(c: Column<R>, row: R): string {
  const v = c.format ? c.format(row) : rawValue(row, c.key);
  // A line break would end the table row, in markdown and on the terminal alike.
  return v === null || v === undefined ? '' : String(v).replace(/\r\n|\r|\n/g, ' ');
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

function grid<R>(columns: readonly Column<R>[], rows: readonly R[], escape: (s: string) => string): string[][] {
  return [columns.map((c) => escape(c.header)), ...rows.map((r) => columns.map((c) => escape(displayText(c, r))))];
}

function widths(cells: string[][], min: number): number[] {
  return cells[0].map((_, j) => Math.max(min, ...cells.map((row) => row[j].length)));
}

/** GitHub-flavoured markdown table, padded so that the source itself reads as a table. Ends with a newline. */
export function toMarkdown<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  checkTable(columns, rows);
  const cells = grid(columns, rows, (s) => s.replace(/\|/g, '\\|'));
  const w = widths(cells, 3); // the alignment row needs at least three characters
  const line = (row: string[]) => `| ${row.map((t, j) => pad(t, w[j], columns[j].align)).join(' | ')} |`;
  const rule = columns.map((c, j) => (c.align === 'right' ? `${'-'.repeat(w[j] - 1)}:` : `:${'-'.repeat(w[j] - 1)}`));
  return [line(cells[0]), `| ${rule.join(' | ')} |`, ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** CSV with a header row of column keys and raw values; fields are quoted as RFC 4180 requires. */
export function toCsv<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  checkTable(columns, rows);
  const records = rows.map((row) =>
    columns.map((c) => {
      if (c.csv) return c.csv(row);
      const hasKey = row !== null && typeof row === 'object' && c.key in (row as object);
      return hasKey ? rawValue(row, c.key) : c.format ? c.format(row) : null;
    }),
  );
  return stringify([columns.map((c) => c.key), ...records], {
    // csv-stringify writes true as '1' and false as '' by default; keep the words.
    cast: { boolean: (v) => String(v) },
  });
}

/** Aligned plain-text table for terminals: header, dashed rule, rows; no pipes. Ends with a newline. */
export function toPlainTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  checkTable(columns, rows);
  const cells = grid(columns, rows, (s) => s);
  const w = widths(cells, 1);
  const line = (row: string[]) => row.map((t, j) => pad(t, w[j], columns[j].align)).join('  ').trimEnd();
  return [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

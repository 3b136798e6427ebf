/** One table description, three renderings: GitHub markdown, CSV (raw values) and plain terminal text. */
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../errors';
import { expectOneOf, expectString, fail } from '../validate';

export interface Column<R> {
  /** Property of the row shown when no accessor is given; also the CSV header. */
  key: string;
  /** Header in markdown and plain output. */
  header: string;
  align?: 'left' | 'right' | undefined;
  /** Display text for markdown and plain output. Default: String(row[key]), '' for null/undefined or a key the row does not own. */
  format?: ((row: R) => string) | undefined;
  /** CSV value. Default: the raw row[key] (numbers unformatted); `format` if the row has no such own key. */
  csv?: ((row: R) => string | number | null) | undefined;
}

function checkTable<R>(columns: readonly Column<R>[], rows: readonly R[]): void {
  if (!Array.isArray(columns) || columns.length === 0) fail('a non-empty array of columns', 'columns', columns);
  const keys = new Set<string>();
  // Loops, not forEach or map, which skip the holes of a sparse array.
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
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
  }
  if (!Array.isArray(rows)) fail('an array of rows', 'rows', rows);
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (r === null || typeof r !== 'object') fail('a row object', `rows[${i}]`, r);
  }
}

/**
 * A cell's value as text: strings, numbers, booleans and BigInts as String() writes them, null and undefined as
 * nothing. Anything else has no obvious text (an object, a Symbol): a column's `format` (or `csv`) says how.
 */
function cellText(v: unknown, where: () => string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return fail("a string, number, boolean or null (give the column a format for other values)", where(), v);
}

/** Whether the row has `key` itself: an inherited one (constructor, toString) is not a value of the row. */
function hasKey<R>(row: R, key: string): boolean {
  return row !== null && typeof row === 'object' && Object.hasOwn(row, key);
}

function rawValue<R>(row: R, key: string): unknown {
  return hasKey(row, key) ? (row as Record<string, unknown>)[key] : undefined;
}

/** A line break would end the table row, in markdown and on the terminal alike. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ');
}

function displayText<R>(c: Column<R>, row: R, i: number): string {
  const v = c.format ? c.format(row) : rawValue(row, c.key);
  return oneLine(cellText(v, () => (c.format ? `the format of column ${JSON.stringify(c.key)} for rows[${i}]` : `rows[${i}].${c.key}`)));
}

/** East Asian wide and fullwidth code points (Unicode's W and F classes, the main blocks), two columns each. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    cp === 0x2329 ||
    cp === 0x232a ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1b000 && cp <= 0x1b2ff) ||
    (cp >= 0x1f200 && cp <= 0x1f2ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const segmenter = new Intl.Segmenter();
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cc}\p{Cf}]+$/u;

/**
 * Terminal columns of `text`, by grapheme: CJK and emoji take two, combining marks and controls none.
 * String length (UTF-16 units) would count a CJK character as one column and a flag as four.
 */
function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length; // the usual case: printable ASCII
  let width = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (ZERO_WIDTH.test(segment)) continue;
    width += EMOJI.test(segment) || isWide(segment.codePointAt(0) as number) ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: 'left' | 'right' | undefined): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

function grid<R>(columns: readonly Column<R>[], rows: readonly R[], escape: (s: string) => string): string[][] {
  return [columns.map((c) => escape(oneLine(c.header))), ...rows.map((r, i) => columns.map((c) => escape(displayText(c, r, i))))];
}

function widths(cells: string[][], min: number): number[] {
  // A loop, not Math.max(...column): a spread of 200,000 rows overflows the stack.
  return cells[0].map((_, j) => cells.reduce((w, row) => Math.max(w, displayWidth(row[j])), min));
}

/** GitHub-flavoured markdown table, padded so that the source itself reads as a table. Ends with a newline. */
export function toMarkdown<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  checkTable(columns, rows);
  // Backslashes too: a cell's own \| would otherwise become \\|, an escaped backslash and then a cell break.
  const cells = grid(columns, rows, (s) => s.replace(/[\\|]/g, '\\$&'));
  const w = widths(cells, 3); // the alignment row needs at least three characters
  const line = (row: string[]) => `| ${row.map((t, j) => pad(t, w[j], columns[j].align)).join(' | ')} |`;
  const rule = columns.map((c, j) => (c.align === 'right' ? `${'-'.repeat(w[j] - 1)}:` : `:${'-'.repeat(w[j] - 1)}`));
  return [line(cells[0]), `| ${rule.join(' | ')} |`, ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** CSV with a header row of column keys and raw values; fields are quoted as RFC 4180 requires. */
export function toCsv<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  checkTable(columns, rows);
  const records = rows.map((row, i) =>
    columns.map((c) => {
      const v = c.csv ? c.csv(row) : hasKey(row, c.key) ? rawValue(row, c.key) : c.format ? c.format(row) : null;
      // Numbers and booleans stay raw (csv-stringify writes them); the rest as text, or refused by name.
      if (typeof v === 'number' || typeof v === 'boolean') return v;
      return cellText(v, () => (c.csv ? `the csv of column ${JSON.stringify(c.key)} for rows[${i}]` : `rows[${i}].${c.key}`));
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

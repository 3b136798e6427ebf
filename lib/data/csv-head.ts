/**
 * The start of a CSV / TSV file, looked at before csv-parse reads it: the lines before the data (an
 * Excel "sep=;" line, numpy's '#' comment lines), the delimiter when neither the options nor the file
 * say, and space-separated files, which no delimiter reads.
 */
import { LIBSVM_NAME_HINT, looksLikeLibsvm } from './libsvm';
import { parse } from 'csv-parse/sync';
import { DataFormatError } from '../errors';

/** Delimiters the loader takes; the first three are detected, '|' must be asked for. */
export const CSV_DELIMITERS = Object.freeze([',', ';', '\t', '|'] as const);
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** The delimiters detected, in the order that breaks a tie. */
const DETECTED = [',', '\t', ';'] as const;
type Detected = (typeof DETECTED)[number];

/** Records (lines) looked at to detect the delimiter. */
const SAMPLE_RECORDS = 20;

/** Excel's first line naming the delimiter: `sep=;` (some tools quote it). */
const SEP_LINE = /^"?sep=(.)"?$/i;

export interface CsvHead {
  /** Bytes of the byte order mark, passed on for csv-parse to decode by. */
  bom: number;
  /** Bytes after the mark before the data (a sep= line, leading comment lines): not parsed. */
  skip: number;
  /** Lines those bytes hold: the data's line 1 is the file's line `lines + 1`. */
  lines: number;
  /** The delimiter a sep= line names. */
  sep?: CsvDelimiter;
  /** The last leading '#' line without the '#' and the spaces after it, and its line: the header, if its cells fit. */
  comment?: { text: string; line: number };
  /** The head's text from the data on. */
  text: string;
  /** Whether the head is the whole file (else its last line may be cut). */
  complete: boolean;
}

/**
 * What the first bytes of a file (`complete` when they are all of it) hold before the data: blank lines,
 * an Excel `sep=X` line 1, and '#' comment lines (numpy's savetxt writes `header=` as `# a,b,label`).
 * Comment lines count only before the data: a '#' line among rows is an error there, as before.
 */
export function readHead(buf: Buffer, complete: boolean, file: string): CsvHead {
  const utf16 = buf[0] === 0xff && buf[1] === 0xfe;
  const bom = utf16 ? 2 : buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const text = buf.subarray(bom).toString(utf16 ? 'utf16le' : 'utf8');
  const head: CsvHead = { bom, skip: 0, lines: 0, text, complete };
  let at = 0;
  let data = 0; // where the data starts: after the last sep= or comment line (csv-parse skips blank lines after it)
  for (let line = 1; at < text.length; line++) {
    const end = lineEnd(text, at);
    if (!complete && (end.next < 0 || end.next >= text.length)) break; // a line the head's end may cut cannot be told
    const lineText = text.slice(at, end.at);
    const trimmed = lineText.trim();
    const sep = line === 1 ? SEP_LINE.exec(lineText) : null;
    if (sep) head.sep = sepDelimiter(sep[1], lineText, file);
    else if (trimmed.startsWith('#')) head.comment = { text: trimmed.slice(1).trimStart(), line };
    else if (trimmed !== '') break;
    at = end.next < 0 ? text.length : end.next;
    if (trimmed !== '') {
      data = at;
      head.lines = line;
    }
  }
  head.skip = utf16 ? 2 * data : Buffer.byteLength(text.slice(0, data));
  head.text = text.slice(data);
  return head;
}

/** Where the line starting at `at` ends, and where the next one starts (-1: no line break). */
function lineEnd(text: string, at: number): { at: number; next: number } {
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return { at: i, next: i + 1 };
    if (c === '\r') return { at: i, next: text[i + 1] === '\n' ? i + 2 : i + 1 };
  }
  return { at: text.length, next: -1 };
}

function sepDelimiter(c: string, line: string, file: string): CsvDelimiter {
  const found = CSV_DELIMITERS.find((d) => d === c);
  if (found !== undefined) return found;
  throw new DataFormatError(
    `Expected one of ",", ";", tab or "|" for the delimiter that line 1 (${JSON.stringify(line)}) names but received ${JSON.stringify(c)}`,
    file,
  );
}

/**
 * The delimiter to read with: the option's, else the sep= line's (which the option must not contradict),
 * else tab for a '.tsv' file, else detected.
 */
export function chooseDelimiter(head: CsvHead, given: CsvDelimiter | undefined, tsv: boolean, file: string): CsvDelimiter {
  if (head.sep !== undefined && given !== undefined && given !== head.sep) {
    throw new DataFormatError(
      `Expected ${delimiterName(head.sep)} for options.delimiter (--delimiter on the command line), as line 1 (${JSON.stringify(`sep=${head.sep}`)}) names, but received ${delimiterName(given)}`,
      file,
    );
  }
  return given ?? head.sep ?? (tsv ? '\t' : detectDelimiter(head.text, head.complete));
}

/** '","' or 'tab', for messages. */
export function delimiterName(d: CsvDelimiter): string {
  return d === '\t' ? 'tab' : JSON.stringify(d);
}

/** What one record of the head holds outside quotes. */
interface Sample {
  /** Its first line, 1-based in the text looked at. */
  line: number;
  counts: Record<Detected, number>;
  /** Whether it holds one of CSV_DELIMITERS. */
  delimited: boolean;
  /** Whether spaces stand between two fields: "1.5 2.25", '"x1" "x2"'. */
  spaced: boolean;
  /** Whether a line break ends it (else the text does, maybe inside it). */
  ended: boolean;
}

/** The first `most` non-blank records of `text`, a '"' opening or closing a quote wherever it is. */
function samples(text: string, most: number): Sample[] {
  const out: Sample[] = [];
  const fresh = (line: number): Sample => ({ line, counts: { ',': 0, '\t': 0, ';': 0 }, delimited: false, spaced: false, ended: false });
  let s = fresh(1);
  let line = 1;
  let quoted = false;
  let blank = true;
  let field = false; // a field's text was seen since the last delimiter
  let gap = false; // and spaces after it
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length && out.length < most; i++) {
    const c = text[i];
    if (quoted && c !== '"') {
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      if (!blank) out.push({ ...s, ended: true });
      s = fresh(line);
      blank = true;
      field = gap = false;
    } else if (c === ' ') {
      gap = field;
    } else if (c === ',' || c === '\t' || c === ';' || c === '|') {
      if (c !== '|') s.counts[c]++;
      s.delimited = true;
      blank = field = gap = false;
    } else {
      if (c === '"') quoted = !quoted; // an escaped "" toggles twice
      if (gap) s.spaced = true;
      blank = gap = false;
      field = true;
    }
  }
  if (!blank && out.length < most) out.push(s);
  return out;
}

/**
 * The delimiter of the first records (up to SAMPLE_RECORDS) among ',', ';' and tab: one found as often on
 * each (else on each at all, else on the first), the most often; ',' when there is none (a single
 * column). A ',' beside ';' or tab on those lines is taken for a decimal comma (Excel's `1,5;2,25` in
 * some locales), as a ';' or tab inside a ','-delimited file is rare; other ties go to ',', then tab.
 * `complete`: whether `text` is the whole file, else its last record may be cut.
 */
export function detectDelimiter(text: string, complete = true): CsvDelimiter {
  let records = samples(text, SAMPLE_RECORDS);
  if (!complete && records.length > 1 && !records[records.length - 1].ended) records = records.slice(0, -1);
  if (records.length === 0) return ',';
  const first = records[0].counts;
  const steady = DETECTED.filter((d) => first[d] > 0 && records.every((r) => r.counts[d] === first[d]));
  const everywhere = DETECTED.filter((d) => records.every((r) => r.counts[d] > 0));
  const pool = [steady, everywhere, DETECTED.filter((d) => first[d] > 0)].find((p) => p.length > 0);
  if (pool === undefined) return ',';
  const candidates = pool.length > 1 ? pool.filter((d) => d !== ',') : pool;
  let best = candidates[0];
  for (const d of candidates) if (first[d] > first[best]) best = d;
  return best;
}

/**
 * Refuses a file whose first records (two, or the only one) hold none of the delimiters but spaces
 * between fields: numpy's savetxt and R's write.table write such files by default, which would read as
 * one column (or fail on a quote). `firstLine`: the file's line of the text's line 1.
 */
export function expectDelimited(text: string, firstLine: number, file: string): void {
  const records = samples(text, 2);
  if (records.length === 0 || !records.every((r) => !r.delimited && r.spaced)) return;
  if (looksLikeLibsvm(text, true)) {
    throw new DataFormatError(`Expected a delimiter (",", ";", tab or "|") for line ${records[0].line + firstLine - 1} but received fields separated by spaces: ${LIBSVM_NAME_HINT}`, file);
  }
  throw new DataFormatError(
    `Expected a delimiter (",", ";", tab or "|") for line ${records[0].line + firstLine - 1} but received fields separated by spaces: ` +
      "space-separated files (numpy's savetxt and R's write.table default) are not read; re-save the file with ',' (or tab) as the delimiter",
    file,
  );
}

/** The cells of a comment line read with `delimiter`, as csv-parse reads a record; none if it cannot. */
export function commentCells(text: string, delimiter: CsvDelimiter): string[] {
  try {
    const records = parse(text, { delimiter, trim: true, relax_column_count: true }) as string[][];
    return records.length === 1 ? records[0] : [];
  } catch {
    return [];
  }
}

import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { type Column, toCsv, toMarkdown, toPlainTable } from '../../lib/report/table';
import { formatPercent } from '../../lib/report/stats';

interface Row {
  name: string;
  acc: number;
  note: string | null;
  ok: boolean;
}

const rows: Row[] = [
  { name: 'a|b', acc: 0.875, note: 'x, "y"', ok: true },
  { name: 'Lung-discrete', acc: 0.5, note: null, ok: false },
];

const columns: Column<Row>[] = [
  { key: 'name', header: 'Dataset' },
  { key: 'acc', header: 'Accuracy', align: 'right', format: (r) => formatPercent(r.acc) },
  { key: 'note', header: 'Note' },
  { key: 'ok', header: 'OK' },
  // A computed column: no such property on the row, so CSV falls back to format.
  { key: 'gap', header: 'Gap (pp)', align: 'right', format: (r) => (100 - r.acc * 100).toFixed(1) },
];

describe('toMarkdown', () => {
  it('renders a padded GitHub table with alignment and escaped pipes', () => {
    expect(toMarkdown(columns, rows)).toBe(
      [
        '| Dataset       | Accuracy | Note   | OK    | Gap (pp) |',
        '| :------------ | -------: | :----- | :---- | -------: |',
        '| a\\|b          |   87.50% | x, "y" | true  |     12.5 |',
        '| Lung-discrete |   50.00% |        | false |     50.0 |',
        '',
      ].join('\n'),
    );
  });

  it('keeps a row on one line and short columns at least three wide', () => {
    const md = toMarkdown<{ a: string }>([{ key: 'a', header: 'A' }], [{ a: 'two\nlines' }]);
    expect(md).toBe('| A         |\n| :-------- |\n| two lines |\n');
    expect(toMarkdown([{ key: 'a', header: 'A' }], [])).toBe('| A   |\n| :-- |\n');
  });
});

describe('toCsv', () => {
  it('writes keys as header, raw values, and RFC 4180 quoting', () => {
    expect(toCsv(columns, rows)).toBe(
      ['name,acc,note,ok,gap', 'a|b,0.875,"x, ""y""",true,12.5', 'Lung-discrete,0.5,,false,50.0', ''].join('\n'),
    );
  });

  it('uses the csv accessor when given', () => {
    const cols: Column<Row>[] = [
      { key: 'name', header: 'Dataset', csv: (r) => r.name.toUpperCase() },
      { key: 'acc', header: 'Accuracy', format: (r) => formatPercent(r.acc), csv: (r) => r.acc * 100 },
      { key: 'note', header: 'Note', csv: () => null },
    ];
    expect(toCsv(cols, rows)).toBe('name,acc,note\nA|B,87.5,\nLUNG-DISCRETE,50,\n');
  });

  it('quotes line breaks', () => {
    expect(toCsv<{ a: string }>([{ key: 'a', header: 'A' }], [{ a: 'l1\nl2' }])).toBe('a\n"l1\nl2"\n');
  });
});

describe('toPlainTable', () => {
  it('aligns columns without pipes', () => {
    expect(toPlainTable(columns, rows)).toBe(
      [
        'Dataset        Accuracy  Note    OK     Gap (pp)',
        '-------------  --------  ------  -----  --------',
        'a|b              87.50%  x, "y"  true       12.5',
        'Lung-discrete    50.00%          false      50.0',
        '',
      ].join('\n'),
    );
  });
});

describe('table validation', () => {
  it('rejects empty columns, duplicate keys and bad alignment', () => {
    for (const render of [toMarkdown, toCsv, toPlainTable]) {
      expect(() => render([], rows)).toThrow(ValidationError);
      expect(() => render([{ key: 'a', header: 'A' }, { key: 'a', header: 'B' }], rows)).toThrow(/unique column keys/);
      expect(() => render([{ key: 'a', header: 'A', align: 'middle' as 'left' }], rows)).toThrow(
        /Expected one of "left", "right" for columns\[0\]\.align but received "middle"/,
      );
      expect(() => render([{ key: 'a', header: 'A' }], null as unknown as Row[])).toThrow(ValidationError);
    }
  });
});

describe('escaping and own keys', () => {
  it('escapes backslashes as well as pipes in markdown, so that a cell holding \\| stays one cell', () => {
    const md = toMarkdown<{ a: string; b: number }>(
      [{ key: 'a', header: 'A' }, { key: 'b', header: 'B' }],
      [{ a: 'a\\|b', b: 1 }, { a: 'end\\', b: 2 }],
    );
    const lines = md.split('\n');
    expect(lines[2]).toBe('| a\\\\\\|b | 1   |');
    expect(lines[3]).toBe('| end\\\\  | 2   |');
    // Unescaped pipes (a pipe after an even run of backslashes) are cell borders: three per row, as in the header.
    const borders = (line: string) => line.match(/(?<!\\)(?:\\\\)*\|/g)?.length;
    expect(lines.slice(0, 4).map(borders)).toEqual([3, 3, 3, 3]);
  });

  it('keeps a header with a line break on one line, as cells are', () => {
    const cols = [{ key: 'a', header: 'two\nlines' }, { key: 'b', header: 'cr\r\nlf' }];
    expect(toMarkdown(cols, [{ a: 'x', b: 'y' }])).toBe('| two lines | cr lf |\n| :-------- | :---- |\n| x         | y     |\n');
    expect(toPlainTable(cols, [])).toBe('two lines  cr lf\n---------  -----\n');
  });

  it('reads only keys the row owns, not inherited ones like constructor or toString', () => {
    const cols = [{ key: 'constructor', header: 'c' }, { key: 'toString', header: 't' }];
    expect(toMarkdown(cols, [{}])).toBe('| c   | t   |\n| :-- | :-- |\n|     |     |\n');
    expect(toPlainTable(cols, [{}])).toBe('c  t\n-  -\n\n'); // an empty row
    expect(toCsv(cols, [{}])).toBe('constructor,toString\n,\n');
    // An own property of that name is a value like any other; a missing one falls back to format in CSV.
    expect(toCsv([{ key: 'toString', header: 't', format: () => 'f' }], [{ toString: 'own' }, {}])).toBe('toString\nown\nf\n');
  });
});

describe('toPlainTable with wide characters', () => {
  it('aligns by terminal columns: CJK and emoji take two, combining marks none', () => {
    const cols: Column<{ n: string; v: number }>[] = [{ key: 'n', header: 'Name' }, { key: 'v', header: 'V', align: 'right' }];
    const text = toPlainTable(cols, [
      { n: '中文', v: 1 },
      { n: '😀', v: 2 },
      { n: 'e\u0301', v: 3 },
      { n: '👨‍👩‍👧', v: 4 },
      { n: 'abc', v: 5 },
    ]);
    expect(text).toBe(['Name  V', '----  -', '中文  1', '😀    2', 'e\u0301     3', '👨‍👩‍👧    4', 'abc   5', ''].join('\n'));
  });
});

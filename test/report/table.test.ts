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

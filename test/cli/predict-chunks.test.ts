/**
 * `npset predict` writes its predictions in chunks (lib/cli/predict.ts): the --out CSV a chunk of rows at a
 * time through a temporary file (3,000,000 samples of 10 classes made one string longer than JavaScript
 * allows, "Invalid string length", and every prediction was lost), and --json's predictions likewise to
 * stdout. The chunks together are exactly the text of one `stringify` / `JSON.stringify`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { stringify as realStringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csvChunks, jsonChunks, ROWS_PER_CHUNK, writeChunks, type PredictResult } from '../../lib/cli/predict';
import { main } from '../../lib/cli/main';
import { runJson } from '../helpers/cli';

/** Every call of csv-stringify's `stringify` from lib/: how many records it was given. */
const stringifyCalls = vi.hoisted(() => [] as number[]);
vi.mock('csv-stringify/sync', async (importOriginal) => {
  const real = await importOriginal<typeof import('csv-stringify/sync')>();
  return {
    ...real,
    stringify: (records: unknown[], options?: Parameters<typeof real.stringify>[1]) => {
      stringifyCalls.push(records.length);
      return real.stringify(records, options);
    },
  };
});

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'npset-predict-chunks-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Class names that CSV must quote or that JSON must escape. */
const NAMES: (string | number)[] = ['x,1', 'he said "hi"', 'two\nlines', '=sum', ' spaced ', 'é😀', 7, 'plain'];

function hostileRow(i: number): unknown[] {
  const k = NAMES.length;
  return [i, NAMES[i % k], NAMES[(i * 3) % k], ...Array.from({ length: k }, (_, c) => Math.fround(((i + 1) * (c + 2)) / 97))];
}

const COLUMNS = ['sample', 'predicted', 'actual', ...NAMES.map((n) => `p(${n})`)];

describe('csvChunks: the --out CSV in chunks of rows', () => {
  for (const samples of [0, 1, 2, 3, 5, 13]) {
    for (const perChunk of [1, 2, 3, 7, ROWS_PER_CHUNK]) {
      it(`${samples} rows, ${perChunk} per chunk: the bytes of one stringify with the header`, () => {
        const chunks = [...csvChunks(samples, hostileRow, COLUMNS, perChunk)];
        const whole = realStringify(Array.from({ length: samples }, (_, i) => hostileRow(i)), { header: true, columns: COLUMNS });
        expect(chunks.join('')).toBe(whole);
        expect(chunks).toHaveLength(Math.max(1, Math.ceil(samples / perChunk)));
      });
    }
  }

  it('without the actual column (--no-labels)', () => {
    const columns = ['sample', 'predicted', 'p(a)', 'p(b,c)'];
    const row = (i: number) => [i, i % 2 ? 'b,c' : 'a', 0.25 * i, 1 - 0.25 * i];
    const whole = realStringify(Array.from({ length: 9 }, (_, i) => row(i)), { header: true, columns });
    expect([...csvChunks(9, row, columns, 2)].join('')).toBe(whole);
  });

  it('refuses a chunk size that is not a positive integer', () => {
    expect(() => [...csvChunks(3, hostileRow, COLUMNS, 0)]).toThrow(RangeError);
    expect(() => [...csvChunks(3, hostileRow, COLUMNS, 1.5)]).toThrow(RangeError);
  });
});

function result(predicted: (string | number)[], scored: boolean): PredictResult {
  const common = {
    model: 'm "1".npset',
    layers: [4, 3, 2],
    connections: 12,
    data: 'd\\ata.csv',
    samples: predicted.length,
    standardized: true,
    columns: 'name' as const,
  };
  const scores = scored
    ? { accuracy: 0.5, correct: 1, unknownLabels: 0, matchedBy: 'name' as const, metrics: null }
    : { accuracy: null, correct: null, unknownLabels: null, matchedBy: null, metrics: null };
  return { ...common, ...scores, predicted };
}

describe('jsonChunks: --json with its predictions in chunks', () => {
  for (const n of [0, 1, 2, 3, 10]) {
    for (const perChunk of [1, 2, 3, ROWS_PER_CHUNK]) {
      it(`${n} predictions, ${perChunk} per chunk: JSON.stringify(result) and a newline`, () => {
        for (const scored of [true, false]) {
          const r = result(Array.from({ length: n }, (_, i) => NAMES[i % NAMES.length]), scored);
          expect([...jsonChunks(r, perChunk)].join('')).toBe(`${JSON.stringify(r)}\n`);
        }
      });
    }
  }

  it('a result of another shape (predicted not last) is printed whole, the same text', () => {
    const { predicted, ...rest } = result(['a', 'b'], true);
    const r = { predicted, ...rest } as PredictResult;
    expect([...jsonChunks(r, 1)].join('')).toBe(`${JSON.stringify(r)}\n`);
  });
});

describe('writeChunks: chunks to a stream', () => {
  it('waits for a full stream to drain and writes everything, in order', async () => {
    const got: string[] = [];
    const slow = new Writable({
      highWaterMark: 4,
      decodeStrings: false,
      write(chunk: string, _enc, cb) {
        got.push(chunk);
        setImmediate(cb);
      },
    });
    const chunks = Array.from({ length: 50 }, (_, i) => `chunk ${i};`);
    await writeChunks(slow, chunks);
    expect(got.join('')).toBe(chunks.join(''));
  });

  it('rejects when the stream fails while full (the reader went away)', async () => {
    const broken = new PassThrough({ highWaterMark: 1 });
    const p = writeChunks(broken, ['aaaa', 'bbbb', 'cccc']);
    const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    broken.destroy(err);
    await expect(p).rejects.toMatchObject({ code: 'EPIPE' });
  });
});

describe('npset predict --out with more samples than one chunk (in process)', () => {
  const samples = ROWS_PER_CHUNK + 4_465; // 70,001: two chunks
  let model: string;
  let data: string;

  beforeAll(async () => {
    // Two features, three classes; the big file has the same columns.
    const row = (i: number) => `${Math.sin(i * 0.37).toFixed(4)},${Math.cos(i * 0.11).toFixed(4)},${['a', '"b,c"', 'd'][i % 3]}`;
    const small = path.join(tmp, 'small.csv');
    writeFileSync(small, ['u,v,label', ...Array.from({ length: 60 }, (_, i) => row(i))].join('\n'));
    data = path.join(tmp, 'big.csv');
    writeFileSync(data, ['u,v,label', ...Array.from({ length: samples }, (_, i) => row(i))].join('\n'));
    model = path.join(tmp, 'small.npset');
    await runJson(['train', '--data', small, '--hidden', '8', '--epochs', '2', '--threads', '1', '--seed', '1', '--save-model', model]);
  });

  it('never stringifies more than a chunk of rows at once, and writes every row', async () => {
    const out = path.join(tmp, 'predictions.csv');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // the summary
    stringifyCalls.length = 0;
    let code: number;
    try {
      code = await main(['predict', '--model', model, '--data', data, '--out', out, '--threads', '1']);
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    expect(stringifyCalls).toEqual([ROWS_PER_CHUNK, samples - ROWS_PER_CHUNK]);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe('sample,predicted,actual,p(a),"p(b,c)",p(d)');
    expect(lines).toHaveLength(samples + 2); // the header, the rows, and the empty string after the last newline
    expect(lines[samples + 1]).toBe('');
    for (const i of [0, 1, ROWS_PER_CHUNK - 1, ROWS_PER_CHUNK, samples - 1]) expect(lines[i + 1].startsWith(`${i},`), `row ${i}`).toBe(true);
    expect(lines.every((l, i) => i === 0 || l === '' || l.startsWith(`${i - 1},`))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

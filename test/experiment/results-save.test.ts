/**
 * How reproduce() saves results.json and the tables (lib/experiment/reproduce.ts): results.json is streamed,
 * one run at a time, to a temporary file (writeChunksAtomic, lib/files.ts), with exactly the text of
 * `JSON.stringify(doc, null, 1)` (one string of every run passed JavaScript's longest string near 20,000
 * runs); the saves follow SaveSchedule, which keeps their share of the time bounded (rewritten after every
 * run, the total work grew with the square of the runs); and the runs finished when a reproduction fails
 * or is aborted are saved before it rejects.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeChunksAtomic } from '../../lib/files';
import { reproduce, reproduceSettings, resultsJsonChunks, SaveSchedule, type ResultsFile, type ReproduceResult } from '../../lib/experiment/reproduce';
import type { RunResult } from '../../lib/experiment/run';
import { writeTables } from '../../lib/report/paper-report';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'npset-results-save-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A run-like object with what makes JSON text differ: nesting, empty arrays and objects, escapes, floats, null. */
function fakeRun(i: number): RunResult {
  return {
    dataset: i % 3 ? 'Lung-discrete' : 'he said "hi"\n\ttab \\ é😀',
    method: 'npset',
    layers: [325, 300 - i, 7],
    params: 1000 + i,
    testAccuracy: i / 7,
    epochTimesMs: Array.from({ length: i % 4 }, (_, e) => e * 0.1 + i / 3),
    history: Array.from({ length: i % 3 }, (_, e) => ({ epoch: e, loss: e ? 1 / (e + i) : Number.NaN, neurons: [300, 299], extra: {} })),
    empty: [],
    nothing: null,
    skipped: undefined,
    settings: { hidden: [300, 300], seed: i, nested: { deep: [[1, 2], [], [{}]] } },
  } as unknown as RunResult;
}

function doc(runs: number, extra: Partial<ResultsFile> = {}): ResultsFile {
  return {
    settings: reproduceSettings(100, 1),
    seeds: [1, 2, 3],
    methods: ['set', 'npset'],
    failed: [],
    figure1: null,
    runs: Array.from({ length: runs }, (_, i) => fakeRun(i)),
    ...extra,
  };
}

const expected = (d: ResultsFile) => `${JSON.stringify({ settings: d.settings, seeds: d.seeds, methods: d.methods, failed: d.failed, figure1: d.figure1, runs: d.runs }, null, 1)}\n`;

describe('resultsJsonChunks: results.json one run at a time', () => {
  for (const n of [0, 1, 2, 5, 1000]) {
    it(`${n} runs: exactly JSON.stringify(doc, null, 1) and a newline, one chunk per run`, () => {
      const d = doc(n);
      const chunks = [...resultsJsonChunks(d)];
      expect(chunks.join('')).toBe(expected(d));
      expect(chunks).toHaveLength(n === 0 ? 1 : n + 2);
      // No chunk holds more than one run.
      const longest = Math.max(0, ...d.runs.map((r) => JSON.stringify(r, null, 1).length));
      for (const c of chunks.slice(1, -1)) expect(c.length).toBeLessThan(2 * longest + 16);
    });
  }

  it('with failed datasets and Figure 1', () => {
    const d = doc(4, {
      failed: [{ dataset: 'Yale', file: '/d/Yale.mat', message: 'file too short ("x")\n' }],
      figure1: [
        { removed: 0, fraction: 0, testAccuracy: 0.92 },
        { removed: 300, fraction: 1, testAccuracy: 0.2 },
      ],
    });
    expect([...resultsJsonChunks(d)].join('')).toBe(expected(d));
  });
});

describe('writeChunksAtomic (lib/files.ts)', () => {
  it('writes the bytes of the chunks joined, also past its write batches and across a split surrogate pair', () => {
    const file = path.join(tmp, 'chunks.txt');
    const chunks = ['start é ', `${'a'.repeat((1 << 20) - 1)}\ud83d`, '\ude00 end', ...Array.from({ length: 3000 }, (_, i) => `${i}😀,`)];
    writeChunksAtomic(file, chunks);
    expect(readFileSync(file)).toEqual(Buffer.from(chunks.join(''), 'utf8'));
    writeChunksAtomic(file, []);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('writes results.json as its chunks come: the file parses to the document', () => {
    const file = path.join(tmp, 'results.json');
    const d = doc(300);
    writeChunksAtomic(file, resultsJsonChunks(d));
    expect(readFileSync(file, 'utf8')).toBe(expected(d));
  });

  it('a failing source of chunks leaves the old file as it was and no temporary file', () => {
    const dir = path.join(tmp, 'fail');
    mkdirSync(dir);
    const file = path.join(dir, 'out.csv');
    writeFileSync(file, 'old');
    function* failing(): Generator<string> {
      yield 'x'.repeat(1 << 21); // written to the temporary file already
      throw new Error('source failed');
    }
    expect(() => writeChunksAtomic(file, failing())).toThrow('source failed');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('writes through a symbolic link, which stays a link', () => {
    const dir = path.join(tmp, 'link');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'real.csv'), 'old');
    symlinkSync('real.csv', path.join(dir, 'alias.csv'));
    writeChunksAtomic(path.join(dir, 'alias.csv'), ['new', ' text']);
    expect(lstatSync(path.join(dir, 'alias.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'alias.csv'))).toBe('real.csv');
    expect(readFileSync(path.join(dir, 'real.csv'), 'utf8')).toBe('new text');
  });

  it('fails with the error of the write when the directory is missing, leaving nothing', () => {
    expect(() => writeChunksAtomic(path.join(tmp, 'no-such-dir', 'f.csv'), ['x'])).toThrow(/ENOENT/);
    expect(existsSync(path.join(tmp, 'no-such-dir'))).toBe(false);
  });
});

/** A clock that moves only when told. */
function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SaveSchedule: when reproduce saves', () => {
  it('saves after the first run and after every run while saves are cheap', async () => {
    const clock = fakeClock();
    const s = new SaveSchedule(clock.now);
    expect(s.due()).toBe(true);
    for (let i = 0; i < 5; i++) {
      await s.time(async () => void clock.advance(s.cheapMs - 1));
      expect(s.due()).toBe(true); // no time at all since: still due
    }
  });

  it('after a costly save, waits for `factor` times its cost', async () => {
    const clock = fakeClock();
    const s = new SaveSchedule(clock.now, 10, 25);
    await s.time(async () => void clock.advance(400));
    expect(s.due()).toBe(false);
    clock.advance(3999);
    expect(s.due()).toBe(false);
    clock.advance(1);
    expect(s.due()).toBe(true);
  });

  it('records the cost of a save that fails', async () => {
    const clock = fakeClock();
    const s = new SaveSchedule(clock.now);
    await expect(
      s.time(async () => {
        clock.advance(1000);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(s.due()).toBe(false);
    clock.advance(10_000);
    expect(s.due()).toBe(true);
  });

  it('20,000 runs whose save grows with the runs: saving takes about a tenth of the time, not more than the runs', async () => {
    // 100 ms per run; a save costs 0.02 ms per run saved (400 ms at 20,000 runs). Saving after every run
    // would take 0.02 * 20,000^2 / 2 ms = 4,000 s against 2,000 s of runs.
    const clock = fakeClock();
    const s = new SaveSchedule(clock.now);
    const runs = 20_000;
    let saving = 0;
    let saves = 0;
    let lastSaved = 0;
    let longestGap = 0;
    for (let n = 1; n <= runs; n++) {
      clock.advance(100);
      if (!s.due()) continue;
      const cost = 0.02 * n;
      await s.time(async () => void clock.advance(cost));
      saving += cost;
      saves++;
      longestGap = Math.max(longestGap, n - lastSaved);
      lastSaved = n;
    }
    expect(saving).toBeLessThan(0.12 * runs * 100);
    expect(saves).toBeGreaterThan(1000); // runs stay saved as they finish...
    expect(longestGap).toBeLessThanOrEqual(41); // ...at most 10 x 400 ms of runs (40 runs) after a save
  });
});

const HAVE_LUNG = hasDataDir() && existsSync(lungFile());

describe.skipIf(!HAVE_LUNG)('reproduce() keeps the runs finished before it stops (Lung-discrete, 12 epochs)', () => {
  /** The report callback: the tables, and which saves were final. */
  const report = (out: string, calls: boolean[]) => async (r: ReproduceResult, final: boolean) => {
    calls.push(final);
    writeTables(out, r.runs, r.datasets, r.methods);
  };
  const readRuns = (out: string) => (JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { runs: RunResult[] }).runs;
  const asJson = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  it('a run that fails after others finished since the last save: they are saved before the rejection', async () => {
    const out = path.join(tmp, 'out-fail');
    const calls: boolean[] = [];
    const finished: RunResult[] = [];
    const p = reproduce(
      {
        dataDir: lungDataDir(tmp, 'data-fail'),
        out,
        seeds: 1,
        epochs: 12,
        threads: 1,
        figures: false,
        onEvent: (e) => {
          if (e.type !== 'run-end') return;
          finished.push(e.result);
          // The second run ends, then something fails before its save.
          if (e.done === 2) throw new Error('listener failed');
        },
      },
      report(out, calls),
    );
    await expect(p).rejects.toThrow('listener failed');
    expect(finished).toHaveLength(2);
    expect(asJson(readRuns(out))).toEqual(asJson(finished));
    expect(calls).toEqual([false, false]);
    const csv = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3); // header, npset, set
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('aborted while saves wait (costly): every finished run is saved before the rejection, in one save', async () => {
    const out = path.join(tmp, 'out-abort');
    const calls: boolean[] = [];
    const finished: RunResult[] = [];
    const controller = new AbortController();
    // Saves look costly: none is due after the first.
    const due = vi.spyOn(SaveSchedule.prototype, 'due').mockImplementation(() => calls.length === 0);
    try {
      const p = reproduce(
        {
          dataDir: lungDataDir(tmp, 'data-abort'),
          out,
          seeds: 1,
          epochs: 12,
          threads: 1,
          figures: false,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type !== 'run-end') return;
            finished.push(e.result);
            if (e.done === 4) controller.abort();
          },
        },
        report(out, calls),
      );
      await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      due.mockRestore();
    }
    expect(finished).toHaveLength(4);
    expect(calls).toEqual([false, false]); // after the first run, then the three since, at the abort
    expect(asJson(readRuns(out))).toEqual(asJson(finished));
    expect(readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('a normal reproduction ends with one final save holding every run', async () => {
    const out = path.join(tmp, 'out-normal');
    const calls: boolean[] = [];
    const due = vi.spyOn(SaveSchedule.prototype, 'due').mockImplementation(() => false);
    let r: ReproduceResult;
    try {
      r = await reproduce({ dataDir: lungDataDir(tmp, 'data-normal'), out, seeds: 1, epochs: 12, threads: 1, figures: false, methods: ['set', 'npset'] }, report(out, calls));
    } finally {
      due.mockRestore();
    }
    expect(calls).toEqual([true]);
    const text = readFileSync(path.join(out, 'results.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify({ settings: r.settings, seeds: r.seeds, methods: r.methods, failed: r.failed, figure1: r.figure1, runs: r.runs }, null, 1)}\n`);
  });
});

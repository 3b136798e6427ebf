/**
 * What `npset reproduce` prints and writes about itself: the elapsed time in seconds below a minute, the
 * progress on stderr only and, off a terminal, as plain lines (no bar redrawn with control characters, no
 * blank line), tables that state their seeds and epochs, and --datasets errors that echo the names as typed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatElapsed, parseMethods, progressBar } from '../../lib/cli/reproduce';
import { cliTempDir, expectUsageError, runCli, withoutNotes } from '../helpers/cli';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

const HAVE_LUNG = hasDataDir() && existsSync(lungFile());

let tmp: string;
cliTempDir('npset-cli-reproduce-output-', (dir) => (tmp = dir));

/** Escape sequences (cursor moves, line clears) or carriage returns: a bar redrawn in place. */
const CONTROL = /[\x1b\r]/; // eslint-disable-line no-control-regex

describe('formatElapsed', () => {
  it('gives seconds below one minute and minutes from there', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(12_345)).toBe('12.3 s');
    expect(formatElapsed(59_940)).toBe('59.9 s');
    expect(formatElapsed(59_960)).toBe('1.0 min'); // not "60.0 s"
    expect(formatElapsed(150_000)).toBe('2.5 min');
    expect(formatElapsed(20.5 * 60_000)).toBe('20.5 min');
  });
});

describe('progressBar on a stream that is not a terminal', () => {
  it('writes plain lines: no control characters, no bar, no blank line', () => {
    const stream = new PassThrough();
    let text = '';
    stream.setEncoding('utf8').on('data', (d: string) => (text += d));
    const bar = progressBar(stream);
    bar.start(4, 0, { current: '' });
    bar.update(2, { current: 'Lung-discrete set seed 1' });
    bar.stop();
    expect(text).not.toMatch(CONTROL);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.every((l) => l.length > 0), JSON.stringify(text)).toBe(true);
    // No ETA before a run has finished (cli-progress said "ETA 0s"), no "| " before an empty label.
    expect(lines[0]).toBe('runs 0/4 (0%)');
    for (const l of lines) expect(l).toMatch(/^runs \d\/4 \(\d+%\)(, ETA |$)/);
    expect(lines.at(-1)).toMatch(/^runs 2\/4 \(50%\), ETA .* \| Lung-discrete set seed 1$/);
    expect(text).not.toContain('[');
  });
});

describe('reproduce --methods', () => {
  it('keeps the paper\'s order and refuses Direct SET/FC without NPSET, unknown and empty names', () => {
    expect(parseMethods('npset, set')).toEqual(['set', 'npset']);
    expect(parseMethods('direct-fc,npset')).toEqual(['npset', 'direct-fc']);
    expect(() => parseMethods('direct-set')).toThrow(/^Expected npset among the methods with direct-set \(built with the hidden sizes NPSET ends with\) for --methods but received "direct-set"$/);
    expect(() => parseMethods('set,dense')).toThrow(/for --methods but received "dense"$/);
    expect(() => parseMethods('set,')).toThrow(/no empty name/);
  });

  it.skipIf(!HAVE_LUNG)('runs only those methods; the tables and results.json have only them', async () => {
    const out = path.join(tmp, 'out-methods');
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'data-methods'), '--methods', 'npset,set', '--seeds', '2', '--epochs', '2', '--out', out, '--threads', '1', '--no-figures', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { methods: string[]; rows: { method: string }[] };
    expect(summary.methods).toEqual(['set', 'npset']);
    expect([...new Set(summary.rows.map((x) => x.method))]).toEqual(['set', 'npset']);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { methods: string[]; runs: { method: string }[] };
    expect(results.methods).toEqual(['set', 'npset']);
    expect(results.runs.map((x) => x.method).sort()).toEqual(['npset', 'npset', 'set', 'set']);
    expect(readFileSync(path.join(out, 'table2.md'), 'utf8')).toMatch(/\| NPSET-MLP +\| +2 \|/);
    const one = path.join(tmp, 'out-methods-1st');
    expect((await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'data-methods'), '--methods', 'npset-1st', '--seeds', '1', '--epochs', '1', '--out', one, '--threads', '1'])).status).toBe(0);
    expect(readFileSync(path.join(one, 'table3.md'), 'utf8')).toContain('No rows: Table 3 compares runs of SET-MLP and NPSET-MLP, and there are none here.');
    // Without set and npset there is no figure to draw, and no Dense-MLP run for one.
    expect(existsSync(path.join(one, 'figure1.svg')) || existsSync(path.join(one, 'figure2.svg'))).toBe(false);
  });
});

describe.skipIf(!HAVE_LUNG)('npset reproduce --first-seed', () => {
  it('runs the seeds from it, records them, and says them under the tables\' titles', async () => {
    const out = path.join(tmp, 'out-first-seed');
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'data-first-seed'), '--seeds', '2', '--first-seed', '4', '--epochs', '1', '--out', out, '--threads', '1', '--no-figures']);
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { seeds: number[]; runs: { seed: number }[] };
    expect(results.seeds).toEqual([4, 5]);
    expect([...new Set(results.runs.map((x) => x.seed))].sort()).toEqual([4, 5]);
    expect(readFileSync(path.join(out, 'table2.md'), 'utf8')).toContain('over 2 seeds (4-5), 1 epoch per run.');
  });
});

describe.skipIf(!HAVE_LUNG)('npset reproduce on Lung-discrete, 2 epochs, stdout and stderr piped', () => {
  it('prints one summary line on stdout with the time in seconds, plain progress lines on stderr, and tables that say how they were made', async () => {
    const out = path.join(tmp, 'out');
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'data'), '--seeds', '2', '--epochs', '2', '--out', out, '--threads', '1', '--no-figures']);
    expect(r.status, r.stderr).toBe(0);
    // stdout: the summary alone, "12 runs in 3.4 s" rather than "12 runs in 0.1 min".
    expect(r.stdout).toMatch(/^wrote [^\n]+ \(12 runs in \d+\.\d s\)\n$/);
    // stderr: progress lines only (no bar redrawn in place), from 0/12 to 12/12, no blank line.
    expect(r.stderr).not.toMatch(CONTROL);
    const lines = withoutNotes(r.stderr).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^runs \d+\/12 \(\d+%\)(, ETA |$)/);
    expect(lines[0]).toMatch(/^runs 0\/12 /);
    expect(lines.at(-1)).toMatch(/^runs 12\/12 \(100%\)/);

    const t2 = readFileSync(path.join(out, 'table2.md'), 'utf8');
    expect(t2).toContain('# Table 2: maximum test accuracy (%)\n\nMean and standard deviation over 2 seeds (1-2), 2 epochs per run.\n\n| Dataset');
    const t3 = readFileSync(path.join(out, 'table3.md'), 'utf8');
    expect(t3).toContain('(ours, paper in brackets)\n\nMeans over 2 seeds (1-2), 2 epochs per run.\n\nNote: the runs ended after 2 epochs, before NPSET\'s last pruning at epoch beta + gamma = 50');
  });

  it('--json: exactly one JSON object on stdout and nothing on stderr', async () => {
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'data-json'), '--seeds', '1', '--epochs', '1', '--out', path.join(tmp, 'out-json'), '--threads', '1', '--no-figures', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(withoutNotes(r.stderr)).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ seeds: 1, epochs: 1 });
  });
});

describe.skipIf(!HAVE_LUNG)('npset reproduce --datasets naming only datasets that are not in --data-dir', () => {
  it('echoes the names as typed ("Yale"), not as the keys they matched ("yale")', async () => {
    const dir = lungDataDir(tmp, 'data-absent');
    const a = await runCli(['reproduce', '--data-dir', dir, '--datasets', 'Yale', '--out', path.join(tmp, 'out-absent')]);
    expectUsageError(a, /--datasets but received "Yale"$/);
    const b = await runCli(['reproduce', '--data-dir', dir, '--datasets', 'YALE, Madelon.mat', '--out', path.join(tmp, 'out-absent')]);
    expectUsageError(b, /--datasets but received "YALE,Madelon\.mat"$/);
  });
});

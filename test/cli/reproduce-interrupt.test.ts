/**
 * `npset reproduce` interrupted with SIGINT: exit code 130 and one stderr line that says where the finished
 * runs were kept (results.json and the tables, rewritten after every run), or that none had finished.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliTempDir, ROOT } from '../helpers/cli';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

const HAVE_LUNG = hasDataDir() && existsSync(lungFile());

let tmp: string;
cliTempDir('npset-cli-interrupt-', (dir) => (tmp = dir));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts reproduce --json, sends SIGINT once `ready()` holds, and collects the outcome. */
async function interrupt(args: string[], ready: () => boolean): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'reproduce', ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  let done = false;
  void closed.then(() => (done = true));
  const deadline = Date.now() + 60_000;
  while (!done && !ready() && Date.now() < deadline) await sleep(10);
  if (!done) child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [status, signal] = await closed;
  clearTimeout(timer);
  return { status, signal, stdout, stderr };
}

describe.skipIf(!HAVE_LUNG)('npset reproduce interrupted (SIGINT)', () => {
  it('after some runs finished: exit 130, one line naming results.json and how many runs it keeps', async () => {
    const out = path.join(tmp, 'some');
    const results = path.join(out, 'results.json');
    // 400 epochs per run: the interruption comes during the run after the first one written.
    const r = await interrupt(['--data-dir', lungDataDir(tmp, 'd1'), '--seeds', '2', '--epochs', '400', '--threads', '1', '--out', out], () => existsSync(results));
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(130);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines, r.stderr).toHaveLength(1);
    const m = /^npset: interrupted; (\d+) finished runs? kept in (.+results\.json) \(tables rewritten with them; figures not drawn\)$/.exec(lines[0]);
    expect(m, lines[0]).not.toBeNull();
    expect(m![2]).toBe(path.resolve(results));
    const json = JSON.parse(readFileSync(results, 'utf8')) as { runs: { method: string }[] };
    expect(Number(m![1])).toBe(json.runs.length);
    expect(json.runs.length).toBeGreaterThanOrEqual(1);
    expect(json.runs.length).toBeLessThan(12);
    // The tables hold the same runs (one row per method with a run).
    const csv = readFileSync(path.join(out, 'table2.csv'), 'utf8').trim().split('\n');
    expect(csv.length - 1).toBe(new Set(json.runs.map((x) => x.method)).size);
    expect(existsSync(path.join(out, 'figure1.svg'))).toBe(false);
  });

  it('before any run finished: exit 130, one line saying nothing was written', async () => {
    const out = path.join(tmp, 'none');
    let seen = 0;
    // Once --out exists the SIGINT handler is installed; the first run (1e6 epochs) is far from done.
    const r = await interrupt(['--data-dir', lungDataDir(tmp, 'd2'), '--seeds', '1', '--epochs', '1000000', '--threads', '1', '--out', out], () => existsSync(out) && ++seen > 20);
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(130);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines, r.stderr).toEqual([`npset: interrupted before any run finished; nothing written to ${path.resolve(out)}`]);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
  });
});

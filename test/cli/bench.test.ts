/**
 * `npset bench` as a child process on a tiny custom workload (300-300-300-2, 200 samples, 1-3 epochs):
 * the JSON object's fields, speedup / efficiency relative to the first row, oversubscription, NPSET
 * pruning, --out files and option errors. No assertion depends on how fast anything ran.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BenchResult } from '../../lib/experiment/bench';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';

const SMALL = ['bench', '--workload', 'custom', '--layers', '300,300,300,2', '--samples', '200'];
const PHASES = ['forward', 'backward', 'update', 'evolution', 'pruning'];

let tmp: string;
cliTempDir('npset-cli-bench-', (dir) => (tmp = dir));

describe('npset bench --json, SET on 1 and 2 threads', () => {
  let b: BenchResult;
  let stderr: string;

  beforeAll(async () => {
    const r = await runJson([...SMALL, '--threads', '1,2', '--epochs', '1']);
    b = r.json as unknown as BenchResult;
    stderr = r.result.stderr;
  });

  it('prints one JSON object describing the workload, with no progress on stderr', () => {
    expect(stderr).toBe('');
    expect(b.workload).toBe('custom');
    expect(b.method).toBe('set');
    expect(b.layers).toEqual([300, 300, 300, 2]);
    expect(b.samples).toBe(200);
    expect(b.batch).toBe(32); // the custom workload's default
    expect(b.epsilon).toBe(20);
    expect(b.epochs).toBe(1);
    expect(Number.isInteger(b.connections)).toBe(true);
    expect(b.connections).toBeGreaterThan(0);
    expect(b.connections).toBeLessThan(300 * 300 + 300 * 300 + 300 * 2);
    expect(typeof b.sgemmGflops).toBe('number');
    expect(b.sgemmGflops!).toBeGreaterThan(0);
    expect(typeof b.kernels).toBe('string');
  });

  it('has one row per thread count with every phase, GFLOP/s, memory and bytes per connection', () => {
    expect(b.rows).toHaveLength(2);
    expect(b.rows.map((r) => r.threads)).toEqual([1, 2]);
    for (const r of b.rows) {
      const tag = `threads ${r.threads}`;
      expect(r.epochMs, tag).toBeGreaterThan(0);
      expect(Object.keys(r.phasesMs).sort(), tag).toEqual([...PHASES].sort());
      for (const p of PHASES) expect(r.phasesMs[p as keyof typeof r.phasesMs], `${tag} ${p}`).toBeGreaterThanOrEqual(0);
      expect(r.phasesMs.forward, tag).toBeGreaterThan(0);
      expect(r.phasesMs.evolution, tag).toBeGreaterThan(0); // every timed epoch evolves the topology
      expect(r.phasesMs.pruning, tag).toBe(0); // SET: no pruning
      const sum = PHASES.reduce((a, p) => a + r.phasesMs[p as keyof typeof r.phasesMs], 0);
      expect(r.epochMs, tag).toBeCloseTo(sum, 6);
      expect(r.gflops, tag).toBeGreaterThan(0);
      expect(r.peakRssBytes, tag).toBeGreaterThan(0);
      expect(r.bytesPerConnection, tag).toBeGreaterThanOrEqual(12);
      expect(r.bytesPerConnection, tag).toBeLessThanOrEqual(32);
      expect(r.connections, tag).toBe(b.connections); // SET keeps the number of connections
      expect(r.oversubscribed, tag).toBe(r.threads > availableParallelism());
    }
  });

  it('gives speedup and efficiency 1 on the first row and relative to it on the others', () => {
    const [r1, r2] = b.rows;
    expect(r1.speedup).toBe(1);
    expect(r1.efficiency).toBe(1);
    expect(r2.speedup).toBeCloseTo(r1.epochMs / r2.epochMs, 9);
    expect(r2.efficiency).toBeCloseTo(r2.speedup / 2, 9);
  });

  it('times a dense MLP of the same shape, as it fits in memory', () => {
    expect(b.dense).not.toBeNull();
    expect(b.dense!.epochMs).toBeGreaterThan(0);
    expect(b.dense!.gflops).toBeGreaterThan(0);
    expect(b.dense!.threads).toBe(2);
    const denseParams = 300 * 300 + 300 * 300 + 300 * 2;
    expect(b.dense!.gflops).toBeCloseTo((6 * 200 * denseParams) / (b.dense!.epochMs * 1e6), 6);
  });

  it('describes the machine', () => {
    expect(typeof b.machine.cpu).toBe('string');
    expect(b.machine.cpu.length).toBeGreaterThan(0);
    expect(b.machine.cores).toBe(availableParallelism());
    expect(Number.isInteger(b.machine.numaNodes)).toBe(true);
    expect(b.machine.numaNodes).toBeGreaterThanOrEqual(1);
    expect(typeof b.machine.caches).toBe('string');
    expect(b.machine.caches.length).toBeGreaterThan(0);
    expect(b.machine.memoryBytes).toBeGreaterThan(0);
    // The barrier spinning the run had: the user's setting, else npset's bounded default.
    const env = process.env;
    const spin = env.GOMP_SPINCOUNT ?? (env.OMP_WAIT_POLICY === undefined ? '3000' : null);
    expect(b.machine.gompSpinCount).toBe(spin);
    expect(b.machine.ompWaitPolicy).toBe(env.OMP_WAIT_POLICY ?? null);
  });
});

describe('npset bench --threads 64,1 --out DIR (more threads than cores; run in ascending order)', () => {
  let b: BenchResult;
  let out: string;

  beforeAll(async () => {
    out = path.join(tmp, 'out');
    // Given as 64,1: sorted ascending, so that the first row (the base of speedup and efficiency) is 1 thread.
    const r = await runJson([...SMALL, '--threads', '64,1', '--epochs', '1', '--no-dense', '--out', out]);
    b = r.json as unknown as BenchResult;
  });

  it('marks a thread count above the machine\'s cores as oversubscribed', () => {
    expect(b.rows.map((r) => r.threads)).toEqual([1, 64]);
    expect(b.rows[0].oversubscribed).toBe(1 > b.machine.cores);
    expect(b.rows[1].oversubscribed).toBe(64 > b.machine.cores);
    if (b.machine.cores < 64) expect(b.rows[1].oversubscribed).toBe(true);
    expect(b.rows[1].efficiency).toBeCloseTo(b.rows[1].speedup / 64, 9);
  });

  it('skips the dense MLP with --no-dense', () => {
    expect(b.dense).toBeNull();
  });

  it('writes bench.json (the same object), bench.md and an SVG scaling chart', () => {
    for (const f of ['bench.json', 'bench.md', 'bench.svg']) expect(existsSync(path.join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'bench.json'), 'utf8'))).toEqual(b);
    const md = readFileSync(path.join(out, 'bench.md'), 'utf8');
    expect(md).toContain('300-300-300-2');
    expect(md).toContain('| threads');
    expect(md).toContain('64*'); // the oversubscribed row is starred
    const svg = readFileSync(path.join(out, 'bench.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
  });
});

describe('npset bench --method npset', () => {
  it('prunes once per epoch: pruning time > 0 and fewer connections than at the start', async () => {
    const { json } = await runJson([...SMALL, '--method', 'npset', '--threads', '1', '--epochs', '3', '--no-dense']);
    const b = json as unknown as BenchResult;
    expect(b.method).toBe('npset');
    expect(b.rows).toHaveLength(1);
    const r = b.rows[0];
    expect(r.phasesMs.pruning).toBeGreaterThan(0);
    expect(r.phasesMs.evolution).toBeGreaterThan(0);
    expect(r.connections).toBeGreaterThan(0);
    expect(r.connections).toBeLessThan(b.connections);
    expect(r.bytesPerConnection).toBeGreaterThanOrEqual(12);
    expect(r.bytesPerConnection).toBeLessThanOrEqual(32);
  });
});

/** The notes but the one of a busy machine (load average >= half the cores), which depends on other work. */
const notesBesidesLoad = (b: BenchResult): string[] => b.notes.filter((n) => !n.startsWith('the machine was busy when the bench started'));

describe('npset bench notes', () => {
  it('says when no layer is large enough for the kernels to use the threads (the speedups are noise)', async () => {
    const { json } = await runJson(['bench', '--workload', 'custom', '--layers', '20,30,2', '--samples', '100', '--threads', '1,2', '--epochs', '1', '--no-dense']);
    const notes = (json as unknown as BenchResult).notes;
    expect(notes.some((n) => /run on one thread in every row/.test(n))).toBe(true);
  });

  it('has none for a model whose layers are split between threads', async () => {
    const { json } = await runJson([...SMALL, '--threads', '1,2', '--epochs', '1', '--no-dense'], { OMP_THREAD_LIMIT: undefined });
    expect(notesBesidesLoad(json as unknown as BenchResult)).toEqual([]);
  });

  it('says when OMP_THREAD_LIMIT caps some rows, which are then not oversubscribed', async () => {
    const many = availableParallelism() + 1;
    const { json } = await runJson([...SMALL, '--threads', `1,${many}`, '--epochs', '1', '--no-dense'], { OMP_THREAD_LIMIT: '1' });
    const b = json as unknown as BenchResult;
    expect(notesBesidesLoad(b)).toEqual(['OMP_THREAD_LIMIT=1: the rows of more than 1 thread ran on 1']);
    expect(b.rows.map((r) => r.oversubscribed)).toEqual([false, false]);
  });
});

describe('npset bench --out checks its files before the benchmark', () => {
  it('a directory where bench.json goes: one npset line, exit 2, nothing run', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'npset-bench-out-'));
    try {
      mkdirSync(path.join(out, 'bench.json'));
      const r = await runCli([...SMALL, '--threads', '1', '--epochs', '1', '--no-dense', '--out', out]);
      expectUsageError(r, /bench\.json is a directory/);
      expect(existsSync(path.join(out, 'bench.md'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a dangling or looping symbolic link, or a FIFO, where an output goes: one npset line, exit 2', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'npset-bench-out-'));
    const args = [...SMALL, '--threads', '1', '--epochs', '1', '--no-dense', '--out', out];
    try {
      symlinkSync(path.join(out, 'missing-dir', 'x'), path.join(out, 'bench.json'));
      expectUsageError(await runCli(args), /bench\.json is a symbolic link to nothing that can be written \(ENOENT\)/);
      rmSync(path.join(out, 'bench.json'));
      symlinkSync('loop', path.join(out, 'loop'));
      symlinkSync(path.join(out, 'loop'), path.join(out, 'bench.json'));
      expectUsageError(await runCli(args), /bench\.json is a symbolic link to nothing that can be written \(ELOOP\)/);
      rmSync(path.join(out, 'bench.json'));
      execFileSync('mkfifo', [path.join(out, 'bench.md')]);
      expectUsageError(await runCli(args), /bench\.md is not a regular file/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('npset bench option errors', () => {
  it('--workload custom without --layers exits 2 with one npset: line', async () => {
    const r = await runCli(['bench', '--workload', 'custom', '--json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npset: /);
    expect(lines[0]).toContain('--layers');
  });

  it('--threads 0 exits 2 naming --threads', async () => {
    const r = await runCli([...SMALL, '--threads', '0']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^npset: /);
    expect(r.stderr).toContain('--threads');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown workload exits 2', async () => {
    const r = await runCli(['bench', '--workload', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^npset: /);
  });
});

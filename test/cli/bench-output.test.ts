/**
 * `npset bench` output streams and the load average: progress goes to stderr as plain lines (never a bar
 * redrawn with control characters), stdout has the table alone (or, with --json, one JSON object), and the
 * machine record holds the 1-minute load average at the start, printed in the machine line.
 */
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../lib/experiment/bench';
import { cliTempDir, runCli, runJson } from '../helpers/cli';

const TINY = ['bench', '--workload', 'custom', '--layers', '20,30,2', '--samples', '50', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense'];
const CONTROL = /[\x1b\r]/; // eslint-disable-line no-control-regex

cliTempDir('npset-cli-bench-output-', () => undefined);

describe('npset bench output streams', () => {
  it('without --json: the table on stdout, plain progress lines on stderr', async () => {
    const r = await runCli(TINY);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^workload custom: layers 20-30-2, /);
    expect(r.stdout).not.toMatch(/^(building|timing) /m);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stderr).not.toMatch(CONTROL);
    const lines = r.stderr.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^(building|timing) /);
    // The machine line shows the load average at the start (not on Windows, which has none).
    if (process.platform !== 'win32') expect(r.stdout).toMatch(/^machine: .*, \d+ cores? \(load average \d+\.\d\d at the start\), /m);
  });

  it('--json: one JSON object whose machine record has the load average', async () => {
    const { json, result } = await runJson(TINY);
    expect(result.stderr).toBe('');
    const b = json as unknown as BenchResult;
    expect(Object.keys(b.machine)).toContain('loadAverage');
    if (process.platform === 'win32') expect(b.machine.loadAverage).toBeNull();
    else {
      expect(typeof b.machine.loadAverage).toBe('number');
      expect(b.machine.loadAverage).toBeGreaterThanOrEqual(0);
    }
    // A busy machine (load >= half the cores) has the note; a quiet one does not.
    const busy = b.machine.loadAverage !== null && b.machine.loadAverage >= 0.5 * b.machine.cores;
    expect(b.notes.some((n) => n.startsWith('the machine was busy when the bench started'))).toBe(busy);
  });
});

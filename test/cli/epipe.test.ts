/**
 * The reader of npset's output goes away early (`npset train | head -1`): npset stops quietly with exit
 * code 0, no "Unhandled 'error' event" stack trace.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from '../helpers/cli';

beforeAll(() => {
  ensureBuilt();
});

/** Runs the CLI and closes our end of `stream` after its first chunk; resolves with the exit status and the other stream. */
function closeEarly(args: string[], stream: 'stdout' | 'stderr'): Promise<{ status: number | null; signal: string | null; other: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const watched = stream === 'stdout' ? child.stdout : child.stderr;
    const otherStream = stream === 'stdout' ? child.stderr : child.stdout;
    let other = '';
    let closed = false;
    otherStream.setEncoding('utf8').on('data', (d: string) => (other += d));
    watched.once('data', () => {
      closed = true;
      watched.destroy();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, other, closed });
    });
  });
}

describe('npset with its output closed early', () => {
  it('train | head -1: exits 0 with nothing on stderr', async () => {
    const r = await closeEarly(['train', '--hidden', '100', '--epochs', '100000', '--threads', '1'], 'stdout');
    expect(r.closed).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.other).toBe('');
    expect(r.status).toBe(0);
  });

  it('bench 2>&1 | head -1 (progress on stderr): exits 0 with no stack trace', async () => {
    const r = await closeEarly(
      ['bench', '--workload', 'custom', '--layers', '50,50,2', '--samples', '64', '--threads', '1,2', '--epochs', '100000', '--no-dense'],
      'stderr',
    );
    expect(r.closed).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.other).not.toMatch(/EPIPE|^\s+at /m);
    expect(r.status).toBe(0);
  });
});

/**
 * File-system mistakes in --out and --data-dir: one "npset: Expected ..." line naming the flag, exit code
 * 2, checked before any work starts (bench used to run the whole benchmark first).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeOutDir } from '../../lib/cli/out';
import { ValidationError } from '../../lib/errors';
import { cliTempDir, expectUsageError, runCli } from '../helpers/cli';

let tmp: string;
let file: string;
cliTempDir('npset-cli-out-', (dir) => {
  tmp = dir;
  file = path.join(tmp, 'a-file');
  writeFileSync(file, 'x');
});

/** A directory whose name is a paper dataset's file, so that reproduce gets past its data checks. */
function paperDir(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'lung_discrete.mat'), 'not loaded: the --out check comes first');
  return dir;
}

describe('npset reproduce: --data-dir and --out mistakes', () => {
  it('--data-dir naming a file', async () => {
    expectUsageError(await runCli(['reproduce', '--data-dir', file, '--out', path.join(tmp, 'r1')]), /Expected a data directory for --data-dir but received ".*a-file", which is a file/);
    expect(existsSync(path.join(tmp, 'r1'))).toBe(false);
  });

  it('--out naming an existing file', async () => {
    expectUsageError(await runCli(['reproduce', '--data-dir', paperDir('d1'), '--out', file]), /Expected a directory for --out but received ".*a-file", which is a file/);
  });

  it('--out below a file', async () => {
    const r = await runCli(['reproduce', '--data-dir', paperDir('d2'), '--out', path.join(file, 'sub')]);
    expectUsageError(r, /Expected a directory for --out but received ".*a-file\/sub": .*a-file is a file, not a directory/);
  });

  it.skipIf(process.platform !== 'linux')('--out /proc/npset-x (where a recursive mkdir never returns) fails at once', async () => {
    const r = await runCli(['reproduce', '--data-dir', paperDir('d3'), '--out', '/proc/npset-x/y'], { timeoutMs: 20_000 });
    expectUsageError(r, /Expected a directory that can be created for --out but received "\/proc\/npset-x\/y"/);
  });

  it('an empty --out, --data-dir or --datasets is an error, not a default', async () => {
    expectUsageError(await runCli(['reproduce', '--data-dir', paperDir('d4'), '--out', '']), /for --out but received ""/);
    expectUsageError(await runCli(['reproduce', '--data-dir', '', '--out', path.join(tmp, 'r2')]), /for --data-dir but received ""/);
    expectUsageError(await runCli(['reproduce', '--data-dir', paperDir('d5'), '--datasets', '', '--out', path.join(tmp, 'r3')]), /for --datasets but received ""/);
    expectUsageError(await runCli(['reproduce', '--data-dir', paperDir('d6'), '--datasets', 'lung_discrete,', '--out', path.join(tmp, 'r4')]), /no empty name.* for --datasets but received "lung_discrete,"/);
    for (const r of ['r2', 'r3', 'r4']) expect(existsSync(path.join(tmp, r)), r).toBe(false);
  });

  it('--datasets naming only datasets that are not in --data-dir', async () => {
    const r = await runCli(['reproduce', '--data-dir', paperDir('d7'), '--datasets', 'yale,madelon', '--out', path.join(tmp, 'r5')]);
    expectUsageError(r, /Expected datasets present in .*d7 \(lung_discrete\) for --datasets but received "yale,madelon"/);
    expect(existsSync(path.join(tmp, 'r5'))).toBe(false);
  });
});

describe('npset bench --out', () => {
  const SMALL = ['bench', '--workload', 'custom', '--layers', '50,50,2', '--samples', '64', '--threads', '1', '--epochs', '1', '--no-dense'];

  it('naming an existing file fails before the benchmark runs', async () => {
    const r = await runCli([...SMALL, '--out', file]);
    // Nothing was built or timed: no progress line before the error.
    expect(r.stderr).not.toMatch(/building|timing/);
    expectUsageError(r, /Expected a directory for --out but received ".*a-file", which is a file/);
  });

  it('below a file fails before the benchmark runs', async () => {
    const r = await runCli([...SMALL, '--out', path.join(file, 'sub', 'deeper')]);
    expect(r.stderr).not.toMatch(/building|timing/);
    expectUsageError(r, /a-file is a file, not a directory/);
  });

  it('an empty --out or --data is an error', async () => {
    expectUsageError(await runCli([...SMALL, '--out', '']), /for --out but received ""/);
    expectUsageError(await runCli([...SMALL, '--data', '']), /for --data but received ""/);
  });

  it('a new nested directory is created, and the files written into it', async () => {
    const out = path.join(tmp, 'bench', 'nested', 'out');
    const r = await runCli([...SMALL, '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(out, 'bench.json'))).toBe(true);
    expect(existsSync(path.join(out, 'bench.md'))).toBe(true);
  });
});

describe('makeOutDir', () => {
  it('creates missing parents one by one and returns the absolute path', () => {
    const out = path.join(tmp, 'm', 'a', 'b');
    expect(makeOutDir('--out', path.relative(process.cwd(), out))).toBe(out);
    expect(statSync(out).isDirectory()).toBe(true);
    // an existing directory is fine
    expect(makeOutDir('--out', out)).toBe(out);
  });

  it('throws ValidationErrors naming the flag', () => {
    expect(() => makeOutDir('--x', file)).toThrow(ValidationError);
    expect(() => makeOutDir('--x', file)).toThrow(/for --x but received/);
    expect(() => makeOutDir('--x', path.join(file, 'a', 'b'))).toThrow(/a-file is a file, not a directory/);
  });
});

/**
 * What `npset reproduce` says it wrote, and its exit code when no run could happen: every requested
 * dataset failing to load is a failure (exit 1), not a success with empty tables and missing figures.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTempDir, runCli, withoutNotes } from '../helpers/cli';
import { hasDataDir, lungDataDir, lungFile } from '../helpers/data-dir';

const HAVE_LUNG = hasDataDir() && existsSync(lungFile());

let tmp: string;
cliTempDir('npset-cli-reproduce-outcome-', (dir) => (tmp = dir));

/** The files named by "wrote DIR/a, b, c (...)". */
function listedFiles(stdout: string, out: string): string[] {
  const m = /^wrote (\S+)\/([^/(]*) \(/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  expect(m![1]).toBe(out);
  return m![2].split(',').map((f) => f.trim());
}

describe('npset reproduce when every dataset fails to load', () => {
  it('exits 1 with a final "no run" line and leaves --out as it was (earlier results are not replaced by empty ones)', async () => {
    const dir = path.join(tmp, 'corrupt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'lung_discrete.mat'), Buffer.from('garbage, not a MAT-file \x00\xff\x13\x37'.repeat(8), 'latin1'));
    const out = path.join(tmp, 'out-corrupt');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'results.json'), '{"earlier": true}\n');
    const r = await runCli(['reproduce', '--data-dir', dir, '--datasets', 'lung_discrete', '--out', out, '--seeds', '1', '--epochs', '1', '--threads', '1']);
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(1);
    const lines = withoutNotes(r.stderr).split('\n').filter((l) => l.startsWith('npset: '));
    expect(lines[0]).toMatch(/^npset: skipped Lung-discrete .*lung_discrete\.mat/);
    expect(lines[lines.length - 1]).toBe(`npset: no run: every requested dataset failed to load (Lung-discrete); nothing written to ${out}`);
    expect(r.stderr).not.toMatch(/unexpected error|^\s+at /m);
    expect(r.stdout).not.toMatch(/^wrote /m);
    expect(readdirSync(out)).toEqual(['results.json']);
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).toBe('{"earlier": true}\n');
  });
});

describe.skipIf(!HAVE_LUNG)('npset reproduce --no-figures on Lung-discrete', () => {
  it('does not claim figure1.svg, and lists exactly the files in --out', async () => {
    const out = path.join(tmp, 'out-nofig');
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'lung'), '--out', out, '--seeds', '1', '--epochs', '1', '--threads', '1', '--no-figures']);
    expect(r.status, r.stderr).toBe(0);
    const listed = listedFiles(r.stdout, out);
    expect(listed).not.toContain('figure1.svg');
    expect(listed).toContain('results.json');
    expect(listed).toContain('table2.md');
    expect(listed.sort()).toEqual(readdirSync(out).sort());
  });
});

describe('npset reproduce checks its output before the first run', () => {
  it.runIf(HAVE_LUNG)('a directory where table2.md goes: one npset line, exit 2, nothing run', async () => {
    const out = path.join(tmp, 'out-blocked');
    mkdirSync(path.join(out, 'table2.md'), { recursive: true });
    const r = await runCli(['reproduce', '--data-dir', lungDataDir(tmp, 'lung-blocked'), '--out', out, '--seeds', '1', '--epochs', '1', '--threads', '1']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^npset: .*table2\.md is a directory/);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
  });
});

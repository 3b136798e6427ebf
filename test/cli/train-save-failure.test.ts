/** npset train --save-model whose directory goes away during training: the results still come out, then the error. */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, cliTempDir } from '../helpers/cli';

let tmp: string;
cliTempDir('npset-save-fail-', (dir) => (tmp = dir));

describe('npset train --save-model failing after training', () => {
  it('prints the summary first, then the save error, exit code 2', async () => {
    const dir = path.join(tmp, 'gone');
    mkdirSync(dir);
    const child = spawn(process.execPath, [CLI, 'train', '--epochs', '40', '--hidden', '200,200', '--threads', '1', '--save-model', path.join(dir, 'm.npset')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (/^epoch\s+1\//m.test(stdout)) rmSync(dir, { recursive: true, force: true });
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toMatch(/^test accuracy /m);
    expect(stderr).toMatch(/^npset: .*cannot write the model/m);
    expect(status).toBe(2);
  });
});

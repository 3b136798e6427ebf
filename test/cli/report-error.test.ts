/** reportError: how each kind of error ends the CLI (one stderr line, exit code). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CliError, reportError } from '../../lib/cli/errors';
import { DivergenceError, NpsetError, OverflowError } from '../../lib/errors';

let lines: string[];
beforeEach(() => {
  lines = [];
  vi.stubEnv('NPSET_DEBUG', ''); // with it, unexpected errors also print their stack
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

describe('reportError', () => {
  it.each(['ENOTDIR', 'EEXIST', 'EROFS', 'EPERM', 'EACCES', 'ENOENT', 'EISDIR', 'ELOOP', 'ENAMETOOLONG'])(
    'a file-system mistake (%s) is a bad argument: exit 2, no "unexpected error"',
    (code) => {
      expect(reportError(fsError(code, `some message, mkdir '/x/y'`))).toBe(2);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(`npset: ${code}: some message, mkdir '/x/y'\n`);
    },
  );

  it.each(['ENOSPC', 'EDQUOT', 'EIO'])('a file-system failure of the machine (%s): exit 1, no "unexpected error"', (code) => {
    expect(reportError(fsError(code, `no space left on device, write`))).toBe(1);
    expect(lines).toEqual([`npset: ${code}: no space left on device, write\n`]);
  });

  it('a diverged training: exit 1, one line', () => {
    expect(reportError(new DivergenceError(1, NaN))).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npset: Training diverged at epoch 2/);
    expect(lines[0]).not.toContain('unexpected');
  });

  it('features that overflow the model (OverflowError): exit 2, one line, as other bad input', () => {
    expect(reportError(new OverflowError('--data', 3, 10, 4))).toBe(2);
    expect(lines).toEqual(['npset: The forward pass overflowed float32 for 3 of 10 samples of --data (the first: sample 4), so their class probabilities are NaN: their features are far outside the range the model was trained on (unscaled data, or outliers), or, when every sample overflows, the weights have diverged in training\n']);
  });

  it('a DivergenceError recognised by its name alone', () => {
    const err = new Error('Training diverged at epoch 3: the training loss is Infinity');
    err.name = 'DivergenceError';
    expect(reportError(err)).toBe(1);
    expect(lines).toEqual(['npset: Training diverged at epoch 3: the training loss is Infinity\n']);
  });

  it('a CliError keeps its exit code', () => {
    expect(reportError(new CliError('no run', 1))).toBe(1);
    expect(lines).toEqual(['npset: no run\n']);
  });

  it('anything else is still an unexpected error, exit 1', () => {
    expect(reportError(new NpsetError('boom'))).toBe(1);
    expect(lines).toEqual(['npset: unexpected error: boom\n']);
  });
});

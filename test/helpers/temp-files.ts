/** Data files written for a test file: each in a fresh folder (so its name, and extension, is free) of one temp dir. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export interface TempFiles {
  /** The temp dir, removed after the test file's tests. */
  dir: string;
  /** Writes `content` to a fresh file named `name`; returns its path. */
  write(name: string, content: string | Uint8Array): string;
}

export function tempFiles(prefix: string): TempFiles {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  return {
    dir,
    write(name, content) {
      const sub = path.join(dir, String(counter++));
      mkdirSync(sub);
      const file = path.join(sub, name);
      writeFileSync(file, content);
      return file;
    },
  };
}

/** Makes a FIFO (named pipe) at `file`; false where there is no mkfifo (Windows, or a system without it). */
export function makeFifo(file: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    execFileSync('mkfifo', [file]);
    return true;
  } catch {
    return false;
  }
}

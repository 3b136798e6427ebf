import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** Root of the shared real datasets: NPSET_DATA_DIR, or ../shared/datasets beside the repository. */
export function dataDir(): string {
  const repoRoot = path.resolve(__dirname, '..', '..');
  return process.env.NPSET_DATA_DIR ?? path.resolve(repoRoot, '../shared/datasets');
}

/** Whether the real datasets are present (tests that need them are skipped, visibly, when not). */
export function hasDataDir(): boolean {
  return existsSync(path.join(dataDir(), 'asu'));
}

/** The real lung_discrete.mat. */
export function lungFile(): string {
  return path.join(dataDir(), 'asu', 'lung_discrete.mat');
}

/** A fresh directory `parent/name` holding lung_discrete.mat (a symlink, or a copy where links are not allowed). */
export function lungDataDir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'lung_discrete.mat');
  try {
    symlinkSync(lungFile(), target);
  } catch {
    copyFileSync(lungFile(), target);
  }
  return dir;
}

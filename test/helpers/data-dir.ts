import { existsSync } from 'node:fs';
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

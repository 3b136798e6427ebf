/**
 * OMP_PROC_BIND / OMP_PLACES: libgomp binds the thread that loads it to the first place, so counts of that
 * thread's CPUs (os.availableParallelism(), omp_get_num_procs()) see one place. The benches must still see every
 * CPU, and the C++ bench, which starts itself again to set GOMP_SPINCOUNT, must not pass the bound mask on (its
 * threads would all share one CPU).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native';
import { CLI, ROOT, ensureBuilt } from '../helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'npset-bind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BOUND = { ...process.env, OMP_PROC_BIND: 'close', OMP_PLACES: 'threads' };
const CPUS = availableParallelism(); // this process is not bound: vitest set no OMP_* variable
const BENCH = path.join(ROOT, 'build', 'native', 'core', 'npset_bench');

describe('CPU count under OpenMP binding', () => {
  it('the addon counts the CPUs this process may use', () => {
    expect(native().availableCpus()).toBe(CPUS);
  });

  it('npset bench records every CPU with OMP_PROC_BIND and OMP_PLACES set', () => {
    ensureBuilt();
    const r = spawnSync(process.execPath, [CLI, 'bench', '--workload', 'custom', '--layers', '20,30,2', '--samples', '50', '--threads', '1', '--epochs', '1', '--warmup', '0', '--no-dense', '--json'], { env: BOUND, encoding: 'utf8', cwd: ROOT, timeout: 100_000 });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { machine: { cores: number; ompProcBind: string } };
    expect(j.machine).toMatchObject({ cores: CPUS, ompProcBind: 'close' });
  });

  it.skipIf(!existsSync(BENCH))('the C++ bench, started again for GOMP_SPINCOUNT, keeps every place', () => {
    const json = path.join(dir, 'b.json');
    const r = spawnSync(BENCH, ['--workload', 'custom', '--layers', '20,30,2', '--samples', '50', '--threads', '1', '--epochs', '1', '--warmup', '0', '--json', json], { env: { ...BOUND, GOMP_SPINCOUNT: undefined }, encoding: 'utf8', timeout: 100_000 });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(json, 'utf8')) as { machine: { cores: number; ompPlaceCount: number; gompSpinCount: string } };
    // One place per CPU (OMP_PLACES=threads), all of them: before the fix, the bound mask gave one place.
    expect(j.machine).toMatchObject({ cores: CPUS, ompPlaceCount: CPUS, gompSpinCount: '3000' });
  });
});

/**
 * A bench on a busy machine says so: the 1-minute load average at the start is recorded in the machine
 * record, and a load average of half the cores or more adds a note (timings and speedups are noisy).
 * The rule is tested as a pure function; runBench with os.loadavg mocked (nothing loads the machine).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const load = vi.hoisted(() => ({ value: 0 }));
vi.mock('node:os', async (importOriginal) => {
  const os = await importOriginal<typeof import('node:os')>();
  const loadavg = () => [load.value, load.value, load.value];
  return { ...os, loadavg, default: { ...os, loadavg } };
});

import { availableParallelism } from 'node:os';
import { busyMachineNote, machineBusy, runBench, type BenchOptions } from '../../lib/experiment/bench';

describe('machineBusy and busyMachineNote (load average >= 0.5 x cores is busy)', () => {
  it('is busy from half the cores on', () => {
    expect(machineBusy(0.99, 2)).toBe(false);
    expect(machineBusy(1, 2)).toBe(true);
    expect(machineBusy(1.54, 2)).toBe(true);
    expect(machineBusy(7.9, 16)).toBe(false);
    expect(machineBusy(8, 16)).toBe(true);
    expect(machineBusy(0, 1)).toBe(false);
    expect(machineBusy(0.5, 1)).toBe(true);
  });

  it('is never busy with an unknown load (null: Windows) or a load that is not a number', () => {
    expect(machineBusy(null, 1)).toBe(false);
    expect(machineBusy(Number.NaN, 1)).toBe(false);
  });

  it('gives a note with the load average and the cores only when busy', () => {
    expect(busyMachineNote(0.3, 2)).toBeNull();
    expect(busyMachineNote(null, 2)).toBeNull();
    expect(busyMachineNote(1.537, 2)).toBe(
      'the machine was busy when the bench started (load average 1.54 on 2 cores): other work competed for the cores, so the timings and speedups are noisy',
    );
    expect(busyMachineNote(3, 1)).toContain('load average 3.00 on 1 core)');
  });
});

describe('runBench records the load average and notes a busy machine', () => {
  const options: BenchOptions = { workload: 'custom', layers: [20, 30, 2], samples: 40, method: 'set', epsilon: 5, threads: [1], epochs: 1, warmup: 0, dense: false };
  afterEach(() => {
    load.value = 0;
  });

  it.runIf(process.platform !== 'win32')('a quiet machine: loadAverage in the machine record, no busy note', async () => {
    load.value = 0.1;
    const b = await runBench(options);
    expect(b.machine.loadAverage).toBe(0.1);
    expect(b.notes.some((n) => n.includes('busy'))).toBe(false);
  });

  it.runIf(process.platform !== 'win32')('a busy machine: a note with the load average and the cores', async () => {
    const cores = availableParallelism();
    load.value = cores;
    const b = await runBench(options);
    expect(b.machine.loadAverage).toBe(cores);
    expect(b.machine.cores).toBe(cores);
    expect(b.notes).toContain(busyMachineNote(cores, cores));
    expect(b.notes.join('\n')).toContain(`load average ${cores.toFixed(2)} on ${cores} core`);
  });
});

/** A description of the machine, recorded in every benchmark output. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import { availableCores, barrierSpinCount } from '../native';

export interface MachineInfo {
  cpu: string;
  cores: number;
  numaNodes: number;
  caches: string;
  memoryBytes: number;
  ompProcBind: string | null;
  ompPlaces: string | null;
  /** OMP_WAIT_POLICY as set by the user, or null. */
  ompWaitPolicy: string | null;
  /** libgomp's barrier spin count (barrierSpinCount in lib/native.ts), or null for libgomp's own default. */
  gompSpinCount: string | null;
  platform: string;
  node: string;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function cacheSizes(): string {
  const base = '/sys/devices/system/cpu/cpu0/cache';
  if (!existsSync(base)) return 'unknown';
  const parts: string[] = [];
  for (const dir of readdirSync(base).filter((d) => d.startsWith('index')).sort()) {
    const type = read(`${base}/${dir}/type`);
    if (type === 'Instruction') continue;
    parts.push(`L${read(`${base}/${dir}/level`)} ${read(`${base}/${dir}/size`)}`);
  }
  return parts.join(', ') || 'unknown';
}

function numaNodes(): number {
  const base = '/sys/devices/system/node';
  if (!existsSync(base)) return 1;
  return Math.max(1, readdirSync(base).filter((d) => /^node\d+$/.test(d)).length);
}

export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    // Not os.availableParallelism(): with OMP_PROC_BIND/OMP_PLACES it counts only the place libgomp bound this thread to.
    cores: availableCores(),
    numaNodes: numaNodes(),
    caches: cacheSizes(),
    memoryBytes: os.totalmem(),
    ompProcBind: process.env.OMP_PROC_BIND ?? null,
    ompPlaces: process.env.OMP_PLACES ?? null,
    ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? null,
    gompSpinCount: barrierSpinCount(),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
  };
}

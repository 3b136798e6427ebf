import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addon, addonPath, failure, repoRoot, syncFailure } from './addon';

describe('native addon: module', () => {
  it('exports the low-level surface', () => {
    expect(typeof addon.createModel).toBe('function');
    expect(typeof addon.Model).toBe('function');
    expect(typeof addon.Dataset).toBe('function');
    expect(typeof addon.hardwareConcurrency).toBe('function');
    expect(typeof addon.version).toBe('string');
    expect(addonPath.endsWith('.node')).toBe(true);
  });

  it('reports the package version and build info', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(addon.version).toBe(pkg.version);
    expect(addon.buildInfo.version).toBe(pkg.version);
    expect(addon.buildInfo.napiVersion).toBe(8);
    expect(addon.buildInfo.openmp).toBeGreaterThanOrEqual(201307);
    expect(Object.isFrozen(addon.buildInfo)).toBe(true);
  });

  it('hardwareConcurrency() is a positive integer', () => {
    const n = addon.hardwareConcurrency();
    expect(Number.isInteger(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(1);
  });

  it('kernels names the instruction set chosen at run time', () => {
    expect(['avx512', 'avx2', 'generic']).toContain(addon.kernels);
    expect(addon.buildInfo.kernels).toBe(addon.kernels);
  });

  it('NPSET_ISA forces narrower kernels; an unknown value is ignored with a line on stderr', () => {
    const probe = `process.stdout.write(require('node-gyp-build')(${JSON.stringify(repoRoot)}).kernels)`;
    const run = (isa: string) =>
      spawnSync(process.execPath, ['-e', probe], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NPSET_ISA: isa },
        timeout: 60_000,
      });
    const generic = run('generic');
    expect(generic.status).toBe(0);
    expect(generic.stdout).toBe('generic');
    expect(generic.stderr).toBe('');
    const bogus = run('sse9');
    expect(bogus.status).toBe(0);
    expect(bogus.stdout).toBe(addon.kernels);
    expect(bogus.stderr).toBe(
      `npset: ignoring NPSET_ISA=sse9 (expected avx512, avx2 or generic); using ${addon.kernels}\n`,
    );
  });

  it('sgemmGflops(threads) measures the dense GEMM rate off the JS thread', async () => {
    const g = await addon.sgemmGflops(1);
    expect(g).toBeGreaterThan(0);
    expect(Number.isFinite(g)).toBe(true);
    const err = await failure(() => addon.sgemmGflops(-1));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('Expected an integer >= 0 and <= 4096 for threads but received -1');
    expect(await failure(() => addon.sgemmGflops('2' as unknown as number))).toBeInstanceOf(TypeError);
  });

  it('Model cannot be constructed from JS', () => {
    const e1 = syncFailure(() => new addon.Model());
    expect(e1).toBeInstanceOf(TypeError);
    expect(e1.message).toMatch(/createModel/);
    const e2 = syncFailure(() => new addon.Model({ layers: [2, 2] }));
    expect(e2).toBeInstanceOf(TypeError);
    const e3 = syncFailure(() => (addon.Model as unknown as () => void)());
    expect(e3).toBeInstanceOf(TypeError);
  });

  it('methods called on the wrong receiver throw TypeError, not crash', async () => {
    const ds = new addon.Dataset(new Float32Array(4), new Int32Array([0, 1]), 2, 2);
    const model = await addon.createModel({ layers: [2, 4, 2], seed: 1 });
    const proto = addon.Model.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const receiver of [undefined, null, 1, 'x', {}, ds, Object.create(addon.Model.prototype)]) {
      for (const name of ['topology', 'memory', 'dispose', 'cancel', 'setThreads']) {
        const err = syncFailure(() => proto[name].call(receiver, 1));
        expect(err, `${name} on ${String(receiver)}`).toBeInstanceOf(Error);
      }
      for (const name of ['trainEpoch', 'evaluate', 'predict', 'clone', 'evolve', 'pruneNeurons']) {
        let err: unknown;
        try {
          await proto[name].call(receiver, ds, {}, 0);
        } catch (e) {
          err = e;
        }
        expect(err, `${name} on ${String(receiver)}`).toBeInstanceOf(Error);
      }
      const threadsGetter = Object.getOwnPropertyDescriptor(addon.Model.prototype, 'threads')!.get!;
      expect(() => threadsGetter.call(receiver)).toThrow();
    }
    // A Model object is not a Dataset, and a Dataset's getters refuse a Model.
    const samplesGetter = Object.getOwnPropertyDescriptor(addon.Dataset.prototype, 'samples')!.get!;
    expect(() => samplesGetter.call(model)).toThrow(TypeError);
    expect(syncFailure(() => proto.topology.call(ds))).toBeInstanceOf(TypeError);
    model.dispose();
  });
});

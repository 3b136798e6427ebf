import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addon, dataset, failure, LONG, longDataset, repoRoot, syncFailure, type Dataset } from './addon';

describe('native addon: jobs, busy, cancel, dispose', () => {
  let long: Dataset;
  beforeAll(() => {
    long = longDataset();
  });

  it('one job at a time: a second call while one runs fails with ERR_NPSET_BUSY', async () => {
    const model = await addon.createModel({ layers: LONG.layers, seed: 1 });
    const small = dataset(10, LONG.layers[0], 10);
    expect(model.busy).toBe(false);
    const job = model.trainEpoch(long, {}, 0);
    expect(model.busy).toBe(true);

    for (const call of [
      () => model.trainEpoch(small, {}, 1),
      () => model.evaluate(small),
      () => model.predict(small),
      () => model.evolve({}, 0),
      () => model.pruneNeurons({ hiddenLayers: [1] }),
      () => model.clone(),
    ]) {
      const err = await failure(call);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe('ERR_NPSET_BUSY');
      expect(err.message).toMatch(/busy with trainEpoch\(\)/);
    }
    for (const call of [
      () => model.topology(),
      () => model.layerCsr(0),
      () => model.memory(),
      () => model.neuronOrder(1),
      () => model.removeNeurons(1, [0]),
      () => model.setThreads(1),
      () => model.dispose(),
    ]) {
      const err = syncFailure(call);
      expect(err.code).toBe('ERR_NPSET_BUSY');
    }
    // Reading the thread count and the state is allowed.
    expect(model.threads).toBeGreaterThanOrEqual(1);
    expect(model.disposed).toBe(false);

    model.cancel();
    await job.catch(() => undefined);
    expect(model.busy).toBe(false);
    expect(model.topology().neurons).toEqual(LONG.layers);
    model.dispose();
  });

  it('busy is cleared before the awaiting code resumes', async () => {
    const model = await addon.createModel({ layers: [8, 16, 2], seed: 1 });
    const ds = dataset(50, 8, 2);
    for (let e = 0; e < 5; e++) {
      await model.trainEpoch(ds, {}, e);
      expect(model.busy).toBe(false);
      model.topology();
    }
    const results = [];
    for (let e = 0; e < 3; e++) results.push(await model.evaluate(ds));
    expect(results).toHaveLength(3);
    model.dispose();
  });

  it('cancel() rejects the running job with an AbortError (ABORT_ERR); the model stays usable', async () => {
    const model = await addon.createModel({ layers: LONG.layers, seed: 2 });
    expect(model.cancel()).toBe(false); // idle
    // Batches of one: an epoch of seconds on any machine (per-batch costs do not shrink with cores), so the job is
    // still running 100 ms in; cancelled, the test does not wait for it.
    const job = model.trainEpoch(long, { batchSize: 1 }, 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(model.cancel()).toBe(true);
    const err = await failure(() => job);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AbortError');
    expect(err.code).toBe('ABORT_ERR');
    expect(model.busy).toBe(false);

    // Usable afterwards, and the cancel flag does not leak into the next job.
    const small = dataset(200, LONG.layers[0], 10);
    const r = await model.trainEpoch(small, {}, 1);
    expect(r.samples).toBe(200);
    expect((await model.evaluate(small)).samples).toBe(200);
    model.dispose();
  });

  it('cancel() right after the call (before the job starts running) also aborts it', async () => {
    const model = await addon.createModel({ layers: LONG.layers, seed: 3 });
    for (const start of [() => model.trainEpoch(long, {}, 0), () => model.evaluate(long), () => model.predict(long)]) {
      const job = start();
      expect(model.cancel()).toBe(true);
      const err = await failure(() => job);
      expect(err.code).toBe('ABORT_ERR');
    }
    expect((await model.evaluate(dataset(20, LONG.layers[0], 10))).samples).toBe(20);
    model.dispose();
  });

  it('the event loop stays free while a long trainEpoch runs', async () => {
    const model = await addon.createModel({ layers: LONG.layers, seed: 4 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    // Batches of two: long enough (about a second on a 2-core machine) for a blocked loop to show on faster machines too.
    await model.trainEpoch(long, { batchSize: 2 }, 0);
    const elapsed = performance.now() - t0;
    clearInterval(timer);
    // A blocked loop would give 0 or 1 tick; a free one about elapsed / 10.
    expect(elapsed).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 10 / 4));
    model.dispose();
  });

  it('dispose(): refused while busy, idempotent, and afterwards every method fails with ERR_NPSET_DISPOSED', async () => {
    const model = await addon.createModel({ layers: [6, 8, 3], seed: 1 });
    const ds = dataset(20, 6, 3);
    model.dispose();
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(model.busy).toBe(false);
    const asyncCalls: Array<() => Promise<unknown>> = [
      () => model.trainEpoch(ds, {}, 0),
      () => model.evaluate(ds),
      () => model.predict(ds),
      () => model.evolve({}, 0),
      () => model.pruneNeurons({ hiddenLayers: [1] }),
      () => model.clone(),
    ];
    for (const call of asyncCalls) {
      const err = await failure(call);
      expect(err.code).toBe('ERR_NPSET_DISPOSED');
      expect(err.message).toMatch(/disposed/);
    }
    const syncCalls: Array<() => unknown> = [
      () => model.topology(),
      () => model.layerCsr(0),
      () => model.memory(),
      () => model.neuronOrder(1),
      () => model.removeNeurons(1, []),
      () => model.setThreads(1),
      () => model.threads,
      () => model.cancel(),
    ];
    for (const call of syncCalls) {
      const err = syncFailure(call);
      expect(err.code).toBe('ERR_NPSET_DISPOSED');
      expect(err.message).toMatch(/the model has been disposed/);
    }
  });

  it('getters in the arguments that dispose the model or start a job are caught, not a crash', async () => {
    const model = await addon.createModel({ layers: [6, 8, 3], seed: 1 });
    const ds = dataset(30, 6, 3);
    const sneakyDispose = {
      get batchSize() {
        model.dispose();
        return 8;
      },
    };
    const e1 = await failure(() => model.trainEpoch(ds, sneakyDispose, 0));
    expect(e1.code).toBe('ERR_NPSET_DISPOSED');
    expect(model.busy).toBe(false);

    const m2 = await addon.createModel({ layers: [6, 8, 3], seed: 2 });
    let inner: Promise<unknown> | undefined;
    const sneakyJob = {
      get zeta() {
        inner = m2.evaluate(ds);
        return 0.3;
      },
    };
    const e2 = await failure(() => m2.evolve(sneakyJob, 0));
    expect(e2.code).toBe('ERR_NPSET_BUSY');
    expect((await inner) as { samples: number }).toMatchObject({ samples: 30 });
    expect(m2.busy).toBe(false);

    const indices = [0, 1];
    Object.defineProperty(indices, 1, {
      get() {
        m2.dispose();
        return 1;
      },
    });
    const e3 = syncFailure(() => m2.removeNeurons(1, indices));
    expect(e3.code).toBe('ERR_NPSET_DISPOSED');
  });

  it('a model dropped by JS while its job runs is kept alive by the job', async () => {
    const ds = dataset(3000, 16, 4);
    const results = await Promise.all(
      [1, 2, 3].map(async (seed) => {
        // No reference to the model survives this expression except the job's.
        return (await addon.createModel({ layers: [16, 64, 4], seed })).trainEpoch(ds, {}, 0);
      }),
    );
    for (const r of results) expect(r.samples).toBe(3000);
  });
});

describe('native addon: processes and threads', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npset-native-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function runScript(name: string, source: string, args: string[] = []) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, source);
    const r = spawnSync(process.execPath, [...args, file, repoRoot], { encoding: 'utf8', timeout: 110_000 });
    return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
  }

  const prelude = `
    'use strict';
    const root = process.argv[process.argv.length - 1];
    const ngb = require.resolve('node-gyp-build', { paths: [root] });
    const LONG = ${JSON.stringify(LONG)};
  `;

  it('terminating a worker_thread while its job runs does not crash the process', () => {
    const source = `${prelude}
      const { Worker } = require('node:worker_threads');
      const workerSource = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const addon = require(workerData.ngb)(workerData.root);
        (async () => {
          const [f] = workerData.LONG.layers;
          const n = workerData.LONG.samples / 4;
          const x = new Float32Array(n * f).fill(0.25);
          const y = new Int32Array(n).map((_, i) => i % 10);
          const ds = new addon.Dataset(x, y, n, f);
          const m = await addon.createModel({ layers: workerData.LONG.layers, seed: 1 });
          const jobs = [m.trainEpoch(ds, { batchSize: 1 }, 0)]; // batches of one: still running at 200 ms on a fast host
          const m2 = await addon.createModel({ layers: [f, 10], seed: 2 });
          jobs.push(m2.predict(ds));
          parentPort.postMessage('started');
          await Promise.allSettled(jobs);
          parentPort.postMessage('finished');
        })();
      \`;
      async function once(delay) {
        const w = new Worker(workerSource, { eval: true, workerData: { root, ngb, LONG } });
        await new Promise((resolve, reject) => {
          w.on('error', reject);
          w.on('message', (msg) => { if (msg === 'started') resolve(); });
        });
        await new Promise((r) => setTimeout(r, delay));
        const t0 = Date.now();
        const code = await w.terminate();
        console.log('terminated after', delay, 'ms with code', code, 'in', Date.now() - t0, 'ms');
      }
      (async () => {
        for (const delay of [0, 30, 200]) await once(delay);
        // The main thread still works.
        const addon = require(ngb)(root);
        const m = await addon.createModel({ layers: [4, 8, 2], seed: 1 });
        const r = await m.trainEpoch(new addon.Dataset(new Float32Array(40), new Int32Array(10), 10, 4), {}, 0);
        console.log('main thread ok', r.samples);
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const r = runScript('terminate-worker.js', source);
    expect(r.signal, r.out).toBeNull();
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/main thread ok 10/);
    expect(r.out.match(/terminated after/g)).toHaveLength(3);
  });

  // libgomp keeps one pool of OpenMP workers per thread that opens parallel regions: jobs that ran on
  // whichever libuv thread took them made up to four pools (and libgomp then stopped spinning between
  // regions). All jobs run on one compute thread, so the OpenMP workers are made once.
  it.skipIf(process.platform !== 'linux')('jobs queued at once on several models share one OpenMP team', () => {
    const source = `${prelude}
      const fs = require('node:fs');
      const addon = require(ngb)(root);
      const threads = () => fs.readdirSync('/proc/self/task').length;
      (async () => {
        const n = 4000, f = 200;
        const X = new Float32Array(n * f);
        for (let i = 0; i < X.length; i++) X[i] = ((i * 7919) % 1000) / 1000;
        const ds = new addon.Dataset(X, new Int32Array(n).map((_, i) => i % 2), n, f);
        const models = [];
        for (let i = 0; i < 4; i++) models.push(await addon.createModel({ layers: [f, 400, 2], seed: i, threads: 2 }));
        await models[0].trainEpoch(ds, { batchSize: 32 }, 0);
        const before = threads();
        for (let round = 0; round < 4; round++) await Promise.all(models.map((m, i) => m.trainEpoch(ds, { batchSize: 32 }, round + i)));
        console.log('threads', before, threads());
        for (const m of models) m.dispose();
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const r = runScript('one-team.js', source);
    expect(r.status, r.out).toBe(0);
    const m = /threads (\d+) (\d+)/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![2]), r.out).toBe(Number(m![1]));
  });

  it('the addon loads and trains in several worker_threads at once', () => {
    const source = `${prelude}
      const { Worker } = require('node:worker_threads');
      const workerSource = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const addon = require(workerData.ngb)(workerData.root);
        (async () => {
          const m = await addon.createModel({ layers: [8, 16, 2], seed: workerData.seed });
          const ds = new addon.Dataset(new Float32Array(800).fill(0.5), new Int32Array(100), 100, 8);
          const r = await m.trainEpoch(ds, {}, 0);
          m.dispose();
          parentPort.postMessage(r.samples);
        })();
      \`;
      Promise.all([1, 2, 3].map((seed) => new Promise((resolve, reject) => {
        const w = new Worker(workerSource, { eval: true, workerData: { root, ngb, seed } });
        w.on('message', resolve);
        w.on('error', reject);
      }))).then((r) => console.log('workers', r.join(',')), (e) => { console.error(e); process.exit(1); });
    `;
    const r = runScript('many-workers.js', source);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/workers 100,100,100/);
  });

  it('garbage collection during and after jobs is safe', () => {
    const source = `${prelude}
      const addon = require(ngb)(root);
      (async () => {
        const ds = new addon.Dataset(new Float32Array(16 * 2000).fill(0.1), new Int32Array(2000), 2000, 16);
        const jobs = [];
        for (let i = 0; i < 5; i++) jobs.push(addon.createModel({ layers: [16, 64, 4], seed: i }).then((m) => m.trainEpoch(ds, {}, 0)));
        for (let i = 0; i < 20; i++) { global.gc(); await new Promise((r) => setTimeout(r, 5)); }
        await Promise.all(jobs);
        for (let i = 0; i < 50; i++) {
          const m = await addon.createModel({ layers: [16, 32, 4], seed: i });
          if (i % 2) m.dispose();
          new addon.Dataset(new Float32Array(1600), null, 100, 16);
        }
        global.gc();
        await new Promise((r) => setTimeout(r, 50));
        global.gc();
        console.log('gc ok');
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const r = runScript('gc.js', source, ['--expose-gc']);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/gc ok/);
  });
});

/**
 * The process around a native job: the process ends promptly when it exits (process.exit(), an uncaught
 * exception) while a long job runs, and libgomp's barrier spinning is bounded unless the user chose a policy.
 * Each case runs in a child process on the compiled package (dist/).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npset-exit-test-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runChild(name: string, source: string, env: Record<string, string | undefined> = {}) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  // The job below would run for minutes; a process still alive after 60 s counts as the failure.
  const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', env: childEnv, timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// Inside an async function: \`m\` and \`data\` for one epoch at batch 1 over 100,000 samples of a
// [100, 4000, 4000, 10] model, minutes on 2 cores.
const LONG_JOB_SETUP = `
    const n = 100000, f = 100;
    const X = new Float32Array(n * f).map((_, i) => Math.sin(i));
    const y = new Int32Array(n).map((_, i) => i % 10);
    const data = NativeData.from({ X, y, samples: n, features: f });
    const m = await SparseMLP.create({ layers: [f, 4000, 4000, 10], seed: 1 });
`;

const longJob = (ending: string) => `
  'use strict';
  const { SparseMLP, NativeData } = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
  (async () => {
    ${LONG_JOB_SETUP}
    m.trainEpoch(data, { batchSize: 1 }).then(
      () => console.log('job finished'),
      (e) => console.log('job rejected: ' + e.name),
    );
    setTimeout(() => { console.log('ending'); ${ending} }, 300);
  })();
`;

describe('a process that exits while a native job runs', () => {
  it('process.exit() cancels the job instead of waiting for it', () => {
    const r = runChild('exit.js', longJob('process.exit(3);'));
    expect(r.signal).toBeNull(); // not killed by the 60 s timeout
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('ending');
    expect(r.stdout).not.toContain('job finished');
  });

  it('an uncaught exception ends the process without waiting for the job', () => {
    const r = runChild('throw.js', longJob("throw new Error('boom');"));
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('boom');
    expect(r.stdout).not.toContain('job finished');
  });
});

describe('the main thread exiting while a worker_thread runs a native job', () => {
  it('cancels the worker\'s job too (the main thread has used npset)', () => {
    const dist = JSON.stringify(path.join(ROOT, 'dist', 'index.js'));
    const source = `
      'use strict';
      const { Worker, isMainThread, parentPort } = require('node:worker_threads');
      const { SparseMLP, NativeData } = require(${dist});
      if (isMainThread) {
        SparseMLP.create({ layers: [4, 4, 2] }).then((m) => {
          m.dispose(); // npset is now loaded in the main thread
          const w = new Worker(__filename);
          w.on('message', (msg) => {
            console.log(msg);
            if (msg === 'started') setTimeout(() => process.exit(4), 300);
          });
        });
      } else {
        (async () => {
          ${LONG_JOB_SETUP}
          m.trainEpoch(data, { batchSize: 1 }).then(() => parentPort.postMessage('job finished'), () => {});
          parentPort.postMessage('started');
        })();
      }
    `;
    const r = runChild('worker-exit.js', source);
    expect(r.signal).toBeNull(); // not killed by the 60 s timeout
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('started');
    expect(r.stdout).not.toContain('job finished');
  });
});

describe("libgomp's barrier spinning", () => {
  // OMP_DISPLAY_ENV=verbose makes libgomp print its settings on stderr when the addon loads it.
  const load = `
    'use strict';
    const { SparseMLP } = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
    SparseMLP.create({ layers: [4, 4, 2] }).then((m) => {
      m.dispose();
      console.log('GOMP_SPINCOUNT in process.env: ' + process.env.GOMP_SPINCOUNT);
    });
  `;
  const spinCount = (stderr: string) => /GOMP_SPINCOUNT = '(\d+)'/.exec(stderr)?.[1];

  it('is bounded to 3000 spins when the user set no policy, and children do not inherit it', () => {
    const r = runChild('spin.js', load, { OMP_DISPLAY_ENV: 'verbose', GOMP_SPINCOUNT: undefined, OMP_WAIT_POLICY: undefined });
    expect(r.status).toBe(0);
    expect(spinCount(r.stderr)).toBe('3000');
    expect(r.stdout).toContain('GOMP_SPINCOUNT in process.env: undefined');
  });

  it("keeps the user's GOMP_SPINCOUNT or OMP_WAIT_POLICY", () => {
    const own = runChild('spin-own.js', load, { OMP_DISPLAY_ENV: 'verbose', GOMP_SPINCOUNT: '12345', OMP_WAIT_POLICY: undefined });
    expect(spinCount(own.stderr)).toBe('12345');
    expect(own.stdout).toContain('GOMP_SPINCOUNT in process.env: 12345');
    const active = runChild('spin-active.js', load, { OMP_DISPLAY_ENV: 'verbose', GOMP_SPINCOUNT: undefined, OMP_WAIT_POLICY: 'active' });
    expect(spinCount(active.stderr)).not.toBe('3000');
  });
});

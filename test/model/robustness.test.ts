/**
 * Calls that must fail cleanly rather than take the process down. Each runs in a child process (with
 * a cap on its address space where memory is the point), so that a crash shows up as a failed test,
 * not as a dead test worker.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `body` (JavaScript, with `lib` = the package's lib/index.ts loaded from source) in a child node. */
function runChild(body: string, options: { addressSpaceKb?: number; timeoutMs?: number; env?: Record<string, string> } = {}) {
  const script = `
    const ts = require(${JSON.stringify(require.resolve('typescript'))});
    const fs = require('node:fs');
    require.extensions['.ts'] = (module, file) => {
      const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: file,
      });
      module._compile(out.outputText, file);
    };
    const lib = require(${JSON.stringify(path.join(ROOT, 'lib', 'index.ts'))});
    (async () => { ${body} })().then(
      () => process.exit(0),
      (e) => { console.log('UNCAUGHT ' + (e && e.stack)); process.exit(3); },
    );
  `;
  const limit = options.addressSpaceKb ? `ulimit -v ${options.addressSpaceKb}; ` : '';
  const r = spawnSync('sh', ['-c', `${limit}exec "${process.execPath}" -e "$NPSET_CHILD_SCRIPT"`], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, NPSET_CHILD_SCRIPT: script },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('no crash on impossible requests', () => {
  it('a model too large for the memory it may use is refused with a typed error, not an abort', () => {
    // [4e6, 4e6, 2] with epsilon 20 asks for about 1.6e8 connections (a few GiB). Under a 1.2 GB
    // address space the allocation must fail and come back as a rejected promise: a bad_alloc must
    // not escape an OpenMP region (that ends in std::terminate, SIGABRT).
    const r = runChild(
      `
      try {
        await lib.SparseMLP.create({ layers: [4000000, 4000000, 2], threads: 1 });
        console.log('RESULT created');
      } catch (e) {
        console.log('RESULT rejected ' + e.constructor.name + ' ' + e.code);
      }
      `,
      { addressSpaceKb: 1_200_000 },
    );
    expect(r.signal, `child died: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/RESULT rejected (ValidationError|RangeError|NativeError) ERR_NPSET_/);
  });

  it('an absurdly large model is refused with a typed error', () => {
    // [2^31-1, 2^31-1, 2] asks for about 8.6e10 connections (over a terabyte)
    const r = runChild(
      `
      try {
        await lib.SparseMLP.create({ layers: [2147483647, 2147483647, 2], threads: 1 });
        console.log('RESULT created');
      } catch (e) {
        console.log('RESULT rejected ' + e.constructor.name + ' ' + e.code);
      }
      `,
      { addressSpaceKb: 3_000_000 },
    );
    expect(r.signal, `child died: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/RESULT rejected (ValidationError|RangeError|NativeError) ERR_NPSET_/);
  });

  it('bad arguments in a child process end in typed errors and a normal exit', () => {
    const r = runChild(`
      const results = [];
      const m = await lib.SparseMLP.create({ layers: [4, 3, 2], seed: 1 });
      const attempts = [
        () => lib.SparseMLP.create({ layers: [4, 0, 2] }),
        () => m.fit({ X: new Float32Array(3), y: new Int32Array(1), samples: 1, features: 4 }),
        () => m.fit({ X: new Float32Array([1, 2, 3, NaN]), y: new Int32Array([0]), samples: 1, features: 4 }),
        () => m.fit({ X: new Float32Array(4), y: new Int32Array([7]), samples: 1, features: 4 }),
        () => m.pruneNeurons({ hiddenLayers: [1], alpha: 5 }),
        () => m.removeNeurons(1, [99]),
        () => m.evolve({ zeta: -1 }),
      ];
      for (const a of attempts) {
        try { await a(); results.push('ok'); } catch (e) { results.push(e.constructor.name); }
      }
      const e = await m.evaluate({ X: new Float32Array(4), y: new Int32Array([1]), samples: 1, features: 4 });
      console.log('RESULT ' + JSON.stringify(results) + ' ' + e.samples);
      m.dispose();
    `);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line).toBeDefined();
    const [, json, samples] = /^RESULT (\[.*\]) (\d+)$/.exec(line!)!;
    const results = JSON.parse(json) as string[];
    expect(results).toHaveLength(7);
    for (const name of results) expect(['ValidationError', 'RangeError', 'TypeError']).toContain(name);
    expect(samples).toBe('1');
  });
});

describe('threads: 0', () => {
  it('takes OMP_NUM_THREADS when it is set, as OpenMP programs do', () => {
    const r = runChild(
      `
      const m = await lib.SparseMLP.create({ layers: [8, 16, 2], threads: 0 });
      console.log('RESULT ' + m.threads);
      m.dispose();
      `,
      { env: { OMP_NUM_THREADS: '3' } },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/RESULT 3/);
  });
});

// F8 prepare-input.ts classMap(): with neither saved labels nor the data's labels, the class map was an array
// as long as the largest class index in y (Array.from({ length: max + 1 })): one sample of class 2^31 - 1
// built an array of 2 billion entries, "JavaScript heap out of memory". The model knows `classes` classes;
// any index beyond is simply unknown. Run in a child with a 256 MiB heap, so that a crash is quick and contained.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'npset-prepare-complexity-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('F8: prepare takes a sample whose class index is 2^31 - 1 as an unknown label', () => {
  const script = path.join(dir, 'prepare.js');
  writeFileSync(
    script,
    `const { SparseMLP } = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
(async () => {
  const m = await SparseMLP.create({ layers: [2, 4, 3], threads: 1 });
  const p = m.prepare({ name: 'd', X: new Float32Array([1, 2, 3, 4]), y: Int32Array.of(2147483647, 1), samples: 2, features: 2 });
  console.log(JSON.stringify({ y: Array.from(p.y), unknown: p.unknownLabels, by: p.matchedBy }));
  m.dispose();
})();`,
  );
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', script], { encoding: 'utf8', timeout: 100_000 });
  expect(r.stderr.slice(0, 300)).not.toMatch(/heap out of memory|FATAL/);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ y: [-1, 1], unknown: 1, by: 'index' });
});

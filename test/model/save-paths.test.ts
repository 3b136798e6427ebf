/**
 * Where saves land: through symbolic links (the link stays a link, its target gets the new contents), and
 * under file names of up to 255 bytes (the temporary file beside them must not need a longer name).
 */
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempPathBeside, writeFileAtomic, writeTarget } from '../../lib/files';
import { SparseMLP } from '../../lib/model';
import { disposeAfterEach, snapshot, syntheticSplit } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'npset-save-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { models, create } = disposeAfterEach();
const s = syntheticSplit();

async function trained(seed: number): Promise<SparseMLP> {
  const m = await create({ layers: [s.features, 12, s.classes], seed });
  await m.fit(s.train, { epochs: 1 });
  return m;
}

async function loadSnapshot(path: string) {
  const m = await SparseMLP.load(path);
  models.push(m);
  return snapshot(m);
}

describe('SparseMLP.save through symbolic links', () => {
  it('writes the file a link names and keeps the link (a chain of two links too)', async () => {
    const sub = mkdtempSync(join(dir, 'links-'));
    const real = join(sub, 'real.npset');
    const first = await trained(1);
    await first.save(real);
    symlinkSync('real.npset', join(sub, 'rel-link.npset')); // relative, resolved against the link's directory
    symlinkSync(join(sub, 'rel-link.npset'), join(sub, 'chain.npset'));

    const second = await trained(2);
    await second.save(join(sub, 'chain.npset'));
    expect(lstatSync(join(sub, 'chain.npset')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(sub, 'rel-link.npset')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(sub, 'rel-link.npset'))).toBe('real.npset');
    // The target holds the second model, not the first.
    expect(await loadSnapshot(real)).toEqual(snapshot(second));
    expect(snapshot(second)).not.toEqual(snapshot(first));
    expect(readdirSync(sub).sort()).toEqual(['chain.npset', 'real.npset', 'rel-link.npset']);
  });

  it('a dangling link gets the file it names created, and stays a link', async () => {
    const sub = mkdtempSync(join(dir, 'dangling-'));
    symlinkSync('made.npset', join(sub, 'link.npset'));
    const m = await trained(3);
    await m.save(join(sub, 'link.npset'));
    expect(lstatSync(join(sub, 'link.npset')).isSymbolicLink()).toBe(true);
    expect(await loadSnapshot(join(sub, 'made.npset'))).toEqual(snapshot(m));
  });
});

describe('SparseMLP.save under long file names', () => {
  it('saves and loads a name of 255 bytes (ASCII and multi-byte), leaving no temporary file', async () => {
    const sub = mkdtempSync(join(dir, 'long-'));
    const m = await trained(4);
    for (const name of [`${'m'.repeat(249)}.npset`, `${'é'.repeat(124)}x.npset`]) {
      expect(Buffer.byteLength(name)).toBe(255);
      await m.save(join(sub, name));
      expect(await loadSnapshot(join(sub, name))).toEqual(snapshot(m));
    }
    expect(readdirSync(sub)).toHaveLength(2);
  });
});

describe('writeFileAtomic, writeTarget and tempPathBeside', () => {
  it('writes through links and under 255-byte names', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    writeFileSync(join(sub, 'out.csv'), 'old\n');
    symlinkSync('out.csv', join(sub, 'link.csv'));
    writeFileAtomic(join(sub, 'link.csv'), 'new\n');
    expect(lstatSync(join(sub, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(sub, 'out.csv'), 'utf8')).toBe('new\n');

    const long = join(sub, `${'r'.repeat(250)}.json`);
    writeFileAtomic(long, '{}\n');
    expect(readFileSync(long, 'utf8')).toBe('{}\n');
    expect(readdirSync(sub).sort()).toEqual(['link.csv', 'out.csv', `${'r'.repeat(250)}.json`].sort());
  });

  it('gives a looping link back as it is, and a plain or missing path as it is', () => {
    const sub = mkdtempSync(join(dir, 'loop-'));
    symlinkSync('b', join(sub, 'a'));
    symlinkSync('a', join(sub, 'b'));
    expect(writeTarget(join(sub, 'a'))).toBe(join(sub, 'a'));
    expect(writeTarget(join(sub, 'none'))).toBe(join(sub, 'none'));
    expect(tempPathBeside('/x/short.npset', 'ab12')).toBe('/x/short.npset.ab12.tmp');
    expect(tempPathBeside(`/x/${'n'.repeat(250)}`, 'ab12')).toBe('/x/.npset-ab12.tmp');
  });
});

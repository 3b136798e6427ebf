import { describe, expect, it } from 'vitest';
import { cliTempDir, expectUsageError, runCli, runJson } from '../helpers/cli';

cliTempDir('npset-cli-lr-', () => {});

const BASE = ['train', '--epochs', '3', '--hidden', '20', '--threads', '1'];

describe('npset train --lr-schedule and --lr-warmup', () => {
  it('trains each epoch at the scheduled rate and records the schedule and the rates in --json', async () => {
    const { json } = await runJson([...BASE, '--lr', '0.02', '--lr-schedule', 'step:1:0.5', '--lr-warmup', '1']);
    expect(json.learningRatePerEpoch).toEqual([0.02, 0.02, 0.01]);
    expect((json.settings as Record<string, unknown>).learningRateSchedule).toEqual({ type: 'step', stepSize: 1, factor: 0.5, warmupEpochs: 1 });
    expect((json.history as unknown) ?? null).toBeNull();
  });

  it('without them the rate is constant, the settings have no schedule, and the epoch lines show no rate', async () => {
    const { json } = await runJson(BASE);
    expect(json.learningRatePerEpoch).toEqual([0.01, 0.01, 0.01]);
    expect(json.settings).not.toHaveProperty('learningRateSchedule');
    const plain = await runCli(BASE);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).not.toMatch(/ lr /);
  });

  it('shows the rate on each epoch line when scheduled', async () => {
    const r = await runCli([...BASE, '--lr-schedule', 'exponential:0.5']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    expect(lines.map((l) => /\blr (\S+)/.exec(l)?.[1])).toEqual(['0.01', '0.005', '0.0025']);
  });

  it.each([
    [['--lr-schedule', 'step:abc'], /integer >= 1 .* for EPOCHS of --lr-schedule step but received "abc"/],
    [['--lr-schedule', 'step:2:1.5'], /for FACTOR of --lr-schedule step but received 1.5/],
    [['--lr-schedule', 'cosine:0.5'], /< 0.01 \(the starting rate\) for MIN_LR of --lr-schedule cosine but received 0.5/],
    [['--lr-schedule', 'warm'], /Expected constant, step:EPOCHS\[:FACTOR\], exponential:FACTOR or cosine\[:MIN_LR\] for --lr-schedule but received "warm"/],
    [['--lr-warmup', '1.5'], /for --lr-warmup but received/],
  ])('%j is a usage error before anything runs', async (args, pattern) => {
    expectUsageError(await runCli([...BASE, ...args]), pattern);
  });
});

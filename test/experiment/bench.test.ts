/**
 * lib/experiment/bench.ts without the CLI: the useful-work count of an epoch, the synthetic data of a
 * workload's shape, and runBench on a tiny network (its derived numbers, not its timings).
 */
import { describe, expect, it } from 'vitest';
import { epochFlops, runBench, syntheticShape } from '../../lib/experiment/bench';
import { SparseMLP } from '../../lib/model';

describe('epochFlops', () => {
  it('counts forward and weight gradient (2 x samples x connections each) and input gradient for all but layer 0', () => {
    // all = 160, notFirst = 60: 2 * 4 * (2 * 160 + 60)
    expect(epochFlops([100, 50, 10], 4)).toBe(3040);
    expect(epochFlops([100, 50, 10], 4)).toBe(2 * 4 * 100 * 2 + 2 * 4 * 50 * 3 + 2 * 4 * 10 * 3);
  });

  it('has no input gradient for a single layer and scales linearly with samples', () => {
    expect(epochFlops([1000], 3)).toBe(2 * 3 * 2 * 1000);
    expect(epochFlops([7, 11, 13], 10)).toBe(10 * epochFlops([7, 11, 13], 1));
    expect(epochFlops([0, 0], 5)).toBe(0);
  });
});

describe('syntheticShape', () => {
  it('has the requested shape, balanced labels and standard-normal features', () => {
    const d = syntheticShape(2000, 5, 4);
    expect(d.name).toBe('synthetic');
    expect(d.samples).toBe(2000);
    expect(d.features).toBe(5);
    expect(d.classes).toBe(4);
    expect(d.labels).toEqual([0, 1, 2, 3]);
    expect(d.X).toBeInstanceOf(Float32Array);
    expect(d.X.length).toBe(2000 * 5);
    expect(d.y).toBeInstanceOf(Int32Array);
    expect(d.y.length).toBe(2000);
    const counts = [0, 0, 0, 0];
    for (const c of d.y) counts[c]++;
    expect(counts).toEqual([500, 500, 500, 500]);
    expect(Array.from(d.y.subarray(0, 6))).toEqual([0, 1, 2, 3, 0, 1]);
    let sum = 0;
    let sq = 0;
    for (const v of d.X) {
      expect(Number.isFinite(v)).toBe(true);
      sum += v;
      sq += v * v;
    }
    const m = sum / d.X.length;
    const sd = Math.sqrt(sq / d.X.length - m * m);
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
  });

  it('is deterministic in its seed', () => {
    expect(syntheticShape(20, 3, 2, 7).X).toEqual(syntheticShape(20, 3, 2, 7).X);
    expect(syntheticShape(20, 3, 2).X).toEqual(syntheticShape(20, 3, 2, 42).X);
    expect(syntheticShape(20, 3, 2, 7).X).not.toEqual(syntheticShape(20, 3, 2, 8).X);
  });
});

describe('runBench on a tiny network', () => {
  it('derives GFLOP/s, speedup and efficiency from its own timings and reports the sgemm callback', async () => {
    const layers = [40, 60, 60, 3];
    const progress: string[] = [];
    const sgemmCalls: number[] = [];
    const b = await runBench(
      { workload: 'custom', layers, samples: 50, method: 'set', epsilon: 5, threads: [1, 2], epochs: 2, dense: true, batch: 10, onProgress: (m) => progress.push(m) },
      async (t) => {
        sgemmCalls.push(t);
        return 12.5;
      },
    );
    expect(b.layers).toEqual(layers);
    expect(b.samples).toBe(50);
    expect(b.batch).toBe(10);
    expect(b.epochs).toBe(2);
    expect(b.warmup).toBe(1);
    // Two tiny models fit in memory together: the thread counts take turns.
    expect(b.interleaved).toBe(true);
    expect(b.sgemmGflops).toBe(12.5);
    expect(sgemmCalls).toEqual([b.machine.cores]);
    expect(b.kernels).toBeNull();
    expect(progress.length).toBeGreaterThan(0);

    // The same seed (1) and epsilon build the same initial topology: its per-layer connections give the flops.
    const m = await SparseMLP.create({ layers, epsilon: 5, seed: 1, threads: 1 });
    const perLayer = m.topology().layers.map((l) => l.connections);
    m.dispose();
    expect(b.connections).toBe(perLayer.reduce((a, c) => a + c, 0));
    for (const r of b.rows) {
      const trainMs = r.phasesMs.forward + r.phasesMs.backward + r.phasesMs.update;
      // SET keeps the number of connections per layer, so every epoch does the same work; phases are per-epoch means.
      expect(Math.abs((r.gflops * trainMs * 1e6) / epochFlops(perLayer, 50) - 1)).toBeLessThan(1e-9);
      expect(r.epochMs).toBeCloseTo(trainMs + r.phasesMs.evolution + r.phasesMs.pruning, 9);
    }
    expect(b.rows[0].speedup).toBe(1);
    expect(b.rows[0].efficiency).toBe(1);
    expect(b.rows[1].speedup).toBeCloseTo(b.rows[0].epochMs / b.rows[1].epochMs, 9);
    expect(b.rows[1].efficiency).toBeCloseTo(b.rows[1].speedup / 2, 9);
    const denseParams = 40 * 60 + 60 * 60 + 60 * 3;
    expect(b.dense).not.toBeNull();
    expect(b.dense!.threads).toBe(2);
    expect(b.dense!.gflops).toBeCloseTo((6 * 50 * denseParams) / (b.dense!.epochMs * 1e6), 6);
  });

  it('takes the input and output sizes from given data', async () => {
    const data = syntheticShape(30, 17, 5, 3);
    const b = await runBench({ workload: 'custom', layers: [999, 50, 50, 2], data, method: 'npset', epsilon: 5, threads: [1], epochs: 2, dense: false, warmup: 0 });
    expect(b.interleaved).toBe(false);
    expect(b.warmup).toBe(0);
    expect(b.layers).toEqual([17, 50, 50, 5]);
    expect(b.samples).toBe(30);
    expect(b.dense).toBeNull();
    expect(b.sgemmGflops).toBeNull();
    expect(b.rows[0].phasesMs.pruning).toBeGreaterThan(0);
    // Two prunings of floor(0.04 * n) neurons per hidden layer: 50 -> 48 -> 47.
    expect(b.rows[0].connections).toBeLessThan(b.connections);
  });

  it('times only the epochs after the warm-up, and every thread count sees the same epochs', async () => {
    // NPSET prunes every bench epoch, so each epoch is cheaper than the last: with 3 warm-up epochs the
    // timed model is smaller than with none. Both rows of an interleaved run end with the same topology.
    const opts = { workload: 'custom' as const, layers: [30, 60, 60, 2], samples: 40, method: 'npset' as const, epsilon: 5, threads: [1, 2], epochs: 1, dense: false };
    const none = await runBench({ ...opts, warmup: 0 });
    const three = await runBench({ ...opts, warmup: 3 });
    expect(three.warmup).toBe(3);
    expect(three.interleaved).toBe(true);
    expect(three.rows[0].connections).toBeLessThan(none.rows[0].connections);
    expect(three.rows[1].connections).toBe(three.rows[0].connections);
    expect(none.rows[1].connections).toBe(none.rows[0].connections);
    expect(three.connections).toBe(none.connections);
  });
});

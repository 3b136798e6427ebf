import { describe, expect, it } from 'vitest';
import { AbortError, BusyError, NpsetError } from '../../lib/errors';
import { SparseMLP } from '../../lib/model';
import { disposeAfterEach, expectValidationError, syntheticSplit } from './helpers';

const { create } = disposeAfterEach();

const s = syntheticSplit();
// a larger problem whose epochs are long enough to be aborted while a native job runs
const big = syntheticSplit({ samples: 3000, features: 200, classes: 2 });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

function expectAbortError(e: unknown): void {
  expect(e).toBeInstanceOf(AbortError);
  expect(e).toBeInstanceOf(NpsetError);
  expect((e as AbortError).code).toBe('ABORT_ERR');
  expect((e as Error).name).toBe('AbortError');
}

describe('AbortSignal', () => {
  it('aborting between epochs rejects with AbortError; the model stays usable', async () => {
    const m = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const controller = new AbortController();
    const epochs: number[] = [];
    const e = await rejection(
      m.fit(s.train, {
        epochs: 10,
        signal: controller.signal,
        onEpoch: (info) => {
          epochs.push(info.epoch);
          if (info.epoch === 1) controller.abort();
        },
      }),
    );
    expectAbortError(e);
    expect(epochs).toEqual([0, 1]);
    // usable: evaluate, predict, a new fit, dispose
    const ev = await m.evaluate(s.test);
    expect(ev.samples).toBe(s.test.samples);
    expect((await m.predict(s.test)).length).toBe(s.test.samples);
    const again = await m.fit(s.train, { epochs: 2 });
    expect(again.history.map((h) => h.epoch)).toEqual([0, 1]);
    m.dispose();
    expect(m.disposed).toBe(true);
  });

  it('aborting while a native job runs rejects with AbortError; the model stays usable', async () => {
    const m = await create({ layers: [big.features, 400, 400, big.classes], seed: 1, threads: 1 });
    const controller = new AbortController();
    const epochs: number[] = [];
    const fit = m.fit(big.train, { epochs: 50, signal: controller.signal, onEpoch: (i) => void epochs.push(i.epoch) });
    // abort as soon as the first job has started (no timing assumption: any point inside fit must work)
    setImmediate(() => controller.abort());
    const e = await rejection(fit);
    expectAbortError(e);
    // the running job was cancelled: not even the first epoch completed (an epoch here takes far longer
    // than the setImmediate turn, and without cancellation epoch 0 would finish before the abort is seen)
    expect(epochs).toEqual([]);
    const ev = await m.evaluate(big.test);
    expect(ev.samples).toBe(big.test.samples);
    expect(Number.isFinite(ev.loss)).toBe(true);
    // a cancelled job leaves no stale cancellation behind: the next fit runs all its epochs
    const again = await m.fit(big.test, { epochs: 2 });
    expect(again.history).toHaveLength(2);
    m.dispose();
  });

  it('keeps the abort reason as the cause', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const controller = new AbortController();
    const reason = new Error('user pressed stop');
    const e = await rejection(
      m.fit(s.train, { epochs: 5, signal: controller.signal, onEpoch: () => controller.abort(reason) }),
    );
    expectAbortError(e);
    expect((e as Error).cause).toBe(reason);
  });

  it('an already-aborted signal rejects at once with AbortError, before any training', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const before = m.layer(0).values.slice();
    let called = 0;
    const e = await rejection(m.fit(s.train, { epochs: 3, signal: AbortSignal.abort(), onEpoch: () => void called++ }));
    expectAbortError(e);
    expect(called).toBe(0);
    expect(m.layer(0).values).toEqual(before);
    // not left in the "training" state
    expect((await m.fit(s.train, { epochs: 1 })).history).toHaveLength(1);
  });

  it('an abort after fit has finished changes nothing', async () => {
    const m = await create({ layers: [s.features, 16, s.classes], seed: 1 });
    const controller = new AbortController();
    const { history } = await m.fit(s.train, { epochs: 2, signal: controller.signal });
    expect(history).toHaveLength(2);
    controller.abort();
    const ev = await m.evaluate(s.test);
    expect(ev.samples).toBe(s.test.samples);
    expect((await m.fit(s.train, { epochs: 1 })).history).toHaveLength(1);
  });

  it("aborting one model's fit leaves a concurrent fit of another model alone", async () => {
    const a = await create({ layers: [s.features, 32, s.classes], seed: 1 });
    const b = await create({ layers: [s.features, 32, s.classes], seed: 2 });
    const controller = new AbortController();
    const fa = a.fit(s.train, { epochs: 8, signal: controller.signal, onEpoch: (i) => (i.epoch === 0 ? controller.abort() : undefined) });
    const fb = b.fit(s.train, { epochs: 4 });
    const [ra, rb] = await Promise.allSettled([fa, fb]);
    expect(ra.status).toBe('rejected');
    expectAbortError((ra as PromiseRejectedResult).reason);
    expect(rb.status).toBe('fulfilled');
    expect((rb as PromiseFulfilledResult<{ history: unknown[] }>).value.history).toHaveLength(4);
  });

  it('an abort while the fit waits in the queue behind another model stops it before it trains', async () => {
    const a = await create({ layers: [big.features, 256, big.classes], seed: 1 });
    const b = await create({ layers: [s.features, 32, s.classes], seed: 2 });
    const before = b.layer(0).values.slice();
    const running = a.trainEpoch(big.train); // one long job that holds the shared native queue
    const controller = new AbortController();
    const queued = b.fit(s.train, { epochs: 1, signal: controller.signal });
    const order: string[] = [];
    void running.then(() => order.push('a finished'));
    controller.abort(); // b's first job has not started: a's are ahead of it
    expectAbortError(await rejection(queued));
    order.push('b rejected');
    expect(b.layer(0).values).toEqual(before); // no training happened
    expect(Number.isFinite((await running).loss)).toBe(true);
    expect(order[0]).toBe('b rejected'); // at once, not when a's job had ended
  });

  it('calls that change a model are refused while its fit is queued, not only while it runs', async () => {
    const a = await create({ layers: [big.features, 256, big.classes], seed: 1 });
    const b = await create({ layers: [s.features, 32, s.classes], seed: 2 });
    const running = a.fit(big.train, { epochs: 1 });
    const queued = b.fit(s.train, { epochs: 1 });
    expect(() => b.removeNeurons(1, [0])).toThrow(BusyError);
    expect(() => {
      b.threads = 1;
    }).toThrow(BusyError);
    await Promise.all([running, queued]);
    expect(b.topology().neurons).toEqual([s.features, 32, s.classes]);
    b.removeNeurons(1, [0]); // allowed again once the fit is done
    expect(b.topology().neurons).toEqual([s.features, 31, s.classes]);
  });
});

describe('SparseMLP.create with an AbortSignal', () => {
  it('rejects at once with an already-aborted signal, and refuses a bad one', async () => {
    expectAbortError(await rejection(SparseMLP.create({ layers: [4, 4, 2] }, { signal: AbortSignal.abort() })));
    await expectValidationError(() => SparseMLP.create({ layers: [4, 4, 2] }, { signal: 'stop' as unknown as AbortSignal }), /signal/);
    await expectValidationError(() => SparseMLP.create({ layers: [4, 4, 2] }, { sigal: undefined } as never), /sigal/);
  });

  it('an abort while it waits in the queue rejects at once and builds nothing', async () => {
    const a = await create({ layers: [big.features, 256, big.classes], seed: 1 });
    const running = a.trainEpoch(big.train); // one long job ahead of the create
    const controller = new AbortController();
    const order: string[] = [];
    void running.then(() => order.push('a finished'));
    const building = SparseMLP.create({ layers: [8, 16, 2] }, { signal: controller.signal });
    controller.abort();
    expectAbortError(await rejection(building));
    order.push('create rejected');
    await running;
    expect(order[0]).toBe('create rejected');
  });

  it('an abort while a large model is being built stops the building', async () => {
    const controller = new AbortController();
    // 80 million connections: seconds of topology draws, stopped within a block of rows.
    const building = SparseMLP.create({ layers: [100, 1_000_000, 1_000_000, 2], epsilon: 20 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const e = await rejection(building);
    expectAbortError(e);
    expect((e as Error).message).toBe('Model creation was aborted'); // not "Training was aborted"
    const small = await create({ layers: [4, 4, 2] }); // later creates are not affected
    expect(small.topology().neurons).toEqual([4, 4, 2]);
  });
});

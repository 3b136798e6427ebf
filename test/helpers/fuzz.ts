/**
 * Shared pieces of the fuzz tests: a seeded generator, a liveness guard, how an unexpected error is shown, and
 * what makes a loaded dataset inconsistent.
 */
import { validateDataset, type Dataset, type FeatureSet } from '../../lib/data/dataset';

/** mulberry32: a small seeded generator, independent of the library under test. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
}

/**
 * A liveness guard, not a speed check: each fuzzed file is a few KB and takes about a millisecond, so a call
 * that runs this long is stuck (a loop, a regular expression backtracking).
 */
export const HANG_MS = 30_000;

/**
 * What `run` returns or resolves to, rejected with a HANG error when it does not settle within HANG_MS or
 * settles later than that (work that blocks the event loop delays the timer as much as the call, so the
 * time taken is checked too; `run` is called inside, so that synchronous work counts).
 */
export async function settleWithin<T>(run: () => T | Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const start = performance.now();
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(run), hung]);
  } finally {
    clearTimeout(timer);
    const took = performance.now() - start;
    // eslint-disable-next-line no-unsafe-finally -- replaces the outcome on purpose: stuck is the failure
    if (took > HANG_MS) throw new Error(`HANG: ${what} took ${Math.round(took)} ms`);
  }
}

/** An error as a test failure lists it: its class and the start of its message. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message.slice(0, 300)}`;
  return `non-Error thrown: ${String(e).slice(0, 300)}`;
}

/** What is wrong with a loaded feature set (sizes, values, names), or undefined. */
export function badFeatures(f: FeatureSet): string | undefined {
  if (!Number.isSafeInteger(f.samples) || f.samples < 1 || !Number.isSafeInteger(f.features) || f.features < 1) return `${f.samples} x ${f.features}`;
  if (!(f.X instanceof Float32Array) || f.X.length !== f.samples * f.features) return `X of ${f.X?.length} values for ${f.samples} x ${f.features}`;
  const nf = f.X.findIndex((v) => !Number.isFinite(v));
  if (nf >= 0) return `X[${nf}] = ${f.X[nf]}`;
  if (f.featureNames !== undefined && (f.featureNames.length !== f.features || f.featureNames.some((n) => typeof n !== 'string'))) {
    return `${f.featureNames.length} feature names for ${f.features} features`;
  }
  return undefined;
}

/** What is wrong with a loaded dataset (validateDataset, then its features), or undefined. */
export function badDataset(d: Dataset): string | undefined {
  try {
    validateDataset(d);
  } catch (e) {
    return `an inconsistent dataset: ${describeError(e)}`;
  }
  return badFeatures(d);
}

/** What the caller's own code (a getter, a Proxy trap, a callback) throws: it may come back as it is. */
export class CallerError extends Error {
  constructor(where: string) {
    super(`the caller's own ${where} threw`);
    this.name = 'CallerError';
  }
}

/** The codes the README documents for NpsetError and its subclasses (ModelFileError included). */
export const CODES: ReadonlySet<string> = new Set([
  'ERR_NPSET_INVALID_ARGUMENT',
  'ERR_NPSET_DATA_FORMAT',
  'ERR_NPSET_MODEL_FILE',
  'ABORT_ERR',
  'ERR_NPSET_NATIVE',
  'ERR_NPSET_DIVERGED',
  'ERR_NPSET_OVERFLOW',
  'ERR_NPSET_BUSY',
]);

/** A revoked Proxy of the caller's throws on any touch (even Array.isArray): the caller's own doing. */
export const REVOKED = /on a proxy that has been revoked/;

/** An error's class for the tallies (a revoked Proxy's TypeError apart). */
export function errorKind(e: unknown): string {
  if (e instanceof TypeError && REVOKED.test(e.message)) return 'TypeError(revoked Proxy)';
  return e instanceof Error ? e.constructor.name : typeof e;
}

/** What a fuzzed call gave: its value, or what it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What tells one harness's findings apart: its seed, its log setting and its rules for errors and results. */
export interface GroupRules {
  seed: number;
  /** API_FUZZ_LOG: '' (quiet), '1' (tallies), 'messages' (tallies with each error's message), 'trace' (every call). */
  log: string;
  /** Why `e` is not an error the package documents, or undefined when it is. */
  untyped(e: unknown): string | undefined;
  /** The part of a finding that makes it a kind of its own (digits are ignored after); default all of it. */
  kindOf?(what: string): string;
  /** A text of an argument, to tell whether a call changed it. */
  snap?(v: unknown): string;
}

/** One group of cases of a fuzz harness: its findings (one per call and kind, digits aside) and, for API_FUZZ_LOG, a tally. */
export class FuzzGroup {
  readonly findings = new Map<string, string>();
  readonly tally = new Map<string, number>();
  calls = 0;
  caseId = '';
  constructor(
    readonly name: string,
    private readonly rules: GroupRules,
  ) {}

  add(call: string, args: string, what: string): void {
    const kind = this.rules.kindOf ? this.rules.kindOf(what) : what;
    const key = `${call}: ${kind.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, '#')}`;
    if (!this.findings.has(key)) this.findings.set(key, `[${this.name} seed ${this.rules.seed} case ${this.caseId}] ${call}(${args}) -> ${what}`);
  }

  /**
   * Runs one call; `sane` says what is wrong with a result (undefined: nothing). `inputs` (the arguments) must be
   * as they were before the call, whatever its outcome (checked with the rules' `snap`).
   */
  async probe<T>(call: string, args: string, run: () => T | Promise<T>, sane?: (v: T) => string | undefined, inputs: readonly unknown[] = []): Promise<Outcome<T>> {
    const { log, snap } = this.rules;
    this.calls++;
    const before = snap ? inputs.map((v) => snap(v)) : [];
    // A call that never returns (a synchronous loop) stops the whole run: trace names it first.
    if (log === 'trace') console.log(`${this.name} ${this.caseId}: calling ${call}(${args.slice(0, 400)})`);
    let o: Outcome<T>;
    try {
      o = { ok: true, value: await settleWithin(run, `${call}(${args})`) };
    } catch (error) {
      o = { ok: false, error };
    }
    const message = o.ok ? '' : ` ${(o.error as Error)?.message?.slice(0, log === 'messages' ? 90 : 120)}`;
    const kind = o.ok ? 'ok' : errorKind(o.error);
    if (log === 'trace') console.log(`${this.name} ${this.caseId}: ${call}(${args.slice(0, 400)}) -> ${kind}${message}`);
    const counted = `${call} ${kind}${log === 'messages' ? message : ''}`;
    this.tally.set(counted, (this.tally.get(counted) ?? 0) + 1);
    if (o.ok) {
      let bad: string | undefined;
      try {
        bad = sane?.(o.value);
      } catch (e) {
        bad = `its result could not be checked: ${describeError(e)}`;
      }
      if (bad) this.add(call, args, `wrong result accepted: ${bad}`);
    } else {
      const why = this.rules.untyped(o.error);
      if (why) this.add(call, args, why);
    }
    if (snap) {
      inputs.forEach((v, i) => {
        const after = snap(v);
        if (after !== before[i]) this.add(call, args, `argument ${i} changed by a call that ${o.ok ? 'succeeded' : `threw ${errorKind(o.error)}`}: ${before[i].slice(0, 80)} -> ${after.slice(0, 80)}`);
      });
    }
    return o;
  }

  /** The findings; with API_FUZZ_LOG, the tally printed first. */
  report(): string[] {
    if (this.rules.log) {
      const lines = [...this.tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `  ${k}: ${n}`);
      console.log(`${this.name}: ${this.calls} calls\n${lines.join('\n')}`);
    }
    return [...this.findings.values()];
  }
}

/**
 * One native job at a time across all models: each job opens its own OpenMP team, so concurrent jobs
 * would oversubscribe the cores (DESIGN.md). Jobs run in the order they were queued.
 */
let tail: Promise<unknown> = Promise.resolve();

export function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const run = tail.then(job, job);
  tail = run.catch(() => undefined);
  return run;
}

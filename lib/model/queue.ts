/**
 * One native job at a time across all models, in the order they were queued: the addon runs every job on
 * one compute thread (one OpenMP team for all models), and a job waiting there could not be aborted.
 */
let tail: Promise<unknown> = Promise.resolve();

export function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const run = tail.then(job, job);
  tail = run.catch(() => undefined);
  return run;
}

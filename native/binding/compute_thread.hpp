// One long-lived thread runs the native work of every job (each libuv pool thread that picks up a job
// hands it over and waits). libgomp keeps a separate pool of OpenMP workers for every thread that opens
// parallel regions: jobs run on whichever of libuv's threads took them would build several pools, and once
// libgomp counts more threads than cores it stops spinning between regions, so each of an epoch's ~1300
// regions waited for a futex wake-up (about 5% of a gisette epoch on 2 cores).
#pragma once
#include <functional>

namespace npset_binding {

// Runs `job` on the compute thread and returns when it has finished; jobs from any thread (or worker_thread
// environment) run one after another. `job` must not throw. Runs `job` on the calling thread if the compute
// thread cannot be started.
void run_on_compute_thread(const std::function<void()>& job);

}  // namespace npset_binding

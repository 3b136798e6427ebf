// The cancel flags of one environment's jobs (the main thread's, or a worker_thread's) while they are queued
// or running. endJobs() sets them all when the process exits (process.exit(), an uncaught exception): Node
// waits for its thread pool before the process ends, so a long job would otherwise run to its end first.
// (worker.terminate() cannot use this: Node waits for the worker's pending work before any cleanup hook.)
#pragma once
#include <atomic>
#include <mutex>
#include <unordered_set>

namespace npset_binding {

class JobRegistry {
public:
    // A job registered after the end is cancelled at once.
    void add(std::atomic<bool>* cancel) {
        std::lock_guard<std::mutex> lock(mutex_);
        flags_.insert(cancel);
        if (ended_) cancel->store(true);
    }
    void remove(std::atomic<bool>* cancel) {
        std::lock_guard<std::mutex> lock(mutex_);
        flags_.erase(cancel);
    }
    void end() {
        std::lock_guard<std::mutex> lock(mutex_);
        ended_ = true;
        for (std::atomic<bool>* f : flags_) f->store(true);
    }

private:
    std::mutex mutex_;
    std::unordered_set<std::atomic<bool>*> flags_;
    bool ended_ = false;
};

}  // namespace npset_binding

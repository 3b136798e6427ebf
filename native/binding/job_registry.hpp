// The cancel flags of one environment's jobs (the main thread's, or a worker_thread's) while they are queued
// or running. endJobs() sets them when the process or the worker exits (process.exit(), an uncaught
// exception): Node waits for its thread pool before the process ends, so a long job would otherwise run to
// its end first. The main thread's exit ends every environment's jobs, as the workers end with it.
// (worker.terminate() cannot use this: Node waits for the worker's pending work before any cleanup hook.)
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace npset_binding {

class JobRegistry {
public:
    // A registry listed for end_all() (for as long as it lives).
    static std::shared_ptr<JobRegistry> create() {
        auto r = std::make_shared<JobRegistry>();
        Everyone& e = everyone();
        std::lock_guard<std::mutex> lock(e.mutex);
        e.registries.push_back(r);
        return r;
    }
    // Ends the jobs of every environment of the process.
    static void end_all() {
        std::vector<std::shared_ptr<JobRegistry>> live;
        {
            Everyone& e = everyone();
            std::lock_guard<std::mutex> lock(e.mutex);
            for (const auto& w : e.registries)
                if (auto r = w.lock()) live.push_back(std::move(r));
        }
        for (const auto& r : live) r->end();
    }

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
    // Cancels the jobs registered now, and says whether there was one; later ones run (a user's cancel).
    bool cancel_current() {
        std::lock_guard<std::mutex> lock(mutex_);
        for (std::atomic<bool>* f : flags_) f->store(true);
        return !flags_.empty();
    }

private:
    struct Everyone {
        std::mutex mutex;
        std::vector<std::weak_ptr<JobRegistry>> registries;
    };
    // Never destroyed: an exit may call end_all() while static destructors run.
    static Everyone& everyone() {
        static Everyone* e = new Everyone;
        return *e;
    }

    std::mutex mutex_;
    std::unordered_set<std::atomic<bool>*> flags_;
    bool ended_ = false;
};

}  // namespace npset_binding

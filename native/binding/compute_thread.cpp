#include "compute_thread.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace npset_binding {

namespace {

// Never destroyed: the thread is detached and may still be waiting on these at process exit.
struct ComputeThread {
    std::mutex submit;  // one caller at a time
    std::mutex m;
    std::condition_variable cv;
    const std::function<void()>* job = nullptr;  // guarded by m
    bool done = false;                            // guarded by m

    void loop() {
        std::unique_lock<std::mutex> lock(m);
        for (;;) {
            cv.wait(lock, [&] { return job != nullptr && !done; });
            const std::function<void()>* j = job;
            lock.unlock();
            try {
                (*j)();
            } catch (...) {
                // Jobs catch their own errors; nothing may escape this thread (std::terminate).
            }
            lock.lock();
            done = true;
            cv.notify_all();
        }
    }
};

ComputeThread* start() {
    auto* ct = new ComputeThread;
    try {
        std::thread([ct] { ct->loop(); }).detach();
    } catch (...) {
        delete ct;
        return nullptr;
    }
    return ct;
}

}  // namespace

void run_on_compute_thread(const std::function<void()>& job) {
    static ComputeThread* const ct = start();
    if (ct == nullptr) {
        job();
        return;
    }
    std::lock_guard<std::mutex> one_at_a_time(ct->submit);
    std::unique_lock<std::mutex> lock(ct->m);
    ct->job = &job;
    ct->done = false;
    ct->cv.notify_all();
    ct->cv.wait(lock, [&] { return ct->done; });
    ct->job = nullptr;
}

}  // namespace npset_binding

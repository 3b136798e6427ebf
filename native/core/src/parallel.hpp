// An exception must not escape an OpenMP region (that calls std::terminate): capture the first one
// thrown by any thread and rethrow it after the region, once.
#pragma once
#include <exception>
#include <mutex>

namespace npset {

class ParallelErrors {
public:
    template <class F>
    void run(F&& body) noexcept {
        try {
            body();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!first_) first_ = std::current_exception();
        }
    }
    void rethrow() const {
        if (first_) std::rethrow_exception(first_);
    }

private:
    std::mutex mutex_;
    std::exception_ptr first_;
};

}  // namespace npset

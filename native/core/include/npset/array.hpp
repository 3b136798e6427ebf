// Arrays of the model and of its activations: 64-byte aligned (the kernels load whole vector registers),
// transparent huge pages for large ones (fewer TLB misses on random row fetches), and elements left
// uninitialised on allocation, so that the threads that will use a range of them write it first: on a
// machine with several NUMA nodes a page lives on the node of the thread that first touches it.
#pragma once
#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace npset {

template <class T>
struct FirstTouchAlloc {
    using value_type = T;
    FirstTouchAlloc() = default;
    template <class U>
    FirstTouchAlloc(const FirstTouchAlloc<U>&) {}
    T* allocate(std::size_t n) {
        constexpr std::size_t kHuge = std::size_t(4) << 20;
        const std::size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
        void* p = std::aligned_alloc(bytes >= kHuge ? (std::size_t(2) << 20) : 64, bytes);
        if (!p) throw std::bad_alloc();
        if (bytes >= kHuge) madvise(p, bytes, MADV_HUGEPAGE);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) { std::free(p); }
    // resize(n) default-initialises (no zero fill: trivial types keep whatever the pages hold);
    // resize(n, v), assign and copies construct as usual.
    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
    template <class U>
    bool operator==(const FirstTouchAlloc<U>&) const { return true; }
    template <class U>
    bool operator!=(const FirstTouchAlloc<U>&) const { return false; }
};

// A vector whose resize(n) leaves new elements uninitialised: fill them in the parallel loop that owns them.
template <class T>
using Array = std::vector<T, FirstTouchAlloc<T>>;
using FloatBuffer = Array<float>;

}  // namespace npset

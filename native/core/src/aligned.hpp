// 64-byte aligned float buffers: the kernels load whole vector registers from activation rows.
#pragma once
#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <vector>

namespace npset {

template <class T>
struct AlignedAlloc {
    using value_type = T;
    AlignedAlloc() = default;
    template <class U>
    AlignedAlloc(const AlignedAlloc<U>&) {}
    T* allocate(std::size_t n) {
        const std::size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
        void* p = std::aligned_alloc(bytes >= (std::size_t(4) << 20) ? (std::size_t(2) << 20) : 64, bytes);
        if (!p) throw std::bad_alloc();
        // Large buffers: ask for transparent huge pages (fewer TLB misses on random row fetches).
        if (bytes >= (std::size_t(4) << 20)) madvise(p, bytes, MADV_HUGEPAGE);
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) { std::free(p); }
    template <class U>
    bool operator==(const AlignedAlloc<U>&) const { return true; }
    template <class U>
    bool operator!=(const AlignedAlloc<U>&) const { return false; }
};

using FloatBuffer = std::vector<float, AlignedAlloc<float>>;

}  // namespace npset

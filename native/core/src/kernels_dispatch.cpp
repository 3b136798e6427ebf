// Runtime choice of the kernel table: the fastest instruction set this CPU supports.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include <unistd.h>

#include "npset/kernels.hpp"

namespace npset {
namespace isa_generic { extern const KernelTable table; }
namespace isa_avx2 { extern const KernelTable table; }
namespace isa_avx512 { extern const KernelTable table; }

static bool cpu_has(const char* isa) {
    __builtin_cpu_init();
    if (std::strcmp(isa, "generic") == 0) return true;
    if (std::strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (std::strcmp(isa, "avx512") == 0)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    return false;
}

const KernelTable* kernels_for(const char* isa) {
    if (isa == nullptr || !cpu_has(isa)) return nullptr;
    if (std::strcmp(isa, "avx512") == 0) return &isa_avx512::table;
    if (std::strcmp(isa, "avx2") == 0) return &isa_avx2::table;
    return &isa_generic::table;
}

static const KernelTable* choose() {
    const KernelTable* best = &isa_generic::table;
    for (const char* isa : {"avx512", "avx2", "generic"}) {
        if ((best = kernels_for(isa)) != nullptr) break;
    }
    if (const char* forced = std::getenv("NPSET_ISA")) {
        if (const KernelTable* t = kernels_for(forced)) return t;
        // A debugging switch: say that it was ignored rather than fail, once per process.
        std::fprintf(stderr, "npset: ignoring NPSET_ISA=%s (%s); using %s\n", forced,
                     std::strcmp(forced, "avx512") == 0 || std::strcmp(forced, "avx2") == 0
                         ? "this CPU does not support it"
                         : "expected avx512, avx2 or generic",
                     best->isa);
    }
    return best;
}

int64_t l2_cache_bytes() {
    static const int64_t bytes = [] {
        const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        return l2 > 0 ? int64_t(l2) : int64_t(1) << 20;
    }();
    return bytes;
}

const KernelTable& kernels() {
    static const KernelTable* table = choose();
    return *table;
}

}  // namespace npset

// Short lists: one counting pass into about n buckets by scaled value, then an insertion sort that only
// fixes the order inside each bucket (no comparison sort for uniform keys; a budget on the moves falls
// back to std::sort for clustered keys). Long lists: LSD radix sort, 11 bits a pass, which keeps its
// scattered writes within 2048 streams. Either way the output is exactly sorted.
#include "sort_positions.hpp"

#include <algorithm>
#include <cstdint>

namespace npset {

void sort_positions(std::vector<uint64_t>& v, uint64_t limit, std::vector<uint64_t>& tmp,
                    std::vector<size_t>& start) {
    const size_t n = v.size();
    if (n < 2) return;
    tmp.resize(n);
    if (n < (size_t(1) << 16)) {
        const uint64_t buckets = std::max<uint64_t>(1, std::min<uint64_t>(n, limit));
        // bucket(x) = floor(x * buckets / limit) < buckets by one multiplication; non-decreasing in x.
        // (2^64 when buckets == limit, clamped: it still maps below `buckets` and in order.)
        const unsigned __int128 wide_scale =
            (static_cast<unsigned __int128>(buckets) << 64) / std::max<uint64_t>(1, limit);
        const uint64_t scale = wide_scale > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(wide_scale);
        const auto bucket = [scale](uint64_t x) {
            return static_cast<size_t>((static_cast<unsigned __int128>(x) * scale) >> 64);
        };
        start.assign(buckets + 1, 0);
        for (uint64_t x : v) ++start[bucket(x) + 1];
        for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
        for (uint64_t x : v) tmp[start[bucket(x)]++] = x;
        size_t moves = 0;
        const size_t budget = 8 * n;
        for (size_t i = 1; i < n; ++i) {
            const uint64_t x = tmp[i];
            size_t j = i;
            for (; j > 0 && tmp[j - 1] > x; --j) tmp[j] = tmp[j - 1];
            tmp[j] = x;
            moves += i - j;
            if (moves > budget) {  // clustered keys: finish with a comparison sort
                std::sort(tmp.begin(), tmp.end());
                break;
            }
        }
        v.swap(tmp);
        return;
    }
    constexpr int kBits = 11;
    constexpr size_t kBuckets = size_t(1) << kBits;
    int bits = 1;
    while (bits < 64 && (uint64_t(1) << bits) < limit) ++bits;
    start.resize(kBuckets);
    for (int shift = 0; shift < bits; shift += kBits) {
        std::fill(start.begin(), start.end(), 0);
        for (uint64_t x : v) ++start[(x >> shift) & (kBuckets - 1)];
        size_t at = 0;
        for (size_t& c : start) {
            const size_t m = c;
            c = at;
            at += m;
        }
        for (uint64_t x : v) tmp[start[(x >> shift) & (kBuckets - 1)]++] = x;
        v.swap(tmp);
    }
}

void sort_unique_positions(std::vector<uint64_t>& v, uint64_t limit, std::vector<uint64_t>& tmp,
                           std::vector<size_t>& start) {
    sort_positions(v, limit, tmp, start);
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace npset

// Fixed row blocks for randomised work: each block has its own random stream, so results depend on the
// seed only, never on the number of threads.
#pragma once
#include <algorithm>
#include <cstdint>

namespace npset {

struct RowBlocks {
    static constexpr int64_t kMax = 256;
    int64_t count, rows_per_block, rows;
    explicit RowBlocks(int64_t n_rows)
        : count(std::max<int64_t>(1, std::min(n_rows, kMax))), rows_per_block((n_rows + count - 1) / count),
          rows(n_rows) {}
    int64_t begin(int64_t b) const { return std::min(rows, b * rows_per_block); }
    int64_t end(int64_t b) const { return begin(b + 1); }
};

}  // namespace npset

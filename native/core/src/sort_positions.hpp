// Sorting of drawn positions for the SET regrowth (internal to the core; tested directly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace npset {

// Sorts `v` (every key below `limit`) ascending. Made for uniformly drawn positions: O(n) expected, and
// never worse than O(n log n) whatever the keys. `tmp` and `start` are scratch space reused across calls.
void sort_positions(std::vector<uint64_t>& v, uint64_t limit, std::vector<uint64_t>& tmp,
                    std::vector<size_t>& start);

// Sorts `v` as sort_positions does and drops repeated keys: the distinct drawn positions, ascending.
void sort_unique_positions(std::vector<uint64_t>& v, uint64_t limit, std::vector<uint64_t>& tmp,
                           std::vector<size_t>& start);

}  // namespace npset

#include "npset/machine.hpp"

#include <omp.h>

#include <algorithm>

namespace npset {

std::vector<int> place_cpus() {
    std::vector<int> ids;
    const int places = omp_get_num_places();
    for (int p = 0; p < places; ++p) {
        const int n = omp_get_place_num_procs(p);
        if (n <= 0) continue;
        std::vector<int> place(static_cast<size_t>(n));
        omp_get_place_proc_ids(p, place.data());
        ids.insert(ids.end(), place.begin(), place.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

int available_cpus() {
    const std::vector<int> ids = place_cpus();
    return ids.empty() ? std::max(1, omp_get_num_procs()) : static_cast<int>(ids.size());
}

}  // namespace npset

// npset_topology_bench: milliseconds of the topology work of one Erdős–Rényi layer alone: the initial
// topology and weights, and one SET evolution (removal of the fraction zeta of each sign, regrowth, CSR and
// transposed index rebuilt), per thread count, best and mean over repeats. The whole-epoch numbers come
// from npset_bench.
//
//   npset_topology_bench [n_in] [n_out] [epsilon] [threads,...] [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "npset/layer.hpp"

using namespace npset;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int main(int argc, char** argv) {
    const int64_t n_in = argc > 1 ? std::atoll(argv[1]) : 7070;
    const int64_t n_out = argc > 2 ? std::atoll(argv[2]) : 7000;
    const double eps = argc > 3 ? std::atof(argv[3]) : 20.0;
    std::vector<int> threads;
    std::stringstream ss(argc > 4 ? argv[4] : "1,2");
    for (std::string t; std::getline(ss, t, ',');) threads.push_back(std::atoi(t.c_str()));
    const int repeats = std::max(1, argc > 5 ? std::atoi(argv[5]) : 20);
    if (n_in < 1 || n_out < 1 || eps <= 0 || threads.empty()) {
        std::fprintf(stderr, "usage: npset_topology_bench [n_in] [n_out] [epsilon] [threads,...] [repeats]\n");
        return 2;
    }
    std::printf("layer %lld x %lld, epsilon %g, %d repeats\n", (long long)n_in, (long long)n_out, eps, repeats);
    std::printf("threads  connections  init best  init mean  evolve best  evolve mean  evolve ns/conn\n");
    for (int t : threads) {
        ModelConfig cfg;
        cfg.layers = {n_in, n_out};
        cfg.epsilon = eps;
        double init_best = 1e300, init_sum = 0, evo_best = 1e300, evo_sum = 0;
        std::unique_ptr<SparseLayer> layer;
        const int init_repeats = std::max(1, std::min(repeats, 3));
        for (int r = 0; r < init_repeats; ++r) {
            cfg.seed = 1 + r;
            const auto t0 = Clock::now();
            layer = make_sparse_layer(n_in, n_out, cfg, 0, t);
            const double ms = ms_since(t0);
            init_best = std::min(init_best, ms);
            init_sum += ms;
        }
        EvolutionConfig ec;
        layer->evolve(ec, 1, t);  // warm-up
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = Clock::now();
            layer->evolve(ec, 2 + uint64_t(r), t);
            const double ms = ms_since(t0);
            evo_best = std::min(evo_best, ms);
            evo_sum += ms;
        }
        const int64_t conns = layer->connections();
        std::printf("%7d  %11lld  %9.2f  %9.2f  %11.2f  %11.2f  %14.1f\n", t, (long long)conns, init_best,
                    init_sum / init_repeats, evo_best, evo_sum / repeats, evo_best * 1e6 / double(conns));
    }
    return 0;
}

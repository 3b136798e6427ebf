// npset_kernel_bench: GFLOP/s of each sparse kernel (forward, input gradient, weight gradient + SGD) on one
// Erdős–Rényi layer, per thread count. For tuning the kernels; the whole-epoch numbers come from npset_bench.
// Each thread count is measured twice: with the gathered buffer just written by all threads, each its own
// rows ("written", as in training, where every thread reads rows that the others have just written), and
// with it only read since ("read-only"). The difference is the cost of moving lines between cores.
//
//   npset_kernel_bench [n_in] [n_out] [epsilon] [batch] [threads,...] [repeats]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "npset/kernels.hpp"
#include "npset/layer.hpp"

using namespace npset;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int64_t n_in = argc > 1 ? std::atoll(argv[1]) : 5000;
    const int64_t n_out = argc > 2 ? std::atoll(argv[2]) : 5000;
    const double eps = argc > 3 ? std::atof(argv[3]) : 20.0;
    const int batch = argc > 4 ? std::atoi(argv[4]) : 32;
    std::vector<int> threads;
    std::stringstream ss(argc > 5 ? argv[5] : "1,2");
    for (std::string t; std::getline(ss, t, ',');) threads.push_back(std::atoi(t.c_str()));
    const int repeats = argc > 6 ? std::atoi(argv[6]) : 200;
    bool ok = n_in >= 1 && n_out >= 1 && eps > 0 && batch >= 1 && repeats >= 1 && !threads.empty();
    for (int t : threads) ok = ok && t >= 1;
    if (!ok) {
        std::fprintf(stderr, "usage: npset_kernel_bench [n_in] [n_out] [epsilon] [batch] [threads,...] [repeats]\n");
        return 2;
    }

    ModelConfig cfg;
    cfg.layers = {n_in, n_out};
    cfg.epsilon = eps;
    cfg.seed = 7;
    auto layer = make_sparse_layer(n_in, n_out, cfg, 0, 1);
    const int pb = (batch + 7) / 8 * 8;
    // The kernels expect 64-byte aligned activations (as the model's buffers are).
    auto buffer = [](int64_t n) {
        float* p = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
        return std::unique_ptr<float[], decltype(&std::free)>(p, &std::free);
    };
    const int64_t ni = n_in * pb, no = n_out * pb;
    auto in = buffer(ni), zin = buffer(ni), din = buffer(ni), z = buffer(no), a = buffer(no), delta = buffer(no);
    for (int64_t i = 0; i < ni; ++i) in[i] = zin[i] = float((i * 2654435761u) % 1000) / 1000.0f - 0.3f;
    for (int64_t i = 0; i < no; ++i) delta[i] = float((i * 40503u) % 1000) / 1e5f - 0.005f;
    Sgd sgd;
    sgd.inv_n = 1.0f / batch;
    sgd.lr = 1e-6f;
    const double flops = 2.0 * pb * double(layer->connections());
    std::printf("layer %lld x %lld, %lld connections, batch %d, kernels %s\n", (long long)n_in, (long long)n_out,
                (long long)layer->connections(), pb, kernels().isa);
    std::printf("threads  gathered rows  forward  input-grad  weight-grad+sgd  (GFLOP/s)\n");
    for (int t : threads) {
        for (bool fresh : {true, false}) {
            // fresh: before every call the gathered buffer is rewritten by all t threads, each its own rows,
            // so that it starts out spread over the cores' private caches. Only the kernel is timed.
            auto touch = [&](float* p, int64_t n) {
#pragma omp parallel for num_threads(t) schedule(static)
                for (int64_t i = 0; i < n; ++i) p[i] += 0.0f;
            };
            auto time = [&](float* gathered, int64_t n, auto&& kernel) {
                double s = 0;
                for (int r = 0; r < repeats + 5; ++r) {
                    if (fresh || r == 0) touch(gathered, n);
                    const auto t0 = Clock::now();
                    kernel();
                    if (r >= 5) s += std::chrono::duration<double>(Clock::now() - t0).count();
                }
                return flops * repeats / s / 1e9;
            };
            const double f = time(in.get(), ni, [&] { layer->forward(in.get(), z.get(), a.get(), pb, Act{}, t); });
            const double b = time(delta.get(), no, [&] {
                layer->backward_input(delta.get(), zin.get(), Act{}, din.get(), pb, t);
            });
            const double u = time(in.get(), ni, [&] { layer->update(in.get(), delta.get(), pb, sgd, t); });
            std::printf("%7d  %13s  %7.1f  %10.1f  %15.1f\n", t, fresh ? "written" : "read-only", f, b, u);
        }
    }
    return 0;
}

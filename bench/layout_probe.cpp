// npset_layout_probe: measures one alternative storage layout against the kernels of the core, on one
// Erdős–Rényi layer at batch 32 (AVX-512 only). The alternative keeps the weights and their momentum in
// input-major (transposed) order: the input gradient, the weight gradient and the SGD step then run as one
// pass over the transposed index (each gathered delta row serves both products, and weights and momentum are
// read in order), while the forward pass looks each weight up by its position in the transposed order. Same
// memory as the core's layout (4 bytes of index each way). bench/RESULTS.md has what it measured and why the
// core did not change.
//
//   npset_layout_probe [n_in] [n_out] [repeats]
#include <immintrin.h>
#include <omp.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>
#include "npset/kernels.hpp"
#include "npset/layer.hpp"

using namespace npset;
using Clock = std::chrono::steady_clock;
constexpr int B = 32;

// Only the kernels use AVX-512 (main checks the CPU first).
#define NPSET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

// Sums of 16 vectors, one per lane: a copy of hsum16 in native/core/src/kernels_impl.hpp, so that the weight
// gradients come out as the core computes them (that header is compiled once per instruction set, inside the core).
NPSET_AVX512 static inline __m512 hsum16(const __m512* p) {
    __m512 t[8], u[4];
    for (int i = 0; i < 8; ++i)
        t[i] = _mm512_add_ps(_mm512_unpacklo_ps(p[2 * i], p[2 * i + 1]), _mm512_unpackhi_ps(p[2 * i], p[2 * i + 1]));
    for (int i = 0; i < 4; ++i) {
        const __m512d a = _mm512_castps_pd(t[2 * i]), b = _mm512_castps_pd(t[2 * i + 1]);
        u[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
    }
    const __m512 w0 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], 0x44), _mm512_shuffle_f32x4(u[0], u[1], 0xEE));
    const __m512 w1 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], 0x44), _mm512_shuffle_f32x4(u[2], u[3], 0xEE));
    return _mm512_add_ps(_mm512_shuffle_f32x4(w0, w1, 0x88), _mm512_shuffle_f32x4(w0, w1, 0xDD));
}

// The alternative layout of one layer.
struct TL {
    int64_t n_in, n_out;
    std::vector<int64_t> row_ptr, t_ptr;  // CSR of W^T over outputs; column starts over inputs
    std::vector<uint32_t> csr_ent;        // per CSR entry: (input << rb) | rank within the input's column
    std::vector<uint32_t> t_row;          // per transposed entry: its output
    std::vector<float> val, mom, bias;    // weights and momentum in transposed order
    int rb;
    std::vector<int64_t> rpart, cpart;  // thread parts of the outputs and of the inputs
};

// Parts of equal work (connections plus 4 per row), as the core balances its threads.
static void part(const int64_t* ptr, int64_t rows, int parts, std::vector<int64_t>& out) {
    out.assign(parts + 1, rows);
    out[0] = 0;
    const int64_t total = ptr[rows];
    int64_t r = 0;
    for (int p = 1; p < parts; ++p) {
        while (r < rows && (ptr[r] + 4 * r) * parts < (total + 4 * rows) * p) ++r;
        out[p] = r;
    }
}

// z = leaky ReLU(W^T in + b) over the thread's outputs, each weight looked up in transposed order.
NPSET_AVX512 static void fwd(const TL& L, const float* in, float* z, int t) {
#pragma omp parallel num_threads(t)
    {
        const int q = omp_get_thread_num();
        const uint32_t mask = (1u << L.rb) - 1;
        for (int64_t j = L.rpart[q]; j < L.rpart[q + 1]; ++j) {
            __m512 a[4][2];
            for (auto& u : a) u[0] = u[1] = _mm512_setzero_ps();
            int64_t k = L.row_ptr[j];
            const int64_t k1 = L.row_ptr[j + 1];
            for (; k + 4 <= k1; k += 4) {
#pragma GCC unroll 4
                for (int u = 0; u < 4; ++u) {
                    const uint32_t e = L.csr_ent[k + u];
                    const uint32_t i = e >> L.rb;
                    const __m512 w = _mm512_set1_ps(L.val[L.t_ptr[i] + (e & mask)]);
                    const float* s = in + int64_t(i) * B;
                    a[u][0] = _mm512_fmadd_ps(w, _mm512_load_ps(s), a[u][0]);
                    a[u][1] = _mm512_fmadd_ps(w, _mm512_load_ps(s + 16), a[u][1]);
                }
            }
            for (; k < k1; ++k) {
                const uint32_t e = L.csr_ent[k];
                const uint32_t i = e >> L.rb;
                const __m512 w = _mm512_set1_ps(L.val[L.t_ptr[i] + (e & mask)]);
                const float* s = in + int64_t(i) * B;
                a[0][0] = _mm512_fmadd_ps(w, _mm512_load_ps(s), a[0][0]);
                a[0][1] = _mm512_fmadd_ps(w, _mm512_load_ps(s + 16), a[0][1]);
            }
            __m512 s0 = _mm512_set1_ps(L.bias[j]), s1 = s0;
            for (auto& u : a) {
                s0 = _mm512_add_ps(s0, u[0]);
                s1 = _mm512_add_ps(s1, u[1]);
            }
            s0 = _mm512_max_ps(s0, _mm512_mul_ps(s0, _mm512_set1_ps(0.01f)));
            s1 = _mm512_max_ps(s1, _mm512_mul_ps(s1, _mm512_set1_ps(0.01f)));
            _mm512_store_ps(z + j * B, s0);
            _mm512_store_ps(z + j * B + 16, s1);
        }
    }
}

// Over the thread's inputs i, one pass: din[i] = sum over j of w(i, j) delta[j] (the weights before this
// step), g(i, j) = delta[j] . in[i], and the SGD step of w and its momentum, read and written in order.
// Left out, as they cost the same in either layout: the activation's derivative and the biases' step.
NPSET_AVX512 static void fused(TL& L, const float* in, const float* delta, float* din, const Sgd& sgd, int t, bool want_din) {
#pragma omp parallel num_threads(t)
    {
        const int q = omp_get_thread_num();
        const __m512 mu = _mm512_set1_ps(sgd.momentum), lr = _mm512_set1_ps(sgd.lr);
        const __m512 inv_n = _mm512_set1_ps(sgd.inv_n), wd = _mm512_set1_ps(sgd.weight_decay);
        for (int64_t i = L.cpart[q]; i < L.cpart[q + 1]; ++i) {
            const __m512 x0 = _mm512_load_ps(in + i * B), x1 = _mm512_load_ps(in + i * B + 16);
            __m512 a0 = _mm512_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
            const int64_t k1 = L.t_ptr[i + 1];
            for (int64_t k = L.t_ptr[i]; k < k1; k += 16) {
                const int n = k1 - k < 16 ? int(k1 - k) : 16;
                const __mmask16 m = n == 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
                const __m512 wv = _mm512_maskz_loadu_ps(m, L.val.data() + k);
                __m512 p[16];
                alignas(64) float ws[16];
                _mm512_store_ps(ws, wv);
                for (int u = 0; u < 16; ++u) {
                    if (u >= n) {
                        p[u] = _mm512_setzero_ps();
                        continue;
                    }
                    const float* d = delta + int64_t(L.t_row[k + u]) * B;
                    const __m512 d0 = _mm512_load_ps(d), d1 = _mm512_load_ps(d + 16);
                    p[u] = _mm512_fmadd_ps(d1, x1, _mm512_mul_ps(d0, x0));
                    if (want_din) {
                        const __m512 w = _mm512_set1_ps(ws[u]);
                        if (u & 1) {
                            b0 = _mm512_fmadd_ps(w, d0, b0);
                            b1 = _mm512_fmadd_ps(w, d1, b1);
                        } else {
                            a0 = _mm512_fmadd_ps(w, d0, a0);
                            a1 = _mm512_fmadd_ps(w, d1, a1);
                        }
                    }
                }
                const __m512 g = _mm512_mul_ps(hsum16(p), inv_n);
                const __m512 mv = _mm512_maskz_loadu_ps(m, L.mom.data() + k);
                const __m512 v = _mm512_sub_ps(_mm512_mul_ps(mu, mv), _mm512_mul_ps(lr, g));
                _mm512_mask_storeu_ps(L.mom.data() + k, m, v);
                _mm512_mask_storeu_ps(L.val.data() + k, m, _mm512_add_ps(wv, _mm512_sub_ps(v, _mm512_mul_ps(wd, wv))));
            }
            if (want_din) {
                _mm512_store_ps(din + i * B, _mm512_add_ps(a0, b0));
                _mm512_store_ps(din + i * B + 16, _mm512_add_ps(a1, b1));
            }
        }
    }
}

int main(int argc, char** argv) {
    if (!__builtin_cpu_supports("avx512f")) {
        std::fprintf(stderr, "npset_layout_probe needs AVX-512\n");
        return 2;
    }
    const int64_t n_in = argc > 1 ? std::atoll(argv[1]) : 5000;
    const int64_t n_out = argc > 2 ? std::atoll(argv[2]) : 5000;
    const int reps = argc > 3 ? std::atoi(argv[3]) : 300;
    if (n_in < 1 || n_out < 1 || n_in >= (1 << 20) || reps < 1) {
        std::fprintf(stderr, "usage: npset_layout_probe [n_in < 2^20] [n_out] [repeats]\n");
        return 2;
    }
    ModelConfig cfg;
    cfg.layers = {n_in, n_out};
    cfg.epsilon = 20;
    cfg.seed = 7;
    auto layer = make_sparse_layer(n_in, n_out, cfg, 0, 1);

    // The same layer in the alternative layout: weights in transposed order, CSR entries packed as
    // (input, rank of the connection within its input's column).
    TL L;
    L.n_in = n_in;
    L.n_out = n_out;
    L.row_ptr = layer->row_ptr();
    L.t_ptr = layer->t_ptr();
    const int64_t nnz = layer->connections();
    int input_bits = 1;
    while ((int64_t(1) << input_bits) < n_in) ++input_bits;
    L.rb = 32 - input_bits;
    L.csr_ent.resize(nnz);
    L.t_row.resize(nnz);
    L.val.resize(nnz);
    L.mom.assign(nnz, 0.0f);
    L.bias.assign(n_out, 0.0f);
    std::vector<int64_t> next(L.t_ptr.begin(), L.t_ptr.end() - 1);
    for (int64_t j = 0; j < n_out; ++j) {
        for (int64_t k = L.row_ptr[j]; k < L.row_ptr[j + 1]; ++k) {
            const int64_t i = layer->col()[k];
            const int64_t at = next[i]++;
            L.csr_ent[k] = (uint32_t(i) << L.rb) | uint32_t(at - L.t_ptr[i]);
            L.t_row[at] = uint32_t(j);
            L.val[at] = layer->values()[k];
        }
    }

    auto buf = [](int64_t n) {
        return std::unique_ptr<float[], decltype(&std::free)>(static_cast<float*>(std::aligned_alloc(64, n * 4)),
                                                              &std::free);
    };
    auto in = buf(n_in * B), zin = buf(n_in * B), din = buf(n_in * B);
    auto z = buf(n_out * B), a = buf(n_out * B), delta = buf(n_out * B);
    for (int64_t i = 0; i < n_in * B; ++i) in[i] = zin[i] = float((i * 2654435761u) % 1000) / 1000.0f - 0.3f;
    for (int64_t i = 0; i < n_out * B; ++i) delta[i] = float((i * 40503u) % 1000) / 1e5f - 0.005f;
    Sgd sgd;
    sgd.inv_n = 1.0f / B;
    sgd.lr = 1e-6f;
    const double flops = 2.0 * B * nnz;
    std::printf("layer %lld x %lld, %lld connections, batch %d; GFLOP/s of useful work (2 x batch x connections per product)\n",
                (long long)n_in, (long long)n_out, (long long)nnz, B);
    for (int t : {1, 2}) {
        part(L.row_ptr.data(), n_out, t, L.rpart);
        part(L.t_ptr.data(), n_in, t, L.cpart);
        // Before each kernel its gathered buffer is rewritten by all threads, each its own rows, as in training.
        auto touch = [&](float* p, int64_t n) {
#pragma omp parallel for num_threads(t) schedule(static)
            for (int64_t i = 0; i < n; ++i) p[i] += 0.0f;
        };
        double core[3] = {0, 0, 0}, alt[2] = {0, 0};
        for (int r = 0; r < reps + 5; ++r) {
            auto timed = [&](double& acc, auto&& f) {
                const auto t0 = Clock::now();
                f();
                if (r >= 5) acc += std::chrono::duration<double>(Clock::now() - t0).count();
            };
            touch(in.get(), n_in * B);
            timed(core[0], [&] { layer->forward(in.get(), z.get(), a.get(), B, Act{}, t); });
            touch(delta.get(), n_out * B);
            timed(core[1], [&] { layer->backward_input(delta.get(), zin.get(), Act{}, din.get(), B, t); });
            timed(core[2], [&] { layer->update(in.get(), delta.get(), B, sgd, t); });
            touch(in.get(), n_in * B);
            timed(alt[0], [&] { fwd(L, in.get(), z.get(), t); });
            touch(delta.get(), n_out * B);
            timed(alt[1], [&] { fused(L, in.get(), delta.get(), din.get(), sgd, t, true); });
        }
        auto gf = [&](double s, double products) { return flops * products * reps / s / 1e9; };
        std::printf("%d thread%s  core:        forward %5.1f  input gradient %5.1f  weight gradient+SGD %5.1f  all three %5.1f (%.3f ms)\n",
                    t, t == 1 ? " " : "s", gf(core[0], 1), gf(core[1], 1), gf(core[2], 1),
                    gf(core[0] + core[1] + core[2], 3), (core[0] + core[1] + core[2]) / reps * 1e3);
        std::printf("%d thread%s  transposed:  forward %5.1f  both gradients+SGD in one pass %5.1f       all three %5.1f (%.3f ms)\n",
                    t, t == 1 ? " " : "s", gf(alt[0], 1), gf(alt[1], 2), gf(alt[0] + alt[1], 3),
                    (alt[0] + alt[1]) / reps * 1e3);
    }
    return 0;
}

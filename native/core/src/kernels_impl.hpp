// Kernel bodies, compiled once per instruction set (kernels_generic.cpp, kernels_avx2.cpp,
// kernels_avx512.cpp) inside namespace NPSET_ISA_NS. The batch is a template constant for the common
// padded sizes so the compiler keeps the accumulators in vector registers; other sizes take a runtime path.
#include <omp.h>
#include <xmmintrin.h>

#include <cstring>

#include "npset/kernels.hpp"

namespace npset {
namespace NPSET_ISA_NS {

// Number of independent accumulators: enough to hide FMA latency without spilling registers.
template <int B>
constexpr int n_acc() {
    return B >= 128 ? 1 : B >= 64 ? 2 : B >= 32 ? 4 : 8;
}

constexpr int kPrefetch = 24;  // connections ahead

// Rows [r0, r1) of z = W^T in + b; a = act(z).
template <int B>
static void forward_rows(const CsrArrays& w, const float* __restrict in, float* __restrict z, float* a, int pbr,
                         Act act, int64_t r0, int64_t r1) {
    const int pb = B > 0 ? B : pbr;
    for (int64_t j = r0; j < r1; ++j) {
        const int64_t k0 = w.row_ptr[j], k1 = w.row_ptr[j + 1];
        float* __restrict zj = z + j * pb;
        if constexpr (B > 0) {
            constexpr int U = n_acc<B>();
            alignas(64) float acc[U][B];
            for (int u = 0; u < U; ++u)
#pragma omp simd
                for (int b = 0; b < B; ++b) acc[u][b] = 0.0f;
            int64_t k = k0;
            for (; k + U <= k1; k += U) {
#pragma GCC unroll 8
                for (int u = 0; u < U; ++u) {
                    if (k + u + kPrefetch < k1) __builtin_prefetch(in + int64_t(w.col[k + u + kPrefetch]) * B);
                    const float wv = w.val[k + u];
                    const float* __restrict s = in + int64_t(w.col[k + u]) * B;
#pragma omp simd aligned(s : 32)
                    for (int b = 0; b < B; ++b) acc[u][b] += wv * s[b];
                }
            }
            for (; k < k1; ++k) {
                const float wv = w.val[k];
                const float* __restrict s = in + int64_t(w.col[k]) * B;
#pragma omp simd
                for (int b = 0; b < B; ++b) acc[0][b] += wv * s[b];
            }
            const float bj = w.bias[j];
#pragma omp simd
            for (int b = 0; b < B; ++b) {
                float sum = bj;
                for (int u = 0; u < U; ++u) sum += acc[u][b];
                zj[b] = sum;
            }
        } else {
            const float bj = w.bias[j];
            for (int b = 0; b < pb; ++b) zj[b] = bj;
            for (int64_t k = k0; k < k1; ++k) {
                const float wv = w.val[k];
                const float* __restrict s = in + int64_t(w.col[k]) * pb;
#pragma omp simd
                for (int b = 0; b < pb; ++b) zj[b] += wv * s[b];
            }
        }
        float* aj = a + j * pb;
        if (!act.identity) {
            const float slope = act.slope;
#pragma omp simd
            for (int b = 0; b < pb; ++b) aj[b] = zj[b] > 0.0f ? zj[b] : slope * zj[b];
        } else if (aj != zj) {
            std::memcpy(aj, zj, sizeof(float) * pb);
        }
    }
}

// Inputs [i0, i1) of din = (W delta) * act'(zin), through the transposed index.
template <int B>
static void backward_rows(const CsrArrays& w, const TransposedArrays& t, const float* __restrict delta,
                          const float* __restrict zin, Act act, float* __restrict din, int pbr, int64_t i0,
                          int64_t i1) {
    const int pb = B > 0 ? B : pbr;
    for (int64_t i = i0; i < i1; ++i) {
        const int64_t k0 = t.t_ptr[i], k1 = t.t_ptr[i + 1];
        float* __restrict di = din + i * pb;
        if constexpr (B > 0) {
            constexpr int U = n_acc<B>();
            alignas(64) float acc[U][B];
            for (int u = 0; u < U; ++u)
#pragma omp simd
                for (int b = 0; b < B; ++b) acc[u][b] = 0.0f;
            int64_t k = k0;
            for (; k + U <= k1; k += U) {
#pragma GCC unroll 8
                for (int u = 0; u < U; ++u) {
                    if (k + u + kPrefetch < k1) __builtin_prefetch(delta + int64_t(t.t_row[k + u + kPrefetch]) * B);
                    const float wv = w.val[t.t_pos[k + u]];
                    const float* __restrict s = delta + int64_t(t.t_row[k + u]) * B;
#pragma omp simd aligned(s : 32)
                    for (int b = 0; b < B; ++b) acc[u][b] += wv * s[b];
                }
            }
            for (; k < k1; ++k) {
                const float wv = w.val[t.t_pos[k]];
                const float* __restrict s = delta + int64_t(t.t_row[k]) * B;
#pragma omp simd
                for (int b = 0; b < B; ++b) acc[0][b] += wv * s[b];
            }
#pragma omp simd
            for (int b = 0; b < B; ++b) {
                float sum = 0.0f;
                for (int u = 0; u < U; ++u) sum += acc[u][b];
                di[b] = sum;
            }
        } else {
            for (int b = 0; b < pb; ++b) di[b] = 0.0f;
            for (int64_t k = k0; k < k1; ++k) {
                const float wv = w.val[t.t_pos[k]];
                const float* __restrict s = delta + int64_t(t.t_row[k]) * pb;
#pragma omp simd
                for (int b = 0; b < pb; ++b) di[b] += wv * s[b];
            }
        }
        if (zin != nullptr && !act.identity) {
            const float* __restrict zi = zin + i * pb;
            const float slope = act.slope;
#pragma omp simd
            for (int b = 0; b < pb; ++b) di[b] *= zi[b] > 0.0f ? 1.0f : slope;
        }
    }
}

static inline void sgd_step(float& wv, float& mv, float g, const Sgd& sgd) {
    const float v = sgd.momentum * mv - sgd.lr * g;
    mv = v;
    const float step = sgd.nesterov ? sgd.momentum * v - sgd.lr * g : v;
    wv += step - sgd.weight_decay * wv;
}

// Rows [r0, r1): gradient at each connection (dot of input and delta over the batch), then the SGD step.
template <int B>
static void update_rows(const CsrArrays& w, const float* __restrict in, const float* __restrict delta, int pbr,
                        const Sgd& sgd, int64_t r0, int64_t r1) {
    const int pb = B > 0 ? B : pbr;
    for (int64_t j = r0; j < r1; ++j) {
        const float* __restrict d = delta + j * pb;
        float gb = 0.0f;
#pragma omp simd reduction(+ : gb)
        for (int b = 0; b < pb; ++b) gb += d[b];
        float bm = w.bias_mom[j];
        float bv = w.bias[j];
        Sgd no_decay = sgd;
        no_decay.weight_decay = 0.0f;  // biases are not decayed
        sgd_step(bv, bm, gb * sgd.inv_n, no_decay);
        w.bias[j] = bv;
        w.bias_mom[j] = bm;
        const int64_t k0 = w.row_ptr[j], k1 = w.row_ptr[j + 1];
        int64_t k = k0;
        if constexpr (B > 0) {
            // Four dot products at a time share the loads of d.
            for (; k + 4 <= k1; k += 4) {
                if (k + kPrefetch < k1) __builtin_prefetch(in + int64_t(w.col[k + kPrefetch]) * B);
                const float* __restrict s0 = in + int64_t(w.col[k]) * B;
                const float* __restrict s1 = in + int64_t(w.col[k + 1]) * B;
                const float* __restrict s2 = in + int64_t(w.col[k + 2]) * B;
                const float* __restrict s3 = in + int64_t(w.col[k + 3]) * B;
                float g0 = 0, g1 = 0, g2 = 0, g3 = 0;
#pragma omp simd reduction(+ : g0, g1, g2, g3)
                for (int b = 0; b < B; ++b) {
                    g0 += s0[b] * d[b];
                    g1 += s1[b] * d[b];
                    g2 += s2[b] * d[b];
                    g3 += s3[b] * d[b];
                }
                sgd_step(w.val[k], w.mom[k], g0 * sgd.inv_n, sgd);
                sgd_step(w.val[k + 1], w.mom[k + 1], g1 * sgd.inv_n, sgd);
                sgd_step(w.val[k + 2], w.mom[k + 2], g2 * sgd.inv_n, sgd);
                sgd_step(w.val[k + 3], w.mom[k + 3], g3 * sgd.inv_n, sgd);
            }
        }
        for (; k < k1; ++k) {
            const float* __restrict s = in + int64_t(w.col[k]) * pb;
            float g = 0.0f;
#pragma omp simd reduction(+ : g)
            for (int b = 0; b < pb; ++b) g += s[b] * d[b];
            sgd_step(w.val[k], w.mom[k], g * sgd.inv_n, sgd);
        }
    }
}

// Runs body(r0, r1) for every part, one OpenMP region, parts handed to threads round-robin.
// Denormal gradients (tiny losses late in training) are 100x slower on x86: flush them to zero.
static inline void flush_denormals() { _mm_setcsr(_mm_getcsr() | 0x8040); }

template <class F>
static void for_parts(Partition p, int threads, F&& body) {
    if (threads <= 1 || p.parts <= 1) {
        flush_denormals();
        for (int q = 0; q < p.parts; ++q) body(p.part[q], p.part[q + 1]);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        flush_denormals();
        const int team = omp_get_num_threads();
        for (int q = omp_get_thread_num(); q < p.parts; q += team) body(p.part[q], p.part[q + 1]);
    }
}

#define NPSET_DISPATCH_BATCH(pb, FN, ...)            \
    switch (pb) {                                    \
        case 8: FN<8>(__VA_ARGS__); break;           \
        case 16: FN<16>(__VA_ARGS__); break;         \
        case 32: FN<32>(__VA_ARGS__); break;         \
        case 64: FN<64>(__VA_ARGS__); break;         \
        case 128: FN<128>(__VA_ARGS__); break;       \
        default: FN<0>(__VA_ARGS__); break;          \
    }

static void forward(const CsrArrays& w, const float* in, float* z, float* a, int pb, Act act, Partition p,
                    int threads) {
    for_parts(p, threads, [&](int64_t r0, int64_t r1) {
        NPSET_DISPATCH_BATCH(pb, forward_rows, w, in, z, a, pb, act, r0, r1);
    });
}

static void backward_input(const CsrArrays& w, const TransposedArrays& t, const float* delta, const float* zin,
                           Act act, float* din, int pb, Partition p, int threads) {
    for_parts(p, threads, [&](int64_t i0, int64_t i1) {
        NPSET_DISPATCH_BATCH(pb, backward_rows, w, t, delta, zin, act, din, pb, i0, i1);
    });
}

static void update(const CsrArrays& w, const float* in, const float* delta, int pb, const Sgd& sgd, Partition p,
                   int threads) {
    for_parts(p, threads, [&](int64_t r0, int64_t r1) {
        NPSET_DISPATCH_BATCH(pb, update_rows, w, in, delta, pb, sgd, r0, r1);
    });
}

#undef NPSET_DISPATCH_BATCH

extern const KernelTable table;
const KernelTable table = {NPSET_ISA_NAME, forward, backward_input, update};

}  // namespace NPSET_ISA_NS
}  // namespace npset

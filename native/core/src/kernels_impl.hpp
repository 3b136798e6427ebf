// Kernel bodies, compiled once per instruction set (kernels_generic.cpp, kernels_avx2.cpp,
// kernels_avx512.cpp) inside namespace NPSET_ISA_NS. The batch is a template constant for the common
// padded sizes so the compiler keeps the accumulators in vector registers; other sizes take a runtime path.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "npset/kernels.hpp"

namespace npset {
namespace NPSET_ISA_NS {

// Vector width in floats of this instruction set.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX2__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif

// Number of independent accumulators: about 8 vector registers in flight hide FMA latency without
// spilling (the 16 or 32 registers also hold the loaded rows).
template <int B>
constexpr int n_acc() {
    constexpr int regs_per_acc = B / kLanes > 0 ? B / kLanes : 1;
    constexpr int u = 8 / regs_per_acc;
    return u < 1 ? 1 : u;
}

constexpr int kPrefetch = 24;  // connections ahead

// Whether the gathers from an array of n floats should prefetch. Rows gathered from an array that fits
// in half of this core's L2 cache arrive fast enough by out-of-order loads alone, and prefetching them
// only costs issue slots (about 4% of a whole epoch of the gisette shape, whose 640 KB activations fit);
// from L3 or memory (the wide shape's 12.8 MB) the prefetch makes the forward pass about 1.4x faster.
static inline bool gather_needs_prefetch(int64_t n) {
    return n * int64_t(sizeof(float)) > l2_cache_bytes() / 2;
}

// out[0..W) = init + sum over k in [k0, k1) of weight(k) * row(k)[0..W) for a batch W (a multiple of 8) that
// has no template path: the W lanes are held in vector registers (explicit vector types, so that the
// compiler cannot turn the loop inside out into scalar code), one accumulator per lane.
typedef float VecF __attribute__((vector_size(kLanes * 4), aligned(4), may_alias));
typedef float Vec8F __attribute__((vector_size(32), aligned(4), may_alias));
template <int W, class Row, class Weight>
static inline void gather_lanes(int64_t k0, int64_t k1, Row row, Weight weight, float init,
                                float* __restrict out) {
    constexpr int NV = W / kLanes;
    constexpr bool half = W % kLanes != 0;  // the last 8 lanes (16-lane vectors only)
    static_assert(W % 8 == 0 && (W % kLanes == 0 || W % kLanes == 8), "batch lanes");
    VecF acc[NV];
    Vec8F tail = Vec8F{} + init;
    for (int v = 0; v < NV; ++v) acc[v] = VecF{} + init;
    for (int64_t k = k0; k < k1; ++k) {
        const float wv = weight(k);
        const float* src = row(k);
        for (int v = 0; v < NV; ++v) acc[v] += wv * *reinterpret_cast<const VecF*>(src + v * kLanes);
        if constexpr (half) tail += wv * *reinterpret_cast<const Vec8F*>(src + NV * kLanes);
    }
    for (int v = 0; v < NV; ++v) *reinterpret_cast<VecF*>(out + v * kLanes) = acc[v];
    if constexpr (half) *reinterpret_cast<Vec8F*>(out + NV * kLanes) = tail;
}

// out[0..pb) = init + sum over k in [k0, k1) of weight(k) * row(k)[0..pb): the gather-accumulate shared by
// the forward pass (rows of the input) and the input gradient (rows of delta). Several independent
// accumulators hide the FMA latency. The row of connection k + kPrefetch is prefetched while that is below
// `prefetch_end` (the end of the thread's part, so the next rows' first connections are covered too; 0: no
// prefetch).
template <int B, class Row, class Weight>
static inline void gather_sum(int64_t k0, int64_t k1, Row row, Weight weight, float init, int pbr,
                              int64_t prefetch_end, float* __restrict out) {
    if constexpr (B > 0) {
        // Explicit vectors of L lanes (not a float array under `omp simd`, which GCC kept on the stack,
        // zeroed with `rep stos` per row, and finished the row's last connections lane by lane). The sums
        // are the same, in the same order: accumulator u takes connections k0 + u, k0 + u + U, ..., the
        // last (fewer than U) go to accumulator 0, and out = init + acc[0] + ... + acc[U - 1].
        constexpr int L = B < kLanes ? B : kLanes;
        constexpr int NV = B / L;
        constexpr int U = n_acc<B>();
        typedef float V __attribute__((vector_size(L * 4), aligned(4), may_alias));
        V acc[U][NV];
        for (int u = 0; u < U; ++u)
            for (int v = 0; v < NV; ++v) acc[u][v] = V{};
        int64_t k = k0;
        for (; k + U <= k1; k += U) {
#pragma GCC unroll 8
            for (int u = 0; u < U; ++u) {
                if (k + u + kPrefetch < prefetch_end) __builtin_prefetch(row(k + u + kPrefetch));
                const float wv = weight(k + u);
                const float* src = row(k + u);
                for (int v = 0; v < NV; ++v) acc[u][v] += wv * *reinterpret_cast<const V*>(src + v * L);
            }
        }
        for (; k < k1; ++k) {
            const float wv = weight(k);
            const float* src = row(k);
            for (int v = 0; v < NV; ++v) acc[0][v] += wv * *reinterpret_cast<const V*>(src + v * L);
        }
        for (int v = 0; v < NV; ++v) {
            V sum = init - V{};  // init in every lane (x - 0 keeps the sign of a zero)
            for (int u = 0; u < U; ++u) sum += acc[u][v];
            *reinterpret_cast<V*>(out + v * L) = sum;
        }
    } else {
        // Other padded sizes: up to 128 lanes at a time held in registers, one accumulator per lane (each
        // lane sums in connection order, as a plain loop would).
        for (int c = 0; c < pbr; c += 128) {
            const auto sub = [&](int64_t k) { return row(k) + c; };
            switch (std::min(pbr - c, 128)) {
#define NPSET_GATHER_CASE(W) \
    case W: gather_lanes<W>(k0, k1, sub, weight, init, out + c); break;
                NPSET_GATHER_CASE(8) NPSET_GATHER_CASE(16) NPSET_GATHER_CASE(24) NPSET_GATHER_CASE(32)
                NPSET_GATHER_CASE(40) NPSET_GATHER_CASE(48) NPSET_GATHER_CASE(56) NPSET_GATHER_CASE(64)
                NPSET_GATHER_CASE(72) NPSET_GATHER_CASE(80) NPSET_GATHER_CASE(88) NPSET_GATHER_CASE(96)
                NPSET_GATHER_CASE(104) NPSET_GATHER_CASE(112) NPSET_GATHER_CASE(120) NPSET_GATHER_CASE(128)
#undef NPSET_GATHER_CASE
                default:  // not a multiple of 8 (the model always pads; direct callers may not)
                    for (int b = c; b < pbr; ++b) {
                        float acc = init;
                        for (int64_t k = k0; k < k1; ++k) acc += weight(k) * row(k)[b];
                        out[b] = acc;
                    }
                    c = pbr;
            }
        }
    }
}

// Rows [r0, r1) of z = W^T in + b; a = act(z).
template <int B>
static void forward_rows(const CsrArrays& w, const float* __restrict in, float* __restrict z, float* a, int pbr,
                         Act act, bool prefetch, int64_t r0, int64_t r1) {
    const int pb = B > 0 ? B : pbr;
    const auto row = [&](int64_t k) { return in + int64_t(w.col[k]) * pb; };
    const auto weight = [&](int64_t k) { return w.val[k]; };
    const int64_t prefetch_end = prefetch ? w.row_ptr[r1] : 0;
    for (int64_t j = r0; j < r1; ++j) {
        float* __restrict zj = z + j * pb;
        gather_sum<B>(w.row_ptr[j], w.row_ptr[j + 1], row, weight, w.bias[j], pb, prefetch_end, zj);
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

// Inputs [i0, i1) of din = (W delta) * act'(zin), through the transposed index (packed or wide).
template <int B, bool Packed>
static void backward_rows(const CsrArrays& w, const TransposedArrays& t, const float* __restrict delta,
                          const float* __restrict zin, Act act, float* __restrict din, int pbr, bool prefetch,
                          int64_t i0, int64_t i1) {
    const int pb = B > 0 ? B : pbr;
    const int shift = t.rank_bits;
    const uint32_t rank_mask = Packed ? (uint32_t(1) << shift) - 1 : 0;
    const auto out_row = [&](int64_t k) -> int64_t { return Packed ? t.t_ent[k] >> shift : t.t_ent[k]; };
    const auto row = [&](int64_t k) { return delta + out_row(k) * pb; };
    const auto weight = [&](int64_t k) {
        if constexpr (Packed) {
            const uint32_t e = t.t_ent[k];
            return w.val[w.row_ptr[e >> shift] + (e & rank_mask)];
        } else {
            return w.val[t.t_pos[k]];
        }
    };
    const int64_t prefetch_end = prefetch ? t.t_ptr[i1] : 0;
    for (int64_t i = i0; i < i1; ++i) {
        float* __restrict di = din + i * pb;
        gather_sum<B>(t.t_ptr[i], t.t_ptr[i + 1], row, weight, 0.0f, pb, prefetch_end, di);
        if (zin != nullptr && !act.identity) {
            const float* __restrict zi = zin + i * pb;
            const float slope = act.slope;
#pragma omp simd
            for (int b = 0; b < pb; ++b) di[b] *= zi[b] > 0.0f ? 1.0f : slope;
        }
    }
}

template <int B>
static void backward_rows_any(const CsrArrays& w, const TransposedArrays& t, const float* delta, const float* zin,
                              Act act, float* din, int pbr, bool prefetch, int64_t i0, int64_t i1) {
    if (t.t_pos == nullptr) {
        backward_rows<B, true>(w, t, delta, zin, act, din, pbr, prefetch, i0, i1);
    } else {
        backward_rows<B, false>(w, t, delta, zin, act, din, pbr, prefetch, i0, i1);
    }
}

static inline void sgd_step(float& wv, float& mv, float g, const Sgd& sgd) {
    const float v = sgd.momentum * mv - sgd.lr * g;
    mv = v;
    const float step = sgd.nesterov ? sgd.momentum * v - sgd.lr * g : v;
    wv += step - sgd.weight_decay * wv;
}


#if defined(__AVX2__)
// Sums of 8 vectors, one per lane.
static inline __m256 hsum8(const __m256* p) {
    __m256 t[4], u[2];
    for (int i = 0; i < 4; ++i)
        t[i] = _mm256_add_ps(_mm256_unpacklo_ps(p[2 * i], p[2 * i + 1]), _mm256_unpackhi_ps(p[2 * i], p[2 * i + 1]));
    for (int i = 0; i < 2; ++i) {
        const __m256d a = _mm256_castps_pd(t[2 * i]), b = _mm256_castps_pd(t[2 * i + 1]);
        // Interleave in 64-bit pairs, add as floats.
        u[i] = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(a, b)), _mm256_castpd_ps(_mm256_unpackhi_pd(a, b)));
    }
    return _mm256_add_ps(_mm256_permute2f128_ps(u[0], u[1], 0x20), _mm256_permute2f128_ps(u[0], u[1], 0x31));
}
#endif

#if defined(__AVX512F__)
// Sums of 16 vectors, one per lane, in order: pairs interleaved within 128-bit blocks, then quads, then
// the four blocks combined.
static inline __m512 hsum16(const __m512* p) {
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
#endif

// SGD step of W consecutive connections held in vector registers (same formula as sgd_step).
#define NPSET_SGD_VECTOR(VT, SET1, MUL, SUB, ADD, LOADU, STOREU, g_in, k_at)                    \
    do {                                                                                      \
        const VT g_ = MUL(g_in, SET1(sgd.inv_n));                                             \
        const VT m_ = LOADU(w.mom + (k_at));                                                   \
        const VT v_ = SUB(MUL(SET1(sgd.momentum), m_), MUL(SET1(sgd.lr), g_));                 \
        STOREU(w.mom + (k_at), v_);                                                            \
        const VT step_ = sgd.nesterov ? SUB(MUL(SET1(sgd.momentum), v_), MUL(SET1(sgd.lr), g_)) : v_; \
        const VT w_ = LOADU(w.val + (k_at));                                                   \
        STOREU(w.val + (k_at), ADD(w_, SUB(step_, MUL(SET1(sgd.weight_decay), w_))));          \
    } while (0)

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
#if defined(__AVX512F__)
        // 16 dot products at a time, reduced together into one register, then a vector SGD step; the
        // row's last (fewer than 16) connections take the same path under a mask. No software prefetch
        // here or in the AVX2 path: the 16 independent dots already keep enough loads in flight, and
        // prefetching rows ahead made this kernel about 1.4x slower on an L2-sized layer (5000 x 5000,
        // batch 32) at every distance tried (4-40), with no gain on a 100k x 100k layer.
        // Batches that are an odd multiple of 8 add their last 8 lanes under a mask (unaligned rows). The
        // template sizes hold the delta row in registers; other sizes (B = 0) read it from L1.
        if constexpr (B == 0 || (B >= 16 && B % 8 == 0)) {
            constexpr int V = B / 16;
            constexpr bool H = B % 16 != 0;
            const int rv = B > 0 ? V : pbr / 16;
            const bool rh = pbr % 16 != 0;
            __m512 dv[V + 1];
            for (int v = 0; v < V; ++v) dv[v] = H ? _mm512_loadu_ps(d + 16 * v) : _mm512_load_ps(d + 16 * v);
            if constexpr (B > 0 && H) dv[V] = _mm512_maskz_loadu_ps(0x00FF, d + 16 * V);
            const auto dot = [&](const float* s) {
                if constexpr (B > 0) {
                    __m512 acc = _mm512_mul_ps(H ? _mm512_loadu_ps(s) : _mm512_load_ps(s), dv[0]);
                    for (int v = 1; v < V; ++v)
                        acc = _mm512_fmadd_ps(H ? _mm512_loadu_ps(s + 16 * v) : _mm512_load_ps(s + 16 * v), dv[v], acc);
                    if constexpr (H) acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(0x00FF, s + 16 * V), dv[V], acc);
                    return acc;
                } else {
                    __m512 acc = _mm512_mul_ps(_mm512_loadu_ps(s), _mm512_loadu_ps(d));
                    for (int v = 1; v < rv; ++v)
                        acc = _mm512_fmadd_ps(_mm512_loadu_ps(s + 16 * v), _mm512_loadu_ps(d + 16 * v), acc);
                    if (rh)
                        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(0x00FF, s + 16 * rv),
                                              _mm512_maskz_loadu_ps(0x00FF, d + 16 * rv), acc);
                    return acc;
                }
            };
            const __m512 mu = _mm512_set1_ps(sgd.momentum), lr = _mm512_set1_ps(sgd.lr);
            const __m512 inv_n = _mm512_set1_ps(sgd.inv_n), wd = _mm512_set1_ps(sgd.weight_decay);
            for (; (B > 0 || (pbr >= 16 && pbr % 8 == 0)) && k < k1; k += 16) {
                const int n = k1 - k < 16 ? int(k1 - k) : 16;
                __m512 p[16];
                for (int u = 0; u < 16; ++u) {
                    if (u >= n) {
                        p[u] = _mm512_setzero_ps();
                        continue;
                    }
                    p[u] = dot(in + int64_t(w.col[k + u]) * pb);
                }
                const __mmask16 m = n == 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
                const __m512 g = _mm512_mul_ps(hsum16(p), inv_n);
                const __m512 mv = _mm512_maskz_loadu_ps(m, w.mom + k);
                const __m512 v = _mm512_sub_ps(_mm512_mul_ps(mu, mv), _mm512_mul_ps(lr, g));
                _mm512_mask_storeu_ps(w.mom + k, m, v);
                const __m512 step = sgd.nesterov ? _mm512_sub_ps(_mm512_mul_ps(mu, v), _mm512_mul_ps(lr, g)) : v;
                const __m512 wv = _mm512_maskz_loadu_ps(m, w.val + k);
                _mm512_mask_storeu_ps(w.val + k, m, _mm512_add_ps(wv, _mm512_sub_ps(step, _mm512_mul_ps(wd, wv))));
            }
        }
#endif
#if defined(__AVX2__)
        // 8 dot products at a time, reduced together into one register, then a vector SGD step.
        if constexpr (B > 0 && B % 8 == 0) {
            constexpr int V = B / 8;
            __m256 dv[V];
            for (int v = 0; v < V; ++v) dv[v] = _mm256_load_ps(d + 8 * v);
            for (; k + 8 <= k1; k += 8) {
                __m256 p[8];
                for (int u = 0; u < 8; ++u) {
                    const float* s = in + int64_t(w.col[k + u]) * B;
                    __m256 acc = _mm256_mul_ps(_mm256_load_ps(s), dv[0]);
                    for (int v = 1; v < V; ++v) acc = _mm256_fmadd_ps(_mm256_load_ps(s + 8 * v), dv[v], acc);
                    p[u] = acc;
                }
                const __m256 g = hsum8(p);
                NPSET_SGD_VECTOR(__m256, _mm256_set1_ps, _mm256_mul_ps, _mm256_sub_ps, _mm256_add_ps, _mm256_loadu_ps,
                                 _mm256_storeu_ps, g, k);
            }
        }
#endif
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
// Denormal gradients (tiny losses late in training) are 100x slower on x86: flush them to zero while a
// kernel runs, and give every thread (the caller's too) its floating-point mode back afterwards.
class FlushDenormals {
public:
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }
    ~FlushDenormals() { _mm_setcsr(saved_); }

private:
    unsigned saved_;
};
#undef NPSET_SGD_VECTOR

// Below this many multiply-adds a parallel region costs more than it saves (and stalls badly when the
// cores are shared with other work), so small layers run on the calling thread.
constexpr int64_t kMinParallelWork = int64_t(1) << 18;

template <class F>
static void for_parts(Partition p, int threads, int64_t work, F&& body) {
    if (threads <= 1 || p.parts <= 1 || work < kMinParallelWork) {
        FlushDenormals ftz;
        for (int q = 0; q < p.parts; ++q) body(p.part[q], p.part[q + 1]);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        FlushDenormals ftz;
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
    const int64_t work = (w.row_ptr[w.rows] + w.rows) * pb;
    const bool prefetch = gather_needs_prefetch(w.cols * pb);
    for_parts(p, threads, work, [&](int64_t r0, int64_t r1) {
        NPSET_DISPATCH_BATCH(pb, forward_rows, w, in, z, a, pb, act, prefetch, r0, r1);
    });
}

static void backward_input(const CsrArrays& w, const TransposedArrays& t, const float* delta, const float* zin,
                           Act act, float* din, int pb, Partition p, int threads) {
    const int64_t work = (t.t_ptr[t.cols] + t.cols) * pb;
    const bool prefetch = gather_needs_prefetch(w.rows * pb);
    for_parts(p, threads, work, [&](int64_t i0, int64_t i1) {
        NPSET_DISPATCH_BATCH(pb, backward_rows_any, w, t, delta, zin, act, din, pb, prefetch, i0, i1);
    });
}

static void update(const CsrArrays& w, const float* in, const float* delta, int pb, const Sgd& sgd, Partition p,
                   int threads) {
    const int64_t work = (w.row_ptr[w.rows] + w.rows) * pb;
    // The weight gradient has a template path for every padded size up to 128 (the gathers have theirs
    // in gather_lanes).
    for_parts(p, threads, work, [&](int64_t r0, int64_t r1) {
        switch (pb) {
#define NPSET_UPDATE_CASE(W) \
    case W: update_rows<W>(w, in, delta, pb, sgd, r0, r1); return;
            NPSET_UPDATE_CASE(24) NPSET_UPDATE_CASE(40) NPSET_UPDATE_CASE(48) NPSET_UPDATE_CASE(56)
            NPSET_UPDATE_CASE(72) NPSET_UPDATE_CASE(80) NPSET_UPDATE_CASE(88) NPSET_UPDATE_CASE(96)
            NPSET_UPDATE_CASE(104) NPSET_UPDATE_CASE(112) NPSET_UPDATE_CASE(120)
#undef NPSET_UPDATE_CASE
            default: break;
        }
        NPSET_DISPATCH_BATCH(pb, update_rows, w, in, delta, pb, sgd, r0, r1);
    });
}

#undef NPSET_DISPATCH_BATCH

}  // namespace NPSET_ISA_NS
}  // namespace npset

#include "dense_impl.hpp"

namespace npset {
namespace NPSET_ISA_NS {
extern const KernelTable table;
const KernelTable table = {NPSET_ISA_NAME, forward, backward_input, update, gemm, sgemm_gflops};
}  // namespace NPSET_ISA_NS
}  // namespace npset

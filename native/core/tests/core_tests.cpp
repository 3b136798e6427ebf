// Tests of the npset core (native/core), no external test library (test_main.hpp):
//  - kernels (every kernel table the CPU runs) against naive references: forward, input gradient, fused
//    SGD update, batch sizes 8..136 (every kind of batch path), 1-3 threads, serial and parallel paths;
//    the dense GEMM (correctness, bit-identical over thread counts); the caller's FP environment kept;
//  - the layer classes and the model's forward pass, loss and softmax against a statement of the spec;
//  - gradients: central differences of the mean loss, and a double-precision backpropagation with dropout;
//  - Erdős–Rényi initialisation (Draws and Bernoulli counts, determinism, memory per connection);
//  - SET evolution (per-sign removal of the smallest magnitudes, regrowth, survivors, determinism);
//  - NPSET pruning (Table 3 arithmetic, removal order and criteria, shrinking matrices, training after);
//  - training end to end, bit-identical results over thread counts, cancellation, argument errors, predict.
// Built by native/core/CMakeLists.txt (target npset_core_tests) when NPSET_BUILD_TESTS is ON.
// Run all tests, or only those whose name contains an argument: npset_core_tests kernels prune
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "npset/config.hpp"
#include "npset/errors.hpp"
#include "npset/kernels.hpp"
#include "npset/layer.hpp"
#include "npset/model.hpp"
#include "npset/rng.hpp"
#include "test_main.hpp"
#include "../src/sort_positions.hpp"

using namespace npset;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

// 64-byte aligned float buffer (the kernels load whole vector registers from activation rows).
class ABuf {
public:
    explicit ABuf(size_t n, float fill = 0.0f) : n_(n) {
        const size_t bytes = std::max<size_t>(64, (n * sizeof(float) + 63) / 64 * 64);
        p_ = static_cast<float*>(std::aligned_alloc(64, bytes));
        std::fill(p_, p_ + n_, fill);
    }
    ~ABuf() { std::free(p_); }
    ABuf(const ABuf& o) : ABuf(o.n_) { std::copy(o.p_, o.p_ + n_, p_); }
    ABuf& operator=(const ABuf&) = delete;
    float* data() { return p_; }
    const float* data() const { return p_; }
    float& operator[](size_t i) { return p_[i]; }
    float operator[](size_t i) const { return p_[i]; }
    size_t size() const { return n_; }

private:
    float* p_;
    size_t n_;
};

const float kNaN = std::numeric_limits<float>::quiet_NaN();

SparseLayer& sparse_at(Model& m, size_t l) { return dynamic_cast<SparseLayer&>(m.layer(l)); }
DenseLayer& dense_at(Model& m, size_t l) { return dynamic_cast<DenseLayer&>(m.layer(l)); }

// Synthetic data set: `classes` Gaussian blobs in `features` dimensions.
struct Data {
    std::vector<float> x;
    std::vector<int32_t> y;
    int64_t samples = 0, features = 0;
    DataView view() const {
        DataView v;
        v.x = x.data();
        v.y = y.data();
        v.samples = samples;
        v.features = features;
        return v;
    }
};

Data blobs(int64_t samples, int64_t features, int classes, double separation, uint64_t seed) {
    Rng rng(seed);
    std::vector<double> centers(static_cast<size_t>(classes * features));
    for (auto& c : centers) c = rng.normal() * separation;
    Data d;
    d.samples = samples;
    d.features = features;
    d.x.resize(static_cast<size_t>(samples * features));
    d.y.resize(static_cast<size_t>(samples));
    for (int64_t s = 0; s < samples; ++s) {
        const int32_t c = static_cast<int32_t>(s % classes);
        d.y[s] = c;
        for (int64_t f = 0; f < features; ++f)
            d.x[s * features + f] = static_cast<float>(centers[c * features + f] + rng.normal());
    }
    return d;
}

// Random CSR of W^T (rows = outputs) with chosen empty rows, empty columns and a dense row.
struct CsrSpec {
    int64_t n_in = 0, n_out = 0;
    std::vector<int64_t> rp;
    std::vector<int32_t> col;
    std::vector<float> val;
    std::vector<double> dense() const {  // W^T as [n_out][n_in]
        std::vector<double> w(static_cast<size_t>(n_in * n_out), 0.0);
        for (int64_t j = 0; j < n_out; ++j)
            for (int64_t k = rp[j]; k < rp[j + 1]; ++k) w[j * n_in + col[k]] = val[k];
        return w;
    }
};

CsrSpec random_csr(int64_t n_in, int64_t n_out, double density, uint64_t seed, const std::set<int64_t>& empty_rows,
                   const std::set<int32_t>& empty_cols, int64_t dense_row) {
    Rng rng(seed);
    CsrSpec s;
    s.n_in = n_in;
    s.n_out = n_out;
    s.rp.push_back(0);
    for (int64_t j = 0; j < n_out; ++j) {
        if (!empty_rows.count(j)) {
            for (int32_t i = 0; i < n_in; ++i) {
                if (empty_cols.count(i)) continue;
                if (j == dense_row || rng.uniform() < density) {
                    s.col.push_back(i);
                    s.val.push_back(rng.uniform(-1.0f, 1.0f));
                }
            }
        }
        s.rp.push_back(static_cast<int64_t>(s.col.size()));
    }
    return s;
}

std::vector<float> random_vec(size_t n, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(lo, hi);
    return v;
}

void fill_random(ABuf& b, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    for (size_t i = 0; i < b.size(); ++i) b[i] = rng.uniform(lo, hi);
}

double act_ref(double z, Act a) { return a.identity || z > 0 ? z : a.slope * z; }
double dact_ref(double z, Act a) { return a.identity || z > 0 ? 1.0 : a.slope; }

const char* const kIsas[] = {"generic", "avx2", "avx512"};

// (row, col) -> (weight, momentum) of a sparse layer.
struct Entry {
    float w, m;
};
using EntryMap = std::map<std::pair<int64_t, int32_t>, Entry>;

EntryMap entries(SparseLayer& l) {
    EntryMap out;
    const auto& rp = l.row_ptr();
    const auto& col = l.col();
    for (int64_t j = 0; j < l.n_out(); ++j)
        for (int64_t k = rp[j]; k < rp[j + 1]; ++k) out[{j, col[k]}] = Entry{l.values()[k], l.momentum()[k]};
    return out;
}

bool same_csr(const LayerCsr& a, const LayerCsr& b) {
    if (a.rows != b.rows || a.cols != b.cols || a.row_ptr != b.row_ptr || a.col != b.col) return false;
    if (a.values.size() != b.values.size() || a.bias.size() != b.bias.size()) return false;
    return std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0 &&
           std::memcmp(a.bias.data(), b.bias.data(), a.bias.size() * sizeof(float)) == 0;
}

bool same_model(const Model& a, const Model& b) {
    if (a.layer_count() != b.layer_count()) return false;
    for (size_t l = 0; l < a.layer_count(); ++l)
        if (!same_csr(a.layer_csr(static_cast<int>(l)), b.layer_csr(static_cast<int>(l)))) return false;
    return true;
}

void check_all_invariants(Model& m) {
    for (size_t l = 0; l < m.layer_count(); ++l) {
        if (auto* s = dynamic_cast<SparseLayer*>(&m.layer(l))) {
            std::string err;
            try {
                s->check_invariants();
            } catch (const std::exception& e) {
                err = e.what();
            }
            CHECK_MSG(err.empty(), "layer " << l << ": " << err);
        }
    }
}

int64_t total_connections(const Model& m) {
    int64_t n = 0;
    for (size_t l = 0; l < m.layer_count(); ++l) n += m.layer(l).connections();
    return n;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Kernels against a naive dense reference
// ---------------------------------------------------------------------------------------------------------

struct KernelShape {
    const char* name;
    CsrSpec spec;
};

std::vector<KernelShape> kernel_shapes() {
    std::vector<KernelShape> s;
    // Empty rows 0, 7, 44, empty columns 3, 40, 69, a row dense except the empty columns; rows longer than
    // the prefetch distance and the accumulator count.
    s.push_back({"70x45", random_csr(70, 45, 0.3, 11, {0, 7, 44}, {3, 40, 69}, 20)});
    // A fully dense row (all 33 columns), empty rows, no empty column forced.
    s.push_back({"33x20", random_csr(33, 20, 0.15, 12, {1, 2, 19}, {}, 5)});
    // No connection at all.
    s.push_back({"3x2-empty", random_csr(3, 2, 0.0, 13, {}, {}, -1)});
    // Large enough that the kernels take their parallel path ((connections + rows) * batch >= 2^18 even
    // at batch 8): the small layers above run serially whatever the thread count.
    s.push_back({"600x500", random_csr(600, 500, 0.12, 15, {0, 250}, {17, 599}, 499)});
    // A single input and a single output.
    s.push_back({"1x1", random_csr(1, 1, 1.0, 14, {}, {}, 0)});
    return s;
}

void run_kernel_case(const KernelTable& kt, const KernelShape& shape, int pb, int threads, int parts,
                     const std::string& ctx) {
    const CsrSpec& s = shape.spec;
    const int64_t n_in = s.n_in, n_out = s.n_out;
    SparseLayer layer(n_in, n_out);
    layer.assign(s.rp, s.col, s.val, std::vector<float>(s.col.size(), 0.0f), 1);
    layer.check_invariants();

    std::vector<float> val = s.val;
    std::vector<float> mom = random_vec(val.size(), 21, -0.5f, 0.5f);
    std::vector<float> bias = random_vec(static_cast<size_t>(n_out), 22);
    std::vector<float> bias_mom = random_vec(static_cast<size_t>(n_out), 23, -0.5f, 0.5f);
    auto arrays = [&](std::vector<float>& v, std::vector<float>& m, std::vector<float>& b,
                      std::vector<float>& bm) {
        return CsrArrays{layer.row_ptr().data(), layer.col().data(), v.data(), m.data(), b.data(), bm.data(), n_out, n_in};
    };
    const TransposedArrays t = layer.transposed();
    std::vector<int64_t> row_part, col_part;
    balanced_partition(layer.row_ptr().data(), n_out, parts, row_part);
    balanced_partition(layer.t_ptr().data(), n_in, parts, col_part);
    CHECK_EQ(row_part.front(), 0);
    CHECK_EQ(row_part.back(), n_out);
    CHECK_EQ(col_part.back(), n_in);
    for (size_t q = 0; q + 1 < row_part.size(); ++q) CHECK(row_part[q] <= row_part[q + 1]);
    const Partition rpart{row_part.data(), parts};
    const Partition cpart{col_part.data(), parts};

    ABuf in(static_cast<size_t>(n_in * pb));
    fill_random(in, 31);
    ABuf delta(static_cast<size_t>(n_out * pb));
    fill_random(delta, 32);
    ABuf zin(static_cast<size_t>(n_in * pb));
    fill_random(zin, 33);
    zin[0] = 0.0f;  // z exactly 0: derivative is the slope

    // References straight from the CSR lists (independent of the layer's transposed index).
    std::vector<std::vector<std::pair<int64_t, int64_t>>> by_col(static_cast<size_t>(n_in));  // (row, k)
    for (int64_t j = 0; j < n_out; ++j)
        for (int64_t k = s.rp[j]; k < s.rp[j + 1]; ++k) by_col[s.col[k]].push_back({j, k});
    std::vector<double> sum(static_cast<size_t>(pb)), mag(static_cast<size_t>(pb));

    // Forward: z = W^T in + b, a = act(z), for ReLU, a negative slope, identity; also a aliasing z.
    Act acts[3];
    acts[0].slope = 0.0f;
    acts[1].slope = -0.6f;
    acts[2].identity = true;
    for (const Act& act : acts) {
        for (int alias = 0; alias < 2; ++alias) {
            ABuf z(static_cast<size_t>(n_out * pb), kNaN), a(static_cast<size_t>(n_out * pb), kNaN);
            CsrArrays w = arrays(val, mom, bias, bias_mom);
            kt.forward(w, in.data(), z.data(), alias ? z.data() : a.data(), pb, act, rpart, threads);
            for (int64_t j = 0; j < n_out; ++j) {
                std::fill(sum.begin(), sum.end(), double(bias[j]));
                std::fill(mag.begin(), mag.end(), std::fabs(double(bias[j])));
                for (int64_t k = s.rp[j]; k < s.rp[j + 1]; ++k) {
                    const float* x = in.data() + int64_t(s.col[k]) * pb;
                    for (int b = 0; b < pb; ++b) {
                        const double term = double(s.val[k]) * x[b];
                        sum[b] += term;
                        mag[b] += std::fabs(term);
                    }
                }
                for (int b = 0; b < pb; ++b) {
                    const double tol = 1e-5 * mag[b] + 1e-7;
#define WHERE ctx << " forward slope=" << act.slope << (act.identity ? " identity" : "") \
                  << (alias ? " aliased" : "") << " j=" << j << " b=" << b
                    if (!alias) CHECK_NEAR_CTX(z[j * pb + b], sum[b], tol, WHERE);
                    const float got_a = alias ? z[j * pb + b] : a[j * pb + b];
                    CHECK_NEAR_CTX(got_a, act_ref(sum[b], act), tol, WHERE);
#undef WHERE
                }
            }
        }
    }

    // Input gradient: din = (W delta) * act'(zin); no factor without zin or for identity.
    struct BwVariant {
        bool with_z;
        Act act;
    };
    BwVariant variants[4] = {{true, acts[0]}, {true, acts[1]}, {true, acts[2]}, {false, acts[0]}};
    for (const BwVariant& v : variants) {
        ABuf din(static_cast<size_t>(n_in * pb), kNaN);
        CsrArrays w = arrays(val, mom, bias, bias_mom);
        kt.backward_input(w, t, delta.data(), v.with_z ? zin.data() : nullptr, v.act, din.data(), pb, cpart, threads);
        for (int64_t i = 0; i < n_in; ++i) {
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(mag.begin(), mag.end(), 0.0);
            for (const auto& [j, k] : by_col[i]) {
                const float* d = delta.data() + j * pb;
                for (int b = 0; b < pb; ++b) {
                    const double term = double(s.val[k]) * d[b];
                    sum[b] += term;
                    mag[b] += std::fabs(term);
                }
            }
            for (int b = 0; b < pb; ++b) {
                const double f = v.with_z ? dact_ref(zin[i * pb + b], v.act) : 1.0;
                CHECK_NEAR_CTX(din[i * pb + b], sum[b] * f, 1e-5 * mag[b] + 1e-7,
                               ctx << " backward with_z=" << v.with_z << " slope=" << v.act.slope
                                   << " identity=" << v.act.identity << " i=" << i << " b=" << b);
            }
        }
    }

    // Fused gradient + SGD step (momentum, Nesterov, weight decay; biases not decayed).
    Sgd sgds[3];
    sgds[0].lr = 0.1f, sgds[0].momentum = 0.9f, sgds[0].weight_decay = 0.0f, sgds[0].nesterov = false;
    sgds[1].lr = 0.05f, sgds[1].momentum = 0.8f, sgds[1].weight_decay = 0.01f, sgds[1].nesterov = true;
    sgds[2].lr = 0.2f, sgds[2].momentum = 0.0f, sgds[2].weight_decay = 0.001f, sgds[2].nesterov = false;
    for (Sgd sgd : sgds) {
        sgd.inv_n = 1.0f / static_cast<float>(std::max(1, pb - 3));
        std::vector<float> v2 = val, m2 = mom, b2 = bias, bm2 = bias_mom;
        CsrArrays w = arrays(v2, m2, b2, bm2);
        kt.update(w, in.data(), delta.data(), pb, sgd, rpart, threads);
        auto step = [&](double wv, double mv, double g, double wd, double& w_out, double& m_out) {
            const double vv = double(sgd.momentum) * mv - double(sgd.lr) * g;
            m_out = vv;
            const double st = sgd.nesterov ? double(sgd.momentum) * vv - double(sgd.lr) * g : vv;
            w_out = wv + st - wd * wv;
        };
        for (int64_t j = 0; j < n_out; ++j) {
            double gb = 0, gbm = 0;
            for (int b = 0; b < pb; ++b) gb += delta[j * pb + b], gbm += std::fabs(delta[j * pb + b]);
            double wr, mr;
            step(bias[j], bias_mom[j], gb * sgd.inv_n, 0.0, wr, mr);
            const double scale = std::fabs(bias[j]) + std::fabs(bias_mom[j]) + 2 * sgd.lr * sgd.inv_n * gbm;
            CHECK_NEAR_CTX(b2[j], wr, 1e-5 * scale + 1e-7, ctx << " update bias j=" << j << " nesterov=" << sgd.nesterov);
            CHECK_NEAR_CTX(bm2[j], mr, 1e-5 * scale + 1e-7, ctx << " update bias momentum j=" << j);
            for (int64_t k = s.rp[j]; k < s.rp[j + 1]; ++k) {
                double g = 0, gm = 0;
                for (int b = 0; b < pb; ++b) {
                    g += double(in[s.col[k] * pb + b]) * delta[j * pb + b];
                    gm += std::fabs(double(in[s.col[k] * pb + b]) * delta[j * pb + b]);
                }
                step(val[k], mom[k], g * sgd.inv_n, sgd.weight_decay, wr, mr);
                const double sc = std::fabs(val[k]) + std::fabs(mom[k]) + 2 * sgd.lr * sgd.inv_n * gm;
                CHECK_NEAR_CTX(v2[k], wr, 1e-5 * sc + 1e-7,
                               ctx << " update weight j=" << j << " k=" << k << " nesterov=" << sgd.nesterov
                                   << " wd=" << sgd.weight_decay);
                CHECK_NEAR_CTX(m2[k], mr, 1e-5 * sc + 1e-7, ctx << " update momentum j=" << j << " k=" << k);
            }
        }
    }
}

TEST(kernels_match_dense_reference) {
    int tables = 0;
    const int pbs[] = {8, 16, 24, 32, 40, 48, 64, 120, 128, 136};  // templates, odd multiples of 8, fallback
    for (const char* isa : kIsas) {
        const KernelTable* kt = kernels_for(isa);
        if (isa == std::string("generic")) REQUIRE(kt != nullptr);
        if (kt == nullptr) {
            std::printf("  (kernel table %s not supported by this CPU: skipped)\n", isa);
            continue;
        }
        CHECK(std::string(kt->isa) == isa);
        ++tables;
        for (const KernelShape& shape : kernel_shapes()) {
            for (int pb : pbs) {
                for (int threads : {1, 2, 3}) {
                    // Partitions with as many parts as threads (as the layers use), and more parts than threads.
                    std::vector<int> part_counts = {threads};
                    if (threads == 2) part_counts.push_back(7);
                    for (int parts : part_counts) {
                        const std::string ctx = std::string("[") + isa + " " + shape.name + " pb=" +
                                                std::to_string(pb) + " threads=" + std::to_string(threads) +
                                                " parts=" + std::to_string(parts) + "]";
                        run_kernel_case(*kt, shape, pb, threads, parts, ctx);
                    }
                }
            }
        }
    }
    CHECK(tables >= 1);
    CHECK(kernels_for("nonsense") == nullptr);
    CHECK(kernels_for(nullptr) == nullptr);
    // The chosen table is one of the supported ones.
    CHECK(kernels_for(kernels().isa) != nullptr);
}

// The gathers prefetch only from arrays larger than half of this CPU's L2 cache: layers with that many
// inputs (the forward pass gathers them) or outputs (the input gradient gathers those) take that path.
TEST(kernels_with_prefetching_gathers_match_reference) {
    const int64_t big = l2_cache_bytes() / (2 * 8 * int64_t(sizeof(float))) * 5 / 4 + 64;  // rows of 8 floats
    const std::vector<KernelShape> shapes = {{"many-inputs", random_csr(big, 24, 0.05, 16, {3}, {}, 5)},
                                             {"many-outputs", random_csr(24, big, 0.05, 17, {}, {2}, 7)}};
    for (const char* isa : kIsas) {
        const KernelTable* kt = kernels_for(isa);
        if (kt == nullptr) continue;
        for (const KernelShape& shape : shapes)
            for (int pb : {8, 32})
                for (int threads : {1, 2}) {
                    const std::string ctx = std::string("[") + isa + " " + shape.name + " pb=" + std::to_string(pb) +
                                            " threads=" + std::to_string(threads) + "]";
                    run_kernel_case(*kt, shape, pb, threads, threads, ctx);
                }
    }
}

// Dense products of the kernel tables (used by the dense layers): C = alpha op(A) op(B) + beta C.
TEST(gemm_matches_reference) {
    struct Dims {
        int64_t m, k, n;
    };
    for (const char* isa : kIsas) {
        const KernelTable* kt = kernels_for(isa);
        if (kt == nullptr) continue;
        REQUIRE(kt->gemm != nullptr);
        for (const Dims& d : {Dims{1, 1, 1}, Dims{7, 5, 3}, Dims{64, 33, 16}, Dims{130, 300, 24}}) {
            const std::vector<float> A = random_vec(static_cast<size_t>(d.m * d.k), 61);
            const std::vector<float> B = random_vec(static_cast<size_t>(d.k * d.n), 62);
            const std::vector<float> C0 = random_vec(static_cast<size_t>(d.m * d.n), 63);
            for (int ta = 0; ta < 2; ++ta)
                for (int tb = 0; tb < 2; ++tb)
                    for (float alpha : {1.0f, 0.5f})
                        for (float beta : {0.0f, 1.0f, 0.25f})
                            for (int threads : {1, 3}) {
                                std::vector<float> C = beta == 0.0f ? std::vector<float>(C0.size(), kNaN) : C0;
                                kt->gemm(A.data(), ta, B.data(), tb, C.data(), d.m, d.k, d.n, alpha, beta, threads);
                                for (int64_t i = 0; i < d.m; ++i)
                                    for (int64_t j = 0; j < d.n; ++j) {
                                        double sum = 0, mag = 0;
                                        for (int64_t q = 0; q < d.k; ++q) {
                                            // op(A)[i][q], op(B)[q][j] of row-major A (m x k or k x m), B.
                                            const double a = ta ? A[q * d.m + i] : A[i * d.k + q];
                                            const double b = tb ? B[j * d.k + q] : B[q * d.n + j];
                                            sum += a * b;
                                            mag += std::fabs(a * b);
                                        }
                                        const double want = alpha * sum + (beta == 0.0f ? 0.0 : beta * C0[i * d.n + j]);
                                        CHECK_NEAR_CTX(C[i * d.n + j], want, 1e-5 * (mag + std::fabs(C0[i * d.n + j])) + 1e-6,
                                                       isa << " gemm " << d.m << "x" << d.k << "x" << d.n << " ta=" << ta
                                                           << " tb=" << tb << " alpha=" << alpha << " beta=" << beta
                                                           << " threads=" << threads << " at " << i << "," << j);
                                    }
                            }
        }
    }
}

// The dense layers' products must not depend on the thread count either (same seed, same model).
TEST(gemm_bit_identical_across_threads) {
    struct Dims {
        int64_t m, k, n;
    };
    for (const char* isa : kIsas) {
        const KernelTable* kt = kernels_for(isa);
        if (kt == nullptr) continue;
        // Shapes of a dense layer's forward (m = outputs, k = inputs, n = batch) with a long inner dimension.
        for (const Dims& d : {Dims{300, 2100, 128}, Dims{500, 500, 16}}) {
            const std::vector<float> A = random_vec(static_cast<size_t>(d.m * d.k), 71);
            const std::vector<float> B = random_vec(static_cast<size_t>(d.k * d.n), 72);
            std::vector<float> C1(static_cast<size_t>(d.m * d.n));
            kt->gemm(A.data(), false, B.data(), false, C1.data(), d.m, d.k, d.n, 1.0f, 0.0f, 1);
            for (int threads : {2, 3}) {
                std::vector<float> C(C1.size());
                kt->gemm(A.data(), false, B.data(), false, C.data(), d.m, d.k, d.n, 1.0f, 0.0f, threads);
                int64_t differ = 0;
                for (size_t i = 0; i < C.size(); ++i) differ += std::memcmp(&C[i], &C1[i], sizeof(float)) != 0;
                CHECK_MSG(differ == 0, isa << " gemm " << d.m << "x" << d.k << "x" << d.n << ": " << differ << " of "
                                           << C.size() << " results differ between 1 and " << threads << " threads");
            }
        }
    }
}

#if defined(__x86_64__) || defined(__i386__)
// The kernels may flush denormals to zero for speed, but the caller's floating-point environment must be
// left as it was: in Node.js the caller is a libuv worker thread (or the JS thread) shared with other code.
// The transposed index packs (row, rank) into 4 bytes when rows and degrees fit 32 bits together, and
// falls back to 8 bytes (row, position) when they do not; both give the same input gradient.
TEST(transposed_index_packed_and_wide_forms) {
    // 2^20 + 1 rows need 21 bits, leaving 11 for the rank: a row of 2100 connections does not fit.
    const int64_t n_out = (int64_t(1) << 20) + 1, n_in = 2100;
    auto build = [&](int64_t long_row_degree) {
        std::vector<int64_t> rp(n_out + 1, 0);
        std::vector<int32_t> col;
        const int64_t rows_used[] = {0, 5, 777777, n_out - 1};
        for (int64_t j = 0; j < n_out; ++j) {
            for (int64_t r : rows_used) {
                if (r != j) continue;
                const int64_t degree = j == 5 ? long_row_degree : 3;
                for (int64_t c = 0; c < degree; ++c) col.push_back(static_cast<int32_t>(c));
            }
            rp[j + 1] = static_cast<int64_t>(col.size());
        }
        auto layer = std::make_unique<SparseLayer>(n_in, n_out);
        std::vector<float> val = random_vec(col.size(), 41);
        const size_t nnz = col.size();
        layer->assign(std::move(rp), std::move(col), std::move(val), std::vector<float>(nnz, 0.0f), 2);
        layer->check_invariants();
        return layer;
    };
    auto packed = build(2048);  // 2048 = 2^11 ranks 0..2047: fits
    auto wide = build(2100);
    CHECK(packed->packed());
    CHECK(!wide->packed());
    // 12 bytes per connection in the CSR arrays, plus 4 (packed) or 8 (wide) in the transposed index.
    CHECK_EQ(packed->model_bytes() - 16 * packed->connections(), wide->model_bytes() - 20 * wide->connections());
    const int pb = 8;
    for (SparseLayer* layer : {packed.get(), wide.get()}) {
        ABuf delta(static_cast<size_t>(n_out * pb), 0.0f), din(static_cast<size_t>(n_in * pb), kNaN);
        for (int64_t j : {int64_t(0), int64_t(5), int64_t(777777), n_out - 1})
            for (int b = 0; b < pb; ++b) delta[j * pb + b] = 0.25f * float(b + 1) - 0.01f * float(j % 13);
        for (int threads : {1, 2}) {
            layer->backward_input(delta.data(), nullptr, Act{}, din.data(), pb, threads);
            std::vector<double> ref(static_cast<size_t>(n_in * pb), 0.0);
            for (int64_t j = 0; j < n_out; ++j)
                for (int64_t k = layer->row_ptr()[j]; k < layer->row_ptr()[j + 1]; ++k)
                    for (int b = 0; b < pb; ++b) ref[layer->col()[k] * pb + b] += double(layer->values()[k]) * delta[j * pb + b];
            for (int64_t i = 0; i < n_in * pb; ++i)
                CHECK_NEAR_CTX(din[i], ref[i], 1e-5, (layer->packed() ? "packed" : "wide") << " i=" << i);
        }
    }
}

TEST(kernels_preserve_caller_fp_environment) {
    const unsigned kFtzDaz = 0x8040;
    _mm_setcsr(_mm_getcsr() & ~kFtzDaz);  // earlier tests may already have changed this thread's MXCSR
    ModelConfig c;
    c.layers = {12, 30, 4};
    c.epsilon = 3.0;
    c.threads = 1;  // the serial path runs on this thread
    Model m(c);
    const Data data = blobs(40, 12, 4, 1.0, 3);
    TrainConfig tc;
    tc.batch_size = 16;
    m.train_epoch(data.view(), tc, 0);
    m.evaluate(data.view());
    CHECK_MSG((_mm_getcsr() & kFtzDaz) == 0, "MXCSR FTZ/DAZ bits left set after training: 0x" << std::hex
                                                                                               << (_mm_getcsr() & kFtzDaz));
    volatile float tiny = 1e-40f;  // a denormal
    volatile float one = 1.0f;
    CHECK_MSG(tiny * one != 0.0f, "denormal arithmetic on the calling thread flushes to zero after training");
    _mm_setcsr(_mm_getcsr() & ~kFtzDaz);
}
#endif

// The layer classes wire the kernels (SparseLayer) or Eigen (DenseLayer) to the same math.
TEST(layers_match_dense_reference) {
    const CsrSpec s = random_csr(40, 30, 0.25, 41, {4}, {9}, 12);
    const std::vector<double> W = s.dense();
    const int64_t n_in = s.n_in, n_out = s.n_out;
    for (int pb : {16, 24}) {
        for (int threads : {1, 2, 3}) {
            for (int dense = 0; dense < 2; ++dense) {
                std::unique_ptr<Layer> layer;
                std::vector<float> bias = random_vec(static_cast<size_t>(n_out), 42);
                if (dense) {
                    auto d = std::make_unique<DenseLayer>(n_in, n_out);
                    for (int64_t k = 0; k < n_in * n_out; ++k) d->weights()[k] = static_cast<float>(W[k]);
                    d->bias() = bias;
                    layer = std::move(d);
                } else {
                    auto sp = std::make_unique<SparseLayer>(n_in, n_out);
                    sp->assign(s.rp, s.col, s.val, std::vector<float>(s.col.size(), 0.0f), threads);
                    sp->bias() = bias;
                    layer = std::move(sp);
                }
                const std::string ctx = std::string(dense ? "dense" : "sparse") + " pb=" + std::to_string(pb) +
                                        " threads=" + std::to_string(threads);
                CHECK_EQ(layer->connections(), dense ? n_in * n_out : static_cast<int64_t>(s.col.size()));
                ABuf in(static_cast<size_t>(n_in * pb));
                fill_random(in, 43);
                ABuf z(static_cast<size_t>(n_out * pb), kNaN), a(static_cast<size_t>(n_out * pb), kNaN);
                Act relu;
                Act neg;
                neg.slope = -0.3f;
                layer->forward(in.data(), z.data(), a.data(), pb, neg, threads);
                for (int64_t j = 0; j < n_out; ++j)
                    for (int b = 0; b < pb; ++b) {
                        double sum = bias[j], mag = std::fabs(bias[j]);
                        for (int64_t i = 0; i < n_in; ++i)
                            sum += W[j * n_in + i] * in[i * pb + b], mag += std::fabs(W[j * n_in + i] * in[i * pb + b]);
                        CHECK_NEAR_CTX(z[j * pb + b], sum, 1e-5 * mag + 1e-7, ctx);
                        CHECK_NEAR_CTX(a[j * pb + b], act_ref(sum, neg), 1e-5 * mag + 1e-7, ctx);
                    }
                ABuf delta(static_cast<size_t>(n_out * pb));
                fill_random(delta, 44);
                ABuf zin(static_cast<size_t>(n_in * pb));
                fill_random(zin, 45);
                ABuf din(static_cast<size_t>(n_in * pb), kNaN);
                layer->backward_input(delta.data(), zin.data(), relu, din.data(), pb, threads);
                for (int64_t i = 0; i < n_in; ++i)
                    for (int b = 0; b < pb; ++b) {
                        double sum = 0, mag = 0;
                        for (int64_t j = 0; j < n_out; ++j)
                            sum += W[j * n_in + i] * delta[j * pb + b], mag += std::fabs(W[j * n_in + i] * delta[j * pb + b]);
                        CHECK_NEAR_CTX(din[i * pb + b], sum * dact_ref(zin[i * pb + b], relu), 1e-5 * mag + 1e-7, ctx);
                    }
                // Two SGD steps with momentum and Nesterov: the second uses the momentum of the first.
                Sgd sgd;
                sgd.lr = 0.1f;
                sgd.momentum = 0.9f;
                sgd.nesterov = true;
                sgd.weight_decay = 0.01f;
                sgd.inv_n = 1.0f / 13.0f;
                std::vector<double> wref = W, mref(W.size(), 0.0), bref(bias.begin(), bias.end()),
                                    bmref(static_cast<size_t>(n_out), 0.0);
                for (int it = 0; it < 2; ++it) {
                    layer->update(in.data(), delta.data(), pb, sgd, threads);
                    for (int64_t j = 0; j < n_out; ++j) {
                        double gb = 0;
                        for (int b = 0; b < pb; ++b) gb += delta[j * pb + b];
                        gb *= sgd.inv_n;
                        double v = sgd.momentum * bmref[j] - sgd.lr * gb;
                        bmref[j] = v;
                        bref[j] += sgd.momentum * v - sgd.lr * gb;
                        for (int64_t i = 0; i < n_in; ++i) {
                            const size_t k = static_cast<size_t>(j * n_in + i);
                            if (!dense && W[k] == 0.0) continue;  // sparse: only existing connections
                            double g = 0;
                            for (int b = 0; b < pb; ++b) g += double(in[i * pb + b]) * delta[j * pb + b];
                            g *= sgd.inv_n;
                            v = sgd.momentum * mref[k] - sgd.lr * g;
                            mref[k] = v;
                            wref[k] += sgd.momentum * v - sgd.lr * g - sgd.weight_decay * wref[k];
                        }
                    }
                }
                const LayerCsr c = layer->csr();
                CHECK_EQ(c.rows, n_out);
                CHECK_EQ(c.cols, n_in);
                for (int64_t j = 0; j < n_out; ++j) {
                    CHECK_NEAR_CTX(c.bias[j], bref[j], 1e-4, ctx << " bias j=" << j);
                    for (int64_t k = c.row_ptr[j]; k < c.row_ptr[j + 1]; ++k)
                        CHECK_NEAR_CTX(c.values[k], wref[j * n_in + c.col[k]], 1e-4, ctx << " weight j=" << j);
                }
            }
        }
    }
}

// The model's forward pass, loss and softmax against a straightforward statement of the spec: hidden layers
// ReLU, or All-ReLU (slope -a on odd, +a on even hidden layers for negative inputs), softmax output,
// cross-entropy or MSE on the softmax outputs, means over samples.
TEST(forward_semantics_match_spec) {
    struct Variant {
        bool dense;
        Activation act;
        LossKind loss;
    };
    for (const Variant& v : {Variant{false, Activation::ReLU, LossKind::CrossEntropy},
                             Variant{false, Activation::AllReLU, LossKind::CrossEntropy},
                             Variant{true, Activation::AllReLU, LossKind::MSE},
                             Variant{false, Activation::ReLU, LossKind::MSE}}) {
        ModelConfig c;
        c.layers = {7, 12, 10, 9, 4};  // three hidden layers: odd, even, odd
        c.epsilon = 3.0;
        c.dense = v.dense;
        c.activation = v.act;
        c.all_relu_slope = 0.45f;
        c.loss = v.loss;
        c.seed = 12;
        Model m(c);
        {
            Rng rng(3);
            for (size_t l = 0; l < m.layer_count(); ++l) {
                std::vector<float>& b = v.dense ? dense_at(m, l).bias() : sparse_at(m, l).bias();
                for (float& x : b) x = rng.uniform(-0.5f, 0.5f);
            }
        }
        const Data data = blobs(37, 7, 4, 1.0, 99);
        std::vector<LayerCsr> L;
        for (size_t l = 0; l < m.layer_count(); ++l) L.push_back(m.layer_csr(static_cast<int>(l)));
        double loss = 0;
        int64_t correct = 0;
        const std::vector<float> p = m.predict(data.view(), 16);
        int64_t negatives = 0;
        for (int64_t s = 0; s < data.samples; ++s) {
            std::vector<double> a(data.x.begin() + s * 7, data.x.begin() + (s + 1) * 7);
            for (size_t l = 0; l < L.size(); ++l) {
                std::vector<double> z(static_cast<size_t>(L[l].rows));
                for (int64_t j = 0; j < L[l].rows; ++j) {
                    z[j] = L[l].bias[j];
                    for (int64_t k = L[l].row_ptr[j]; k < L[l].row_ptr[j + 1]; ++k) z[j] += L[l].values[k] * a[L[l].col[k]];
                }
                const size_t hidden = l + 1;  // 1-based neuron layer index
                if (hidden < L.size()) {
                    const double slope = v.act == Activation::ReLU ? 0.0 : (hidden % 2 == 1 ? -0.45 : 0.45);
                    for (double& x : z) {
                        if (x < 0) ++negatives;
                        x = x > 0 ? x : slope * x;
                    }
                }
                a = z;
            }
            const double zmax = *std::max_element(a.begin(), a.end());
            double sum = 0;
            for (double x : a) sum += std::exp(x - zmax);
            int64_t arg = 0;
            for (int k = 0; k < 4; ++k) {
                const double prob = std::exp(a[k] - zmax) / sum;
                CHECK_NEAR_CTX(p[s * 4 + k], prob, 2e-6, "sample " << s << " class " << k << " variant dense=" << v.dense
                                                                   << " allrelu=" << (v.act == Activation::AllReLU));
                if (a[k] > a[arg]) arg = k;
                const double t = k == data.y[s] ? 1.0 : 0.0;
                if (v.loss == LossKind::MSE) loss += 0.5 * (prob - t) * (prob - t);
                else if (t == 1.0) loss -= std::log(prob);
            }
            correct += arg == data.y[s];
        }
        CHECK(negatives > 0);  // the negative branch of the activations was exercised
        const EvalResult ev = m.evaluate(data.view(), 16);
        CHECK_NEAR(ev.loss, loss / double(data.samples), 1e-5 * (1 + loss / double(data.samples)));
        CHECK_EQ(ev.correct, correct);
    }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Gradient against finite differences
// ---------------------------------------------------------------------------------------------------------

std::vector<float*> param_ptrs(Model& m) {
    std::vector<float*> out;
    for (size_t l = 0; l < m.layer_count(); ++l) {
        if (auto* s = dynamic_cast<SparseLayer*>(&m.layer(l))) {
            for (float& v : s->values()) out.push_back(&v);
            for (float& v : s->bias()) out.push_back(&v);
        } else {
            DenseLayer& d = dense_at(m, l);
            for (float& v : d.weights()) out.push_back(&v);
            for (float& v : d.bias()) out.push_back(&v);
        }
    }
    return out;
}

void gradient_check(const ModelConfig& mc, int64_t samples, const std::string& name) {
    Model model(mc);
    // Biases away from 0: a neuron whose pre-activation is exactly 0 (no incoming connection, or only dead
    // inputs, and bias 0) sits on the ReLU kink, where central differences see half a slope and the
    // subgradient is 0. Keep every pre-activation clear of the kink.
    {
        Rng rng(mc.seed + 7);
        for (size_t l = 0; l < model.layer_count(); ++l) {
            std::vector<float>& b = model.layer(l).sparse() ? sparse_at(model, l).bias() : dense_at(model, l).bias();
            for (float& v : b) v = rng.uniform(0.1f, 0.3f) * (rng.uniform() < 0.5 ? -1.0f : 1.0f);
        }
    }
    const Data data = blobs(samples, mc.layers.front(), static_cast<int>(mc.layers.back()), 1.0, mc.seed + 100);
    std::unique_ptr<Model> probe = model.clone();
    std::vector<float*> before = param_ptrs(*probe);
    const double loss0 = probe->evaluate(data.view()).loss;

    TrainConfig tc;
    tc.batch_size = static_cast<int>(samples);
    tc.learning_rate = 1.0f;
    tc.momentum = 0.0f;
    tc.weight_decay = 0.0f;
    tc.dropout = 0.0f;
    tc.shuffle = false;
    const EpochResult er = model.train_epoch(data.view(), tc, 0);
    // The epoch's loss is measured before the step: the same as evaluate's.
    CHECK_NEAR_CTX(er.loss, loss0, 1e-5 * (1 + std::fabs(loss0)), name);
    std::vector<float*> after = param_ptrs(model);
    REQUIRE(before.size() == after.size());

    // Central differences; where a ReLU kink lies within the step on one side (a sample's pre-activation
    // crosses 0), the one-sided difference on the other side is clean: accept it, but only rarely.
    int64_t nonzero = 0, one_sided = 0;
    const double h = 1.0 / 1024.0;
    for (size_t k = 0; k < before.size(); ++k) {
        const double analytic = double(*before[k]) - double(*after[k]);
        float& w = *before[k];
        const float w0 = w;
        w = static_cast<float>(double(w0) + h);
        const double hp = double(w) - double(w0);
        const double lp = probe->evaluate(data.view()).loss;
        w = static_cast<float>(double(w0) - h);
        const double hm = double(w) - double(w0);
        const double lm = probe->evaluate(data.view()).loss;
        w = w0;
        const double central = (lp - lm) / (hp - hm);
        const double forward = (lp - loss0) / hp;
        const double backward = (loss0 - lm) / -hm;
        auto close = [&](double numeric) {
            return std::fabs(analytic - numeric) <= std::max(1e-3, 2e-2 * std::fabs(numeric));
        };
        if (std::fabs(analytic) > 1e-3) ++nonzero;
        if (close(central)) continue;
        if (close(forward) || close(backward)) {
            ++one_sided;
            continue;
        }
        CHECK_NEAR_CTX(analytic, central, std::max(1e-3, 2e-2 * std::fabs(central)),
                       name << " parameter " << k << " of " << before.size() << " (forward " << forward
                            << ", backward " << backward << ")");
    }
    CHECK_MSG(nonzero >= static_cast<int64_t>(before.size()) / 4,
              name << ": only " << nonzero << " of " << before.size() << " gradients are non-zero");
    CHECK_MSG(one_sided <= static_cast<int64_t>(before.size()) / 10,
              name << ": " << one_sided << " of " << before.size() << " parameters matched only one-sided differences");
}

TEST(gradient_matches_finite_differences) {
    ModelConfig base;
    base.layers = {6, 9, 7, 3};
    base.epsilon = 3.0;
    base.seed = 5;
    base.threads = 2;
    {
        ModelConfig c = base;
        Model m(c);
        // The sparse model really is sparse but has connections in every layer.
        for (size_t l = 0; l < m.layer_count(); ++l) {
            CHECK(m.layer(l).connections() > 0);
            CHECK(m.layer(l).connections() < m.layer(l).n_in() * m.layer(l).n_out() || l == 2);
        }
        gradient_check(c, 20, "sparse relu cross-entropy (pb 24)");
        gradient_check(c, 16, "sparse relu cross-entropy (pb 16)");
    }
    {
        ModelConfig c = base;
        c.dense = true;
        gradient_check(c, 20, "dense relu cross-entropy");
    }
    {
        ModelConfig c = base;
        c.activation = Activation::AllReLU;
        c.all_relu_slope = 0.6f;
        gradient_check(c, 20, "sparse all-relu cross-entropy");
    }
    {
        ModelConfig c = base;
        c.loss = LossKind::MSE;
        gradient_check(c, 20, "sparse relu mse");
    }
    {
        ModelConfig c = base;
        c.dense = true;
        c.activation = Activation::AllReLU;
        c.loss = LossKind::MSE;
        c.seed = 9;
        gradient_check(c, 16, "dense all-relu mse");
    }
    {
        ModelConfig c = base;
        c.layers = {5, 8, 2};
        c.weight_init = WeightInit::XavierUniform;
        gradient_check(c, 12, "sparse one hidden layer, two classes");
    }
}

// One training step (lr 1, momentum 0, one batch of all samples, no shuffle) against a double-precision
// backpropagation written from the spec, with dropout: the reference rebuilds the dropout mask from the
// documented counter-based streams (rng.hpp) and first checks it against the train-mode loss the step reports.
struct RefStep {
    double loss = 0;
    std::vector<std::vector<double>> grad_w, grad_b;  // per layer, in CSR order
};

RefStep reference_step(Model& m, const Data& data, float dropout, uint64_t epoch) {
    const ModelConfig& c = m.config();
    const size_t L = m.layer_count();
    const int64_t S = data.samples;
    const int pb = padded_batch(static_cast<int>(S));
    std::vector<LayerCsr> W;
    for (size_t l = 0; l < L; ++l) W.push_back(m.layer_csr(static_cast<int>(l)));
    auto slope_of = [&](size_t l) {  // neuron layer l (1-based hidden)
        return c.activation == Activation::ReLU ? 0.0 : (l % 2 == 1 ? -double(c.all_relu_slope) : double(c.all_relu_slope));
    };
    const uint64_t dropout_seed = derive_seed(c.seed, kStreamDropout, epoch, 0);
    // a[l][i][s], z[l][i][s], mask[l][i][s]
    std::vector<std::vector<std::vector<double>>> a(L + 1), z(L + 1), mask(L + 1);
    a[0].assign(static_cast<size_t>(W[0].cols), std::vector<double>(S));
    for (int64_t s = 0; s < S; ++s)
        for (int64_t f = 0; f < W[0].cols; ++f) a[0][f][s] = data.x[s * data.features + f];
    for (size_t l = 1; l <= L; ++l) {
        const LayerCsr& w = W[l - 1];
        z[l].assign(static_cast<size_t>(w.rows), std::vector<double>(S));
        a[l] = z[l];
        mask[l].assign(static_cast<size_t>(w.rows), std::vector<double>(S, 1.0));
        const uint64_t stream = derive_seed(dropout_seed, l);
        for (int64_t j = 0; j < w.rows; ++j)
            for (int64_t s = 0; s < S; ++s) {
                double v = w.bias[j];
                for (int64_t k = w.row_ptr[j]; k < w.row_ptr[j + 1]; ++k) v += double(w.values[k]) * a[l - 1][w.col[k]][s];
                z[l][j][s] = v;
                if (l < L) {
                    v = v > 0 ? v : slope_of(l) * v;
                    if (dropout > 0) {
                        const float u = hash_uniform(stream, static_cast<uint64_t>(j * pb + s));
                        mask[l][j][s] = u < dropout ? 0.0 : double(1.0f / (1.0f - dropout));
                        v *= mask[l][j][s];
                    }
                }
                a[l][j][s] = v;
            }
    }
    RefStep r;
    const int64_t C = W[L - 1].rows;
    std::vector<std::vector<double>> delta(static_cast<size_t>(C), std::vector<double>(S));
    for (int64_t s = 0; s < S; ++s) {
        double zmax = -INFINITY, sum = 0;
        for (int64_t k = 0; k < C; ++k) zmax = std::max(zmax, z[L][k][s]);
        std::vector<double> p(static_cast<size_t>(C));
        for (int64_t k = 0; k < C; ++k) sum += p[k] = std::exp(z[L][k][s] - zmax);
        double dot = 0;
        for (int64_t k = 0; k < C; ++k) {
            p[k] /= sum;
            const double g = p[k] - (k == data.y[s] ? 1.0 : 0.0);
            dot += p[k] * g;
            if (c.loss == LossKind::MSE) r.loss += 0.5 * g * g;
        }
        if (c.loss == LossKind::CrossEntropy) r.loss -= std::log(p[data.y[s]]);
        for (int64_t k = 0; k < C; ++k) {
            const double g = p[k] - (k == data.y[s] ? 1.0 : 0.0);
            delta[k][s] = c.loss == LossKind::CrossEntropy ? g : p[k] * (g - dot);
        }
    }
    r.loss /= double(S);
    r.grad_w.resize(L);
    r.grad_b.resize(L);
    for (size_t l = L; l >= 1; --l) {
        const LayerCsr& w = W[l - 1];
        auto& gw = r.grad_w[l - 1];
        auto& gb = r.grad_b[l - 1];
        gw.assign(w.values.size(), 0.0);
        gb.assign(static_cast<size_t>(w.rows), 0.0);
        std::vector<std::vector<double>> din(static_cast<size_t>(w.cols), std::vector<double>(S, 0.0));
        for (int64_t j = 0; j < w.rows; ++j)
            for (int64_t s = 0; s < S; ++s) {
                gb[j] += delta[j][s] / double(S);
                for (int64_t k = w.row_ptr[j]; k < w.row_ptr[j + 1]; ++k) {
                    gw[k] += delta[j][s] * a[l - 1][w.col[k]][s] / double(S);
                    din[w.col[k]][s] += double(w.values[k]) * delta[j][s];
                }
            }
        if (l > 1)
            for (int64_t i = 0; i < w.cols; ++i)
                for (int64_t s = 0; s < S; ++s)
                    din[i][s] *= (z[l - 1][i][s] > 0 ? 1.0 : slope_of(l - 1)) * mask[l - 1][i][s];
        delta = std::move(din);
    }
    return r;
}

TEST(training_step_matches_reference_backprop) {
    struct Variant {
        bool dense;
        Activation act;
        LossKind loss;
        float dropout;
    };
    for (const Variant& v : {Variant{false, Activation::ReLU, LossKind::CrossEntropy, 0.0f},
                             Variant{false, Activation::ReLU, LossKind::CrossEntropy, 0.3f},
                             Variant{false, Activation::AllReLU, LossKind::MSE, 0.25f},
                             Variant{true, Activation::ReLU, LossKind::CrossEntropy, 0.3f},
                             Variant{true, Activation::AllReLU, LossKind::CrossEntropy, 0.0f}}) {
        ModelConfig c;
        c.layers = {9, 14, 11, 8, 3};  // three hidden layers: All-ReLU slopes -a, +a, -a
        c.epsilon = 3.0;
        c.dense = v.dense;
        c.activation = v.act;
        c.loss = v.loss;
        c.seed = 77;
        c.threads = 2;
        Model m(c);
        const Data data = blobs(21, 9, 3, 1.0, 5);  // one batch of 21 (padded to 24)
        const uint64_t epoch = 3;
        const RefStep ref = reference_step(m, data, v.dropout, epoch);
        std::vector<LayerCsr> before;
        for (size_t l = 0; l < m.layer_count(); ++l) before.push_back(m.layer_csr(static_cast<int>(l)));
        TrainConfig tc;
        tc.batch_size = 21;
        tc.learning_rate = 1.0f;
        tc.momentum = 0.0f;
        tc.shuffle = false;
        tc.dropout = v.dropout;
        const EpochResult er = m.train_epoch(data.view(), tc, epoch);
        const std::string name = std::string(v.dense ? "dense" : "sparse") +
                                 (v.act == Activation::AllReLU ? " all-relu" : " relu") +
                                 (v.loss == LossKind::MSE ? " mse" : " ce") + " dropout " + std::to_string(v.dropout);
        // The train-mode loss validates the reference's forward pass and dropout mask.
        CHECK_NEAR_CTX(er.loss, ref.loss, 1e-5 * (1 + ref.loss), name << " (train-mode loss)");
        for (size_t l = 0; l < m.layer_count(); ++l) {
            const LayerCsr after = m.layer_csr(static_cast<int>(l));
            REQUIRE(after.values.size() == ref.grad_w[l].size());
            for (size_t k = 0; k < after.values.size(); ++k) {
                const double g = double(before[l].values[k]) - double(after.values[k]);
                CHECK_NEAR_CTX(g, ref.grad_w[l][k], 2e-5 + 1e-4 * std::fabs(ref.grad_w[l][k]),
                               name << " layer " << l << " weight " << k);
            }
            for (size_t j = 0; j < after.bias.size(); ++j) {
                const double g = double(before[l].bias[j]) - double(after.bias[j]);
                CHECK_NEAR_CTX(g, ref.grad_b[l][j], 2e-5 + 1e-4 * std::fabs(ref.grad_b[l][j]),
                               name << " layer " << l << " bias " << j);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// 3. Erdős–Rényi initialisation
// ---------------------------------------------------------------------------------------------------------

double expected_unique(double positions, double draws) { return positions * (1.0 - std::pow(1.0 - 1.0 / positions, draws)); }

TEST(erdos_renyi_draws_counts) {
    const std::vector<int64_t> layers = {325, 300, 300, 7};
    double expected_total = 0;
    std::vector<double> expected(layers.size() - 1);
    for (size_t l = 0; l + 1 < layers.size(); ++l) {
        expected[l] = expected_unique(double(layers[l]) * layers[l + 1], 10.0 * double(layers[l] + layers[l + 1]));
        expected_total += expected[l];
    }
    CHECK_NEAR(expected_total, 13471.0, 5.0);  // the design's number
    const int seeds = 8;
    std::vector<double> mean(layers.size() - 1, 0.0);
    for (int seed = 0; seed < seeds; ++seed) {
        ModelConfig c;
        c.layers = layers;
        c.epsilon = 10.0;
        c.topology = TopologyInit::Draws;
        c.seed = 1000 + seed;
        c.threads = 2;
        Model m(c);
        check_all_invariants(m);
        const int64_t total = total_connections(m);
        CHECK_NEAR_CTX(double(total), expected_total, 0.02 * expected_total, "seed " << c.seed);
        const MemoryStats ms = m.memory();
        CHECK_EQ(ms.connections, total);
        for (size_t l = 0; l + 1 < layers.size(); ++l) {
            const int64_t n = m.layer(l).connections();
            mean[l] += double(n) / seeds;
            CHECK_NEAR_CTX(double(n), expected[l], 0.03 * expected[l], "layer " << l << " seed " << c.seed);
            CHECK(m.layer(l).sparse());
            CHECK_EQ(m.layer(l).n_in(), layers[l]);
            CHECK_EQ(m.layer(l).n_out(), layers[l + 1]);
        }
        const Topology t = m.topology();
        CHECK(t.neurons == layers);
        CHECK_EQ(t.connections.size(), layers.size() - 1);
    }
    for (size_t l = 0; l + 1 < layers.size(); ++l)
        CHECK_NEAR_CTX(mean[l], expected[l], 0.01 * expected[l], "mean over seeds, layer " << l);
}

TEST(erdos_renyi_extreme_epsilon) {
    // A huge epsilon takes every position (quickly: draws are capped per position), in both topologies.
    for (TopologyInit topo : {TopologyInit::Draws, TopologyInit::Bernoulli}) {
        ModelConfig c;
        c.layers = {500, 10, 2};
        c.epsilon = 1e30;
        c.topology = topo;
        c.threads = 2;
        Model m(c);
        check_all_invariants(m);
        CHECK_EQ(m.layer(0).connections(), 5000);
        CHECK_EQ(m.layer(1).connections(), 20);
    }
    // Just below the cap the draws still run, and almost surely fill the layer too.
    ModelConfig c;
    c.layers = {50, 40, 2};
    c.epsilon = 30.0 * 50 * 40 / 90;  // 30 draws per position
    c.threads = 1;
    Model m(c);
    check_all_invariants(m);
    CHECK_EQ(m.layer(0).connections(), 2000);
    // An epsilon so small that a layer gets no connection at all is refused, naming the layer.
    ModelConfig tiny;
    tiny.layers = {20, 10, 2};
    tiny.epsilon = 1e-9;
    bool thrown = false;
    try {
        Model bad(tiny);
    } catch (const ArgumentError& e) {
        thrown = true;
        const std::string msg = e.what();
        CHECK_MSG(msg.find("layer 0 (20 -> 10)") != std::string::npos, msg);
        CHECK_MSG(msg.find("epsilon 1e-09") != std::string::npos, msg);
    }
    CHECK(thrown);
}

TEST(erdos_renyi_bernoulli_counts) {
    const std::vector<int64_t> layers = {325, 300, 300, 7};
    const int seeds = 8;
    for (size_t l = 0; l + 1 < layers.size(); ++l) {
        const double positions = double(layers[l]) * layers[l + 1];
        const double p = std::min(1.0, 10.0 * double(layers[l] + layers[l + 1]) / positions);
        double mean = 0;
        for (int seed = 0; seed < seeds; ++seed) {
            ModelConfig c;
            c.layers = layers;
            c.epsilon = 10.0;
            c.topology = TopologyInit::Bernoulli;
            c.seed = 77 + seed;
            Model m(c);
            if (l == 0) check_all_invariants(m);
            const double n = double(m.layer(l).connections());
            mean += n / seeds;
            const double sd = std::sqrt(positions * p * (1 - p));
            CHECK_NEAR_CTX(n, p * positions, 5 * sd + 0.5, "layer " << l << " seed " << c.seed);
            if (p >= 1.0) CHECK_EQ(m.layer(l).connections(), layers[l] * layers[l + 1]);  // capped: dense
        }
        CHECK_NEAR_CTX(mean, p * positions, 0.015 * p * positions + 0.5, "Bernoulli mean, layer " << l);
    }
    // The design's total for Bernoulli on lung-discrete: 14,350 expected.
    ModelConfig c;
    c.layers = layers;
    c.epsilon = 10.0;
    c.topology = TopologyInit::Bernoulli;
    c.seed = 3;
    Model m(c);
    CHECK_NEAR(double(total_connections(m)), 14350.0, 0.02 * 14350.0);
}

TEST(erdos_renyi_determinism_and_weights) {
    ModelConfig c;
    c.layers = {120, 90, 60, 4};
    c.epsilon = 6.0;
    c.seed = 42;
    for (auto topo : {TopologyInit::Draws, TopologyInit::Bernoulli}) {
        c.topology = topo;
        c.threads = 1;
        Model a(c);
        c.threads = 2;
        Model b(c);
        c.threads = 3;
        Model b3(c);
        CHECK(same_model(a, b));   // same seed: same topology and weights, for any thread count
        CHECK(same_model(a, b3));
        ModelConfig d = c;
        d.seed = 43;
        Model other(d);
        bool differs = false;
        for (size_t l = 0; l < a.layer_count(); ++l) {
            const LayerCsr x = a.layer_csr(static_cast<int>(l)), y = other.layer_csr(static_cast<int>(l));
            if (x.col != y.col || x.row_ptr != y.row_ptr) differs = true;
        }
        CHECK(differs);
        // He-uniform: weights inside +-sqrt(6 / fan_in), not all equal, biases 0, momentum 0.
        for (size_t l = 0; l < a.layer_count(); ++l) {
            SparseLayer& s = sparse_at(a, l);
            const double fan_in = double(s.connections()) / double(s.n_out());
            const double limit = std::sqrt(6.0 / fan_in) * (1 + 1e-6);
            double sum_abs = 0;
            for (float w : s.values()) {
                CHECK(std::fabs(w) <= limit);
                sum_abs += std::fabs(w);
            }
            CHECK(sum_abs > 0.3 * limit * s.connections());  // mean |w| = limit / 2 for uniform
            for (float m : s.momentum()) CHECK(m == 0.0f);
            for (float bv : s.bias()) CHECK(bv == 0.0f);
        }
    }
    // A layer large enough for the parallel initialisation path: same model for 1, 2 and 3 threads.
    {
        ModelConfig big;
        big.layers = {500, 600, 4};
        big.epsilon = 80.0;
        big.seed = 8;
        for (auto topo : {TopologyInit::Draws, TopologyInit::Bernoulli}) {
            big.topology = topo;
            big.threads = 1;
            Model a(big);
            CHECK(a.layer(0).connections() > 70000);
            check_all_invariants(a);
            for (int threads : {2, 3}) {
                big.threads = threads;
                Model b(big);
                CHECK_MSG(same_model(a, b), "threads " << threads);
            }
        }
    }
    // Dense layers: n_in * n_out connections, also seed-deterministic.
    ModelConfig dc = c;
    dc.dense = true;
    Model d1(dc), d2(dc);
    CHECK(same_model(d1, d2));
    CHECK_EQ(d1.layer(0).connections(), int64_t(120 * 90));
    CHECK(!d1.layer(0).sparse());
}

TEST(memory_linear_in_connections) {
    for (double eps : {5.0, 10.0, 20.0}) {
        ModelConfig c;
        c.layers = {800, 600, 500, 3};
        c.epsilon = eps;
        Model m(c);
        for (size_t l = 0; l < m.layer_count(); ++l) {
            const Layer& L = m.layer(l);
            const int64_t bound = 16 * L.connections() + 24 * (L.n_in() + L.n_out()) + 64;
            CHECK_MSG(L.model_bytes() <= bound, "layer " << l << " eps " << eps << ": " << L.model_bytes()
                                                         << " bytes for " << L.connections() << " connections");
        }
    }
    // The marginal cost of a connection is 16 bytes (value, momentum, column, packed transposed entry).
    ModelConfig a;
    a.layers = {2000, 2000, 2};
    a.epsilon = 10.0;
    ModelConfig b = a;
    b.epsilon = 20.0;
    Model ma(a), mb(b);
    const int64_t dc = mb.layer(0).connections() - ma.layer(0).connections();
    const int64_t db = mb.layer(0).model_bytes() - ma.layer(0).model_bytes();
    CHECK(dc > 30000);
    CHECK_EQ(db, 16 * dc);
    CHECK(double(mb.memory().model_bytes) / double(mb.memory().connections) < 18.0);
}

// ---------------------------------------------------------------------------------------------------------
// 4. SET evolution
// ---------------------------------------------------------------------------------------------------------

// Checks one layer's evolution against its state before (momenta must be non-zero and distinct from 0).
void check_evolved_layer(const EntryMap& before, SparseLayer& layer, double zeta, int64_t reported_removed,
                         int64_t reported_added, const std::string& ctx, RegrowInit regrow = RegrowInit::Normal) {
    {
        std::string err;
        try {
            layer.check_invariants();
        } catch (const std::exception& e) {
            err = e.what();
        }
        CHECK_MSG(err.empty(), ctx << ": " << err);
    }
    const EntryMap after = entries(layer);
    int64_t n_neg = 0, n_pos = 0;
    for (const auto& [key, e] : before) (e.w < 0 ? n_neg : n_pos)++;
    const int64_t want_neg = static_cast<int64_t>(std::floor(zeta * double(n_neg)));
    const int64_t want_pos = static_cast<int64_t>(std::floor(zeta * double(n_pos)));
    // Survivors: same position, same weight and same (non-zero, distinct) momentum.
    std::set<std::pair<int64_t, int32_t>> survivors;
    float max_removed_neg = 0, max_removed_pos = 0, min_kept_neg = INFINITY, min_kept_pos = INFINITY;
    int64_t removed_neg = 0, removed_pos = 0;
    for (const auto& [key, e] : before) {
        auto it = after.find(key);
        const bool kept = it != after.end() && it->second.w == e.w && it->second.m == e.m;
        if (kept) {
            survivors.insert(key);
            (e.w < 0 ? min_kept_neg : min_kept_pos) = std::min(e.w < 0 ? min_kept_neg : min_kept_pos, std::fabs(e.w));
        } else {
            (e.w < 0 ? removed_neg : removed_pos)++;
            (e.w < 0 ? max_removed_neg : max_removed_pos) =
                std::max(e.w < 0 ? max_removed_neg : max_removed_pos, std::fabs(e.w));
        }
    }
    CHECK_MSG(removed_neg == want_neg, ctx << ": removed " << removed_neg << " negative of " << n_neg << ", want " << want_neg);
    CHECK_MSG(removed_pos == want_pos, ctx << ": removed " << removed_pos << " positive of " << n_pos << ", want " << want_pos);
    CHECK_EQ(reported_removed, want_neg + want_pos);
    CHECK_MSG(removed_neg == 0 || min_kept_neg >= max_removed_neg,
              ctx << ": a surviving negative weight is closer to zero than a removed one");
    CHECK_MSG(removed_pos == 0 || min_kept_pos >= max_removed_pos,
              ctx << ": a surviving positive weight is closer to zero than a removed one");
    // New connections: not at a survivor's position, momentum 0, as many as removed (enough room here).
    int64_t fresh = 0, fresh_nonzero = 0;
    for (const auto& [key, e] : after) {
        if (survivors.count(key)) continue;
        ++fresh;
        CHECK_MSG(e.m == 0.0f, ctx << ": new connection with momentum " << e.m);
        if (e.w != 0.0f) ++fresh_nonzero;
        if (regrow == RegrowInit::Zero) CHECK(e.w == 0.0f);
        if (regrow == RegrowInit::Normal) CHECK(std::fabs(e.w) < 1.0f);  // N(0, 0.1^2): |w| < 10 sigma
    }
    CHECK_MSG(fresh == want_neg + want_pos, ctx << ": " << fresh << " new connections, want " << want_neg + want_pos);
    CHECK_EQ(reported_added, fresh);
    CHECK_EQ(static_cast<int64_t>(after.size()), static_cast<int64_t>(before.size()));
    if (regrow == RegrowInit::Normal && fresh > 10) CHECK(fresh_nonzero == fresh);
}

void randomise_momentum(Model& m, uint64_t seed) {
    Rng rng(seed);
    for (size_t l = 0; l < m.layer_count(); ++l)
        if (auto* s = dynamic_cast<SparseLayer*>(&m.layer(l)))
            for (float& v : s->momentum()) v = rng.uniform(0.5f, 1.5f) * (rng.uniform() < 0.5 ? -1.0f : 1.0f);
}

// Layers above 2^22 connections build their transposed index in parallel parts: the result must be the
// same as the serial build (columns sorted by row) for any thread count, after evolution too.
TEST(transposed_index_parallel_build_matches_serial) {
    npset::ModelConfig mc;
    mc.layers = {60000, 60000};
    mc.epsilon = 40;  // about 4.8M connections, above the parallel threshold
    mc.seed = 5;
    auto a = npset::make_sparse_layer(60000, 60000, mc, 0, 1);
    auto b = npset::make_sparse_layer(60000, 60000, mc, 0, 3);
    CHECK(a->connections() > (int64_t(1) << 22));
    CHECK_NOTHROW(b->check_invariants());
    CHECK(a->t_ptr() == b->t_ptr());
    CHECK(a->t_entries() == b->t_entries());
    a->evolve(npset::EvolutionConfig{}, 9, 1);
    b->evolve(npset::EvolutionConfig{}, 9, 2);
    CHECK_NOTHROW(b->check_invariants());
    CHECK(a->t_entries() == b->t_entries());
    CHECK(a->values() == b->values());
}

// The regrowth sorts its drawn positions with a bucket or radix sort: it must equal std::sort on uniform
// keys (short and long lists, both paths), on clustered keys (the fallback) and on edge cases.
TEST(sort_positions_matches_std_sort) {
    npset::Rng rng(77);
    std::vector<uint64_t> tmp;
    std::vector<size_t> start;
    const auto check = [&](std::vector<uint64_t> v, uint64_t limit, const char* what) {
        std::vector<uint64_t> want = v;
        std::sort(want.begin(), want.end());
        npset::sort_positions(v, limit, tmp, start);
        CHECK_MSG(v == want, what << " n=" << v.size() << " limit=" << limit);
    };
    for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(300), size_t(5000), size_t(70000)}) {
        for (uint64_t limit : {uint64_t(1), uint64_t(3), uint64_t(1000), uint64_t(1) << 40, ~uint64_t(0)}) {
            std::vector<uint64_t> v(n);
            for (uint64_t& x : v) x = rng.below(limit);
            check(v, limit, "uniform");
            std::vector<uint64_t> c(n);  // all in one narrow range near the top: one bucket
            for (uint64_t& x : c) x = limit - 1 - rng.below(std::min<uint64_t>(limit, 5));
            check(c, limit, "clustered");
            std::vector<uint64_t> d(v.rbegin(), v.rend());
            std::sort(d.begin(), d.end(), std::greater<uint64_t>());
            check(d, limit, "descending");
        }
    }
}

TEST(set_evolution_model) {
    ModelConfig c;
    c.layers = {60, 50, 40, 5};
    c.epsilon = 8.0;
    c.seed = 7;
    c.threads = 2;
    Model m(c);
    for (int epoch = 0; epoch < 3; ++epoch) {
        randomise_momentum(m, 100 + epoch);
        std::vector<EntryMap> before;
        for (size_t l = 0; l < m.layer_count(); ++l) before.push_back(entries(sparse_at(m, l)));
        EvolutionConfig ec;
        ec.zeta = 0.3;
        const EvolutionResult r = m.evolve(ec, static_cast<uint64_t>(epoch));
        REQUIRE(r.removed.size() == m.layer_count());
        REQUIRE(r.added.size() == m.layer_count());
        for (size_t l = 0; l < m.layer_count(); ++l)
            check_evolved_layer(before[l], sparse_at(m, l), 0.3, r.removed[l], r.added[l],
                                "epoch " + std::to_string(epoch) + " layer " + std::to_string(l));
    }
    // Regrowth with zero weights and with He-uniform weights.
    for (RegrowInit ri : {RegrowInit::Zero, RegrowInit::HeUniform}) {
        randomise_momentum(m, 7);
        std::vector<EntryMap> before;
        for (size_t l = 0; l < m.layer_count(); ++l) before.push_back(entries(sparse_at(m, l)));
        EvolutionConfig ec;
        ec.zeta = 0.5;
        ec.regrow_init = ri;
        const EvolutionResult r = m.evolve(ec, 11);
        for (size_t l = 0; l < m.layer_count(); ++l)
            check_evolved_layer(before[l], sparse_at(m, l), 0.5, r.removed[l], r.added[l],
                                std::string("regrow ") + (ri == RegrowInit::Zero ? "zero" : "he") + " layer " +
                                    std::to_string(l),
                                ri);
    }
}

TEST(set_evolution_layer_edge_cases) {
    // zeta 0 changes nothing.
    {
        ModelConfig c;
        c.layers = {30, 20, 3};
        c.epsilon = 4.0;
        c.seed = 3;
        Model m(c);
        randomise_momentum(m, 1);
        std::unique_ptr<Model> copy = m.clone();
        EvolutionConfig ec;
        ec.zeta = 0.0;
        const EvolutionResult r = m.evolve(ec, 1);
        for (size_t l = 0; l < m.layer_count(); ++l) {
            CHECK_EQ(r.removed[l], 0);
            CHECK_EQ(r.added[l], 0);
            CHECK(entries(sparse_at(m, l)).size() == entries(sparse_at(*copy, l)).size());
            CHECK(sparse_at(m, l).momentum() == sparse_at(*copy, l).momentum());
        }
        CHECK(same_model(m, *copy));
        // Invalid zeta is refused.
        ec.zeta = 1.5;
        CHECK_THROWS_AS(m.evolve(ec, 1), ArgumentError);
        ec.zeta = std::nan("");
        CHECK_THROWS_AS(m.evolve(ec, 1), ArgumentError);
    }
    // Ties: equal magnitudes, per sign; all-positive layer (zeros count with the positives).
    {
        SparseLayer l(4, 3);
        std::vector<int64_t> rp = {0, 4, 8, 12};
        std::vector<int32_t> col = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
        std::vector<float> val = {0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.0f, 1.0f, 2.0f, 0.5f, 0.5f, 3.0f};
        std::vector<float> mom(12);
        for (int k = 0; k < 12; ++k) mom[k] = 1.0f + k;
        l.assign(rp, col, val, mom, 1);
        const EntryMap before = entries(l);
        EvolutionConfig ec;
        ec.zeta = 0.5;  // 6 of 12 positives: 0, 0.25, 0.25 and three of the 0.5s
        const auto [removed, added] = l.evolve(ec, 99, 1);
        CHECK_EQ(removed, 6);
        CHECK_EQ(added, 6);  // the layer is full after removal: exactly the 6 removed positions are empty
        check_evolved_layer(before, l, 0.5, removed, added, "ties");
        CHECK_EQ(l.connections(), 12);
    }
    // A small near-dense layer: 7 x 5 with 30 of 35 positions filled, and a full one, over many seeds.
    for (int full = 0; full < 2; ++full) {
        int64_t failures = 0;
        for (uint64_t seed = 0; seed < 300; ++seed) {
            Rng rng(seed + 1);
            const int64_t n_in = 5, n_out = 7;
            std::vector<int> pos(35);
            std::iota(pos.begin(), pos.end(), 0);
            for (int i = 34; i > 0; --i) std::swap(pos[i], pos[rng.below(i + 1)]);
            std::vector<uint8_t> on(35, 0);
            for (int i = 0; i < (full ? 35 : 30); ++i) on[pos[i]] = 1;
            std::vector<int64_t> rp = {0};
            std::vector<int32_t> col;
            std::vector<float> val, mom;
            for (int64_t j = 0; j < n_out; ++j) {
                for (int32_t i = 0; i < n_in; ++i)
                    if (on[j * n_in + i]) {
                        col.push_back(i);
                        val.push_back(rng.uniform(-1.0f, 1.0f));
                        mom.push_back(rng.uniform(0.5f, 1.0f));
                    }
                rp.push_back(static_cast<int64_t>(col.size()));
            }
            SparseLayer l(n_in, n_out);
            l.assign(rp, col, val, mom, 1);
            const EntryMap before = entries(l);
            EvolutionConfig ec;
            ec.zeta = full ? 0.5 : 0.3;
            const int64_t fails_before = tst::state().total_failed_checks;
            const auto [removed, added] = l.evolve(ec, seed, 2);
            check_evolved_layer(before, l, ec.zeta, removed, added,
                                std::string(full ? "full 7x5" : "near-dense 7x5") + " seed " + std::to_string(seed));
            if (tst::state().total_failed_checks != fails_before) ++failures;
        }
        if (failures) std::printf("  %s 7x5 layer: %lld of 300 seeds failed\n", full ? "full" : "near-dense",
                                  static_cast<long long>(failures));
    }
}

// Removal on the parallel path (more than 2^16 connections, several position chunks): weights quantised to
// a few values make most removals ties at the threshold, which go in position order across chunks. The
// result obeys the removal rule and is the same for 1, 2 and 3 threads.
TEST(set_evolution_parallel_removal_with_ties) {
    const int64_t n_in = 700, n_out = 500;
    std::vector<std::unique_ptr<SparseLayer>> layers;
    EntryMap before;
    for (int threads : {1, 2, 3}) {
        Rng rng(77);
        std::vector<int64_t> rp = {0};
        std::vector<int32_t> col;
        std::vector<float> val, mom;
        for (int64_t j = 0; j < n_out; ++j) {
            for (int32_t i = 0; i < n_in; ++i) {
                if (rng.uniform(0.0f, 1.0f) < 0.3f) {
                    col.push_back(i);
                    // 8 magnitudes per sign, plus exact zeros (counted with the positives).
                    const int q = static_cast<int>(rng.below(17)) - 8;
                    val.push_back(0.125f * float(q));
                    mom.push_back(float(j % 7));
                }
            }
            rp.push_back(static_cast<int64_t>(col.size()));
        }
        auto l = std::make_unique<SparseLayer>(n_in, n_out);
        l->assign(rp, col, val, mom, threads);
        if (layers.empty()) before = entries(*l);
        EvolutionConfig ec;
        ec.zeta = 0.3;
        const auto [removed, added] = l->evolve(ec, 5, threads);
        check_evolved_layer(before, *l, ec.zeta, removed, added, "quantised weights, threads " + std::to_string(threads));
        layers.push_back(std::move(l));
    }
    CHECK(layers[0]->connections() > (int64_t(1) << 16));
    for (int t = 1; t < 3; ++t) {
        CHECK(layers[0]->row_ptr() == layers[t]->row_ptr());
        CHECK(layers[0]->col() == layers[t]->col());
        CHECK(layers[0]->values() == layers[t]->values());
        CHECK(layers[0]->t_entries() == layers[t]->t_entries());
    }
}

TEST(set_evolution_deterministic) {
    ModelConfig c;
    // 600 rows: more rows than random-stream blocks; layer 0 has about 76k connections, enough for the
    // parallel path of initialisation and evolution (small layers run serially).
    c.layers = {500, 600, 150, 4};
    c.epsilon = 80.0;
    c.seed = 21;
    std::vector<std::unique_ptr<Model>> models;
    for (int threads : {1, 2, 4}) {
        c.threads = threads;
        models.push_back(std::make_unique<Model>(c));
    }
    EvolutionConfig ec;
    ec.zeta = 0.3;
    for (auto& m : models) {
        randomise_momentum(*m, 5);
        m->evolve(ec, 4);
        check_all_invariants(*m);
    }
    CHECK(models[0]->layer(0).connections() > 70000);
    CHECK(same_model(*models[0], *models[1]));
    CHECK(same_model(*models[0], *models[2]));
    for (size_t l = 0; l < models[0]->layer_count(); ++l)
        CHECK(sparse_at(*models[0], l).momentum() == sparse_at(*models[2], l).momentum());
    // Same seed and epoch: same result; another epoch: another topology.
    c.threads = 2;
    Model a(c), b(c), e(c);
    a.evolve(ec, 4);
    b.evolve(ec, 4);
    e.evolve(ec, 5);
    CHECK(same_model(a, b));
    CHECK(same_model(a, *models[0]));
    CHECK(a.layer_csr(0).col != e.layer_csr(0).col);
    // Dense models are not evolved.
    ModelConfig dc = c;
    dc.dense = true;
    dc.layers = {20, 10, 3};
    Model d(dc);
    std::unique_ptr<Model> dcopy = d.clone();
    const EvolutionResult r = d.evolve(ec, 0);
    CHECK(same_model(d, *dcopy));
    CHECK(r.removed == std::vector<int64_t>({0, 0}));
}

// ---------------------------------------------------------------------------------------------------------
// 5. NPSET neuron pruning
// ---------------------------------------------------------------------------------------------------------

int64_t pruned_size(int64_t n, double alpha, int times) {
    for (int i = 0; i < times; ++i) n -= static_cast<int64_t>(std::floor(alpha * double(n) + 1e-9));
    return n;
}

TEST(npset_prune_arithmetic) {
    const std::pair<int64_t, int64_t> table[] = {{300, 66},   {1000, 198},  {3000, 573},  {4000, 761},
                                                 {5000, 946}, {7000, 1320}, {10000, 1884}};
    for (const auto& [n, want] : table) CHECK_EQ(pruned_size(n, 0.04, 41), want);
}

// Expected removal order for hidden layer h (1-based) by a criterion, from the layers' CSR.
std::vector<int64_t> expected_order(const Model& m, int h, PruneCriterion crit) {
    const LayerCsr in = m.layer_csr(h - 1), out = m.layer_csr(h);
    const int64_t n = in.rows;
    std::vector<int64_t> in_deg(n, 0), out_deg(n, 0);
    std::vector<double> in_str(n, 0.0), out_str(n, 0.0);
    for (int64_t j = 0; j < n; ++j)
        for (int64_t k = in.row_ptr[j]; k < in.row_ptr[j + 1]; ++k) ++in_deg[j], in_str[j] += std::fabs(in.values[k]);
    for (int64_t j = 0; j < out.rows; ++j)
        for (int64_t k = out.row_ptr[j]; k < out.row_ptr[j + 1]; ++k)
            ++out_deg[out.col[k]], out_str[out.col[k]] += std::fabs(out.values[k]);
    std::vector<int64_t> deg(n);
    std::vector<double> str(n);
    for (int64_t i = 0; i < n; ++i) {
        switch (crit) {
            case PruneCriterion::OutDegree: deg[i] = out_deg[i], str[i] = out_str[i]; break;
            case PruneCriterion::InDegree: deg[i] = in_deg[i], str[i] = in_str[i]; break;
            case PruneCriterion::InOut: deg[i] = in_deg[i] + out_deg[i], str[i] = in_str[i] + out_str[i]; break;
            case PruneCriterion::Strength: deg[i] = 0, str[i] = out_str[i]; break;
        }
    }
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        if (deg[a] != deg[b]) return deg[a] < deg[b];
        if (str[a] != str[b]) return str[a] < str[b];
        return a < b;
    });
    return order;
}

// Connections touching any removed neuron: removed[h-1] lists removed neurons of hidden layer h.
int64_t touching(const Model& m, const std::vector<std::set<int64_t>>& removed) {
    int64_t n = 0;
    for (size_t l = 0; l < m.layer_count(); ++l) {
        const LayerCsr c = m.layer_csr(static_cast<int>(l));
        const std::set<int64_t>* rows = l < removed.size() ? &removed[l] : nullptr;         // hidden l+1
        const std::set<int64_t>* cols = l >= 1 && l - 1 < removed.size() ? &removed[l - 1] : nullptr;  // hidden l
        for (int64_t j = 0; j < c.rows; ++j)
            for (int64_t k = c.row_ptr[j]; k < c.row_ptr[j + 1]; ++k)
                if ((rows && rows->count(j)) || (cols && cols->count(c.col[k]))) ++n;
    }
    return n;
}

TEST(npset_prune_real_models) {
    ModelConfig c;
    c.layers = {30, 300, 1000, 3};
    c.epsilon = 5.0;
    c.seed = 17;
    c.threads = 2;
    Model m(c);
    PruneConfig pc;
    pc.hidden_layers = {1, 2};
    pc.alpha = 0.04;
    const Data data = blobs(64, 30, 3, 2.0, 5);
    TrainConfig tc;
    tc.batch_size = 16;
    tc.learning_rate = 0.02f;
    for (int step = 0; step < 41; ++step) {
        const int64_t n1 = m.layer(0).n_out(), n2 = m.layer(1).n_out();
        const std::vector<int64_t> o1 = expected_order(m, 1, PruneCriterion::OutDegree);
        const std::vector<int64_t> o2 = expected_order(m, 2, PruneCriterion::OutDegree);
        const int64_t k1 = static_cast<int64_t>(std::floor(0.04 * n1 + 1e-9));
        const int64_t k2 = static_cast<int64_t>(std::floor(0.04 * n2 + 1e-9));
        std::vector<int64_t> e1(o1.begin(), o1.begin() + k1), e2(o2.begin(), o2.begin() + k2);
        std::sort(e1.begin(), e1.end());
        std::sort(e2.begin(), e2.end());
        const std::vector<std::set<int64_t>> rm = {std::set<int64_t>(e1.begin(), e1.end()),
                                                   std::set<int64_t>(e2.begin(), e2.end())};
        const int64_t lost = touching(m, rm);
        const int64_t conn_before = total_connections(m);
        const int64_t in_before = m.layer(1).n_in();
        // The core's own order agrees with the rule.
        CHECK(m.neuron_order(1, PruneCriterion::OutDegree) == o1);
        CHECK(m.neuron_order(2, PruneCriterion::OutDegree) == o2);
        const PruneResult r = m.prune_neurons(pc);
        REQUIRE(r.removed.size() == 2);
        CHECK_MSG(r.removed[0] == e1, "step " << step << ": hidden 1 removed other neurons");
        CHECK_MSG(r.removed[1] == e2, "step " << step << ": hidden 2 removed other neurons");
        CHECK_EQ(m.layer(0).n_out(), n1 - k1);
        CHECK_EQ(m.layer(1).n_in(), in_before - k1);
        CHECK_EQ(m.layer(1).n_out(), n2 - k2);
        CHECK_EQ(m.layer(2).n_in(), n2 - k2);
        CHECK_MSG(total_connections(m) == conn_before - lost,
                  "step " << step << ": " << conn_before - total_connections(m) << " connections lost, want " << lost);
        if (step % 10 == 0 || step == 40) {
            check_all_invariants(m);
            // Training runs between prunings (buffers follow the new sizes).
            const EpochResult er = m.train_epoch(data.view(), tc, static_cast<uint64_t>(step));
            CHECK(std::isfinite(er.loss));
        }
    }
    const Topology t = m.topology();
    CHECK(t.neurons == std::vector<int64_t>({30, 66, 198, 3}));
    check_all_invariants(m);
    const EpochResult er = m.train_epoch(data.view(), tc, 99);
    CHECK(std::isfinite(er.loss));
    const EvalResult ev = m.evaluate(data.view());
    CHECK(std::isfinite(ev.loss));
    EvolutionConfig ec;
    const EvolutionResult evo = m.evolve(ec, 3);
    check_all_invariants(m);
    CHECK(evo.removed[0] > 0);
    CHECK(m.train_epoch(data.view(), tc, 100).samples == 64);
}

// A hand-made model: hidden layer of 6 neurons with chosen in- and out-degrees and strengths.
std::unique_ptr<Model> handmade_model() {
    ModelConfig c;
    c.layers = {4, 6, 3};
    c.epsilon = 1.0;
    c.threads = 1;
    auto m = std::make_unique<Model>(c);
    // Layer 0 (rows = hidden neurons, n_in 4): in-degrees 1, 4, 0, 2, 1, 2.
    sparse_at(*m, 0).assign({0, 1, 5, 5, 7, 8, 10}, {1, 0, 1, 2, 3, 0, 2, 3, 1, 3},
                            {0.5f, 0.25f, -0.25f, 0.25f, -0.25f, 0.5f, -0.5f, -0.25f, 0.25f, -0.25f},
                            std::vector<float>(10, 0.0f), 1);
    // Layer 1 (rows = 3 outputs, columns = hidden neurons): out-degrees 2, 1, 1, 0, 1, 3.
    sparse_at(*m, 1).assign({0, 3, 6, 8}, {0, 2, 5, 0, 4, 5, 1, 5},
                            {-0.5f, -0.75f, 0.125f, 0.5f, -0.25f, 0.125f, 0.25f, 0.125f},
                            std::vector<float>(8, 0.0f), 1);
    return m;
}

TEST(npset_prune_criteria_and_ties) {
    auto m = handmade_model();
    check_all_invariants(*m);
    // Out-degree: 3 (0), then 1 and 4 (1, 0.25: tie -> lower index), 2 (1, 0.75), 0 (2), 5 (3).
    CHECK(m->neuron_order(1, PruneCriterion::OutDegree) == std::vector<int64_t>({3, 1, 4, 2, 0, 5}));
    // In-degree: 2 (0), 4 (1, 0.25), 0 (1, 0.5), 5 (2, 0.5), 3 (2, 1.0), 1 (4).
    CHECK(m->neuron_order(1, PruneCriterion::InDegree) == std::vector<int64_t>({2, 4, 0, 5, 3, 1}));
    // In + out: 2 (1), 4 (2, 0.5), 3 (2, 1.0), 0 (3), 5 (5, 0.875), 1 (5, 1.25).
    CHECK(m->neuron_order(1, PruneCriterion::InOut) == std::vector<int64_t>({2, 4, 3, 0, 5, 1}));
    // Strength (sum |w| of outgoing): 3 (0), 1 (0.25), 4 (0.25), 5 (0.375), 2 (0.75), 0 (1.0).
    CHECK(m->neuron_order(1, PruneCriterion::Strength) == std::vector<int64_t>({3, 1, 4, 5, 2, 0}));
    for (auto crit : {PruneCriterion::OutDegree, PruneCriterion::InDegree, PruneCriterion::InOut, PruneCriterion::Strength})
        CHECK(m->neuron_order(1, crit) == expected_order(*m, 1, crit));

    // Prune 2 of 6 (floor(0.34 * 6) = 2) by out-degree: neurons 1 and 3 go with their 5 + 2 connections.
    const LayerCsr l1_before = m->layer_csr(1);
    PruneConfig pc;
    pc.hidden_layers = {1};
    pc.alpha = 0.34;
    const PruneResult r = m->prune_neurons(pc);
    REQUIRE(r.removed.size() == 1);
    CHECK(r.removed[0] == std::vector<int64_t>({1, 3}));
    CHECK_EQ(m->layer(0).n_out(), 4);
    CHECK_EQ(m->layer(1).n_in(), 4);
    CHECK_EQ(m->layer(0).connections(), 10 - 4 - 2);
    CHECK_EQ(m->layer(1).connections(), 8 - 1);
    check_all_invariants(*m);
    // Survivors keep their weights: old hidden neurons 0, 2, 4, 5 are now 0, 1, 2, 3.
    const LayerCsr l0 = m->layer_csr(0);
    CHECK(l0.row_ptr == std::vector<int64_t>({0, 1, 1, 2, 4}));
    CHECK(l0.col == std::vector<int32_t>({1, 3, 1, 3}));
    CHECK(l0.values == std::vector<float>({0.5f, -0.25f, 0.25f, -0.25f}));
    const LayerCsr l1 = m->layer_csr(1);
    CHECK(l1.row_ptr == std::vector<int64_t>({0, 3, 6, 7}));
    CHECK(l1.col == std::vector<int32_t>({0, 1, 3, 0, 2, 3, 3}));
    CHECK(l1.values == std::vector<float>({-0.5f, -0.75f, 0.125f, 0.5f, -0.25f, 0.125f, 0.125f}));
    CHECK(l1.bias == l1_before.bias);

    // Other criteria on fresh copies.
    for (auto [crit, want] : std::vector<std::pair<PruneCriterion, std::vector<int64_t>>>{
             {PruneCriterion::InDegree, {2, 4}}, {PruneCriterion::InOut, {2, 4}}, {PruneCriterion::Strength, {1, 3}}}) {
        auto mc = handmade_model();
        PruneConfig p2 = pc;
        p2.criterion = crit;
        const PruneResult r2 = mc->prune_neurons(p2);
        CHECK(r2.removed[0] == want);
        check_all_invariants(*mc);
    }
    // alpha 0 removes nothing; floor(alpha * n) < 1 removes nothing.
    {
        auto mc = handmade_model();
        PruneConfig p0 = pc;
        p0.alpha = 0.1;  // floor(0.6) = 0
        const PruneResult r0 = mc->prune_neurons(p0);
        CHECK(r0.removed.size() == 1 && r0.removed[0].empty());
        CHECK_EQ(mc->layer(0).n_out(), 6);
    }
    // remove_neurons directly, then training and evaluation on the smaller model.
    {
        auto mc = handmade_model();
        mc->remove_neurons(1, {5, 0, 5});  // duplicates are harmless
        CHECK_EQ(mc->layer(0).n_out(), 4);
        CHECK_EQ(mc->layer(1).n_in(), 4);
        CHECK_EQ(total_connections(*mc), 18 - (1 + 2) - (2 + 3));
        check_all_invariants(*mc);
        CHECK_THROWS_AS(mc->remove_neurons(1, {4}), ArgumentError);  // out of range
        CHECK_THROWS_AS(mc->remove_neurons(1, {-1}), ArgumentError);
        CHECK_THROWS_AS(mc->remove_neurons(0, {0}), ArgumentError);  // not a hidden layer
        CHECK_THROWS_AS(mc->remove_neurons(2, {0}), ArgumentError);
        CHECK_THROWS_AS(mc->neuron_order(2, PruneCriterion::OutDegree), ArgumentError);
        CHECK_THROWS_AS(mc->neuron_order(0, PruneCriterion::OutDegree), ArgumentError);
        const Data data = blobs(40, 4, 3, 2.0, 9);
        TrainConfig tc;
        tc.batch_size = 8;
        CHECK(std::isfinite(mc->train_epoch(data.view(), tc, 0).loss));
        CHECK(std::isfinite(mc->evaluate(data.view()).loss));
        CHECK_EQ(mc->predict(data.view()).size(), size_t(40 * 3));
    }
}

// Removing every neuron of a hidden layer is allowed: the next layer then sees only its biases.
TEST(npset_remove_all_neurons) {
    for (int dense = 0; dense < 2; ++dense) {
        std::unique_ptr<Model> mc;
        if (dense) {
            ModelConfig c;
            c.layers = {4, 6, 3};
            c.dense = true;
            mc = std::make_unique<Model>(c);
        } else {
            mc = handmade_model();
        }
        mc->remove_neurons(1, {0, 1, 2, 3, 4, 5});
        CHECK_EQ(mc->layer(0).n_out(), 0);
        CHECK_EQ(mc->layer(1).n_in(), 0);
        CHECK_EQ(total_connections(*mc), 0);
        CHECK(mc->topology().neurons == std::vector<int64_t>({4, 0, 3}));
        check_all_invariants(*mc);
        const Data data = blobs(40, 4, 3, 2.0, 9);
        TrainConfig tc;
        tc.batch_size = 8;
        CHECK(std::isfinite(mc->train_epoch(data.view(), tc, 0).loss));
        const LayerCsr out = mc->layer_csr(1);
        double sum = 0;
        std::vector<double> soft(3);
        for (int c = 0; c < 3; ++c) sum += soft[c] = std::exp(double(out.bias[c]));
        const std::vector<float> p = mc->predict(data.view());
        REQUIRE(p.size() == size_t(40 * 3));
        for (int64_t s = 0; s < 40; ++s)
            for (int c = 0; c < 3; ++c) CHECK_NEAR_CTX(p[s * 3 + c], soft[c] / sum, 1e-6, (dense ? "dense" : "sparse"));
        CHECK(std::isfinite(mc->evaluate(data.view()).loss));
        EvolutionConfig ec;
        CHECK_NOTHROW(mc->evolve(ec, 0));
        PruneConfig pc;
        pc.hidden_layers = {1};
        // Nothing is left to prune: floor(alpha * 0) = 0 neurons, no error.
        PruneResult r;
        CHECK_NOTHROW(r = mc->prune_neurons(pc));
        CHECK(r.removed.size() == 1 && r.removed[0].empty());
        CHECK_EQ(mc->layer(0).n_out(), 0);
    }
}

TEST(npset_prune_dense_model) {
    ModelConfig c;
    c.layers = {10, 50, 20, 3};
    c.dense = true;
    c.seed = 2;
    Model m(c);
    PruneConfig pc;
    pc.hidden_layers = {1, 2};
    pc.alpha = 0.1;
    std::vector<int64_t> want1 = expected_order(m, 1, PruneCriterion::OutDegree);
    want1.resize(5);
    std::sort(want1.begin(), want1.end());
    const PruneResult r = m.prune_neurons(pc);
    CHECK(r.removed[0] == want1);  // all degrees equal: by strength
    const Topology t = m.topology();
    CHECK(t.neurons == std::vector<int64_t>({10, 45, 18, 3}));
    CHECK_EQ(m.layer(1).connections(), int64_t(45 * 18));
    const Data data = blobs(30, 10, 3, 2.0, 1);
    TrainConfig tc;
    tc.batch_size = 10;
    CHECK(std::isfinite(m.train_epoch(data.view(), tc, 0).loss));
}

// ---------------------------------------------------------------------------------------------------------
// 6. Training end to end, determinism, cancellation, arguments
// ---------------------------------------------------------------------------------------------------------

TEST(training_learns_separable_problem) {
    const Data data = blobs(300, 20, 3, 1.5, 123);
    for (int dense = 0; dense < 2; ++dense) {
        ModelConfig c;
        c.layers = {20, 64, 32, 3};
        c.epsilon = 4.0;
        c.dense = dense;
        c.seed = 8;
        c.threads = 2;
        Model m(c);
        TrainConfig tc;
        tc.batch_size = 16;
        tc.learning_rate = 0.05f;
        tc.momentum = 0.9f;
        const double loss0 = m.evaluate(data.view()).loss;
        EpochResult last;
        for (int e = 0; e < 5; ++e) {
            last = m.train_epoch(data.view(), tc, static_cast<uint64_t>(e));
            if (!dense && e < 4) m.evolve(EvolutionConfig{}, static_cast<uint64_t>(e));
        }
        const EvalResult ev = m.evaluate(data.view());
        CHECK_MSG(ev.accuracy > 0.9, (dense ? "dense" : "sparse") << " accuracy " << ev.accuracy);
        CHECK(ev.loss < loss0);
        CHECK(last.accuracy > 0.8);
        CHECK_EQ(ev.samples, 300);
        CHECK(ev.correct == static_cast<int64_t>(std::llround(ev.accuracy * 300)));
    }
    // All-ReLU, MSE, Nesterov, weight decay and dropout also learn.
    ModelConfig c;
    c.layers = {20, 64, 32, 3};
    c.epsilon = 4.0;
    c.activation = Activation::AllReLU;
    c.loss = LossKind::MSE;
    c.seed = 9;
    Model m(c);
    TrainConfig tc;
    tc.batch_size = 16;
    tc.learning_rate = 0.02f;  // All-ReLU is unbounded on both sides: 0.1 with Nesterov diverges here
    tc.nesterov = true;
    tc.weight_decay = 1e-4f;
    tc.dropout = 0.1f;
    for (int e = 0; e < 8; ++e) m.train_epoch(data.view(), tc, static_cast<uint64_t>(e));
    const EvalResult ev = m.evaluate(data.view());
    CHECK_MSG(ev.accuracy > 0.9, "all-relu mse accuracy " << ev.accuracy);
}

// 3 epochs with evolution in between, dropout and a pruning: bit-identical for any thread count (1, 2, 3 and 16).
// The sizes are large enough for every parallel path of the core (the small-work serial cut-offs are
// about 2^16 connections for initialisation and evolution, 2^18 multiply-adds or elements elsewhere).
std::unique_ptr<Model> train_run(int threads, bool dense) {
    ModelConfig c;
    c.layers = dense ? std::vector<int64_t>{300, 2100, 300, 4} : std::vector<int64_t>{300, 2100, 600, 4};
    c.epsilon = 30.0;  // layers 0 and 1: about 70k and 78k connections
    c.seed = 31;
    c.dense = dense;
    c.threads = threads;
    auto m = std::make_unique<Model>(c);
    const Data data = blobs(dense ? 200 : 300, 300, 4, 1.0, 77);  // the last batch is partial
    TrainConfig tc;
    tc.batch_size = 128;
    tc.learning_rate = 0.02f;
    tc.dropout = 0.2f;  // mask of 2100 x 128 values: parallel
    for (int e = 0; e < 3; ++e) {
        if (e == 1) {
            PruneConfig pc;
            pc.hidden_layers = {1, 2};
            m->prune_neurons(pc);
        }
        m->train_epoch(data.view(), tc, static_cast<uint64_t>(e));
        if (e < 2 && !dense) m->evolve(EvolutionConfig{}, static_cast<uint64_t>(e));
    }
    return m;
}

TEST(training_bit_identical_across_threads_many_classes) {
    // 600 classes x batch 64: the output delta is split across threads; losses and weights stay the same.
    const Data data = blobs(300, 20, 600, 1.0, 81);
    for (LossKind loss : {LossKind::CrossEntropy, LossKind::MSE}) {
        std::vector<std::unique_ptr<Model>> models;
        std::vector<std::vector<double>> losses;
        for (int threads : {1, 2, 3}) {
            ModelConfig c;
            c.layers = {20, 64, 600};
            c.epsilon = 5.0;
            c.seed = 12;
            c.loss = loss;
            c.threads = threads;
            models.push_back(std::make_unique<Model>(c));
            TrainConfig tc;
            tc.batch_size = 64;
            losses.emplace_back();
            for (int e = 0; e < 2; ++e) {
                losses.back().push_back(models.back()->train_epoch(data.view(), tc, uint64_t(e)).loss);
                losses.back().push_back(models.back()->evaluate(data.view(), 100).loss);
            }
        }
        for (size_t t = 1; t < models.size(); ++t) {
            CHECK(same_model(*models[0], *models[t]));
            CHECK(losses[0] == losses[t]);
        }
    }
}

TEST(training_bit_identical_across_threads_sparse) {
    auto m1 = train_run(1, false);
    auto m2 = train_run(2, false);
    auto m3 = train_run(3, false);
    auto m16 = train_run(16, false);  // more threads than this machine has cores: the same too
    CHECK(same_model(*m1, *m2));
    CHECK(same_model(*m1, *m3));
    CHECK(same_model(*m1, *m16));
    for (size_t l = 0; l < m1->layer_count(); ++l) {
        CHECK(sparse_at(*m1, l).momentum() == sparse_at(*m3, l).momentum());
        CHECK(sparse_at(*m1, l).momentum() == sparse_at(*m16, l).momentum());
    }
    // set_threads on an existing model changes nothing either.
    auto m4 = train_run(1, false);
    m4->set_threads(3);
    CHECK_EQ(m4->threads(), 3);
    auto m5 = m4->clone();
    m5->set_threads(1);
    const Data data = blobs(60, 300, 4, 1.0, 78);
    TrainConfig tc;
    m4->train_epoch(data.view(), tc, 9);
    m5->train_epoch(data.view(), tc, 9);
    CHECK(same_model(*m4, *m5));
}

TEST(training_bit_identical_across_threads_dense) {
    auto m1 = train_run(1, true);
    auto m2 = train_run(2, true);
    auto m3 = train_run(3, true);
    CHECK(same_model(*m1, *m2));
    CHECK(same_model(*m1, *m3));
}

// Batches without a template path (padded to 24, 152) give the same training for any thread count too,
// and evaluation with such batches agrees with the template batch sizes within rounding.
TEST(training_bit_identical_across_threads_odd_batches) {
    const Data data = blobs(310, 300, 4, 1.0, 79);
    for (int batch : {20, 150}) {
        std::unique_ptr<Model> runs[2];
        int i = 0;
        for (int threads : {1, 3}) {
            ModelConfig c;
            c.layers = {300, 2100, 600, 4};
            c.epsilon = 30.0;
            c.seed = 32;
            c.threads = threads;
            auto m = std::make_unique<Model>(c);
            TrainConfig tc;
            tc.batch_size = batch;
            tc.learning_rate = 0.02f;
            for (int e = 0; e < 2; ++e) {
                m->train_epoch(data.view(), tc, static_cast<uint64_t>(e));
                m->evolve(EvolutionConfig{}, static_cast<uint64_t>(e));
            }
            runs[i++] = std::move(m);
        }
        CHECK_MSG(same_model(*runs[0], *runs[1]), "batch " << batch);
        const EvalResult a = runs[0]->evaluate(data.view(), batch), b = runs[1]->evaluate(data.view(), 64);
        CHECK_NEAR(a.loss, b.loss, 1e-4 * (1.0 + std::fabs(b.loss)));
    }
}

TEST(training_cancel_and_arguments) {
    ModelConfig c;
    c.layers = {5, 8, 3};
    c.epsilon = 3.0;
    c.threads = 2;
    Model m(c);
    const Data data = blobs(50, 5, 3, 2.0, 4);
    TrainConfig tc;
    tc.batch_size = 10;

    std::atomic<bool> cancel{true};
    std::unique_ptr<Model> copy = m.clone();
    CHECK_THROWS_AS(m.train_epoch(data.view(), tc, 0, &cancel), Cancelled);
    CHECK(same_model(m, *copy));  // cancelled before the first batch: untouched
    CHECK_THROWS_AS(m.evaluate(data.view(), 16, &cancel), Cancelled);
    CHECK_THROWS_AS(m.predict(data.view(), 16, &cancel), Cancelled);
    EvolutionConfig ec;
    CHECK_THROWS_AS(m.evolve(ec, 0, &cancel), Cancelled);
    PruneConfig pc;
    pc.hidden_layers = {1};
    pc.alpha = 0.5;
    CHECK_THROWS_AS(m.prune_neurons(pc, &cancel), Cancelled);
    CHECK(same_model(m, *copy));  // neither changed the model
    {
        ModelConfig big;
        big.layers = {5, 8, 3};
        big.epsilon = 3.0;
        CHECK_THROWS_AS(Model(big, &cancel), Cancelled);  // construction stops too
    }
    cancel = false;
    const EpochResult er = m.train_epoch(data.view(), tc, 0, &cancel);  // still usable
    CHECK(std::isfinite(er.loss));
    CHECK_EQ(er.samples, 50);
    CHECK(std::isfinite(m.evaluate(data.view(), 16, &cancel).loss));

    // Data errors.
    Data bad = data;
    bad.y[7] = 3;
    CHECK_THROWS_AS(m.train_epoch(bad.view(), tc, 0), ArgumentError);
    CHECK_THROWS_AS(m.evaluate(bad.view()), ArgumentError);
    bad.y[7] = -1;
    CHECK_THROWS_AS(m.train_epoch(bad.view(), tc, 0), ArgumentError);
    DataView v = data.view();
    v.features = 4;
    CHECK_THROWS_AS(m.train_epoch(v, tc, 0), ArgumentError);
    CHECK_THROWS_AS(m.predict(v), ArgumentError);
    v = data.view();
    v.samples = 0;
    CHECK_THROWS_AS(m.train_epoch(v, tc, 0), ArgumentError);
    CHECK_THROWS_AS(m.evaluate(v), ArgumentError);
    CHECK_THROWS_AS(m.predict(v), ArgumentError);
    v = data.view();
    v.y = nullptr;
    CHECK_THROWS_AS(m.train_epoch(v, tc, 0), ArgumentError);
    CHECK_NOTHROW(m.predict(v));

    // Training config errors.
    auto train_with = [&](auto mutate) {
        TrainConfig t = tc;
        mutate(t);
        return m.train_epoch(data.view(), t, 0);
    };
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.batch_size = 0; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.batch_size = -3; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.learning_rate = std::nanf(""); }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.learning_rate = 0.0f; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.learning_rate = INFINITY; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.momentum = 1.0f; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.momentum = -0.1f; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.dropout = 1.0f; }), ArgumentError);
    CHECK_THROWS_AS(train_with([](TrainConfig& t) { t.weight_decay = -1.0f; }), ArgumentError);
    CHECK(same_model(m, *m.clone()));

    // Model config errors.
    auto make = [](auto mutate) {
        ModelConfig mc;
        mc.layers = {5, 8, 3};
        mutate(mc);
        return Model(mc).layer_count();
    };
    CHECK_NOTHROW(make([](ModelConfig&) {}));
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {5, 0, 3}; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {0, 8, 3}; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {5, 8, 1}; }), ArgumentError);  // 1 class
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {5}; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {}; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.layers = {5, -2, 3}; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.epsilon = 0; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.epsilon = std::nan(""); }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.threads = -1; }), ArgumentError);
    CHECK_THROWS_AS(make([](ModelConfig& mc) { mc.all_relu_slope = -1.0f; }), ArgumentError);
    // Two layer sizes (no hidden layer) are a valid model.
    CHECK_NOTHROW(make([](ModelConfig& mc) { mc.layers = {5, 3}; }));

    // Pruning config errors: bad hidden layer index, alpha out of range, repeats.
    auto prune_with = [&](auto mutate) {
        PruneConfig p;
        p.hidden_layers = {1};
        mutate(p);
        return m.prune_neurons(p).removed.size();
    };
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.hidden_layers = {2}; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.hidden_layers = {0}; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.hidden_layers = {-1}; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.hidden_layers = {1, 1}; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.alpha = 1.0; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.alpha = -0.1; }), ArgumentError);
    CHECK_THROWS_AS(prune_with([](PruneConfig& p) { p.alpha = std::nan(""); }), ArgumentError);
    CHECK_THROWS_AS(m.layer_csr(2), ArgumentError);
    CHECK_THROWS_AS(m.layer_csr(-1), ArgumentError);
    CHECK_EQ(m.layer(0).n_out(), 8);  // nothing was pruned by the refused calls

    // The error kinds used by the binding: all of these are range errors.
    try {
        TrainConfig t = tc;
        t.batch_size = 0;
        m.train_epoch(data.view(), t, 0);
        CHECK(false);
    } catch (const ArgumentError& e) {
        CHECK(e.kind() == ArgumentError::Kind::Range);
        CHECK(std::string(e.what()).find("batchSize") != std::string::npos);
    }
    // Threads: 0 means all processors.
    CHECK(resolve_threads(0) >= 1);
    CHECK_EQ(resolve_threads(3), 3);
    CHECK_THROWS_AS(resolve_threads(-2), ArgumentError);
    CHECK_EQ(padded_batch(1), 8);
    CHECK_EQ(padded_batch(8), 8);
    CHECK_EQ(padded_batch(130), 136);
}

// ---------------------------------------------------------------------------------------------------------
// 7. predict
// ---------------------------------------------------------------------------------------------------------

TEST(predict_probabilities_agree_with_evaluate) {
    const Data data = blobs(203, 12, 4, 1.0, 55);
    for (int dense = 0; dense < 2; ++dense) {
        ModelConfig c;
        c.layers = {12, 30, 4};
        c.epsilon = 3.0;
        c.dense = dense;
        c.seed = 6;
        Model m(c);
        TrainConfig tc;
        tc.batch_size = 16;
        m.train_epoch(data.view(), tc, 0);
        const std::vector<float> p = m.predict(data.view());
        REQUIRE(p.size() == size_t(203 * 4));
        const std::vector<int32_t> classes = m.predict_classes(data.view());
        REQUIRE(classes.size() == size_t(203));
        int64_t correct = 0;
        for (int64_t s = 0; s < 203; ++s) {
            double sum = 0;
            int64_t arg = 0;
            for (int64_t k = 0; k < 4; ++k) {
                const float v = p[s * 4 + k];
                CHECK(v >= 0.0f && v <= 1.0f);
                sum += v;
                if (v > p[s * 4 + arg]) arg = k;
            }
            CHECK_NEAR_CTX(sum, 1.0, 1e-5, "sample " << s);
            CHECK_EQ(classes[s], arg);  // the first largest probability
            correct += arg == data.y[s];
        }
        for (int batch : {128, 7, 64}) {
            const EvalResult ev = m.evaluate(data.view(), batch);
            CHECK_EQ(ev.correct, correct);
            CHECK_NEAR(ev.accuracy, double(correct) / 203.0, 1e-12);
        }
        // Batch size does not change predictions beyond rounding; predict leaves the model unchanged.
        std::unique_ptr<Model> before = m.clone();
        for (int batch : {1, 9, 32, 300}) {
            const std::vector<float> q = m.predict(data.view(), batch);
            REQUIRE(q.size() == p.size());
            double worst = 0;
            for (size_t i = 0; i < p.size(); ++i) worst = std::max(worst, std::fabs(double(p[i]) - q[i]));
            CHECK_MSG(worst < 1e-5, "batch " << batch << ": max difference " << worst);
        }
        CHECK(same_model(m, *before));
        // The mean cross-entropy of evaluate matches the predicted probabilities.
        double ce = 0;
        for (int64_t s = 0; s < 203; ++s) ce -= std::log(std::max(1e-30, double(p[s * 4 + data.y[s]])));
        CHECK_NEAR(m.evaluate(data.view()).loss, ce / 203.0, 1e-5);
    }
}

// A sample whose forward pass overflows float32 gets NaN probabilities from predict and class -1 from
// predict_classes (no class is the largest); the other samples are predicted as before.
TEST(predict_marks_overflowed_samples) {
    Data data = blobs(40, 12, 3, 1.0, 56);
    ModelConfig c;
    c.layers = {12, 30, 30, 3};
    c.epsilon = 5.0;
    c.seed = 8;
    Model m(c);
    const std::vector<int32_t> before = m.predict_classes(data.view());
    for (int64_t j = 0; j < 12; ++j) data.x[5 * 12 + j] = (j % 2 ? -1 : 1) * 3.4e38f;
    const std::vector<float> p = m.predict(data.view());
    const std::vector<int32_t> classes = m.predict_classes(data.view());
    REQUIRE(std::isnan(p[5 * 3]) || std::isnan(p[5 * 3 + 1]) || std::isnan(p[5 * 3 + 2]));
    for (int64_t s = 0; s < 40; ++s) {
        const bool nan = std::isnan(p[s * 3]) || std::isnan(p[s * 3 + 1]) || std::isnan(p[s * 3 + 2]);
        CHECK_EQ(classes[s], nan ? -1 : before[s]);
        if (s != 5) CHECK(!nan);
    }
}

}  // namespace

// A model rebuilt from its saved layers trains on exactly as the original does (momentum included), after
// NPSET pruning and for dense models too; every corrupt array is refused with the array's name.
TEST(model_state_round_trip_and_checks) {
    const Data data = blobs(90, 40, 3, 1.0, 83);
    for (bool dense : {false, true}) {
        ModelConfig c;
        c.layers = {40, 60, 50, 3};
        c.epsilon = 4.0;
        c.seed = 7;
        c.dense = dense;
        c.threads = 2;
        Model a(c);
        TrainConfig tc;
        tc.batch_size = 16;
        a.train_epoch(data.view(), tc, 0);
        if (!dense) {
            a.evolve(EvolutionConfig{}, 0);
            PruneConfig pc;
            pc.hidden_layers = {1, 2};
            pc.alpha = 0.1;
            a.prune_neurons(pc);
        }
        ModelConfig now = c;
        now.layers = a.topology().neurons;
        std::vector<LayerState> states;
        for (size_t l = 0; l < a.layer_count(); ++l) states.push_back(a.layer_state(int(l)));
        auto b = Model::from_state(now, states);
        CHECK(same_model(a, *b));
        check_all_invariants(*b);
        for (uint64_t e = 1; e < 3; ++e) {
            const double la = a.train_epoch(data.view(), tc, e).loss, lb = b->train_epoch(data.view(), tc, e).loss;
            CHECK_EQ(la, lb);
            if (!dense) {
                a.evolve(EvolutionConfig{}, e);
                b->evolve(EvolutionConfig{}, e);
            }
        }
        CHECK_MSG(same_model(a, *b), "dense " << dense);
        for (size_t l = 0; l < a.layer_count(); ++l) {
            const LayerState sa = a.layer_state(int(l)), sb = b->layer_state(int(l));
            CHECK(sa.momentum == sb.momentum);
            CHECK(sa.bias_momentum == sb.bias_momentum);
        }
        // Without momentum: zeros.
        std::vector<LayerState> bare = states;
        for (auto& s : bare) s.momentum.clear(), s.bias_momentum.clear();
        auto z = Model::from_state(now, bare);
        CHECK(same_model(*Model::from_state(now, states), *z));
        for (float v : z->layer_state(0).momentum) CHECK_EQ(v, 0.0f);
    }
    ModelConfig c;
    c.layers = {40, 30, 3};
    c.epsilon = 4.0;
    Model a(c);
    const std::vector<LayerState> good = {a.layer_state(0), a.layer_state(1)};
    auto refused = [&](const std::function<void(std::vector<LayerState>&, ModelConfig&)>& spoil, const char* name) {
        std::vector<LayerState> s = good;
        ModelConfig cc = c;
        spoil(s, cc);
        std::string msg;
        try {
            Model::from_state(cc, s);
        } catch (const ArgumentError& e) {
            msg = e.what();
        }
        CHECK_MSG(msg.find(name) != std::string::npos, name << ": " << msg);
    };
    refused([](auto& s, auto&) { s.pop_back(); }, "weight layers");
    refused([](auto&, auto& cc) { cc.layers[1] = 31; }, "layers[0] (outputs x inputs)");
    refused([](auto&, auto& cc) { cc.dense = true; }, "dense layer for layers[0]");
    refused([](auto& s, auto&) { s[0].row_ptr.pop_back(); }, "layers[0].rowPtr");
    refused([](auto& s, auto&) { s[0].row_ptr[0] = 1; }, "layers[0].rowPtr[0]");
    refused([](auto& s, auto&) { s[1].row_ptr[2] = s[1].row_ptr[1] - 1; }, "layers[1].rowPtr[2]");
    refused([](auto& s, auto&) { s[0].row_ptr.back() += 1; }, "layers[0].rowPtr[30]");
    refused([](auto& s, auto&) { s[0].col[s[0].row_ptr[1] - 1] = 40; }, "layers[0].col[");
    refused([](auto& s, auto&) { s[0].col[s[0].row_ptr[1] - 1] = -1; }, "layers[0].col[");
    refused([](auto& s, auto&) { s[1].col[1] = s[1].col[0]; }, "layers[1].col[1]");
    refused([](auto& s, auto&) { s[0].values.pop_back(); }, "layers[0].values");
    refused([](auto& s, auto&) { s[0].values[3] = std::nanf(""); }, "layers[0].values");
    refused([](auto& s, auto&) { s[1].momentum[0] = INFINITY; }, "layers[1].momentum");
    refused([](auto& s, auto&) { s[1].momentum.pop_back(); }, "layers[1].momentum");
    refused([](auto& s, auto&) { s[0].bias.pop_back(); }, "layers[0].bias");
    refused([](auto& s, auto&) { s[0].bias_momentum.push_back(0); }, "layers[0].biasMomentum");
    // A sparse layer without connections (NPSET and SET can leave one) is a model too: it is rebuilt.
    {
        std::vector<LayerState> s = good;
        s[0].row_ptr.assign(31, 0), s[0].col.clear(), s[0].values.clear(), s[0].momentum.clear();
        auto e = Model::from_state(c, s);
        CHECK_EQ(e->layer_state(0).col.size(), size_t(0));
        CHECK(e->layer_state(1).values == good[1].values);
        check_all_invariants(*e);
    }
    refused([](auto& s, auto&) { s[0].sparse = false; }, "sparse layer for layers[0]");
    std::atomic<bool> cancel{true};
    CHECK_THROWS_AS(Model::from_state(c, good, &cancel), Cancelled);
    CHECK_THROWS_AS(a.layer_state(2), ArgumentError);
}

TEST_MAIN()

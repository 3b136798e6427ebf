// Erdős–Rényi initial topologies and initial weights. Work is split into fixed row blocks, each with its
// own random stream, so the result depends on the seed only, never on the thread count.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "npset/errors.hpp"
#include "npset/layer.hpp"
#include "npset/rng.hpp"
#include "blocks.hpp"
#include "parallel.hpp"
#include "sort_positions.hpp"

namespace npset {
namespace {

// Sorted unique columns per row of one block, as (row - r0) * n_in + col codes.
void dedupe(std::vector<uint64_t>& codes) {
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
}

// With this many draws per position, a position is missed with probability e^-32 (about 1e-14): a block
// drawn that often is taken whole, and a layer never draws more than kMaxDrawsPerPosition per position.
// Without the cap a huge epsilon draws for minutes (time grows with epsilon, not with the connections).
constexpr double kFullBlockDraws = 32.0;
constexpr double kMaxDrawsPerPosition = 40.0;

// `draws` uniform positions with replacement in rows [r0, r1); duplicates collapse.
std::vector<uint64_t> draw_positions(Rng& rng, int64_t r0, int64_t r1, int64_t n_in, uint64_t draws) {
    const uint64_t positions = static_cast<uint64_t>(r1 - r0) * static_cast<uint64_t>(n_in);
    std::vector<uint64_t> codes;
    if (double(draws) >= kFullBlockDraws * double(positions)) {
        codes.resize(positions);
        for (uint64_t p = 0; p < positions; ++p) codes[p] = p;
        return codes;
    }
    if (positions <= 64 * draws + 1024) {
        // Dense-ish block: mark a bitmap instead of sorting many duplicates.
        std::vector<uint64_t> bits((positions + 63) / 64, 0);
        for (uint64_t d = 0; d < draws; ++d) {
            const uint64_t p = rng.below(positions);
            bits[p >> 6] |= uint64_t(1) << (p & 63);
        }
        for (uint64_t w = 0; w < bits.size(); ++w)
            for (uint64_t x = bits[w]; x; x &= x - 1) codes.push_back(w * 64 + __builtin_ctzll(x));
        return codes;
    }
    codes.resize(draws);
    for (auto& c : codes) c = rng.below(positions);
    std::vector<uint64_t> tmp;
    std::vector<size_t> start;
    sort_unique_positions(codes, positions, tmp, start);
    return codes;
}

// Each position kept with probability p.
std::vector<uint64_t> bernoulli_positions(Rng& rng, int64_t r0, int64_t r1, int64_t n_in, double p) {
    std::vector<uint64_t> codes;
    std::vector<uint64_t> row;
    for (int64_t j = r0; j < r1; ++j) {
        const uint64_t k = rng.binomial(static_cast<uint64_t>(n_in), p);
        const uint64_t base = static_cast<uint64_t>(j - r0) * n_in;
        row.clear();
        if (k * 4 >= static_cast<uint64_t>(n_in)) {
            // Selection sampling: exactly k of n_in, in order.
            uint64_t need = k;
            for (int64_t i = 0; i < n_in && need; ++i) {
                if (rng.below(static_cast<uint64_t>(n_in - i)) < need) {
                    row.push_back(base + i);
                    --need;
                }
            }
        } else {
            while (row.size() < k) {
                for (uint64_t d = row.size(); d < k; ++d) row.push_back(base + rng.below(n_in));
                dedupe(row);
            }
        }
        codes.insert(codes.end(), row.begin(), row.end());
    }
    return codes;
}

float init_limit(WeightInit init, double fan_in, double fan_out) {
    fan_in = std::max(1.0, fan_in);
    fan_out = std::max(1.0, fan_out);
    switch (init) {
        case WeightInit::HeUniform: return static_cast<float>(std::sqrt(6.0 / fan_in));
        case WeightInit::XavierUniform: return static_cast<float>(std::sqrt(6.0 / (fan_in + fan_out)));
        case WeightInit::Normal: return 0.1f;
    }
    return 0.1f;
}

float draw_weight(Rng& rng, WeightInit init, float limit) {
    if (init == WeightInit::Normal) return static_cast<float>(rng.normal()) * limit;
    return rng.uniform(-limit, limit);
}

}  // namespace

std::unique_ptr<SparseLayer> make_sparse_layer(int64_t n_in, int64_t n_out, const ModelConfig& cfg, int layer_index,
                                               int threads, const std::atomic<bool>* cancel) {
    const RowBlocks blocks(n_out);
    const double positions = static_cast<double>(n_in) * static_cast<double>(n_out);
    const double target = cfg.epsilon * static_cast<double>(n_in + n_out);

    // Draws per block: a multinomial over blocks by their share of rows, drawn sequentially.
    std::vector<uint64_t> block_draws(blocks.count, 0);
    if (cfg.topology == TopologyInit::Draws) {
        Rng rng(derive_seed(cfg.seed, kStreamTopology, layer_index, 0xB10C));
        uint64_t remaining = static_cast<uint64_t>(std::llround(std::min(target, kMaxDrawsPerPosition * positions)));
        int64_t rows_left = n_out;
        for (int64_t b = 0; b < blocks.count; ++b) {
            const int64_t rows = blocks.end(b) - blocks.begin(b);
            const uint64_t d = b + 1 == blocks.count ? remaining
                                                      : rng.binomial(remaining, double(rows) / double(rows_left));
            block_draws[b] = d;
            remaining -= d;
            rows_left -= rows;
        }
    }
    const double p = std::min(1.0, target / positions);

    std::vector<std::vector<uint64_t>> codes(blocks.count);
    ParallelErrors errors;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (target > (1 << 16))
    for (int64_t b = 0; b < blocks.count; ++b) {
        errors.run([&] {
            if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Cancelled();
            const int64_t r0 = blocks.begin(b), r1 = blocks.end(b);
            Rng rng(derive_seed(cfg.seed, kStreamTopology, layer_index, b));
            codes[b] = cfg.topology == TopologyInit::Draws ? draw_positions(rng, r0, r1, n_in, block_draws[b])
                                                           : bernoulli_positions(rng, r0, r1, n_in, p);
        });
    }
    errors.rethrow();

    // Assemble the CSR: codes are sorted by (row, col) within each block.
    std::vector<int64_t> row_ptr(n_out + 1, 0);
    for (int64_t b = 0; b < blocks.count; ++b) {
        const int64_t r0 = blocks.begin(b);
        for (uint64_t c : codes[b]) ++row_ptr[r0 + static_cast<int64_t>(c / n_in) + 1];
    }
    for (int64_t j = 0; j < n_out; ++j) row_ptr[j + 1] += row_ptr[j];
    const int64_t nnz = row_ptr[n_out];
    // Written below by the thread that owns each row block (first touch; every element is written).
    Array<int32_t> col(nnz);
    Array<float> val(nnz), mom(nnz);
    const double fan_in = double(nnz) / double(std::max<int64_t>(1, n_out));
    const double fan_out = double(nnz) / double(std::max<int64_t>(1, n_in));
    const float limit = init_limit(cfg.weight_init, fan_in, fan_out);
#pragma omp parallel for num_threads(threads) schedule(static) if (nnz > (1 << 16))
    for (int64_t b = 0; b < blocks.count; ++b) {
        const int64_t r0 = blocks.begin(b);
        int64_t at = row_ptr[r0];
        Rng rng(derive_seed(cfg.seed, kStreamWeights, layer_index, b));
        for (uint64_t c : codes[b]) {
            col[at] = static_cast<int32_t>(c % n_in);
            val[at] = draw_weight(rng, cfg.weight_init, limit);
            mom[at] = 0.0f;
            ++at;
        }
        std::vector<uint64_t>().swap(codes[b]);
    }
    auto layer = std::make_unique<SparseLayer>(n_in, n_out);
    layer->assign(std::move(row_ptr), std::move(col), std::move(val), std::move(mom), threads);
    return layer;
}

std::unique_ptr<DenseLayer> make_dense_layer(int64_t n_in, int64_t n_out, const ModelConfig& cfg, int layer_index) {
    auto layer = std::make_unique<DenseLayer>(n_in, n_out);
    const float limit = init_limit(cfg.weight_init, double(n_in), double(n_out));
    Rng rng(derive_seed(cfg.seed, kStreamWeights, layer_index, 0xDE45E));
    for (float& w : layer->weights()) w = draw_weight(rng, cfg.weight_init, limit);
    return layer;
}

}  // namespace npset

// SET evolution of one sparse layer in O(connections): per-sign selection of the weights closest to zero
// (nth_element, no global sort), regrowth at uniformly random empty positions per row block, CSR rebuild.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "blocks.hpp"
#include "parallel.hpp"
#include "npset/layer.hpp"
#include "npset/rng.hpp"

namespace npset {
namespace {

// Magnitude of the k-th smallest |w| among weights of one sign (k >= 1), via nth_element on a copy.
// Branch-free copy: the sign of a weight is random, so a branch here mispredicts half the time.
float kth_magnitude(const std::vector<float>& val, bool negative, int64_t count, int64_t k) {
    std::vector<float> mags(static_cast<size_t>(count) + 1);
    size_t n = 0;
    for (float w : val) {
        mags[n] = std::fabs(w);
        n += (w < 0) == negative;
    }
    mags.resize(n);
    std::nth_element(mags.begin(), mags.begin() + (k - 1), mags.end());
    return mags[k - 1];
}

bool row_has(const int32_t* cols, int64_t n, int32_t c) { return std::binary_search(cols, cols + n, c); }

}  // namespace

std::pair<int64_t, int64_t> SparseLayer::evolve(const EvolutionConfig& cfg, uint64_t seed, int threads) {
    const int64_t nnz = connections();
    if (nnz == 0 || cfg.zeta <= 0) return {0, 0};

    // 1. Removal: the fraction zeta of negative weights closest to zero, and of the others likewise
    // (zeros count with the positives). A threshold per sign; ties at it go in position order.
    std::vector<uint8_t> keep(nnz, 1);
    {
        int64_t n_neg = 0;
        for (float w : val_) n_neg += w < 0;
        const int64_t counts[2] = {nnz - n_neg, n_neg};  // [0]: w >= 0, [1]: w < 0
        float threshold[2] = {-1.0f, -1.0f};               // nothing is below -1: no removal
        int64_t want[2] = {0, 0};
        for (int neg = 0; neg < 2; ++neg) {
            want[neg] = static_cast<int64_t>(std::floor(cfg.zeta * double(counts[neg]) + 1e-9));  // as in pruning
            if (want[neg] > 0) threshold[neg] = kth_magnitude(val_, neg == 1, counts[neg], want[neg]);
        }
        // Everything strictly below its sign's threshold goes (branch-free), then ties at the threshold
        // in position order until each sign has lost exactly its share.
        int64_t below[2] = {0, 0};
        for (int64_t i = 0; i < nnz; ++i) {
            const float w = val_[i];
            const int neg = w < 0;
            const bool out = std::fabs(w) < threshold[neg];
            keep[i] = !out;
            below[neg] += out;
        }
        int64_t ties[2] = {want[0] - below[0], want[1] - below[1]};
        for (int64_t i = 0; i < nnz && (ties[0] > 0 || ties[1] > 0); ++i) {
            const float w = val_[i];
            const int neg = w < 0;
            if (ties[neg] > 0 && std::fabs(w) == threshold[neg]) {
                keep[i] = 0;
                --ties[neg];
            }
        }
    }
    std::vector<int64_t> survivors(n_out_, 0);
    for (int64_t j = 0; j < n_out_; ++j)
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) survivors[j] += keep[k];
    int64_t kept = 0;
    for (int64_t s : survivors) kept += s;
    const int64_t removed = nnz - kept;

    // Survivor columns per row (sorted), used to test whether a position is empty.
    std::vector<int64_t> srp(n_out_ + 1, 0);
    for (int64_t j = 0; j < n_out_; ++j) srp[j + 1] = srp[j] + survivors[j];
    std::vector<int32_t> scol(kept);
    for (int64_t j = 0, at = 0; j < n_out_; ++j)
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k)
            if (keep[k]) scol[at++] = col_[k];

    // 2. Regrowth: as many new connections at uniformly random empty positions, allotted to row blocks by
    // their number of empty positions (sequential binomials, capped), then drawn inside each block.
    const RowBlocks blocks(n_out_);
    std::vector<uint64_t> empty(blocks.count), want(blocks.count, 0);
    uint64_t total_empty = 0;
    for (int64_t b = 0; b < blocks.count; ++b) {
        const int64_t r0 = blocks.begin(b), r1 = blocks.end(b);
        empty[b] = uint64_t(r1 - r0) * uint64_t(n_in_) - uint64_t(srp[r1] - srp[r0]);
        total_empty += empty[b];
    }
    uint64_t to_add = std::min<uint64_t>(uint64_t(removed), total_empty);
    {
        Rng rng(derive_seed(seed, kStreamEvolution, 0xA110C));
        uint64_t left = to_add, empty_left = total_empty;
        for (int64_t b = 0; b < blocks.count && left; ++b) {
            const uint64_t d = std::min(empty[b], b + 1 == blocks.count
                                                      ? left
                                                      : rng.binomial(left, double(empty[b]) / double(empty_left)));
            want[b] = d;
            left -= d;
            empty_left -= empty[b];
        }
        // Leftovers from capping go to blocks with room, in order.
        for (int64_t b = 0; b < blocks.count && left; ++b) {
            const uint64_t room = empty[b] - want[b];
            const uint64_t d = std::min(room, left);
            want[b] += d;
            left -= d;
        }
    }

    std::vector<std::vector<uint64_t>> fresh(blocks.count);  // (row - r0) * n_in + col, sorted
    ParallelErrors errors;  // allocation failures must not escape the parallel region
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (nnz > (1 << 16))
    for (int64_t b = 0; b < blocks.count; ++b) {
        if (want[b] == 0) continue;
        errors.run([&] {
        const int64_t r0 = blocks.begin(b), r1 = blocks.end(b);
        Rng rng(derive_seed(seed, kStreamEvolution, b));
        std::vector<uint64_t>& out = fresh[b];
        if (want[b] * 2 >= empty[b]) {
            // Dense block: enumerate its empty positions and select `want` of them in order.
            uint64_t need = want[b], left = empty[b];
            for (int64_t j = r0; j < r1 && need; ++j) {
                const int32_t* sc = scol.data() + srp[j];
                int64_t s = 0;
                const int64_t ns = srp[j + 1] - srp[j];
                for (int32_t i = 0; i < n_in_ && need; ++i) {
                    if (s < ns && sc[s] == i) {
                        ++s;
                        continue;
                    }
                    if (rng.below(left) < need) {
                        out.push_back(uint64_t(j - r0) * n_in_ + i);
                        --need;
                    }
                    --left;
                }
            }
        } else {
            // Sparse block: draw positions, drop occupied ones and repeats, until enough.
            const uint64_t positions = uint64_t(r1 - r0) * uint64_t(n_in_);
            while (out.size() < want[b]) {
                const size_t before = out.size();
                for (uint64_t d = before; d < want[b]; ++d) {
                    const uint64_t p = rng.below(positions);
                    const int64_t j = r0 + int64_t(p / n_in_);
                    const int32_t i = int32_t(p % n_in_);
                    if (!row_has(scol.data() + srp[j], srp[j + 1] - srp[j], i)) out.push_back(p);
                }
                std::sort(out.begin(), out.end());
                out.erase(std::unique(out.begin(), out.end()), out.end());
            }
        }
        });
    }
    errors.rethrow();

    // 3. Rebuild the CSR: survivors keep weight and momentum; new connections get new weights, momentum 0.
    std::vector<int64_t> rp(n_out_ + 1, 0);
    for (int64_t j = 0; j < n_out_; ++j) rp[j + 1] = survivors[j];
    for (int64_t b = 0; b < blocks.count; ++b)
        for (uint64_t p : fresh[b]) ++rp[blocks.begin(b) + int64_t(p / n_in_) + 1];
    for (int64_t j = 0; j < n_out_; ++j) rp[j + 1] += rp[j];
    const int64_t nnz2 = rp[n_out_];
    std::vector<int32_t> col(nnz2);
    std::vector<float> val(nnz2), mom(nnz2);
    const double fan_in = double(nnz2) / double(std::max<int64_t>(1, n_out_));
    const float he_limit = static_cast<float>(std::sqrt(6.0 / std::max(1.0, fan_in)));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (nnz > (1 << 16))
    for (int64_t b = 0; b < blocks.count; ++b) {
        const int64_t r0 = blocks.begin(b), r1 = blocks.end(b);
        Rng rng(derive_seed(seed, kStreamRegrowWeights, b));
        const std::vector<uint64_t>& nf = fresh[b];
        size_t f = 0;
        for (int64_t j = r0; j < r1; ++j) {
            int64_t at = rp[j];
            int64_t k = row_ptr_[j];
            const int64_t kend = row_ptr_[j + 1];
            const uint64_t row_base = uint64_t(j - r0) * n_in_;
            // Merge survivors and new columns of row j, both ascending.
            for (;;) {
                while (k < kend && !keep[k]) ++k;
                const bool has_old = k < kend;
                const bool has_new = f < nf.size() && nf[f] < row_base + n_in_;
                if (!has_old && !has_new) break;
                const int32_t new_col = has_new ? int32_t(nf[f] - row_base) : 0;
                if (has_old && (!has_new || col_[k] < new_col)) {
                    col[at] = col_[k];
                    val[at] = val_[k];
                    mom[at] = mom_[k];
                    ++k;
                } else {
                    col[at] = new_col;
                    float w = 0.0f;
                    if (cfg.regrow_init == RegrowInit::Normal) w = static_cast<float>(rng.normal()) * cfg.regrow_scale;
                    if (cfg.regrow_init == RegrowInit::HeUniform) w = rng.uniform(-he_limit, he_limit);
                    val[at] = w;
                    mom[at] = 0.0f;
                    ++f;
                }
                ++at;
            }
        }
    }
    assign(std::move(rp), std::move(col), std::move(val), std::move(mom), threads);
    return {removed, static_cast<int64_t>(to_add)};
}

}  // namespace npset

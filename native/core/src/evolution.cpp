// SET evolution of one sparse layer in O(connections): per-sign selection of the weights closest to zero
// (radix selection on the magnitude bits, no sort of the weights), regrowth at uniformly random empty
// positions per row block (sorted draws merged against the survivors), CSR rebuild.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "blocks.hpp"
#include "parallel.hpp"
#include "sort_positions.hpp"
#include "npset/layer.hpp"
#include "npset/rng.hpp"

namespace npset {
namespace {

// Bits of |w|: for non-negative floats the bit patterns order like the values.
inline uint32_t magnitude_bits(float w) {
    uint32_t u;
    std::memcpy(&u, &w, sizeof u);
    return u & 0x7FFFFFFFu;
}

// For each sign (0: w >= 0, 1: w < 0), the k-th smallest magnitude (k >= 1; k = 0: none, returns -1) by
// radix selection on the magnitude bits, top digit first: three parallel counting passes, no copy, no sort.
// Integer counts do not depend on how the passes are split among threads.
void kth_magnitudes(const Array<float>& val, const int64_t k_in[2], float out[2], int threads) {
    const int64_t n = static_cast<int64_t>(val.size());
    constexpr int kDigits[3] = {11, 10, 10};
    uint32_t prefix[2] = {0, 0};
    int64_t k[2] = {k_in[0], k_in[1]};
    int consumed = 0;
    for (int digits : kDigits) {
        const int shift = 31 - consumed - digits;  // 31 magnitude bits
        const uint32_t bins = uint32_t(1) << digits;
        const uint32_t high_mask = consumed ? ((uint32_t(1) << consumed) - 1) << (31 - consumed) : 0;
        std::vector<int64_t> total(2 * bins, 0);
#pragma omp parallel num_threads(threads) if (n > (1 << 16))
        {
            std::vector<int64_t> hist(2 * bins, 0);
#pragma omp for schedule(static)
            for (int64_t i = 0; i < n; ++i) {
                const float w = val[i];
                const int neg = w < 0;
                const uint32_t u = magnitude_bits(w);
                // Branch-free: the sign of a weight is random, a branch would mispredict half the time.
                hist[neg * bins + ((u >> shift) & (bins - 1))] += (u & high_mask) == prefix[neg];
            }
#pragma omp critical
            for (uint32_t b = 0; b < 2 * bins; ++b) total[b] += hist[b];
        }
        for (int neg = 0; neg < 2; ++neg) {
            if (k[neg] <= 0) continue;
            uint32_t d = 0;
            while (d + 1 < bins && total[neg * bins + d] < k[neg]) k[neg] -= total[neg * bins + d++];
            prefix[neg] |= d << shift;
        }
        consumed += digits;
    }
    for (int neg = 0; neg < 2; ++neg) {
        if (k_in[neg] <= 0) {
            out[neg] = -1.0f;
        } else {
            std::memcpy(&out[neg], &prefix[neg], sizeof(float));
        }
    }
}

}  // namespace

std::pair<int64_t, int64_t> SparseLayer::evolve(const EvolutionConfig& cfg, uint64_t seed, int threads) {
    const int64_t nnz = connections();
    if (nnz == 0 || cfg.zeta <= 0) return {0, 0};

    // 1. Removal: the fraction zeta of negative weights closest to zero, and of the others likewise
    // (zeros count with the positives). A threshold per sign; ties at it go in position order.
    std::vector<uint8_t> keep(nnz, 1);
    {
        const bool par = nnz > (1 << 16) && threads > 1;
        int64_t n_neg = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : n_neg) if (par)
        for (int64_t i = 0; i < nnz; ++i) n_neg += val_[i] < 0;
        const int64_t counts[2] = {nnz - n_neg, n_neg};  // [0]: w >= 0, [1]: w < 0
        int64_t want[2] = {0, 0};
        for (int neg = 0; neg < 2; ++neg)
            want[neg] = static_cast<int64_t>(std::floor(cfg.zeta * double(counts[neg]) + 1e-9));  // as in pruning
        float threshold[2];  // -1: nothing is below it, no removal
        kth_magnitudes(val_, want, threshold, par ? threads : 1);
        // Everything strictly below its sign's threshold goes (branch-free), then ties at the threshold
        // in position order until each sign has lost exactly its share. Fixed chunks of positions count
        // their ties, so each chunk knows how many of its own ties go, whatever the number of threads.
        const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(256, nnz >> 13));
        const auto chunk_begin = [&](int64_t c) { return nnz * c / chunks; };
        std::vector<int64_t> chunk_ties(2 * chunks, 0);
        int64_t below_neg = 0, below_pos = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : below_neg, below_pos) if (par)
        for (int64_t c = 0; c < chunks; ++c) {
            int64_t b[2] = {0, 0}, t[2] = {0, 0};
            for (int64_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
                const float w = val_[i];
                const int neg = w < 0;
                const float m = std::fabs(w);
                const bool out = m < threshold[neg];
                keep[i] = !out;
                b[neg] += out;
                t[neg] += m == threshold[neg];
            }
            below_pos += b[0];
            below_neg += b[1];
            chunk_ties[2 * c] = t[0];
            chunk_ties[2 * c + 1] = t[1];
        }
        // Ties to remove per chunk, in chunk order.
        int64_t left[2] = {want[0] - below_pos, want[1] - below_neg};
        std::vector<int64_t> quota(2 * chunks, 0);
        for (int64_t c = 0; c < chunks; ++c) {
            for (int neg = 0; neg < 2; ++neg) {
                const int64_t q = std::min(left[neg], chunk_ties[2 * c + neg]);
                quota[2 * c + neg] = q;
                left[neg] -= q;
            }
        }
#pragma omp parallel for num_threads(threads) schedule(static) if (par)
        for (int64_t c = 0; c < chunks; ++c) {
            int64_t q[2] = {quota[2 * c], quota[2 * c + 1]};
            for (int64_t i = chunk_begin(c); i < chunk_begin(c + 1) && (q[0] > 0 || q[1] > 0); ++i) {
                const float w = val_[i];
                const int neg = w < 0;
                if (q[neg] > 0 && std::fabs(w) == threshold[neg]) {
                    keep[i] = 0;
                    --q[neg];
                }
            }
        }
    }
    const bool par_rows = nnz > (1 << 16) && threads > 1;
    std::vector<int64_t> survivors(n_out_, 0);
#pragma omp parallel for num_threads(threads) schedule(static) if (par_rows)
    for (int64_t j = 0; j < n_out_; ++j) {
        int64_t n = 0;
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) n += keep[k];
        survivors[j] = n;
    }
    int64_t kept = 0;
    for (int64_t s : survivors) kept += s;
    const int64_t removed = nnz - kept;

    // Survivor columns per row (sorted), used to test whether a position is empty.
    std::vector<int64_t> srp(n_out_ + 1, 0);
    for (int64_t j = 0; j < n_out_; ++j) srp[j + 1] = srp[j] + survivors[j];
    std::vector<int32_t> scol(kept);
#pragma omp parallel for num_threads(threads) schedule(static) if (par_rows)
    for (int64_t j = 0; j < n_out_; ++j) {
        // Branch-free compaction: a removed entry is overwritten by the next survivor (never past the row).
        int64_t at = srp[j];
        const int64_t end = srp[j + 1];
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1] && at < end; ++k) {
            scol[at] = col_[k];
            at += keep[k];
        }
    }

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
            // Sparse block: draw positions, drop repeats and occupied ones, until enough. The occupied test
            // walks the sorted draws against the sorted survivors row by row (no random binary searches).
            const uint64_t positions = uint64_t(r1 - r0) * uint64_t(n_in_);
            std::vector<uint64_t> tmp;
            std::vector<size_t> start;
            while (out.size() < want[b]) {
                for (uint64_t d = out.size(), n = want[b]; d < n; ++d) out.push_back(rng.below(positions));
                sort_unique_positions(out, positions, tmp, start);
                size_t kept_draws = 0;
                // The draws are sorted: walk the rows alongside them (no division per draw).
                int64_t j = r0;
                uint64_t row_base = 0;
                const int32_t* sc = scol.data() + srp[j];
                int64_t s = 0, ns = srp[j + 1] - srp[j];
                for (const uint64_t p : out) {
                    if (p >= row_base + uint64_t(n_in_)) {
                        do {
                            ++j;
                            row_base += uint64_t(n_in_);
                        } while (p >= row_base + uint64_t(n_in_));
                        sc = scol.data() + srp[j];
                        ns = srp[j + 1] - srp[j];
                        s = 0;
                    }
                    const int32_t i = int32_t(p - row_base);
                    while (s < ns && sc[s] < i) ++s;
                    if (s < ns && sc[s] == i) continue;  // occupied by a survivor
                    out[kept_draws++] = p;
                }
                out.resize(kept_draws);
            }
        }
        });
    }
    errors.rethrow();

    // 3. Rebuild the CSR: survivors keep weight and momentum; new connections get new weights, momentum 0.
    std::vector<int64_t> rp(n_out_ + 1, 0);
    for (int64_t j = 0; j < n_out_; ++j) rp[j + 1] = survivors[j];
    for (int64_t b = 0; b < blocks.count; ++b) {
        int64_t j = blocks.begin(b);
        uint64_t row_end = uint64_t(n_in_);
        for (uint64_t p : fresh[b]) {  // sorted
            for (; p >= row_end; row_end += uint64_t(n_in_)) ++j;
            ++rp[j + 1];
        }
    }
    for (int64_t j = 0; j < n_out_; ++j) rp[j + 1] += rp[j];
    const int64_t nnz2 = rp[n_out_];
    // Written below by the thread that owns each row block (first touch; every element is written).
    Array<int32_t> col(nnz2);
    Array<float> val(nnz2), mom(nnz2);
    const double fan_in = double(nnz2) / double(std::max<int64_t>(1, n_out_));
    const float he_limit = static_cast<float>(std::sqrt(6.0 / std::max(1.0, fan_in)));
#pragma omp parallel for num_threads(threads) schedule(static) if (nnz > (1 << 16))
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

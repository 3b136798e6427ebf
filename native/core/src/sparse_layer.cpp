// Sparse layer storage: CSR of W^T, transposed index, balanced partitions, neuron removal.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "npset/errors.hpp"
#include "npset/layer.hpp"

namespace npset {

void balanced_partition(const int64_t* ptr, int64_t rows, int parts, std::vector<int64_t>& out) {
    parts = std::max(1, parts);
    out.assign(parts + 1, rows);
    out[0] = 0;
    const int64_t total = ptr[rows] - ptr[0];
    // Weight each row by its connections plus a small constant for the per-row work.
    const double per_row = 4.0;
    const double work = static_cast<double>(total) + per_row * rows;
    int64_t r = 0;
    for (int p = 1; p < parts; ++p) {
        const double target = work * p / parts;
        // Binary search the first row whose prefix work reaches the target.
        int64_t lo = r, hi = rows;
        while (lo < hi) {
            const int64_t mid = lo + (hi - lo) / 2;
            const double w = static_cast<double>(ptr[mid] - ptr[0]) + per_row * mid;
            if (w < target) lo = mid + 1; else hi = mid;
        }
        r = lo;
        out[p] = r;
    }
}

void SparseLayer::assign(std::vector<int64_t> row_ptr, const std::vector<int32_t>& col,
                         const std::vector<float>& val, const std::vector<float>& mom, int threads) {
    assign(std::move(row_ptr), Array<int32_t>(col.begin(), col.end()), Array<float>(val.begin(), val.end()),
           Array<float>(mom.begin(), mom.end()), threads);
}

void SparseLayer::assign(std::vector<int64_t> row_ptr, Array<int32_t> col, Array<float> val, Array<float> mom,
                         int threads) {
    if (static_cast<int64_t>(row_ptr.size()) != n_out_ + 1 || col.size() != val.size() ||
        col.size() != mom.size() || row_ptr.back() != static_cast<int64_t>(col.size())) {
        throw std::logic_error("SparseLayer::assign: inconsistent CSR arrays");
    }
    if (col.size() >= (uint64_t(1) << 32)) throw range_error("a layer may hold at most 2^32 - 1 connections");
    row_ptr_ = std::move(row_ptr);
    col_ = std::move(col);
    val_ = std::move(val);
    mom_ = std::move(mom);
    if (static_cast<int64_t>(bias_.size()) != n_out_) {
        bias_.assign(n_out_, 0.0f);
        bias_mom_.assign(n_out_, 0.0f);
    }
    rebuild_transposed(threads);
    row_part_threads_ = col_part_threads_ = -1;
}

// Bits of the rank inside a row when an entry packs (row, rank) into 32 bits, or 0 if it cannot.
static int packed_rank_bits(const std::vector<int64_t>& row_ptr, int64_t rows) {
    int row_bits = 1;
    while (row_bits < 32 && (int64_t(1) << row_bits) < rows) ++row_bits;
    if (row_bits >= 32) return 0;
    int64_t max_degree = 0;
    for (int64_t j = 0; j < rows; ++j) max_degree = std::max(max_degree, row_ptr[j + 1] - row_ptr[j]);
    const int rank_bits = 32 - row_bits;
    return max_degree <= (int64_t(1) << rank_bits) ? rank_bits : 0;
}

void SparseLayer::rebuild_transposed(int threads) {
    const int64_t nnz = static_cast<int64_t>(col_.size());
    rank_bits_ = packed_rank_bits(row_ptr_, n_out_);
    t_ent_.resize(nnz);
    if (packed()) {
        Array<uint32_t>().swap(t_pos_);
    } else {
        t_pos_.resize(nnz);
    }
    t_ptr_.assign(n_in_ + 1, 0);
    // Counting sort by column. Each part (a contiguous range of rows, balanced by connections) counts its
    // columns; a column's entries from part p follow those of parts < p, so every column stays sorted by
    // row whatever the number of parts. Parallel only when the layer is large and has at least as many
    // connections as the per-part counts cost (n_in each).
    const int parts =
        (nnz > (int64_t(1) << 16) && threads > 1 && nnz >= int64_t(threads) * n_in_) ? threads : 1;
    std::vector<int64_t> bounds;
    balanced_partition(row_ptr_.data(), n_out_, parts, bounds);
    std::vector<std::vector<uint32_t>> counts(parts, std::vector<uint32_t>(n_in_, 0));
#pragma omp parallel for num_threads(parts) schedule(static, 1) if (parts > 1)
    for (int p = 0; p < parts; ++p)
        for (int64_t k = row_ptr_[bounds[p]]; k < row_ptr_[bounds[p + 1]]; ++k) ++counts[p][col_[k]];
    // Column starts, then each part's start inside each column (counts become offsets).
    for (int64_t i = 0; i < n_in_; ++i) {
        int64_t at = t_ptr_[i];
        for (int p = 0; p < parts; ++p) {
            const uint32_t c = counts[p][i];
            counts[p][i] = static_cast<uint32_t>(at - t_ptr_[i]);
            at += c;
        }
        t_ptr_[i + 1] = at;
    }
#pragma omp parallel for num_threads(parts) schedule(static, 1) if (parts > 1)
    for (int p = 0; p < parts; ++p) {
        std::vector<uint32_t>& next = counts[p];
        for (int64_t j = bounds[p]; j < bounds[p + 1]; ++j) {
            for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) {
                const int32_t i = col_[k];
                const int64_t at = t_ptr_[i] + next[i]++;
                if (packed()) {
                    t_ent_[at] = (static_cast<uint32_t>(j) << rank_bits_) | static_cast<uint32_t>(k - row_ptr_[j]);
                } else {
                    t_ent_[at] = static_cast<uint32_t>(j);
                    t_pos_[at] = static_cast<uint32_t>(k);
                }
            }
        }
    }
    col_part_threads_ = -1;
}

// A partition of `rows` by the cumulative counts in `ptr`, recomputed only when the thread count changed
// (or the cache was invalidated by setting `cached_parts` to -1).
static Partition cached_partition(const int64_t* ptr, int64_t rows, int threads, std::vector<int64_t>& cache,
                                  int& cached_parts) {
    const int parts = std::max(1, threads);
    if (cached_parts != parts) {
        balanced_partition(ptr, rows, parts, cache);
        cached_parts = parts;
    }
    return {cache.data(), parts};
}

Partition SparseLayer::row_partition(int threads) {
    return cached_partition(row_ptr_.data(), n_out_, threads, row_part_, row_part_threads_);
}

Partition SparseLayer::col_partition(int threads) {
    return cached_partition(t_ptr_.data(), n_in_, threads, col_part_, col_part_threads_);
}

CsrArrays SparseLayer::arrays() {
    return {row_ptr_.data(), col_.data(), val_.data(), mom_.data(), bias_.data(), bias_mom_.data(), n_out_, n_in_};
}

int64_t SparseLayer::model_bytes() const {
    auto bytes = [](const auto& v) { return static_cast<int64_t>(v.size() * sizeof(v[0])); };
    return bytes(row_ptr_) + bytes(col_) + bytes(val_) + bytes(mom_) + bytes(bias_) + bytes(bias_mom_) +
           bytes(t_ptr_) + bytes(t_ent_) + bytes(t_pos_);
}

TransposedArrays SparseLayer::transposed() const {
    return {t_ptr_.data(), t_ent_.data(), packed() ? nullptr : t_pos_.data(), rank_bits_, n_in_};
}

void SparseLayer::forward(const float* in, float* z, float* a, int pb, Act act, int threads) {
    kernels().forward(arrays(), in, z, a, pb, act, row_partition(threads), threads);
}

void SparseLayer::backward_input(const float* delta, const float* zin, Act act_in, float* din, int pb,
                                 int threads) {
    kernels().backward_input(arrays(), transposed(), delta, zin, act_in, din, pb, col_partition(threads), threads);
}

void SparseLayer::update(const float* in, const float* delta, int pb, const Sgd& sgd, int threads) {
    kernels().update(arrays(), in, delta, pb, sgd, row_partition(threads), threads);
}

void SparseLayer::keep_outputs(const std::vector<uint8_t>& keep) {
    std::vector<int64_t> rp{0};
    Array<int32_t> col;
    Array<float> val, mom;
    std::vector<float> bias, bias_mom;
    for (int64_t j = 0; j < n_out_; ++j) {
        if (!keep[j]) continue;
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) {
            col.push_back(col_[k]);
            val.push_back(val_[k]);
            mom.push_back(mom_[k]);
        }
        rp.push_back(static_cast<int64_t>(col.size()));
        bias.push_back(bias_[j]);
        bias_mom.push_back(bias_mom_[j]);
    }
    n_out_ = static_cast<int64_t>(rp.size()) - 1;
    bias_ = std::move(bias);
    bias_mom_ = std::move(bias_mom);
    assign(std::move(rp), std::move(col), std::move(val), std::move(mom), 1);
}

void SparseLayer::keep_inputs(const std::vector<uint8_t>& keep) {
    std::vector<int32_t> remap(n_in_, -1);
    int32_t next = 0;
    for (int64_t i = 0; i < n_in_; ++i)
        if (keep[i]) remap[i] = next++;
    std::vector<int64_t> rp(n_out_ + 1, 0);
    Array<int32_t> col;
    Array<float> val, mom;
    col.reserve(col_.size());
    val.reserve(col_.size());
    mom.reserve(col_.size());
    for (int64_t j = 0; j < n_out_; ++j) {
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) {
            const int32_t c = remap[col_[k]];
            if (c < 0) continue;
            col.push_back(c);
            val.push_back(val_[k]);
            mom.push_back(mom_[k]);
        }
        rp[j + 1] = static_cast<int64_t>(col.size());
    }
    n_in_ = next;
    assign(std::move(rp), std::move(col), std::move(val), std::move(mom), 1);
}

LayerCsr SparseLayer::csr() const {
    LayerCsr c;
    c.rows = n_out_;
    c.cols = n_in_;
    c.row_ptr = row_ptr_;
    c.col.assign(col_.begin(), col_.end());
    c.values.assign(val_.begin(), val_.end());
    c.bias = bias_;
    return c;
}

void SparseLayer::input_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const {
    degree.assign(n_in_, 0);
    strength.assign(n_in_, 0.0);
    for (int64_t i = 0; i < n_in_; ++i) {
        degree[i] = t_ptr_[i + 1] - t_ptr_[i];
        double s = 0;
        for (int64_t t = t_ptr_[i]; t < t_ptr_[i + 1]; ++t) s += std::fabs(val_[t_pos(t)]);
        strength[i] = s;
    }
}

void SparseLayer::output_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const {
    degree.assign(n_out_, 0);
    strength.assign(n_out_, 0.0);
    for (int64_t j = 0; j < n_out_; ++j) {
        degree[j] = row_ptr_[j + 1] - row_ptr_[j];
        double s = 0;
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) s += std::fabs(val_[k]);
        strength[j] = s;
    }
}

void SparseLayer::check_invariants() const {
    auto fail = [](const std::string& m) { throw std::logic_error("sparse layer invariant: " + m); };
    const int64_t nnz = static_cast<int64_t>(col_.size());
    if (static_cast<int64_t>(row_ptr_.size()) != n_out_ + 1 || row_ptr_[0] != 0 || row_ptr_[n_out_] != nnz)
        fail("row_ptr bounds");
    if (val_.size() != col_.size() || mom_.size() != col_.size()) fail("array sizes");
    if (static_cast<int64_t>(bias_.size()) != n_out_ || static_cast<int64_t>(bias_mom_.size()) != n_out_)
        fail("bias size");
    for (int64_t j = 0; j < n_out_; ++j) {
        if (row_ptr_[j + 1] < row_ptr_[j]) fail("row_ptr not monotone");
        for (int64_t k = row_ptr_[j]; k < row_ptr_[j + 1]; ++k) {
            if (col_[k] < 0 || col_[k] >= n_in_) fail("column out of range");
            if (k > row_ptr_[j] && col_[k] <= col_[k - 1]) fail("columns not strictly increasing in a row");
        }
    }
    if (static_cast<int64_t>(t_ptr_.size()) != n_in_ + 1 || t_ptr_[n_in_] != nnz) fail("t_ptr bounds");
    std::vector<uint8_t> seen(nnz, 0);
    for (int64_t i = 0; i < n_in_; ++i) {
        for (int64_t t = t_ptr_[i]; t < t_ptr_[i + 1]; ++t) {
            const int64_t j = t_row(t);
            if (j < 0 || j >= n_out_) fail("transposed row out of range");
            const int64_t k = t_pos(t);
            if (k < row_ptr_[j] || k >= row_ptr_[j + 1]) fail("transposed entry outside its row");
            if (seen[k]) fail("transposed index not a permutation");
            seen[k] = 1;
            if (col_[k] != i) fail("transposed entry points at another column");
            if (t > t_ptr_[i] && t_row(t) <= t_row(t - 1)) fail("transposed rows not increasing");
        }
    }
}

}  // namespace npset

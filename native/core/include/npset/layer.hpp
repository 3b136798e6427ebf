// Weight layers. Sparse: W^T in CSR plus a transposed index; memory linear in connections.
// Dense: Eigen row-major matrices (direct-fc and dense baselines).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "npset/array.hpp"
#include "npset/config.hpp"
#include "npset/kernels.hpp"
#include "npset/model.hpp"

namespace npset {

class Layer {
public:
    Layer(int64_t n_in, int64_t n_out) : n_in_(n_in), n_out_(n_out) {}
    virtual ~Layer() = default;
    int64_t n_in() const { return n_in_; }
    int64_t n_out() const { return n_out_; }
    virtual bool sparse() const = 0;
    virtual int64_t connections() const = 0;
    virtual int64_t model_bytes() const = 0;
    virtual std::unique_ptr<Layer> clone() const = 0;
    virtual void forward(const float* in, float* z, float* a, int pb, Act act, int threads) = 0;
    virtual void backward_input(const float* delta, const float* zin, Act act_in, float* din, int pb,
                                int threads) = 0;
    virtual void update(const float* in, const float* delta, int pb, const Sgd& sgd, int threads) = 0;
    // Keep only the output neurons (rows) / input neurons (columns) whose flag is 1.
    virtual void keep_outputs(const std::vector<uint8_t>& keep) = 0;
    virtual void keep_inputs(const std::vector<uint8_t>& keep) = 0;
    virtual LayerCsr csr() const = 0;
    // Per input neuron: connection count and sum of |w| (out-degree of the previous layer's neurons).
    virtual void input_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const = 0;
    // Per output neuron: connection count and sum of |w|.
    virtual void output_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const = 0;

protected:
    int64_t n_in_, n_out_;
};

class SparseLayer final : public Layer {
public:
    SparseLayer(int64_t n_in, int64_t n_out) : Layer(n_in, n_out) {}
    // Builds from sorted, duplicate-free positions per row (row_ptr over rows, col per connection).
    void assign(std::vector<int64_t> row_ptr, Array<int32_t> col, Array<float> val, Array<float> mom, int threads);
    // The same from plain vectors (copied).
    void assign(std::vector<int64_t> row_ptr, const std::vector<int32_t>& col, const std::vector<float>& val,
                const std::vector<float>& mom, int threads);

    bool sparse() const override { return true; }
    int64_t connections() const override { return static_cast<int64_t>(col_.size()); }
    int64_t model_bytes() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<SparseLayer>(*this); }
    void forward(const float* in, float* z, float* a, int pb, Act act, int threads) override;
    void backward_input(const float* delta, const float* zin, Act act_in, float* din, int pb,
                        int threads) override;
    void update(const float* in, const float* delta, int pb, const Sgd& sgd, int threads) override;
    void keep_outputs(const std::vector<uint8_t>& keep) override;
    void keep_inputs(const std::vector<uint8_t>& keep) override;
    LayerCsr csr() const override;
    void input_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const override;
    void output_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const override;

    // SET evolution of this layer; returns {removed, added}.
    std::pair<int64_t, int64_t> evolve(const EvolutionConfig& cfg, uint64_t seed, int threads);

    const std::vector<int64_t>& row_ptr() const { return row_ptr_; }
    const Array<int32_t>& col() const { return col_; }
    Array<float>& values() { return val_; }
    const Array<float>& values() const { return val_; }
    Array<float>& momentum() { return mom_; }
    const Array<float>& momentum() const { return mom_; }
    std::vector<float>& bias() { return bias_; }
    const std::vector<float>& bias() const { return bias_; }
    std::vector<float>& bias_momentum() { return bias_mom_; }
    const std::vector<float>& bias_momentum() const { return bias_mom_; }
    const std::vector<int64_t>& t_ptr() const { return t_ptr_; }
    // Entry t of the transposed index: its output row and its position in the CSR arrays.
    int64_t t_row(int64_t t) const { return packed() ? t_ent_[t] >> rank_bits_ : t_ent_[t]; }
    int64_t t_pos(int64_t t) const {
        return packed() ? row_ptr_[t_ent_[t] >> rank_bits_] + (t_ent_[t] & ((uint32_t(1) << rank_bits_) - 1))
                        : t_pos_[t];
    }
    // Whether the transposed index takes 4 bytes per connection (else 8).
    bool packed() const { return rank_bits_ > 0; }
    const Array<uint32_t>& t_entries() const { return t_ent_; }
    TransposedArrays transposed() const;
    // Checks the CSR invariants (sorted, unique, in range, transposed index consistent); throws on failure.
    void check_invariants() const;

private:
    void rebuild_transposed(int threads);
    Partition row_partition(int threads);
    Partition col_partition(int threads);
    CsrArrays arrays();

    std::vector<int64_t> row_ptr_{0};
    Array<int32_t> col_;
    Array<float> val_, mom_;
    std::vector<float> bias_, bias_mom_;
    std::vector<int64_t> t_ptr_;
    Array<uint32_t> t_ent_;  // packed (row, rank), or the row when not packed
    Array<uint32_t> t_pos_;  // empty when packed
    int rank_bits_ = 0;
    // Cached work partitions (balanced by connections), invalidated by topology changes.
    std::vector<int64_t> row_part_, col_part_;
    int row_part_threads_ = -1, col_part_threads_ = -1;
};

class DenseLayer final : public Layer {
public:
    DenseLayer(int64_t n_in, int64_t n_out);
    bool sparse() const override { return false; }
    int64_t connections() const override { return n_in_ * n_out_; }
    int64_t model_bytes() const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<DenseLayer>(*this); }
    void forward(const float* in, float* z, float* a, int pb, Act act, int threads) override;
    void backward_input(const float* delta, const float* zin, Act act_in, float* din, int pb,
                        int threads) override;
    void update(const float* in, const float* delta, int pb, const Sgd& sgd, int threads) override;
    void keep_outputs(const std::vector<uint8_t>& keep) override;
    void keep_inputs(const std::vector<uint8_t>& keep) override;
    LayerCsr csr() const override;
    void input_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const override;
    void output_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const override;

    std::vector<float>& weights() { return w_; }  // row-major [n_out][n_in] (W^T)
    const std::vector<float>& weights() const { return w_; }
    std::vector<float>& momentum() { return mom_; }
    const std::vector<float>& momentum() const { return mom_; }
    std::vector<float>& bias() { return bias_; }
    const std::vector<float>& bias() const { return bias_; }
    std::vector<float>& bias_momentum() { return bias_mom_; }
    const std::vector<float>& bias_momentum() const { return bias_mom_; }

private:
    std::vector<float> w_, mom_, grad_, bias_, bias_mom_;
};

// Erdős–Rényi sparse layer with initial weights (topology_init.cpp). Throws Cancelled when *cancel becomes
// true (checked per row block).
std::unique_ptr<SparseLayer> make_sparse_layer(int64_t n_in, int64_t n_out, const ModelConfig& cfg, int layer_index,
                                               int threads, const std::atomic<bool>* cancel = nullptr);
std::unique_ptr<DenseLayer> make_dense_layer(int64_t n_in, int64_t n_out, const ModelConfig& cfg, int layer_index);

// Element-wise epilogue shared by the kernels and the dense layer.
inline float act_apply(float z, Act act) { return act.identity || z > 0.0f ? z : act.slope * z; }
inline float act_derivative(float z, Act act) { return act.identity || z > 0.0f ? 1.0f : act.slope; }

// Balanced partition of rows by cumulative counts in `ptr` (size rows+1) into `parts` ranges.
void balanced_partition(const int64_t* ptr, int64_t rows, int parts, std::vector<int64_t>& out);

}  // namespace npset

// Dense layer through Eigen's matrix products (the direct-fc and dense baselines).
#include <omp.h>

#include <cmath>

#include "npset/layer.hpp"

namespace npset {
DenseLayer::DenseLayer(int64_t n_in, int64_t n_out)
    : Layer(n_in, n_out), w_(n_in * n_out, 0.0f), mom_(n_in * n_out, 0.0f), bias_(n_out, 0.0f),
      bias_mom_(n_out, 0.0f) {}

int64_t DenseLayer::model_bytes() const {
    return static_cast<int64_t>((w_.size() + mom_.size() + grad_.size() + bias_.size() + bias_mom_.size()) *
                                sizeof(float));
}

void DenseLayer::forward(const float* in, float* z, float* a, int pb, Act act, int threads) {
    kernels().gemm(w_.data(), false, in, false, z, n_out_, n_in_, pb, 1.0f, 0.0f, threads);
#pragma omp parallel for num_threads(threads) schedule(static) if (n_out_ * pb > (1 << 18))
    for (int64_t j = 0; j < n_out_; ++j) {
        float* zj = z + j * pb;
        float* aj = a + j * pb;
        for (int b = 0; b < pb; ++b) {
            zj[b] += bias_[j];
            aj[b] = act_apply(zj[b], act);
        }
    }
}

void DenseLayer::backward_input(const float* delta, const float* zin, Act act_in, float* din, int pb,
                                int threads) {
    kernels().gemm(w_.data(), true, delta, false, din, n_in_, n_out_, pb, 1.0f, 0.0f, threads);
    if (zin == nullptr) return;
#pragma omp parallel for num_threads(threads) schedule(static) if (n_in_ * pb > (1 << 18))
    for (int64_t i = 0; i < n_in_; ++i)
        for (int b = 0; b < pb; ++b) din[i * pb + b] *= act_derivative(zin[i * pb + b], act_in);
}

void DenseLayer::update(const float* in, const float* delta, int pb, const Sgd& sgd, int threads) {
    grad_.resize(w_.size());
    kernels().gemm(delta, false, in, true, grad_.data(), n_out_, pb, n_in_, 1.0f, 0.0f, threads);
    const int64_t n = static_cast<int64_t>(w_.size());
#pragma omp parallel for num_threads(threads) schedule(static) if (n > (1 << 18))
    for (int64_t k = 0; k < n; ++k) {
        const float g = grad_[k] * sgd.inv_n;
        const float v = sgd.momentum * mom_[k] - sgd.lr * g;
        mom_[k] = v;
        const float step = sgd.nesterov ? sgd.momentum * v - sgd.lr * g : v;
        w_[k] += step - sgd.weight_decay * w_[k];
    }
    for (int64_t j = 0; j < n_out_; ++j) {
        float g = 0.0f;
        for (int b = 0; b < pb; ++b) g += delta[j * pb + b];
        g *= sgd.inv_n;
        const float v = sgd.momentum * bias_mom_[j] - sgd.lr * g;
        bias_mom_[j] = v;
        bias_[j] += sgd.nesterov ? sgd.momentum * v - sgd.lr * g : v;
    }
}

void DenseLayer::keep_outputs(const std::vector<uint8_t>& keep) {
    std::vector<float> w, m, b, bm;
    for (int64_t j = 0; j < n_out_; ++j) {
        if (!keep[j]) continue;
        w.insert(w.end(), w_.begin() + j * n_in_, w_.begin() + (j + 1) * n_in_);
        m.insert(m.end(), mom_.begin() + j * n_in_, mom_.begin() + (j + 1) * n_in_);
        b.push_back(bias_[j]);
        bm.push_back(bias_mom_[j]);
    }
    n_out_ = static_cast<int64_t>(b.size());
    w_.swap(w);
    mom_.swap(m);
    bias_.swap(b);
    bias_mom_.swap(bm);
    grad_.clear();
}

void DenseLayer::keep_inputs(const std::vector<uint8_t>& keep) {
    int64_t n = 0;
    for (uint8_t k : keep) n += k;
    std::vector<float> w, m;
    w.reserve(n * n_out_);
    m.reserve(n * n_out_);
    for (int64_t j = 0; j < n_out_; ++j)
        for (int64_t i = 0; i < n_in_; ++i)
            if (keep[i]) {
                w.push_back(w_[j * n_in_ + i]);
                m.push_back(mom_[j * n_in_ + i]);
            }
    n_in_ = n;
    w_.swap(w);
    mom_.swap(m);
    grad_.clear();
}

LayerCsr DenseLayer::csr() const {
    LayerCsr c;
    c.rows = n_out_;
    c.cols = n_in_;
    c.row_ptr.resize(n_out_ + 1);
    for (int64_t j = 0; j <= n_out_; ++j) c.row_ptr[j] = j * n_in_;
    c.col.resize(w_.size());
    for (int64_t k = 0; k < static_cast<int64_t>(w_.size()); ++k) c.col[k] = static_cast<int32_t>(k % n_in_);
    c.values = w_;
    c.bias = bias_;
    return c;
}

void DenseLayer::input_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const {
    degree.assign(n_in_, n_out_);
    strength.assign(n_in_, 0.0);
    for (int64_t j = 0; j < n_out_; ++j)
        for (int64_t i = 0; i < n_in_; ++i) strength[i] += std::fabs(w_[j * n_in_ + i]);
}

void DenseLayer::output_stats(std::vector<int64_t>& degree, std::vector<double>& strength) const {
    degree.assign(n_out_, n_in_);
    strength.assign(n_out_, 0.0);
    for (int64_t j = 0; j < n_out_; ++j)
        for (int64_t i = 0; i < n_in_; ++i) strength[j] += std::fabs(w_[j * n_in_ + i]);
}

}  // namespace npset

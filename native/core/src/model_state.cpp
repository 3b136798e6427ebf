// Saving and rebuilding a model: the layers' arrays out (layer_state), and back in after checking them
// (from_state). A file can be corrupt or hand-made, so nothing is trusted: every size, index and number is
// checked before a layer is built from it.
#include <atomic>
#include <cmath>
#include <string>
#include <utility>

#include "npset/errors.hpp"
#include "npset/layer.hpp"
#include "npset/model.hpp"

namespace npset {

LayerState Model::layer_state(int layer) const {
    const Layer& l = layer_at(layer);
    LayerState s;
    s.rows = l.n_out();
    s.cols = l.n_in();
    s.sparse = l.sparse();
    if (const auto* sp = dynamic_cast<const SparseLayer*>(&l)) {
        s.row_ptr = sp->row_ptr();
        s.col.assign(sp->col().begin(), sp->col().end());
        s.values.assign(sp->values().begin(), sp->values().end());
        s.momentum.assign(sp->momentum().begin(), sp->momentum().end());
        s.bias = sp->bias();
        s.bias_momentum = sp->bias_momentum();
    } else {
        const auto& d = dynamic_cast<const DenseLayer&>(l);
        s.values = d.weights();
        s.momentum = d.momentum();
        s.bias = d.bias();
        s.bias_momentum = d.bias_momentum();
    }
    return s;
}

namespace {

std::string at(size_t layer, const char* array) { return "layers[" + std::to_string(layer) + "]." + array; }

void check_size(size_t layer, const char* array, size_t size, int64_t expected) {
    if (static_cast<int64_t>(size) != expected)
        throw range_error("Expected " + std::to_string(expected) + " values for " + at(layer, array) +
                          " but received " + std::to_string(size));
}

void check_finite(size_t layer, const char* array, const std::vector<float>& v) {
    for (size_t k = 0; k < v.size(); ++k) {
        if (!std::isfinite(v[k]))
            throw range_error("Expected finite numbers for " + at(layer, array) + " but received a non-finite value at " +
                              std::to_string(k));
    }
}

// Empty momentum means zeros (a model saved without its optimiser state).
void fill_momentum(size_t layer, const char* array, std::vector<float>& v, int64_t n) {
    if (v.empty()) {
        v.assign(static_cast<size_t>(n), 0.0f);
        return;
    }
    check_size(layer, array, v.size(), n);
    check_finite(layer, array, v);
}

void check_csr(size_t l, const LayerState& s) {
    check_size(l, "rowPtr", s.row_ptr.size(), s.rows + 1);
    if (s.row_ptr[0] != 0)
        throw range_error("Expected 0 for " + at(l, "rowPtr") + "[0] but received " + std::to_string(s.row_ptr[0]));
    const int64_t nnz = static_cast<int64_t>(s.col.size());
    for (int64_t j = 0; j < s.rows; ++j) {
        const int64_t b = s.row_ptr[j], e = s.row_ptr[j + 1];
        if (e < b || e > nnz)
            throw range_error("Expected non-decreasing row offsets up to " + std::to_string(nnz) + " (the connections) for " +
                              at(l, "rowPtr") + "[" + std::to_string(j + 1) + "] but received " + std::to_string(e));
        for (int64_t k = b; k < e; ++k) {
            const int32_t c = s.col[k];
            if (c < 0 || c >= s.cols || (k > b && c <= s.col[k - 1]))
                throw range_error("Expected column indices in [0, " + std::to_string(s.cols - 1) +
                                  "], strictly increasing within each row, for " + at(l, "col") + "[" + std::to_string(k) +
                                  "] (row " + std::to_string(j) + ") but received " + std::to_string(c));
        }
    }
    if (s.row_ptr[s.rows] != nnz)
        throw range_error("Expected " + at(l, "rowPtr") + "[" + std::to_string(s.rows) + "] to equal the " +
                          std::to_string(nnz) + " column indices but received " + std::to_string(s.row_ptr[s.rows]));
}

}  // namespace

std::unique_ptr<Model> Model::from_state(const ModelConfig& config, std::vector<LayerState> layers,
                                         const std::atomic<bool>* cancel) {
    validate(config);
    const auto& n = config.layers;
    if (layers.size() + 1 != n.size())
        throw range_error("Expected " + std::to_string(n.size() - 1) + " weight layers (for " + std::to_string(n.size()) +
                          " layer sizes) but received " + std::to_string(layers.size()));
    std::unique_ptr<Model> m(new Model());
    m->config_ = config;
    m->threads_ = resolve_threads(config.threads);
    for (size_t l = 0; l < layers.size(); ++l) {
        if (cancel && cancel->load()) throw Cancelled();
        LayerState& s = layers[l];
        if (s.rows != n[l + 1] || s.cols != n[l])
            throw range_error("Expected a " + std::to_string(n[l + 1]) + " x " + std::to_string(n[l]) + " layer for " +
                              "layers[" + std::to_string(l) + "] (outputs x inputs) but received " + std::to_string(s.rows) +
                              " x " + std::to_string(s.cols));
        if (s.sparse == config.dense)
            throw range_error(std::string("Expected a ") + (config.dense ? "dense" : "sparse") + " layer for layers[" +
                              std::to_string(l) + "] but received a " + (s.sparse ? "sparse" : "dense") + " one");
        check_size(l, "bias", s.bias.size(), s.rows);
        check_finite(l, "bias", s.bias);
        fill_momentum(l, "biasMomentum", s.bias_momentum, s.rows);
        check_finite(l, "values", s.values);
        if (s.sparse) {
            check_csr(l, s);
            check_size(l, "values", s.values.size(), static_cast<int64_t>(s.col.size()));
            // No connections is allowed: NPSET can prune a layer to one neuron whose last connection SET then
            // removes, and such a model trains and predicts (the next layer sees only biases).
            fill_momentum(l, "momentum", s.momentum, static_cast<int64_t>(s.col.size()));
            auto layer = std::make_unique<SparseLayer>(s.cols, s.rows);
            layer->assign(std::move(s.row_ptr), Array<int32_t>(s.col.begin(), s.col.end()),
                          Array<float>(s.values.begin(), s.values.end()), Array<float>(s.momentum.begin(), s.momentum.end()),
                          m->threads_);
            layer->bias() = std::move(s.bias);
            layer->bias_momentum() = std::move(s.bias_momentum);
            m->layers_.push_back(std::move(layer));
        } else {
            if (!s.row_ptr.empty() || !s.col.empty())
                throw range_error("Expected no rowPtr or col for the dense layers[" + std::to_string(l) + "] but received " +
                                  std::to_string(s.row_ptr.size()) + " and " + std::to_string(s.col.size()) + " values");
            check_size(l, "values", s.values.size(), s.rows * s.cols);
            fill_momentum(l, "momentum", s.momentum, s.rows * s.cols);
            auto layer = std::make_unique<DenseLayer>(s.cols, s.rows);
            layer->weights() = std::move(s.values);
            layer->momentum() = std::move(s.momentum);
            layer->bias() = std::move(s.bias);
            layer->bias_momentum() = std::move(s.bias_momentum);
            m->layers_.push_back(std::move(layer));
        }
    }
    return m;
}

}  // namespace npset

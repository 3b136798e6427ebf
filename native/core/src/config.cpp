// Validation of the configuration structs: every field checked, errors name the field.
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "npset/config.hpp"
#include "npset/errors.hpp"

namespace npset {
namespace {

template <class T>
std::string str(T v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

void check_range(bool ok, const std::string& expected, const std::string& name, const std::string& got) {
    if (!ok) throw range_error("Expected " + expected + " for " + name + " but received " + got);
}

}  // namespace

void validate(const ModelConfig& c) {
    check_range(c.layers.size() >= 2, "at least 2 layer sizes (inputs and classes)", "layers",
                str(c.layers.size()) + " sizes");
    for (size_t i = 0; i < c.layers.size(); ++i) {
        check_range(c.layers[i] >= 1 && c.layers[i] <= 2147483647, "an integer between 1 and 2147483647",
                    "layers[" + str(i) + "]", str(c.layers[i]));
    }
    check_range(c.layers.back() >= 2, "at least 2 classes", "layers[" + str(c.layers.size() - 1) + "]",
                str(c.layers.back()));
    check_range(std::isfinite(c.epsilon) && c.epsilon > 0, "a finite number > 0", "epsilon", str(c.epsilon));
    // Sparse connection indices are 32-bit: at most 2^32 - 1 connections per layer (about 4 billion).
    for (size_t l = 0; l + 1 < c.layers.size() && !c.dense; ++l) {
        const double positions = double(c.layers[l]) * double(c.layers[l + 1]);
        const double expected = std::min(positions, c.epsilon * double(c.layers[l] + c.layers[l + 1]));
        check_range(expected < 4294967295.0, "at most 4294967295 connections per layer", "layers[" + str(l) + "] -> layers[" + str(l + 1) + "]",
                    str(expected) + " expected connections");
    }
    check_range(std::isfinite(c.all_relu_slope) && c.all_relu_slope >= 0, "a finite number >= 0", "allReluSlope",
                str(c.all_relu_slope));
    check_range(c.threads >= 0 && c.threads <= 4096, "an integer between 0 and 4096", "threads", str(c.threads));
}

void validate(const TrainConfig& c) {
    check_range(c.batch_size >= 1 && c.batch_size <= 65536, "an integer between 1 and 65536", "batchSize",
                str(c.batch_size));
    check_range(std::isfinite(c.learning_rate) && c.learning_rate > 0, "a finite number > 0", "learningRate",
                str(c.learning_rate));
    check_range(std::isfinite(c.momentum) && c.momentum >= 0 && c.momentum < 1, "a number >= 0 and < 1",
                "momentum", str(c.momentum));
    check_range(std::isfinite(c.weight_decay) && c.weight_decay >= 0 && c.weight_decay < 1,
                "a number >= 0 and < 1", "weightDecay", str(c.weight_decay));
    check_range(std::isfinite(c.dropout) && c.dropout >= 0 && c.dropout < 1, "a number >= 0 and < 1", "dropout",
                str(c.dropout));
}

void validate(const EvolutionConfig& c) {
    check_range(std::isfinite(c.zeta) && c.zeta >= 0 && c.zeta <= 1, "a number between 0 and 1", "zeta",
                str(c.zeta));
    check_range(std::isfinite(c.regrow_scale) && c.regrow_scale >= 0, "a finite number >= 0", "regrowScale",
                str(c.regrow_scale));
}

void validate(const PruneConfig& c, std::size_t hidden_layers) {
    check_range(std::isfinite(c.alpha) && c.alpha >= 0 && c.alpha < 1, "a number >= 0 and < 1", "alpha",
                str(c.alpha));
    std::set<int> seen;
    for (size_t i = 0; i < c.hidden_layers.size(); ++i) {
        const int h = c.hidden_layers[i];
        check_range(h >= 1 && static_cast<size_t>(h) <= hidden_layers,
                    "a hidden layer index between 1 and " + str(hidden_layers), "hiddenLayers[" + str(i) + "]",
                    str(h));
        check_range(seen.insert(h).second, "distinct hidden layer indices", "hiddenLayers", "a repeated " + str(h));
    }
}

}  // namespace npset

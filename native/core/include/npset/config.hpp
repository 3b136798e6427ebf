// Plain configuration structs of the core. Defaults follow ../shared/DESIGN.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace npset {

enum class Activation { ReLU, AllReLU };
enum class LossKind { CrossEntropy, MSE };
// Erdős–Rényi topology: `Draws` places epsilon*(n_in+n_out) positions uniformly with replacement
// (duplicates collapse, as the reference SET code does); `Bernoulli` keeps each position with p.
enum class TopologyInit { Draws, Bernoulli };
enum class WeightInit { HeUniform, XavierUniform, Normal };
// Weights of connections added by SET regrowth.
enum class RegrowInit { Normal, Zero, HeUniform };
enum class PruneCriterion { OutDegree, InDegree, InOut, Strength };

struct ModelConfig {
    std::vector<int64_t> layers;  // neurons per layer: [inputs, hidden..., classes]
    bool dense = false;           // dense (fully connected) layers through Eigen
    double epsilon = 20.0;        // Erdős–Rényi sparsity level
    TopologyInit topology = TopologyInit::Draws;
    WeightInit weight_init = WeightInit::HeUniform;
    Activation activation = Activation::ReLU;
    float all_relu_slope = 0.6f;  // All-ReLU: slope -a on odd, +a on even hidden layers for x < 0
    LossKind loss = LossKind::CrossEntropy;
    uint64_t seed = 0;
    int threads = 0;  // 0: all cores
};

struct TrainConfig {
    int batch_size = 32;
    float learning_rate = 0.01f;
    float momentum = 0.9f;
    bool nesterov = false;
    float weight_decay = 0.0f;  // v = mu*v - lr*g; w += v - wd*w
    float dropout = 0.0f;       // dropout rate on hidden activations (training only)
    bool shuffle = true;
};

struct EvolutionConfig {
    double zeta = 0.3;  // fraction removed per sign, per layer
    RegrowInit regrow_init = RegrowInit::Normal;
    float regrow_scale = 0.1f;  // std of Normal regrowth (reference SET: randn / 10)
};

struct PruneConfig {
    std::vector<int> hidden_layers;  // 1-based hidden layer indices to prune
    double alpha = 0.04;             // fraction of each pruned layer's neurons removed
    PruneCriterion criterion = PruneCriterion::OutDegree;
};

// Validates a config and throws ArgumentError naming the field.
void validate(const ModelConfig& c);
void validate(const TrainConfig& c);
void validate(const EvolutionConfig& c);
void validate(const PruneConfig& c, std::size_t hidden_layers);

}  // namespace npset

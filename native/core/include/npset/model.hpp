// The sparse (or dense) MLP: layers, training, evaluation, SET evolution and NPSET neuron pruning.
// No N-API here: the binding and the C++ bench both drive this class.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "npset/config.hpp"

namespace npset {

class Layer;

// Samples are row-major: x[s * features + f]; labels are class indices in [0, classes).
struct DataView {
    const float* x = nullptr;
    const int32_t* y = nullptr;  // may be null for predict
    int64_t samples = 0;
    int64_t features = 0;
};

struct PhaseTimes {
    double forward_ms = 0, backward_ms = 0, update_ms = 0, evolution_ms = 0, pruning_ms = 0;
};

struct EpochResult {
    double loss = 0;      // mean training loss over the epoch (train mode)
    double accuracy = 0;  // running training accuracy over the epoch (train mode)
    int64_t samples = 0;
    PhaseTimes times;
};

struct EvalResult {
    double loss = 0;
    double accuracy = 0;  // fraction in [0, 1]
    int64_t samples = 0;
    int64_t correct = 0;
};

struct EvolutionResult {
    std::vector<int64_t> removed;  // per layer (sparse layers; 0 for dense)
    std::vector<int64_t> added;
    double ms = 0;
};

struct PruneResult {
    std::vector<std::vector<int64_t>> removed;  // per pruned hidden layer: original-position indices removed
    double ms = 0;
};

struct Topology {
    std::vector<int64_t> neurons;      // per layer, [inputs, hidden..., classes]
    std::vector<int64_t> connections;  // per weight layer
    std::vector<bool> sparse;          // per weight layer
};

// CSR view of W^T for one layer: rows are output neurons, columns are input neurons.
struct LayerCsr {
    int64_t rows = 0, cols = 0;
    std::vector<int64_t> row_ptr;
    std::vector<int32_t> col;
    std::vector<float> values;
    std::vector<float> bias;
};

// Everything that defines one trained weight layer, to save a model and rebuild it (momentum included, so
// that training resumes exactly as it would have gone on). Sparse: CSR of W^T; dense: `values` row-major
// [rows][cols] with row_ptr and col empty. Empty momentum vectors mean zeros (a model saved for inference).
struct LayerState {
    int64_t rows = 0, cols = 0;
    bool sparse = true;
    std::vector<int64_t> row_ptr;
    std::vector<int32_t> col;
    std::vector<float> values, momentum, bias, bias_momentum;
};

struct MemoryStats {
    int64_t model_bytes = 0;       // weights, indices, optimiser state, transposed index (steady state)
    int64_t activation_bytes = 0;  // per-batch buffers
    int64_t connections = 0;
};

class Model {
public:
    // Throws Cancelled when *cancel becomes true (checked before each layer's topology is drawn).
    explicit Model(const ModelConfig& config, const std::atomic<bool>* cancel = nullptr);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    std::unique_ptr<Model> clone() const;

    // One pass over the data in mini-batches. `epoch` seeds the shuffle and dropout.
    // Throws Cancelled when *cancel becomes true (checked per batch); the model stays usable.
    EpochResult train_epoch(const DataView& data, const TrainConfig& cfg, uint64_t epoch,
                            const std::atomic<bool>* cancel = nullptr);
    EvalResult evaluate(const DataView& data, int batch_size = 128, const std::atomic<bool>* cancel = nullptr);
    // Softmax outputs, row-major [samples][classes].
    std::vector<float> predict(const DataView& data, int batch_size = 128, const std::atomic<bool>* cancel = nullptr);
    // The class of largest probability per sample, without the samples x classes matrix of predict(); -1 for a
    // sample whose probabilities are NaN (the forward pass overflowed).
    std::vector<int32_t> predict_classes(const DataView& data, int batch_size = 128,
                                         const std::atomic<bool>* cancel = nullptr);

    // SET: per sparse layer remove the fraction zeta of negative and of positive weights closest to zero,
    // then regrow as many at random empty positions. `epoch` seeds the randomness.
    // Both throw Cancelled when *cancel becomes true, checked before each layer (each layer's change is whole).
    EvolutionResult evolve(const EvolutionConfig& cfg, uint64_t epoch, const std::atomic<bool>* cancel = nullptr);
    // NPSET: remove floor(alpha * n) neurons with the fewest connections from each listed hidden layer.
    PruneResult prune_neurons(const PruneConfig& cfg, const std::atomic<bool>* cancel = nullptr);
    // Remove the given neurons (current indices) of hidden layer `hidden` (1-based) and their connections.
    void remove_neurons(int hidden, std::vector<int64_t> neurons);
    // Neuron order by the pruning criterion (fewest first), current indices, for hidden layer `hidden`.
    std::vector<int64_t> neuron_order(int hidden, PruneCriterion criterion) const;

    Topology topology() const;
    LayerCsr layer_csr(int layer) const;  // 0-based weight layer
    LayerState layer_state(int layer) const;
    // Rebuilds a model from saved layers (model_state.cpp); config.layers are the layers' sizes now (after any
    // pruning). Checks every array (sizes, sorted unique columns in range, finite numbers) and throws
    // ArgumentError naming the first bad one; Cancelled when *cancel becomes true (checked per layer).
    static std::unique_ptr<Model> from_state(const ModelConfig& config, std::vector<LayerState> layers,
                                             const std::atomic<bool>* cancel = nullptr);
    MemoryStats memory() const;
    const ModelConfig& config() const { return config_; }
    int threads() const { return threads_; }
    void set_threads(int threads);  // 0: all cores
    std::size_t layer_count() const { return layers_.size(); }
    Layer& layer(std::size_t i) { return *layers_[i]; }
    const Layer& layer(std::size_t i) const { return *layers_[i]; }

private:
    Model();  // empty, for clone and from_state (defined where Buffers is complete)
    const Layer& layer_at(int layer) const;  // throws ArgumentError for an index out of range
    struct Buffers;
    void ensure_buffers(int padded_batch);
    void forward_batch(int pb, bool train, uint64_t dropout_seed);
    template <class F>
    void for_each_output(const DataView& data, int batch_size, const std::atomic<bool>* cancel, F&& per_sample);
    double output_delta(const int32_t* labels, int valid, int pb, int64_t* correct);
    void backward_batch(const TrainConfig& cfg, int valid, int pb);
    void load_batch(const DataView& data, const int64_t* order, int64_t start, int count, int pb);

    ModelConfig config_;
    int threads_ = 1;
    std::vector<std::unique_ptr<Layer>> layers_;
    std::unique_ptr<Buffers> buf_;
    float dropout_rate_ = 0.0f;  // of the running train_epoch
};

int resolve_threads(int requested);  // 0 -> number of processors
int padded_batch(int batch);          // batch rounded up to a multiple of 8

}  // namespace npset

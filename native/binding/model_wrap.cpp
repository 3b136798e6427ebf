#include "model_wrap.hpp"

#include <string>
#include <utility>

#include "convert.hpp"
#include "dataset_wrap.hpp"
#include "errors.hpp"
#include "layer_state.hpp"
#include "npset/config.hpp"
#include "npset/errors.hpp"
#include "options.hpp"
#include "workers.hpp"

namespace npset_binding {

namespace {

// Tags each Model object, so that no other wrapped object is ever unwrapped as a Model.
const napi_type_tag kModelTag = {0x6e707365744d6f64ULL, 0x656c5461672a2a2aULL};

int64_t inputs_of(const npset::Model& m) { return m.config().layers.front(); }
int64_t classes_of(const npset::Model& m) { return m.config().layers.back(); }
int64_t hidden_count(const npset::Model& m) { return int64_t(m.layer_count()) - 1; }

// The dataset argument of trainEpoch/evaluate/predict, checked against the model.
std::shared_ptr<const DatasetData> dataset_for(const npset::Model& m, const Napi::Value& v, bool need_labels) {
    auto data = DatasetWrap::From(v, "dataset");
    if (data->features != inputs_of(m))
        throw npset::range_error("Expected a Dataset with " + std::to_string(inputs_of(m)) +
                                 " features (the model's inputs) for dataset but received a Dataset with " +
                                 std::to_string(data->features) + " features");
    if (need_labels) {
        if (!data->has_labels)
            throw npset::type_error("Expected a Dataset with labels (y) for dataset but received a Dataset without labels");
        if (data->max_label >= classes_of(m))
            throw npset::range_error("Expected class labels < " + std::to_string(classes_of(m)) +
                                     " (the model's classes) for dataset.y but received the label " +
                                     std::to_string(data->max_label));
    }
    return data;
}

}  // namespace

Napi::Function ModelWrap::Init(Napi::Env env, AddonData* data) {
    Napi::Function ctor = DefineClass(env, "Model",
                                      {
                                          InstanceMethod<&ModelWrap::TrainEpoch>("trainEpoch"),
                                          InstanceMethod<&ModelWrap::Evaluate>("evaluate"),
                                          InstanceMethod<&ModelWrap::Predict>("predict"),
                                          InstanceMethod<&ModelWrap::Evolve>("evolve"),
                                          InstanceMethod<&ModelWrap::PruneNeurons>("pruneNeurons"),
                                          InstanceMethod<&ModelWrap::Clone>("clone"),
                                          InstanceMethod<&ModelWrap::Topology>("topology"),
                                          InstanceMethod<&ModelWrap::LayerCsr>("layerCsr"),
                                          InstanceMethod<&ModelWrap::LayerState>("layerState"),
                                          InstanceMethod<&ModelWrap::Memory>("memory"),
                                          InstanceMethod<&ModelWrap::NeuronOrder>("neuronOrder"),
                                          InstanceMethod<&ModelWrap::RemoveNeurons>("removeNeurons"),
                                          InstanceAccessor<&ModelWrap::GetThreads>("threads"),
                                          InstanceMethod<&ModelWrap::SetThreads>("setThreads"),
                                          InstanceMethod<&ModelWrap::Cancel>("cancel"),
                                          InstanceAccessor<&ModelWrap::GetBusy>("busy"),
                                          InstanceAccessor<&ModelWrap::GetDisposed>("disposed"),
                                          InstanceMethod<&ModelWrap::Dispose>("dispose"),
                                      });
    data->model_ctor = Napi::Persistent(ctor);
    return ctor;
}

Napi::Object ModelWrap::NewInstance(Napi::Env env, std::shared_ptr<npset::Model> model) {
    AddonData* data = env.GetInstanceData<AddonData>();
    if (!data || data->model_ctor.IsEmpty()) throw Napi::Error::New(env, "npset addon is not initialised");
    data->pending = std::move(model);
    try {
        Napi::Object obj = data->model_ctor.New({Napi::External<int>::New(env, &data->construct_token)});
        data->pending.reset();
        return obj;
    } catch (...) {
        data->pending.reset();
        throw;
    }
}

ModelWrap::ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
    Napi::Env env = info.Env();
    AddonData* data = env.GetInstanceData<AddonData>();
    if (!data || info.Length() != 1 || !info[0].IsExternal() ||
        info[0].As<Napi::External<int>>().Data() != &data->construct_token || !data->pending)
        throw Napi::TypeError::New(env, "Model cannot be constructed directly: use createModel(config)");
    state_ = std::make_shared<ModelState>();
    state_->model = std::move(data->pending);
    data->pending.reset();
    info.This().As<Napi::Object>().TypeTag(&kModelTag);
    // Tell the GC how much native memory this object holds.
    try {
        external_bytes_ = state_->model->memory().model_bytes;
    } catch (...) {
        external_bytes_ = 0;
    }
    if (external_bytes_ > 0) {
        int64_t adjusted = 0;
        napi_adjust_external_memory(env, external_bytes_, &adjusted);
    }
}

ModelWrap::~ModelWrap() { release_external_memory(); }

void ModelWrap::release_external_memory() {
    if (external_bytes_ != 0) {
        int64_t adjusted = 0;
        napi_adjust_external_memory(Env(), -external_bytes_, &adjusted);  // status ignored (may run at teardown)
        external_bytes_ = 0;
    }
}

ModelWrap& ModelWrap::Self(const Napi::CallbackInfo& info) {
    Napi::Value self = info.This();
    if (!self.IsObject() || !self.As<Napi::Object>().CheckTypeTag(&kModelTag))
        throw Napi::TypeError::New(info.Env(), "Illegal invocation: the receiver is not a Model");
    return *ModelWrap::Unwrap(self.As<Napi::Object>());
}

std::shared_ptr<npset::Model> ModelWrap::ready(const char* method, bool allow_busy) {
    if (!state_ || !state_->model)
        throw BindingError(kDisposedCode, std::string("Cannot call ") + method + ": the model has been disposed");
    if (state_->busy && !allow_busy)
        throw BindingError(kBusyCode, std::string("Cannot call ") + method + ": the model is busy with " + state_->job +
                                          "() (one job at a time per model; await it, or cancel() it first)");
    return state_->model;
}

// ------------------------------------------------------------------------------------------------
// Async methods: every error (including busy/disposed and bad arguments) rejects the Promise.

// trainEpoch(dataset, trainConfig, epoch) -> Promise<{ loss, accuracy, samples, timesMs }>
Napi::Value ModelWrap::TrainEpoch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        const auto model = self.ready("trainEpoch");
        auto data = dataset_for(*model, info[0], true);
        npset::TrainConfig cfg = parse_train_config(info[1], "trainConfig");
        const uint64_t epoch = uint64_t(read_integer(info[2], "epoch", 0, kMaxSafeInteger));
        // The batch in use: never more samples than the data has.
        check_batch_fits(self.ready("trainEpoch")->topology().neurons, std::min<int64_t>(cfg.batch_size, data->samples));
        return PromiseWorker::Start(new TrainJob(env, info.This().As<Napi::Object>(), self.state_, std::move(data), cfg, epoch));
    });
}

// evaluate(dataset, batchSize = 128) -> Promise<{ loss, accuracy, samples, correct }>
Napi::Value ModelWrap::Evaluate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        const auto model = self.ready("evaluate");
        auto data = dataset_for(*model, info[0], true);
        const int batch = int(read_integer_or(info[1], "batchSize", 1, kMaxBatchSize, 128));
        check_batch_fits(self.ready("evaluate")->topology().neurons, std::min<int64_t>(batch, data->samples));
        return PromiseWorker::Start(new EvaluateJob(env, info.This().As<Napi::Object>(), self.state_, std::move(data), batch));
    });
}

// predict(dataset, batchSize = 128, classesOnly = false) -> Promise<Float32Array> (samples x classes, row-major),
// or with classesOnly Promise<Int32Array> (the class of each sample)
Napi::Value ModelWrap::Predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        const auto model = self.ready("predict");
        auto data = dataset_for(*model, info[0], false);
        const int batch = int(read_integer_or(info[1], "batchSize", 1, kMaxBatchSize, 128));
        if (!info[2].IsUndefined() && !info[2].IsBoolean()) fail_type("a boolean", "classesOnly", info[2]);
        const bool classes_only = info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
        check_batch_fits(self.ready("predict")->topology().neurons, std::min<int64_t>(batch, data->samples));
        return PromiseWorker::Start(
            new PredictJob(env, info.This().As<Napi::Object>(), self.state_, std::move(data), batch, classes_only));
    });
}

// evolve(evolutionConfig, epoch) -> Promise<{ removed: number[], added: number[], ms }>
Napi::Value ModelWrap::Evolve(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        self.ready("evolve");
        npset::EvolutionConfig cfg = parse_evolution_config(info[0], "evolutionConfig");
        const uint64_t epoch = uint64_t(read_integer(info[1], "epoch", 0, kMaxSafeInteger));
        self.ready("evolve");
        return PromiseWorker::Start(new EvolveJob(env, info.This().As<Napi::Object>(), self.state_, cfg, epoch));
    });
}

// pruneNeurons(pruneConfig) -> Promise<{ removed: number[][], ms }>
Napi::Value ModelWrap::PruneNeurons(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        self.ready("pruneNeurons");
        npset::PruneConfig cfg = parse_prune_config(info[0], "pruneConfig");
        const int64_t hidden = hidden_count(*self.ready("pruneNeurons"));
        for (size_t i = 0; i < cfg.hidden_layers.size(); ++i) {
            if (cfg.hidden_layers[i] > hidden)
                fail_range("an integer >= 1 and <= " + std::to_string(hidden) + " (a 1-based hidden layer index)",
                           "pruneConfig.hiddenLayers[" + std::to_string(i) + "]",
                           Napi::Number::New(env, cfg.hidden_layers[i]));
        }
        npset::validate(cfg, size_t(hidden));
        return PromiseWorker::Start(new PruneJob(env, info.This().As<Napi::Object>(), self.state_, std::move(cfg)));
    });
}

// clone() -> Promise<Model>
Napi::Value ModelWrap::Clone(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        self.ready("clone");
        return PromiseWorker::Start(new CloneJob(env, info.This().As<Napi::Object>(), self.state_));
    });
}

// ------------------------------------------------------------------------------------------------
// Sync methods

// topology() -> { neurons: number[], connections: number[], sparse: boolean[] }
Napi::Value ModelWrap::Topology(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value { return to_js(env, Self(info).ready("topology")->topology()); });
}

// layerCsr(layer) -> { rows, cols, rowPtr: Float64Array, col: Int32Array, values: Float32Array, bias: Float32Array }
Napi::Value ModelWrap::LayerCsr(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        const auto m = Self(info).ready("layerCsr");
        const int64_t layer = read_integer(info[0], "layer", 0, int64_t(m->layer_count()) - 1);
        return to_js(env, m->layer_csr(int(layer)));
    });
}

// layerState(layer) -> layerCsr's arrays with momentum, biasMomentum and sparse (layer_state.hpp), for saving
Napi::Value ModelWrap::LayerState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        const auto m = Self(info).ready("layerState");
        const int64_t layer = read_integer(info[0], "layer", 0, int64_t(m->layer_count()) - 1);
        return to_js(env, Self(info).ready("layerState")->layer_state(int(layer)));
    });
}

// memory() -> { modelBytes, activationBytes, connections }
Napi::Value ModelWrap::Memory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value { return to_js(env, Self(info).ready("memory")->memory()); });
}

// neuronOrder(hidden, criterion = 'out-degree') -> Int32Array (current indices, fewest connections first)
Napi::Value ModelWrap::NeuronOrder(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        const auto m = Self(info).ready("neuronOrder");
        const int64_t hidden = hidden_count(*m);
        if (hidden < 1) throw npset::range_error("The model has no hidden layer, so neuronOrder() has nothing to order");
        const int64_t h = read_integer(info[0], "hidden", 1, hidden);
        const npset::PruneCriterion crit = parse_criterion(info[1], "criterion");
        return to_int32_array(env, m->neuron_order(int(h), crit));
    });
}

// removeNeurons(hidden, indices: Int32Array | number[]) -> undefined
Napi::Value ModelWrap::RemoveNeurons(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        const auto m = self.ready("removeNeurons");
        const int64_t hidden = hidden_count(*m);
        if (hidden < 1) throw npset::range_error("The model has no hidden layer, so removeNeurons() has nothing to remove");
        const int64_t h = read_integer(info[0], "hidden", 1, hidden);
        const int64_t n = m->topology().neurons.at(size_t(h));
        std::vector<int64_t> idx = parse_index_list(info[1], "indices", n - 1);  // may run getters
        self.ready("removeNeurons")->remove_neurons(int(h), std::move(idx));
        return env.Undefined();
    });
}

// threads: the model's OpenMP thread count (readable while a job runs).
Napi::Value ModelWrap::GetThreads(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        return Napi::Number::New(env, Self(info).ready("threads", /*allow_busy=*/true)->threads());
    });
}

// setThreads(n): 0 = all cores. Applies to this model only.
Napi::Value ModelWrap::SetThreads(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        const auto m = Self(info).ready("setThreads");
        const int64_t n = read_integer(info[0], "threads", 0, kMaxThreads);
        m->set_threads(int(n));
        return env.Undefined();
    });
}

// cancel() -> boolean: asks the running job to stop (it rejects with an AbortError); false when idle.
Napi::Value ModelWrap::Cancel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        self.ready("cancel", /*allow_busy=*/true);
        if (!self.state_->busy) return Napi::Boolean::New(env, false);
        self.state_->cancel.store(true);
        return Napi::Boolean::New(env, true);
    });
}

Napi::Value ModelWrap::GetBusy(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        return Napi::Boolean::New(env, self.state_ && self.state_->busy);
    });
}

Napi::Value ModelWrap::GetDisposed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        return Napi::Boolean::New(env, !self.state_ || !self.state_->model);
    });
}

// dispose(): frees the native model now (on the JS thread). Refused while a job is in flight.
// Idempotent: disposing a disposed model does nothing.
Napi::Value ModelWrap::Dispose(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        ModelWrap& self = Self(info);
        if (!self.state_ || !self.state_->model) return env.Undefined();
        if (self.state_->busy)
            throw BindingError(kBusyCode, std::string("Cannot dispose the model while ") + self.state_->job +
                                              "() is running; cancel() it and await it first");
        self.state_->model.reset();
        self.release_external_memory();
        return env.Undefined();
    });
}

}  // namespace npset_binding

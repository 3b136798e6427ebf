// AsyncWorkers behind every Promise of the addon. Each owns copies or shared_ptrs of everything it
// uses (model, dataset, configs) and touches no N-API in Execute. Errors are captured as ErrorInfo on
// the worker thread and turned into typed JS errors on the JS thread.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "dataset_wrap.hpp"
#include "errors.hpp"
#include "job_registry.hpp"
#include "model_wrap.hpp"
#include "npset/config.hpp"
#include "npset/model.hpp"

namespace npset_binding {

class PromiseWorker : public Napi::AsyncWorker {
public:
    // Queues the worker and returns its Promise; deletes the worker when it cannot be queued.
    static Napi::Value Start(PromiseWorker* worker);

protected:
    PromiseWorker(Napi::Env env, const char* name);
    virtual void Run() = 0;                          // worker thread, no N-API
    virtual Napi::Value Result(Napi::Env env) = 0;   // JS thread, after a successful Run
    virtual void Finished() {}                       // JS thread, before the Promise settles

private:
    void Execute() final;
    void OnOK() final;
    void OnError(const Napi::Error& e) final;

    Napi::Promise::Deferred deferred_;
    ErrorInfo error_;
};

// createModel(config)
class CreateModelWorker : public PromiseWorker {
public:
    CreateModelWorker(Napi::Env env, npset::ModelConfig config);
    // A model rebuilt from saved layers (Model::from_state) instead of a new one.
    CreateModelWorker(Napi::Env env, npset::ModelConfig config, std::vector<npset::LayerState> states);
    ~CreateModelWorker() override;

private:
    void Run() override;
    Napi::Value Result(Napi::Env env) override;
    npset::ModelConfig config_;
    bool from_state_ = false;
    std::vector<npset::LayerState> states_;
    std::shared_ptr<npset::Model> model_;
    std::atomic<bool> cancel_{false};  // set by cancelCreate() or the process's end
    std::shared_ptr<JobRegistry> jobs_, creates_;
};

// sgemmGflops(threads): the dense single-precision GEMM rate of the chosen kernels (Eigen).
class SgemmWorker : public PromiseWorker {
public:
    SgemmWorker(Napi::Env env, int threads);

private:
    void Run() override;
    Napi::Value Result(Napi::Env env) override;
    int threads_;
    double gflops_ = 0;
};

// A job on one model: marks it busy (and resets its cancel flag) while queued or running.
class ModelJob : public PromiseWorker {
protected:
    ModelJob(Napi::Env env, const char* name, Napi::Object self, std::shared_ptr<ModelState> state);
    ~ModelJob() override;
    virtual void Work() = 0;
    const std::atomic<bool>* cancel_flag() const { return &state_->cancel; }
    npset::Model& model() { return *model_; }

private:
    void Run() final;
    void Finished() final;

    Napi::ObjectReference self_;  // keeps the JS Model (and so its wrapper) alive during the job
    std::shared_ptr<ModelState> state_;
    std::shared_ptr<JobRegistry> jobs_;
    std::shared_ptr<npset::Model> model_;
};

class TrainJob : public ModelJob {
public:
    TrainJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
             std::shared_ptr<const DatasetData> data, npset::TrainConfig cfg, uint64_t epoch);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    std::shared_ptr<const DatasetData> data_;
    npset::TrainConfig cfg_;
    uint64_t epoch_;
    npset::EpochResult result_;
};

class EvaluateJob : public ModelJob {
public:
    EvaluateJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
                std::shared_ptr<const DatasetData> data, int batch_size);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    std::shared_ptr<const DatasetData> data_;
    int batch_size_;
    npset::EvalResult result_;
};

// Probabilities (samples x classes), or with `classes_only` the class of each sample.
class PredictJob : public ModelJob {
public:
    PredictJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
               std::shared_ptr<const DatasetData> data, int batch_size, bool classes_only);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    std::shared_ptr<const DatasetData> data_;
    int batch_size_;
    bool classes_only_;
    std::vector<float> result_;
    std::vector<int32_t> classes_;
};

class EvolveJob : public ModelJob {
public:
    EvolveJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state, npset::EvolutionConfig cfg,
              uint64_t epoch);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    npset::EvolutionConfig cfg_;
    uint64_t epoch_;
    npset::EvolutionResult result_;
};

class PruneJob : public ModelJob {
public:
    PruneJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state, npset::PruneConfig cfg);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    npset::PruneConfig cfg_;
    npset::PruneResult result_;
};

class CloneJob : public ModelJob {
public:
    CloneJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state);

private:
    void Work() override;
    Napi::Value Result(Napi::Env env) override;
    std::shared_ptr<npset::Model> clone_;
};

}  // namespace npset_binding

#include "workers.hpp"

#include <omp.h>

#include <string>
#include <utility>

#include "compute_thread.hpp"
#include "convert.hpp"
#include "npset/kernels.hpp"

namespace npset_binding {

// ------------------------------------------------------------------------------------------------
// PromiseWorker

PromiseWorker::PromiseWorker(Napi::Env env, const char* name)
    : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

Napi::Value PromiseWorker::Start(PromiseWorker* worker) {
    Napi::Promise promise = worker->deferred_.Promise();
    try {
        worker->Queue();
    } catch (...) {
        delete worker;
        throw;
    }
    return promise;
}

void PromiseWorker::Execute() {
    run_on_compute_thread([this] {
        try {
            Run();
        } catch (...) {
            error_ = describe_exception(std::current_exception());
        }
    });
}

void PromiseWorker::OnOK() {
    Napi::Env env = Env();
    Finished();
    if (error_) {
        deferred_.Reject(make_error(env, error_).Value());
        return;
    }
    try {
        deferred_.Resolve(Result(env));
    } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
    } catch (...) {
        deferred_.Reject(make_error(env, describe_exception(std::current_exception())).Value());
    }
}

void PromiseWorker::OnError(const Napi::Error& e) {
    Finished();
    deferred_.Reject(e.Value());
}

// ------------------------------------------------------------------------------------------------
// createModel

CreateModelWorker::CreateModelWorker(Napi::Env env, npset::ModelConfig config)
    : PromiseWorker(env, "npset.createModel"),
      config_(std::move(config)),
      jobs_(env.GetInstanceData<AddonData>()->jobs),
      creates_(env.GetInstanceData<AddonData>()->creates) {
    jobs_->add(&cancel_);
    creates_->add(&cancel_);
}

CreateModelWorker::CreateModelWorker(Napi::Env env, npset::ModelConfig config, std::vector<npset::LayerState> states)
    : CreateModelWorker(env, std::move(config)) {
    from_state_ = true;
    states_ = std::move(states);
}

CreateModelWorker::~CreateModelWorker() {
    jobs_->remove(&cancel_);
    creates_->remove(&cancel_);
}

void CreateModelWorker::Run() {
    // Eigen's dense kernels read the calling thread's OpenMP setting.
    omp_set_num_threads(npset::resolve_threads(config_.threads));
    if (from_state_) {
        model_ = npset::Model::from_state(config_, std::move(states_), &cancel_);
    } else {
        model_ = std::make_shared<npset::Model>(config_, &cancel_);
    }
}

Napi::Value CreateModelWorker::Result(Napi::Env env) { return ModelWrap::NewInstance(env, model_); }

// ------------------------------------------------------------------------------------------------
// sgemmGflops

SgemmWorker::SgemmWorker(Napi::Env env, int threads) : PromiseWorker(env, "npset.sgemmGflops"), threads_(threads) {}

void SgemmWorker::Run() {
    const int n = npset::resolve_threads(threads_);
    omp_set_num_threads(n);
    gflops_ = npset::kernels().sgemm_gflops(n);
}

Napi::Value SgemmWorker::Result(Napi::Env env) { return Napi::Number::New(env, gflops_); }

// ------------------------------------------------------------------------------------------------
// ModelJob

ModelJob::ModelJob(Napi::Env env, const char* name, Napi::Object self, std::shared_ptr<ModelState> state)
    : PromiseWorker(env, name),
      self_(Napi::Persistent(self)),
      state_(std::move(state)),
      jobs_(env.GetInstanceData<AddonData>()->jobs),
      model_(state_->model) {
    // ModelWrap checks both before queuing; a job must never start on a disposed or busy model.
    if (!model_) throw BindingError(kDisposedCode, std::string("Cannot call ") + name + ": the model has been disposed");
    if (state_->busy) throw BindingError(kBusyCode, std::string("Cannot call ") + name + ": the model is busy");
    state_->busy = true;
    state_->job = name;
    state_->cancel.store(false);  // a cancel() from now on applies to this job
    jobs_->add(&state_->cancel);
}

ModelJob::~ModelJob() { Finished(); }

void ModelJob::Finished() {
    state_->busy = false;
    state_->job = "";
    jobs_->remove(&state_->cancel);
}

void ModelJob::Run() {
    omp_set_num_threads(model_->threads());
    Work();
}

// ------------------------------------------------------------------------------------------------
// Jobs

TrainJob::TrainJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
                   std::shared_ptr<const DatasetData> data, npset::TrainConfig cfg, uint64_t epoch)
    : ModelJob(env, "trainEpoch", self, std::move(state)), data_(std::move(data)), cfg_(cfg), epoch_(epoch) {}

void TrainJob::Work() { result_ = model().train_epoch(data_->view(), cfg_, epoch_, cancel_flag()); }

Napi::Value TrainJob::Result(Napi::Env env) { return to_js(env, result_); }

EvaluateJob::EvaluateJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
                         std::shared_ptr<const DatasetData> data, int batch_size)
    : ModelJob(env, "evaluate", self, std::move(state)), data_(std::move(data)), batch_size_(batch_size) {}

void EvaluateJob::Work() { result_ = model().evaluate(data_->view(), batch_size_, cancel_flag()); }

Napi::Value EvaluateJob::Result(Napi::Env env) { return to_js(env, result_); }

PredictJob::PredictJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state,
                       std::shared_ptr<const DatasetData> data, int batch_size, bool classes_only)
    : ModelJob(env, "predict", self, std::move(state)),
      data_(std::move(data)),
      batch_size_(batch_size),
      classes_only_(classes_only) {}

void PredictJob::Work() {
    if (classes_only_) {
        classes_ = model().predict_classes(data_->view(), batch_size_, cancel_flag());
    } else {
        result_ = model().predict(data_->view(), batch_size_, cancel_flag());
    }
}

Napi::Value PredictJob::Result(Napi::Env env) {
    if (classes_only_) return to_int32_array(env, classes_);
    return to_float32_array(env, result_);
}

EvolveJob::EvolveJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state, npset::EvolutionConfig cfg,
                     uint64_t epoch)
    : ModelJob(env, "evolve", self, std::move(state)), cfg_(cfg), epoch_(epoch) {}

void EvolveJob::Work() { result_ = model().evolve(cfg_, epoch_, cancel_flag()); }

Napi::Value EvolveJob::Result(Napi::Env env) { return to_js(env, result_); }

PruneJob::PruneJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state, npset::PruneConfig cfg)
    : ModelJob(env, "pruneNeurons", self, std::move(state)), cfg_(std::move(cfg)) {}

void PruneJob::Work() { result_ = model().prune_neurons(cfg_, cancel_flag()); }

Napi::Value PruneJob::Result(Napi::Env env) { return to_js(env, result_); }

CloneJob::CloneJob(Napi::Env env, Napi::Object self, std::shared_ptr<ModelState> state)
    : ModelJob(env, "clone", self, std::move(state)) {}

void CloneJob::Work() { clone_ = std::shared_ptr<npset::Model>(model().clone()); }

Napi::Value CloneJob::Result(Napi::Env env) { return ModelWrap::NewInstance(env, clone_); }

}  // namespace npset_binding

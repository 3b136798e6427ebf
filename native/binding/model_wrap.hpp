// Model: a JS object around std::shared_ptr<npset::Model>. One job at a time; long work runs in
// AsyncWorkers (workers.hpp) that share ownership of the model, so it outlives the job whatever JS does.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "job_registry.hpp"
#include "npset/model.hpp"

namespace npset_binding {

// State shared by the JS object and its running job.
struct ModelState {
    std::shared_ptr<npset::Model> model;  // null once disposed
    std::atomic<bool> cancel{false};      // read by the core during a job; set by cancel()
    bool busy = false;                    // JS thread only: a job is queued or running
    const char* job = "";                 // name of the running job, for messages
};

// Per-environment data (main thread and each worker_thread have their own).
struct AddonData {
    Napi::FunctionReference model_ctor;
    std::shared_ptr<npset::Model> pending;  // handed from NewInstance to the constructor
    int construct_token = 0;                // its address authorises the constructor
    // Shared with the jobs, which may outlive the environment's data.
    std::shared_ptr<JobRegistry> jobs = JobRegistry::create();
    // The createModel jobs of this environment, for cancelCreate() (jobs of an environment run one at a time).
    std::shared_ptr<JobRegistry> creates = std::make_shared<JobRegistry>();
};

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
public:
    static Napi::Function Init(Napi::Env env, AddonData* data);
    // Wraps a model in a new JS Model object (JS thread).
    static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<npset::Model> model);

    explicit ModelWrap(const Napi::CallbackInfo& info);
    ~ModelWrap() override;

private:
    static ModelWrap& Self(const Napi::CallbackInfo& info);
    // Throws ERR_NPSET_DISPOSED / ERR_NPSET_BUSY; returns the model. Callers hold the shared_ptr for the
    // whole call and call ready() again after parsing arguments: a getter in the arguments (user JS) may
    // have disposed the model or started a job meanwhile.
    std::shared_ptr<npset::Model> ready(const char* method, bool allow_busy = false);

    // Async (Promise) methods.
    Napi::Value TrainEpoch(const Napi::CallbackInfo& info);
    Napi::Value Evaluate(const Napi::CallbackInfo& info);
    Napi::Value Predict(const Napi::CallbackInfo& info);
    Napi::Value Evolve(const Napi::CallbackInfo& info);
    Napi::Value PruneNeurons(const Napi::CallbackInfo& info);
    Napi::Value Clone(const Napi::CallbackInfo& info);
    // Sync methods.
    Napi::Value Topology(const Napi::CallbackInfo& info);
    Napi::Value LayerCsr(const Napi::CallbackInfo& info);
    Napi::Value LayerState(const Napi::CallbackInfo& info);
    Napi::Value Memory(const Napi::CallbackInfo& info);
    Napi::Value NeuronOrder(const Napi::CallbackInfo& info);
    Napi::Value RemoveNeurons(const Napi::CallbackInfo& info);
    Napi::Value GetThreads(const Napi::CallbackInfo& info);
    Napi::Value SetThreads(const Napi::CallbackInfo& info);
    Napi::Value Cancel(const Napi::CallbackInfo& info);
    Napi::Value GetBusy(const Napi::CallbackInfo& info);
    Napi::Value GetDisposed(const Napi::CallbackInfo& info);
    Napi::Value Dispose(const Napi::CallbackInfo& info);

    void release_external_memory();

    std::shared_ptr<ModelState> state_;
    int64_t external_bytes_ = 0;
};

}  // namespace npset_binding

// Module registration: exports Model, Dataset, createModel, createModelFromState, hardwareConcurrency, sgemmGflops, endJobs,
// kernels, version, buildInfo.
// The addon is context-aware: all state lives in per-environment instance data (worker_threads safe).
#include <napi.h>
#include <omp.h>

#include <string>

#include "dataset_wrap.hpp"
#include "errors.hpp"
#include "layer_state.hpp"
#include "model_wrap.hpp"
#include "npset/kernels.hpp"
#include "npset/machine.hpp"
#include "npset/model.hpp"
#include "options.hpp"
#include "workers.hpp"

#ifndef NPSET_VERSION
#define NPSET_VERSION "0.0.0"
#endif

#define NPSET_STR2(x) #x
#define NPSET_STR(x) NPSET_STR2(x)

namespace npset_binding {

namespace {

// createModel(config) -> Promise<Model>: construction (topology draws, weight init) runs off the JS thread.
Napi::Value CreateModel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        npset::ModelConfig config = parse_model_config(info[0], "config");
        return PromiseWorker::Start(new CreateModelWorker(env, std::move(config)));
    });
}

// createModelFromState(config, layers) -> Promise<Model>: a saved model rebuilt (checked by the core) off the
// JS thread; config.layers are the saved layers' sizes. cancelCreate() cancels it like createModel.
Napi::Value CreateModelFromState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        npset::ModelConfig config = parse_model_config(info[0], "config");
        std::vector<npset::LayerState> states = parse_layer_states(info[1], "layers");
        return PromiseWorker::Start(new CreateModelWorker(env, std::move(config), std::move(states)));
    });
}

// cancelCreate() -> whether a createModel job of this environment was queued or running: it then rejects
// with an AbortError (the layers are drawn one row block at a time, and each block checks).
Napi::Value CancelCreate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        return Napi::Boolean::New(env, env.GetInstanceData<AddonData>()->creates->cancel_current());
    });
}

// hardwareConcurrency() -> number of processors OpenMP would use for threads = 0.
Napi::Value HardwareConcurrency(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value { return Napi::Number::New(env, npset::resolve_threads(0)); });
}

// availableCpus() -> number: the CPUs the process may use, those of all OpenMP places when OMP_PROC_BIND or
// OMP_PLACES made places (libgomp then binds the loading thread to the first place, and counts of that thread's
// CPUs, such as os.availableParallelism(), see one place).
Napi::Value AvailableCpus(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value { return Napi::Number::New(env, npset::available_cpus()); });
}

// sgemmGflops(threads = 0) -> Promise<number>: dense single-precision GEMM rate (GFLOP/s) of the kernels
// chosen for this CPU, measured off the JS thread. 0 threads = all cores.
Napi::Value SgemmGflops(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard_async(env, [&]() -> Napi::Value {
        const int threads = int(read_integer_or(info[0], "threads", 0, kMaxThreads, 0));
        return PromiseWorker::Start(new SgemmWorker(env, threads));
    });
}

// endJobs(all = false): cancels this environment's queued and running jobs and every later one; with all,
// those of every environment (lib/native.ts calls it on the 'exit' event: all from the main thread, whose
// exit ends the workers too).
Napi::Value EndJobs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
        env.GetInstanceData<AddonData>()->jobs->end();
        if (info.Length() > 0 && info[0].ToBoolean().Value()) JobRegistry::end_all();
        return env.Undefined();
    });
}

Napi::Object BuildInfo(Napi::Env env) {
    auto o = Napi::Object::New(env);
    o.Set("version", NPSET_VERSION);
    o.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
    o.Set("openmp", Napi::Number::New(env, _OPENMP));
    o.Set("kernels", npset::kernels().isa);
#if defined(__clang__)
    o.Set("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
    o.Set("compiler", "gcc " NPSET_STR(__GNUC__) "." NPSET_STR(__GNUC_MINOR__) "." NPSET_STR(__GNUC_PATCHLEVEL__));
#else
    o.Set("compiler", "unknown");
#endif
#ifdef NDEBUG
    o.Set("debug", false);
#else
    o.Set("debug", true);
#endif
    o.Freeze();
    return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    auto* data = new AddonData();
    env.SetInstanceData<AddonData>(data);  // deleted with the environment
    exports.Set("Model", ModelWrap::Init(env, data));
    exports.Set("Dataset", DatasetWrap::Init(env));
    exports.Set("createModel", Napi::Function::New(env, CreateModel, "createModel"));
    exports.Set("createModelFromState", Napi::Function::New(env, CreateModelFromState, "createModelFromState"));
    exports.Set("cancelCreate", Napi::Function::New(env, CancelCreate, "cancelCreate"));
    exports.Set("hardwareConcurrency", Napi::Function::New(env, HardwareConcurrency, "hardwareConcurrency"));
    exports.Set("availableCpus", Napi::Function::New(env, AvailableCpus, "availableCpus"));
    exports.Set("sgemmGflops", Napi::Function::New(env, SgemmGflops, "sgemmGflops"));
    exports.Set("endJobs", Napi::Function::New(env, EndJobs, "endJobs"));
    exports.Set("version", Napi::String::New(env, NPSET_VERSION));
    // The kernel instruction set chosen at run time for this CPU: "avx512", "avx2" or "generic".
    exports.Set("kernels", Napi::String::New(env, npset::kernels().isa));
    exports.Set("buildInfo", BuildInfo(env));
    return exports;
}

}  // namespace

}  // namespace npset_binding

static Napi::Object InitNpset(Napi::Env env, Napi::Object exports) { return npset_binding::Init(env, exports); }

NODE_API_MODULE(npset, InitNpset)

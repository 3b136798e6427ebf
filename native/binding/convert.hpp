// C++ results of the core -> plain JS values (JS thread only).
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

#include "npset/model.hpp"

namespace npset_binding {

Napi::Object to_js(Napi::Env env, const npset::EpochResult& r);
Napi::Object to_js(Napi::Env env, const npset::EvalResult& r);
Napi::Object to_js(Napi::Env env, const npset::EvolutionResult& r);
Napi::Object to_js(Napi::Env env, const npset::PruneResult& r);
Napi::Object to_js(Napi::Env env, const npset::Topology& t);
Napi::Object to_js(Napi::Env env, const npset::LayerCsr& c);
Napi::Object to_js(Napi::Env env, const npset::MemoryStats& m);

Napi::Float32Array to_float32_array(Napi::Env env, const std::vector<float>& v);
Napi::Float64Array to_float64_array(Napi::Env env, const std::vector<int64_t>& v);
Napi::Int32Array to_int32_array(Napi::Env env, const std::vector<int32_t>& v);
// int64 indices that must fit an int32 (throws a RangeError otherwise).
Napi::Int32Array to_int32_array(Napi::Env env, const std::vector<int64_t>& v);
Napi::Array to_number_array(Napi::Env env, const std::vector<int64_t>& v);

}  // namespace npset_binding

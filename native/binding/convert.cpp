#include "convert.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace npset_binding {

namespace {

Napi::Number num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

}  // namespace

Napi::Float32Array to_float32_array(Napi::Env env, const std::vector<float>& v) {
    auto out = Napi::Float32Array::New(env, v.size());
    if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(float));
    return out;
}

Napi::Float64Array to_float64_array(Napi::Env env, const std::vector<int64_t>& v) {
    auto out = Napi::Float64Array::New(env, v.size());
    double* p = out.Data();
    for (size_t i = 0; i < v.size(); ++i) p[i] = double(v[i]);
    return out;
}

Napi::Int32Array to_int32_array(Napi::Env env, const std::vector<int32_t>& v) {
    auto out = Napi::Int32Array::New(env, v.size());
    if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size() * sizeof(int32_t));
    return out;
}

Napi::Int32Array to_int32_array(Napi::Env env, const std::vector<int64_t>& v) {
    auto out = Napi::Int32Array::New(env, v.size());
    int32_t* p = out.Data();
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < std::numeric_limits<int32_t>::min() || v[i] > std::numeric_limits<int32_t>::max())
            throw Napi::RangeError::New(env, "index " + std::to_string(v[i]) + " does not fit an Int32Array");
        p[i] = int32_t(v[i]);
    }
    return out;
}

Napi::Array to_number_array(Napi::Env env, const std::vector<int64_t>& v) {
    auto out = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) out.Set(uint32_t(i), num(env, double(v[i])));
    return out;
}

Napi::Object to_js(Napi::Env env, const npset::EpochResult& r) {
    auto o = Napi::Object::New(env);
    o.Set("loss", num(env, r.loss));
    o.Set("accuracy", num(env, r.accuracy));
    o.Set("samples", num(env, double(r.samples)));
    auto t = Napi::Object::New(env);
    t.Set("forward", num(env, r.times.forward_ms));
    t.Set("backward", num(env, r.times.backward_ms));
    t.Set("update", num(env, r.times.update_ms));
    t.Set("evolution", num(env, r.times.evolution_ms));
    t.Set("pruning", num(env, r.times.pruning_ms));
    o.Set("timesMs", t);
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::EvalResult& r) {
    auto o = Napi::Object::New(env);
    o.Set("loss", num(env, r.loss));
    o.Set("accuracy", num(env, r.accuracy));
    o.Set("samples", num(env, double(r.samples)));
    o.Set("correct", num(env, double(r.correct)));
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::EvolutionResult& r) {
    auto o = Napi::Object::New(env);
    o.Set("removed", to_number_array(env, r.removed));
    o.Set("added", to_number_array(env, r.added));
    o.Set("ms", num(env, r.ms));
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::PruneResult& r) {
    auto o = Napi::Object::New(env);
    auto removed = Napi::Array::New(env, r.removed.size());
    for (size_t i = 0; i < r.removed.size(); ++i) removed.Set(uint32_t(i), to_number_array(env, r.removed[i]));
    o.Set("removed", removed);
    o.Set("ms", num(env, r.ms));
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::Topology& t) {
    auto o = Napi::Object::New(env);
    o.Set("neurons", to_number_array(env, t.neurons));
    o.Set("connections", to_number_array(env, t.connections));
    auto sparse = Napi::Array::New(env, t.sparse.size());
    for (size_t i = 0; i < t.sparse.size(); ++i) sparse.Set(uint32_t(i), Napi::Boolean::New(env, t.sparse[i]));
    o.Set("sparse", sparse);
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::LayerCsr& c) {
    auto o = Napi::Object::New(env);
    o.Set("rows", num(env, double(c.rows)));
    o.Set("cols", num(env, double(c.cols)));
    o.Set("rowPtr", to_float64_array(env, c.row_ptr));
    o.Set("col", to_int32_array(env, c.col));
    o.Set("values", to_float32_array(env, c.values));
    o.Set("bias", to_float32_array(env, c.bias));
    return o;
}

Napi::Object to_js(Napi::Env env, const npset::MemoryStats& m) {
    auto o = Napi::Object::New(env);
    o.Set("modelBytes", num(env, double(m.model_bytes)));
    o.Set("activationBytes", num(env, double(m.activation_bytes)));
    o.Set("connections", num(env, double(m.connections)));
    return o;
}

}  // namespace npset_binding

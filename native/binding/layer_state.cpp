#include "layer_state.hpp"

#include <cmath>

#include "convert.hpp"
#include "options.hpp"

namespace npset_binding {

Napi::Object to_js(Napi::Env env, const npset::LayerState& s) {
    auto o = Napi::Object::New(env);
    o.Set("rows", Napi::Number::New(env, double(s.rows)));
    o.Set("cols", Napi::Number::New(env, double(s.cols)));
    o.Set("sparse", Napi::Boolean::New(env, s.sparse));
    o.Set("rowPtr", to_float64_array(env, s.row_ptr));
    o.Set("col", to_int32_array(env, s.col));
    o.Set("values", to_float32_array(env, s.values));
    o.Set("momentum", to_float32_array(env, s.momentum));
    o.Set("bias", to_float32_array(env, s.bias));
    o.Set("biasMomentum", to_float32_array(env, s.bias_momentum));
    return o;
}

namespace {

template <class T>
T typed(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name, const std::string& name) {
    const Napi::Value v = o.Get(key);
    const std::string field = name + "." + key;
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) fail_type(std::string("a ") + type_name, field, v);
    T a = v.As<T>();
    if (a.ArrayBuffer().IsDetached()) fail_type(std::string("a ") + type_name + " whose buffer is not detached", field, v);
    return a;
}

template <class Out, class T>
std::vector<Out> copy_of(const T& a) {
    const auto* p = a.Data();
    return std::vector<Out>(p, p + a.ElementLength());
}

}  // namespace

std::vector<npset::LayerState> parse_layer_states(const Napi::Value& v, const std::string& name) {
    if (!v.IsArray()) fail_type("an array of layers", name, v);
    const auto arr = v.As<Napi::Array>();
    std::vector<npset::LayerState> out;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
        const std::string at = name + "[" + std::to_string(i) + "]";
        const Napi::Value lv = arr.Get(i);
        if (!lv.IsObject() || lv.IsTypedArray() || lv.IsArray()) fail_type("a layer object", at, lv);
        const auto o = lv.As<Napi::Object>();
        npset::LayerState s;
        s.rows = read_integer(o.Get("rows"), at + ".rows", 1, 2147483647);
        s.cols = read_integer(o.Get("cols"), at + ".cols", 1, 2147483647);
        const Napi::Value sv = o.Get("sparse");
        if (!sv.IsBoolean()) fail_type("a boolean", at + ".sparse", sv);
        s.sparse = sv.As<Napi::Boolean>().Value();
        const auto row_ptr = typed<Napi::Float64Array>(o, "rowPtr", napi_float64_array, "Float64Array", at);
        for (size_t k = 0; k < row_ptr.ElementLength(); ++k) {
            const double x = row_ptr[k];
            if (!(x >= 0 && x <= double(kMaxSafeInteger)) || std::floor(x) != x)
                fail_range("whole numbers >= 0", at + ".rowPtr[" + std::to_string(k) + "]", Napi::Number::New(o.Env(), x));
        }
        s.row_ptr = copy_of<int64_t>(row_ptr);
        s.col = copy_of<int32_t>(typed<Napi::Int32Array>(o, "col", napi_int32_array, "Int32Array", at));
        s.values = copy_of<float>(typed<Napi::Float32Array>(o, "values", napi_float32_array, "Float32Array", at));
        s.momentum = copy_of<float>(typed<Napi::Float32Array>(o, "momentum", napi_float32_array, "Float32Array", at));
        s.bias = copy_of<float>(typed<Napi::Float32Array>(o, "bias", napi_float32_array, "Float32Array", at));
        s.bias_momentum = copy_of<float>(typed<Napi::Float32Array>(o, "biasMomentum", napi_float32_array, "Float32Array", at));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace npset_binding

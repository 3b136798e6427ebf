#include "dataset_wrap.hpp"

#include <cmath>
#include <cstring>

#include "errors.hpp"
#include "npset/errors.hpp"
#include "options.hpp"

namespace npset_binding {

namespace {

// Tags each Dataset object, so that no other wrapped object (a Model, another addon's object) is
// ever unwrapped as a Dataset.
const napi_type_tag kDatasetTag = {0x6e70736574446174ULL, 0x617365745461672aULL};

}  // namespace

Napi::Function DatasetWrap::Init(Napi::Env env) {
    return DefineClass(env, "Dataset",
                       {
                           InstanceAccessor<&DatasetWrap::Samples>("samples"),
                           InstanceAccessor<&DatasetWrap::Features>("features"),
                           InstanceAccessor<&DatasetWrap::HasLabels>("hasLabels"),
                           InstanceAccessor<&DatasetWrap::Disposed>("disposed"),
                           InstanceMethod<&DatasetWrap::Dispose>("dispose"),
                       });
}

// new Dataset(x: Float32Array, y: Int32Array | null, samples: number, features: number)
DatasetWrap::DatasetWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DatasetWrap>(info) {
    Napi::Env env = info.Env();
    guard(env, [&] {
        const Napi::Value xv = info[0], yv = info[1];
        const int64_t samples = read_integer(info[2], "samples", 1, kMaxSafeInteger);
        const int64_t features = read_integer(info[3], "features", 1, 2147483647);

        if (!xv.IsTypedArray() || xv.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
            fail_type("a Float32Array", "x", xv);
        auto x = xv.As<Napi::Float32Array>();
        if (x.ArrayBuffer().IsDetached()) fail_type("a Float32Array whose buffer is not detached", "x", xv);
        const size_t xlen = x.ElementLength();
        if (samples > int64_t(kMaxSafeInteger) / features || size_t(samples * features) != xlen)
            fail_range("a Float32Array of length samples x features = " + std::to_string(samples) + " x " +
                           std::to_string(features),
                       "x", xv);

        bool has_labels = false;
        Napi::Int32Array y;
        if (!yv.IsNull() && !yv.IsUndefined()) {
            if (!yv.IsTypedArray() || yv.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
                fail_type("an Int32Array or null", "y", yv);
            y = yv.As<Napi::Int32Array>();
            if (y.ArrayBuffer().IsDetached()) fail_type("an Int32Array whose buffer is not detached", "y", yv);
            if (int64_t(y.ElementLength()) != samples)
                fail_range("an Int32Array of length samples = " + std::to_string(samples), "y", yv);
            has_labels = true;
        }

        auto data = std::make_shared<DatasetData>();
        data->samples = samples;
        data->features = features;
        data->x.resize(xlen);
        const float* xp = x.Data();
        std::memcpy(data->x.data(), xp, xlen * sizeof(float));
        for (size_t i = 0; i < xlen; ++i) {
            if (!std::isfinite(data->x[i])) {
                fail_range("finite values", "x[" + std::to_string(i) + "]", Napi::Number::New(env, data->x[i]));
            }
        }
        if (has_labels) {
            data->has_labels = true;
            data->y.assign(y.Data(), y.Data() + samples);
            int32_t mx = -1;
            for (int64_t i = 0; i < samples; ++i) {
                const int32_t l = data->y[size_t(i)];
                if (l < 0) fail_range("class labels >= 0", "y[" + std::to_string(i) + "]", Napi::Number::New(env, l));
                if (l > mx) mx = l;
            }
            data->max_label = mx;
        }

        samples_ = samples;
        features_ = features;
        has_labels_ = has_labels;
        data_ = std::move(data);
        external_bytes_ = int64_t(xlen * sizeof(float) + (has_labels ? samples * sizeof(int32_t) : 0));
        int64_t adjusted = 0;
        napi_adjust_external_memory(env, external_bytes_, &adjusted);
        info.This().As<Napi::Object>().TypeTag(&kDatasetTag);
    });
}

DatasetWrap::~DatasetWrap() { release_external_memory(); }

void DatasetWrap::release_external_memory() {
    if (external_bytes_ != 0) {
        int64_t adjusted = 0;
        napi_adjust_external_memory(Env(), -external_bytes_, &adjusted);  // status ignored (may run at teardown)
        external_bytes_ = 0;
    }
}

DatasetWrap& DatasetWrap::Self(const Napi::CallbackInfo& info) {
    Napi::Value self = info.This();
    if (!self.IsObject() || !self.As<Napi::Object>().CheckTypeTag(&kDatasetTag))
        throw Napi::TypeError::New(info.Env(), "Illegal invocation: the receiver is not a Dataset");
    return *DatasetWrap::Unwrap(self.As<Napi::Object>());
}

std::shared_ptr<const DatasetData> DatasetWrap::From(const Napi::Value& v, const std::string& name) {
    if (v.IsEmpty() || !v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(&kDatasetTag))
        fail_type("a Dataset", name, v);
    DatasetWrap* w = DatasetWrap::Unwrap(v.As<Napi::Object>());
    if (!w->data_) throw BindingError(kDisposedCode, "The Dataset passed as " + name + " has been disposed");
    return w->data_;
}

Napi::Value DatasetWrap::Samples(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(Self(info).samples_));
}

Napi::Value DatasetWrap::Features(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(Self(info).features_));
}

Napi::Value DatasetWrap::HasLabels(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Self(info).has_labels_);
}

Napi::Value DatasetWrap::Disposed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !Self(info).data_);
}

// Drops this object's reference to the data; a job still using it keeps it alive until it ends.
Napi::Value DatasetWrap::Dispose(const Napi::CallbackInfo& info) {
    DatasetWrap& self = Self(info);
    self.data_.reset();
    self.release_external_memory();
    return info.Env().Undefined();
}

}  // namespace npset_binding

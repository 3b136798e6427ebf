// Dataset: a native copy of x (Float32Array, row-major samples x features) and y (Int32Array or null),
// validated once at construction and shared (read-only) with the jobs that use it.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "npset/model.hpp"

namespace npset_binding {

struct DatasetData {
    std::vector<float> x;    // samples * features, row-major
    std::vector<int32_t> y;  // samples, or empty when unlabelled
    bool has_labels = false;
    int64_t samples = 0;
    int64_t features = 0;
    int32_t max_label = -1;  // largest label (labels are >= 0), -1 when unlabelled

    npset::DataView view() const {
        npset::DataView v;
        v.x = x.data();
        v.y = has_labels ? y.data() : nullptr;
        v.samples = samples;
        v.features = features;
        return v;
    }
};

class DatasetWrap : public Napi::ObjectWrap<DatasetWrap> {
public:
    static Napi::Function Init(Napi::Env env);
    explicit DatasetWrap(const Napi::CallbackInfo& info);
    ~DatasetWrap() override;

    // The data behind a JS value. TypeError when it is not a Dataset, Error (ERR_NPSET_DISPOSED) when disposed.
    static std::shared_ptr<const DatasetData> From(const Napi::Value& v, const std::string& name);

private:
    static DatasetWrap& Self(const Napi::CallbackInfo& info);
    Napi::Value Samples(const Napi::CallbackInfo& info);
    Napi::Value Features(const Napi::CallbackInfo& info);
    Napi::Value HasLabels(const Napi::CallbackInfo& info);
    Napi::Value Disposed(const Napi::CallbackInfo& info);
    Napi::Value Dispose(const Napi::CallbackInfo& info);
    void release_external_memory();

    std::shared_ptr<const DatasetData> data_;
    int64_t samples_ = 0, features_ = 0;
    bool has_labels_ = false;
    int64_t external_bytes_ = 0;
};

}  // namespace npset_binding

#include "options.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <utility>

#include "errors.hpp"
#include "npset/errors.hpp"

#include <unistd.h>

namespace npset_binding {

namespace {

std::string json_quote(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

// Truncate to at most `max` UTF-16-ish characters without splitting a UTF-8 sequence.
std::string truncate_utf8(const std::string& s, std::size_t max_chars, bool* truncated) {
    std::size_t chars = 0, i = 0;
    while (i < s.size()) {
        if (chars == max_chars) {
            *truncated = true;
            return s.substr(0, i);
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        i += len;
        ++chars;
    }
    *truncated = false;
    return s;
}

const char* typed_array_name(napi_typedarray_type t) {
    switch (t) {
        case napi_int8_array: return "Int8Array";
        case napi_uint8_array: return "Uint8Array";
        case napi_uint8_clamped_array: return "Uint8ClampedArray";
        case napi_int16_array: return "Int16Array";
        case napi_uint16_array: return "Uint16Array";
        case napi_int32_array: return "Int32Array";
        case napi_uint32_array: return "Uint32Array";
        case napi_float32_array: return "Float32Array";
        case napi_float64_array: return "Float64Array";
        case napi_bigint64_array: return "BigInt64Array";
        case napi_biguint64_array: return "BigUint64Array";
        default: return "TypedArray";
    }
}

// "a Dataset", "an Int32Array".
std::string with_article(const std::string& noun) {
    const char c = noun.empty() ? 'x' : noun[0];
    const bool vowel = c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'a' || c == 'e' || c == 'i' ||
                       c == 'o' || c == 'u';
    return std::string(vowel ? "an " : "a ") + noun;
}

std::string number_text(const Napi::Value& v) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return "NaN";
    return v.ToString().Utf8Value();  // JS formatting (1e+21, Infinity, -0 -> "0")
}

std::string fmt_double(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Shortest form that round-trips, for readable bounds like 0.5 or 1e-06.
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    return buf;
}

struct Range {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_excl = false, max_excl = false;
};

std::string range_text(const std::string& kind, const Range& r) {
    std::string out = kind;
    bool has_min = std::isfinite(r.min), has_max = std::isfinite(r.max);
    if (has_min) out += std::string(r.min_excl ? " > " : " >= ") + fmt_double(r.min);
    if (has_min && has_max) out += " and";
    if (has_max) out += std::string(r.max_excl ? " < " : " <= ") + fmt_double(r.max);
    return out;
}

bool in_range(double v, const Range& r) {
    if (r.min_excl ? !(v > r.min) : !(v >= r.min)) return false;
    if (r.max_excl ? !(v < r.max) : !(v <= r.max)) return false;
    return true;
}

bool is_safe_integer(double d) { return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= double(kMaxSafeInteger); }

double read_number(const Napi::Value& v, const std::string& name, Range r) {
    // Every float field must also fit a 32-bit float.
    if (r.min < -double(FLT_MAX)) r.min = -double(FLT_MAX);
    if (r.max > double(FLT_MAX)) r.max = double(FLT_MAX);
    Range shown = r;
    if (shown.min == -double(FLT_MAX)) shown.min = -std::numeric_limits<double>::infinity();
    if (shown.max == double(FLT_MAX)) shown.max = std::numeric_limits<double>::infinity();
    const std::string expected = range_text("a finite number", shown);
    if (!v.IsNumber()) fail_type(expected, name, v);
    double d = v.As<Napi::Number>().DoubleValue();
    // A finite number beyond the 32-bit float range would otherwise be told it is not finite.
    if (std::isfinite(d) && std::fabs(d) > double(FLT_MAX))
        fail_range("a number that fits a 32-bit float (magnitude at most 3.4028234663852886e+38)", name, v);
    if (!std::isfinite(d) || !in_range(d, r)) fail_range(expected, name, v);
    return d;
}

bool read_bool(const Napi::Value& v, const std::string& name) {
    if (!v.IsBoolean()) fail_type("a boolean", name, v);
    return v.As<Napi::Boolean>().Value();
}

template <class E>
E read_enum(const Napi::Value& v, const std::string& name, std::initializer_list<std::pair<const char*, E>> choices) {
    std::string expected = "one of ";
    bool first = true;
    for (const auto& c : choices) {
        if (!first) expected += ", ";
        expected += json_quote(c.first);
        first = false;
    }
    if (!v.IsString()) fail_type(expected, name, v);
    std::string s = v.As<Napi::String>().Utf8Value();
    for (const auto& c : choices)
        if (s == c.first) return c.second;
    fail_range(expected, name, v);
}

// An options object: undefined -> no options; anything but a plain object -> TypeError.
// Own enumerable string keys not in `known` -> TypeError. Undefined values count as absent.
class Options {
public:
    Options(const Napi::Value& v, std::string name, std::initializer_list<const char*> known)
        : name_(std::move(name)) {
        if (v.IsUndefined()) return;
        if (!v.IsObject() || v.IsArray() || v.IsFunction() || v.IsTypedArray() || v.IsArrayBuffer() ||
            v.IsDataView() || v.IsPromise())
            fail_type("an options object", name_, v);
        obj_ = v.As<Napi::Object>();
        has_ = true;
        napi_env env = v.Env();
        napi_value keys;
        napi_status st = napi_get_all_property_names(env, obj_, napi_key_own_only,
                                                     static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                                     napi_key_numbers_to_strings, &keys);
        NAPI_THROW_IF_FAILED_VOID(env, st);
        Napi::Array arr(env, keys);
        const uint32_t n = arr.Length();
        for (uint32_t i = 0; i < n; ++i) {
            Napi::Value k = arr.Get(i);
            if (!k.IsString()) continue;
            std::string key = k.As<Napi::String>().Utf8Value();
            bool ok = false;
            for (const char* kn : known) ok = ok || key == kn;
            if (!ok) {
                std::string list;
                for (const char* kn : known) list += (list.empty() ? "" : ", ") + std::string(kn);
                throw npset::type_error("Expected only the options " + list + " for " + name_ +
                                        " but received the unknown option " + json_quote(key));
            }
        }
    }
    // The value of `key`, or undefined.
    Napi::Value get(const char* key) const {
        if (!has_) return Napi::Value();
        return obj_.Get(key);
    }
    std::string field(const char* key) const { return name_ + "." + key; }

private:
    std::string name_;
    Napi::Object obj_;
    bool has_ = false;
};

// Helpers that apply a reader when the value is present.
template <class T, class F>
void opt(const Options& o, const char* key, T& out, F&& read) {
    Napi::Value v = o.get(key);
    if (v.IsEmpty() || v.IsUndefined()) return;
    out = static_cast<T>(read(v, o.field(key)));
}

}  // namespace

std::string describe(const Napi::Value& v) {
    try {
        if (v.IsEmpty() || v.IsUndefined()) return "undefined";
        if (v.IsNull()) return "null";
        if (v.IsNumber()) return number_text(v);
        if (v.IsString()) {
            bool truncated = false;
            std::string s = truncate_utf8(v.As<Napi::String>().Utf8Value(), 40, &truncated);
            return json_quote(truncated ? s + "..." : s);
        }
        if (v.IsBigInt()) return v.ToString().Utf8Value() + "n";
        if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
        if (v.IsSymbol()) return "a symbol";
        if (v.IsFunction()) return "a function";
        if (v.IsArray()) return "an array of length " + std::to_string(v.As<Napi::Array>().Length());
        if (v.IsTypedArray()) {
            auto ta = v.As<Napi::TypedArray>();
            return with_article(typed_array_name(ta.TypedArrayType())) + " of length " + std::to_string(ta.ElementLength());
        }
        if (v.IsDataView()) return "a DataView";
        if (v.IsArrayBuffer()) return "an ArrayBuffer";
        if (v.IsObject()) {
            // constructor.name, as the TypeScript side does; getters or proxies may throw: ignore.
            try {
                Napi::Value ctor = v.As<Napi::Object>().Get("constructor");
                if (ctor.IsFunction()) {
                    Napi::Value nm = ctor.As<Napi::Object>().Get("name");
                    if (nm.IsString()) {
                        std::string s = nm.As<Napi::String>().Utf8Value();
                        if (!s.empty() && s != "Object") {
                            bool truncated = false;
                            s = truncate_utf8(s, 40, &truncated);
                            return with_article(s);
                        }
                    }
                }
            } catch (const Napi::Error&) {
            }
            return "an object";
        }
    } catch (const Napi::Error&) {
    }
    return "a value";
}

void fail_type(const std::string& expected, const std::string& name, const Napi::Value& received) {
    throw npset::type_error("Expected " + expected + " for " + name + " but received " + describe(received));
}

void fail_range(const std::string& expected, const std::string& name, const Napi::Value& received) {
    throw npset::range_error("Expected " + expected + " for " + name + " but received " + describe(received));
}

int64_t read_integer(const Napi::Value& v, const std::string& name, int64_t min, int64_t max) {
    Range r;
    r.min = double(min);
    r.max = double(max);
    const std::string expected = range_text("an integer", r);
    if (v.IsEmpty() || !v.IsNumber()) fail_type(expected, name, v);
    double d = v.As<Napi::Number>().DoubleValue();
    if (!is_safe_integer(d) || d < double(min) || d > double(max)) fail_range(expected, name, v);
    return static_cast<int64_t>(d);
}

int64_t read_integer_or(const Napi::Value& v, const std::string& name, int64_t min, int64_t max, int64_t dflt) {
    if (v.IsEmpty() || v.IsUndefined()) return dflt;
    return read_integer(v, name, min, max);
}

npset::ModelConfig parse_model_config(const Napi::Value& v, const std::string& name) {
    if (v.IsEmpty() || v.IsUndefined()) fail_type("an options object", name, v);
    Options o(v, name, {"layers", "dense", "epsilon", "topology", "weightInit", "activation", "allReluSlope", "loss",
                        "seed", "threads"});
    npset::ModelConfig c;

    Napi::Value layers = o.get("layers");
    const std::string lname = o.field("layers");
    const std::string lexpected = "an array of at least 2 integers >= 1 and <= 2147483647";
    if (!layers.IsArray()) fail_type(lexpected, lname, layers);
    auto arr = layers.As<Napi::Array>();
    const uint32_t n = arr.Length();
    if (n < 2 || n > 4096) fail_range("an array of 2 to 4096 integers >= 1 and <= 2147483647", lname, layers);
    c.layers.reserve(n);
    for (uint32_t i = 0; i < n; ++i)
        c.layers.push_back(read_integer(arr.Get(i), lname + "[" + std::to_string(i) + "]", 1, 2147483647));

    opt(o, "dense", c.dense, read_bool);
    opt(o, "epsilon", c.epsilon, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        r.min_excl = true;
        return read_number(x, nm, r);
    });
    opt(o, "topology", c.topology, [](const Napi::Value& x, const std::string& nm) {
        return read_enum<npset::TopologyInit>(x, nm, {{"draws", npset::TopologyInit::Draws},
                                                      {"bernoulli", npset::TopologyInit::Bernoulli}});
    });
    opt(o, "weightInit", c.weight_init, [](const Napi::Value& x, const std::string& nm) {
        return read_enum<npset::WeightInit>(x, nm, {{"he-uniform", npset::WeightInit::HeUniform},
                                                    {"xavier-uniform", npset::WeightInit::XavierUniform},
                                                    {"normal", npset::WeightInit::Normal}});
    });
    opt(o, "activation", c.activation, [](const Napi::Value& x, const std::string& nm) {
        return read_enum<npset::Activation>(x, nm, {{"relu", npset::Activation::ReLU},
                                                    {"all-relu", npset::Activation::AllReLU}});
    });
    opt(o, "allReluSlope", c.all_relu_slope, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        return read_number(x, nm, r);
    });
    opt(o, "loss", c.loss, [](const Napi::Value& x, const std::string& nm) {
        return read_enum<npset::LossKind>(x, nm, {{"cross-entropy", npset::LossKind::CrossEntropy},
                                                  {"mse", npset::LossKind::MSE}});
    });
    opt(o, "seed", c.seed, [](const Napi::Value& x, const std::string& nm) { return read_integer(x, nm, 0, kMaxSafeInteger); });
    opt(o, "threads", c.threads, [](const Napi::Value& x, const std::string& nm) { return read_integer(x, nm, 0, kMaxThreads); });
    npset::validate(c);
    check_model_fits(c);
    return c;
}

namespace {

double physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return 1e18;  // unknown: no limit
    return double(pages) * double(page);
}

std::string gib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1 << 30));
    return buf;
}

[[noreturn]] void too_big(const std::string& what, double bytes, double phys) {
    throw BindingError("ERR_NPSET_OUT_OF_MEMORY", "out of memory: " + what + " needs about " + gib(bytes) +
                                                      ", more than this machine's " + gib(phys) + " of memory");
}

}  // namespace

void check_model_fits(const npset::ModelConfig& c) {
    // Per weight layer: dense n_in*n_out*(weight, momentum, gradient); sparse about
    // epsilon*(n_in+n_out) connections of at most 20 bytes (value, momentum, column, transposed index) plus
    // per-neuron arrays. Doubles avoid overflow for any int32 sizes.
    double bytes = 0;
    for (size_t l = 0; l + 1 < c.layers.size(); ++l) {
        const double n_in = double(c.layers[l]), n_out = double(c.layers[l + 1]);
        if (c.dense) {
            bytes += n_in * n_out * 12.0 + n_out * 8.0;
        } else {
            const double conns = std::min(n_in * n_out, c.epsilon * (n_in + n_out));
            bytes += conns * 20.0 + (n_in + n_out) * 16.0;
        }
    }
    const double phys = physical_memory_bytes();
    if (bytes > phys) too_big("a model of this size", bytes, phys);
}

void check_batch_fits(const std::vector<int64_t>& neurons, int64_t batch) {
    double total = 0;
    for (int64_t n : neurons) total += double(n);
    const double padded = double((batch + 7) / 8 * 8);
    const double bytes = total * padded * 4.0 * 4.0;  // pre-activations, activations, masks, deltas
    const double phys = physical_memory_bytes();
    if (bytes > phys) too_big("a batch of " + std::to_string(batch) + " samples for this model", bytes, phys);
}

npset::TrainConfig parse_train_config(const Napi::Value& v, const std::string& name) {
    Options o(v, name, {"batchSize", "learningRate", "momentum", "nesterov", "weightDecay", "dropout", "shuffle"});
    npset::TrainConfig c;
    opt(o, "batchSize", c.batch_size, [](const Napi::Value& x, const std::string& nm) { return read_integer(x, nm, 1, kMaxBatchSize); });
    opt(o, "learningRate", c.learning_rate, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        r.min_excl = true;
        return read_number(x, nm, r);
    });
    auto unit_open = [](const Napi::Value& x, const std::string& nm) {  // [0, 1)
        Range r;
        r.min = 0;
        r.max = 1;
        r.max_excl = true;
        return read_number(x, nm, r);
    };
    opt(o, "momentum", c.momentum, unit_open);
    opt(o, "nesterov", c.nesterov, read_bool);
    opt(o, "weightDecay", c.weight_decay, unit_open);
    opt(o, "dropout", c.dropout, unit_open);
    opt(o, "shuffle", c.shuffle, read_bool);
    npset::validate(c);
    return c;
}

npset::EvolutionConfig parse_evolution_config(const Napi::Value& v, const std::string& name) {
    Options o(v, name, {"zeta", "regrowInit", "regrowScale"});
    npset::EvolutionConfig c;
    opt(o, "zeta", c.zeta, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        r.max = 1;
        return read_number(x, nm, r);
    });
    opt(o, "regrowInit", c.regrow_init, [](const Napi::Value& x, const std::string& nm) {
        return read_enum<npset::RegrowInit>(x, nm, {{"normal", npset::RegrowInit::Normal},
                                                    {"zero", npset::RegrowInit::Zero},
                                                    {"he-uniform", npset::RegrowInit::HeUniform}});
    });
    opt(o, "regrowScale", c.regrow_scale, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        return read_number(x, nm, r);
    });
    npset::validate(c);
    return c;
}

npset::PruneCriterion parse_criterion(const Napi::Value& v, const std::string& name) {
    if (v.IsEmpty() || v.IsUndefined()) return npset::PruneCriterion::OutDegree;
    return read_enum<npset::PruneCriterion>(v, name, {{"out-degree", npset::PruneCriterion::OutDegree},
                                                      {"in-degree", npset::PruneCriterion::InDegree},
                                                      {"in-out", npset::PruneCriterion::InOut},
                                                      {"strength", npset::PruneCriterion::Strength}});
}

npset::PruneConfig parse_prune_config(const Napi::Value& v, const std::string& name) {
    Options o(v, name, {"hiddenLayers", "alpha", "criterion"});
    npset::PruneConfig c;
    Napi::Value hl = o.get("hiddenLayers");
    if (!hl.IsUndefined()) {
        const std::string hname = o.field("hiddenLayers");
        if (!hl.IsArray()) fail_type("an array of integers >= 1 (1-based hidden layer indices)", hname, hl);
        auto arr = hl.As<Napi::Array>();
        const uint32_t n = arr.Length();
        if (n > 4096) fail_range("an array of at most 4096 integers >= 1", hname, hl);
        for (uint32_t i = 0; i < n; ++i)
            c.hidden_layers.push_back(static_cast<int>(read_integer(arr.Get(i), hname + "[" + std::to_string(i) + "]", 1, 4096)));
    }
    opt(o, "alpha", c.alpha, [](const Napi::Value& x, const std::string& nm) {
        Range r;
        r.min = 0;
        r.max = 1;
        r.max_excl = true;
        return read_number(x, nm, r);
    });
    Napi::Value crit = o.get("criterion");
    if (!crit.IsUndefined()) c.criterion = parse_criterion(crit, o.field("criterion"));
    return c;  // validated against the model's hidden layer count by the caller
}

std::vector<int64_t> parse_index_list(const Napi::Value& v, const std::string& name, int64_t max) {
    const std::string expected = "an Int32Array or an array of integers >= 0";
    std::vector<int64_t> out;
    if (v.IsTypedArray()) {
        auto ta = v.As<Napi::TypedArray>();
        if (ta.TypedArrayType() != napi_int32_array) fail_type(expected, name, v);
        auto a = v.As<Napi::Int32Array>();
        const size_t n = a.ElementLength();
        const int32_t* p = n ? a.Data() : nullptr;
        if (n && !p) fail_type(expected, name, v);
        out.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            if (p[i] < 0 || p[i] > max) {
                Napi::Value elem = Napi::Number::New(v.Env(), p[i]);
                fail_range("an integer >= 0 and <= " + std::to_string(max), name + "[" + std::to_string(i) + "]", elem);
            }
            out.push_back(p[i]);
        }
        return out;
    }
    if (!v.IsArray()) fail_type(expected, name, v);
    auto arr = v.As<Napi::Array>();
    const uint32_t n = arr.Length();
    out.reserve(n);
    for (uint32_t i = 0; i < n; ++i) out.push_back(read_integer(arr.Get(i), name + "[" + std::to_string(i) + "]", 0, max));
    return out;
}

}  // namespace npset_binding

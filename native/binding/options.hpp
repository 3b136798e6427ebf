// Parse plain JS option objects and arguments into the core's config structs, with strict validation:
// a value of the wrong type -> TypeError, a value of the right type outside its range (NaN, negative,
// non-integer, unknown enum string) -> RangeError. Messages: "Expected X for Y but received Z".
// Unknown keys are rejected (a typo must not be silently ignored); a key whose value is undefined
// counts as absent. All functions throw npset::ArgumentError; errors.hpp maps it to JS.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "npset/config.hpp"

namespace npset_binding {

// "Z" of the messages: a short description of a received JS value.
std::string describe(const Napi::Value& v);

[[noreturn]] void fail_type(const std::string& expected, const std::string& name, const Napi::Value& received);
[[noreturn]] void fail_range(const std::string& expected, const std::string& name, const Napi::Value& received);

// Safe-integer argument in [min, max]: not a number -> TypeError; otherwise out of range -> RangeError.
int64_t read_integer(const Napi::Value& v, const std::string& name, int64_t min, int64_t max);
// Like read_integer, with a default when v is undefined.
int64_t read_integer_or(const Napi::Value& v, const std::string& name, int64_t min, int64_t max, int64_t dflt);

// Maximum batch size accepted by the binding (the core pads and allocates batch x width buffers).
inline constexpr int64_t kMaxBatchSize = 65536;
// Largest thread count accepted.
inline constexpr int64_t kMaxThreads = 4096;
// Largest JS safe integer.
inline constexpr int64_t kMaxSafeInteger = (int64_t(1) << 53) - 1;

npset::ModelConfig parse_model_config(const Napi::Value& v, const std::string& name = "config");
npset::TrainConfig parse_train_config(const Napi::Value& v, const std::string& name = "trainConfig");
npset::EvolutionConfig parse_evolution_config(const Napi::Value& v, const std::string& name = "evolutionConfig");
npset::PruneConfig parse_prune_config(const Napi::Value& v, const std::string& name = "pruneConfig");
// Guards against configurations whose memory could never be allocated (the process would be killed or
// swap for hours instead of failing): RangeError with code ERR_NPSET_OUT_OF_MEMORY when a rough estimate
// of the bytes needed exceeds the machine's physical memory.
void check_model_fits(const npset::ModelConfig& c);
void check_batch_fits(const std::vector<int64_t>& neurons, int64_t batch);

npset::PruneCriterion parse_criterion(const Napi::Value& v, const std::string& name);
// Int32Array or an array of integers, each in [0, max].
std::vector<int64_t> parse_index_list(const Napi::Value& v, const std::string& name, int64_t max);

}  // namespace npset_binding

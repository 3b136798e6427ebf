// A model's saved layers between JS and the core: typed arrays <-> npset::LayerState (JS thread only).
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "npset/model.hpp"

namespace npset_binding {

// { rows, cols, sparse, rowPtr: Float64Array, col: Int32Array, values, momentum, bias, biasMomentum: Float32Array }
Napi::Object to_js(Napi::Env env, const npset::LayerState& s);
// The same shape back (copied); a dense layer has empty rowPtr and col, and empty momentum arrays mean zeros.
// Checks the types and that row offsets are whole numbers; the core checks the rest (Model::from_state).
std::vector<npset::LayerState> parse_layer_states(const Napi::Value& v, const std::string& name);

}  // namespace npset_binding

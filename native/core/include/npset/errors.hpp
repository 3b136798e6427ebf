// Exceptions of the core. The binding maps ArgumentError to TypeError/RangeError and Cancelled to AbortError.
#pragma once
#include <stdexcept>
#include <string>

namespace npset {

class ArgumentError : public std::invalid_argument {
public:
    enum class Kind { Type, Range };
    ArgumentError(Kind kind, const std::string& msg) : std::invalid_argument(msg), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

inline ArgumentError range_error(const std::string& msg) { return ArgumentError(ArgumentError::Kind::Range, msg); }
inline ArgumentError type_error(const std::string& msg) { return ArgumentError(ArgumentError::Kind::Type, msg); }

class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("The operation was aborted") {}
};

}  // namespace npset

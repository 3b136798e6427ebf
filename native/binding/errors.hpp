// Error mapping between the core (C++ exceptions) and JavaScript (typed Error objects).
//
//   npset::ArgumentError(Type)   -> TypeError   code ERR_NPSET_INVALID_ARGUMENT
//   npset::ArgumentError(Range)  -> RangeError  code ERR_NPSET_INVALID_ARGUMENT
//   npset::Cancelled             -> Error       name AbortError, code ABORT_ERR
//   std::bad_alloc               -> RangeError  "out of memory ...", code ERR_NPSET_OUT_OF_MEMORY
//                                   (also the binding's own size guard, options.hpp check_model_fits)
//   BindingError (busy, disposed)-> Error       with its own code (ERR_NPSET_BUSY, ERR_NPSET_DISPOSED)
//   other std::exception         -> Error       code ERR_NPSET_NATIVE
#pragma once
#include <napi.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace npset_binding {

// An Error with a `code`, raised by the binding itself (busy, disposed).
class BindingError : public std::runtime_error {
public:
    BindingError(std::string code, const std::string& msg) : std::runtime_error(msg), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

inline constexpr const char* kBusyCode = "ERR_NPSET_BUSY";
inline constexpr const char* kDisposedCode = "ERR_NPSET_DISPOSED";

// A plain description of an error, captured on any thread (no N-API), turned into a JS Error later.
struct ErrorInfo {
    enum class Kind { None, Type, Range, Abort, OutOfMemory, Coded, Generic };
    Kind kind = Kind::None;
    std::string message;
    std::string code;  // Kind::Coded
    explicit operator bool() const { return kind != Kind::None; }
};

// Classify an exception (call inside a catch block with std::current_exception()).
ErrorInfo describe_exception(std::exception_ptr e) noexcept;

// Build the JS Error for an ErrorInfo (JS thread only).
Napi::Error make_error(Napi::Env env, const ErrorInfo& info);

// Run `f` on the JS thread; core and binding exceptions become typed JS exceptions (Napi::Error,
// thrown as C++ exceptions, which node-addon-api rethrows into JS). Napi::Error passes through.
template <class F>
auto guard(Napi::Env env, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Napi::Error&) {
        throw;
    } catch (...) {
        throw make_error(env, describe_exception(std::current_exception()));
    }
}

// Like guard, for methods that return a Promise: any exception becomes a rejected Promise.
template <class F>
Napi::Value guard_async(Napi::Env env, F&& f) {
    try {
        return f();
    } catch (const Napi::Error& e) {
        auto d = Napi::Promise::Deferred::New(env);
        d.Reject(e.Value());
        return d.Promise();
    } catch (...) {
        auto d = Napi::Promise::Deferred::New(env);
        d.Reject(make_error(env, describe_exception(std::current_exception())).Value());
        return d.Promise();
    }
}

}  // namespace npset_binding

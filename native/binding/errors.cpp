#include "errors.hpp"

#include <new>

#include "npset/errors.hpp"

namespace npset_binding {

ErrorInfo describe_exception(std::exception_ptr e) noexcept {
    ErrorInfo info;
    try {
        try {
            std::rethrow_exception(e);
        } catch (const npset::ArgumentError& err) {
            info.kind = err.kind() == npset::ArgumentError::Kind::Type ? ErrorInfo::Kind::Type : ErrorInfo::Kind::Range;
            info.message = err.what();
        } catch (const npset::Cancelled& err) {
            info.kind = ErrorInfo::Kind::Abort;
            info.message = err.what();
        } catch (const std::bad_alloc&) {
            info.kind = ErrorInfo::Kind::OutOfMemory;
            info.message = "out of memory: the native allocation failed (reduce the network size, batch size or data)";
        } catch (const BindingError& err) {
            info.kind = ErrorInfo::Kind::Coded;
            info.code = err.code();
            info.message = err.what();
        } catch (const std::exception& err) {
            info.kind = ErrorInfo::Kind::Generic;
            info.message = err.what();
        } catch (...) {
            info.kind = ErrorInfo::Kind::Generic;
            info.message = "unknown native error";
        }
    } catch (...) {  // copying a message threw (bad_alloc): keep a static description
        info.kind = ErrorInfo::Kind::OutOfMemory;
        info.message.clear();
    }
    return info;
}

namespace {

Napi::Error with_code(Napi::Error err, const char* code) {
    err.Set("code", Napi::String::New(err.Env(), code));
    return err;
}

}  // namespace

Napi::Error make_error(Napi::Env env, const ErrorInfo& info) {
    const std::string& msg = info.message;
    switch (info.kind) {
        case ErrorInfo::Kind::Type:
            return with_code(Napi::TypeError::New(env, msg), "ERR_NPSET_INVALID_ARGUMENT");
        case ErrorInfo::Kind::Range:
            return with_code(Napi::RangeError::New(env, msg), "ERR_NPSET_INVALID_ARGUMENT");
        case ErrorInfo::Kind::Abort: {
            Napi::Error err = Napi::Error::New(env, msg.empty() ? "The operation was aborted" : msg);
            err.Set("name", Napi::String::New(env, "AbortError"));
            return with_code(err, "ABORT_ERR");
        }
        case ErrorInfo::Kind::OutOfMemory:
            return with_code(Napi::RangeError::New(env, msg.empty() ? "out of memory" : msg), "ERR_NPSET_OUT_OF_MEMORY");
        case ErrorInfo::Kind::Coded:
            if (info.code == "ERR_NPSET_OUT_OF_MEMORY") return with_code(Napi::RangeError::New(env, msg), info.code.c_str());
            return with_code(Napi::Error::New(env, msg), info.code.c_str());
        case ErrorInfo::Kind::Generic:
        case ErrorInfo::Kind::None:
        default:
            return with_code(Napi::Error::New(env, msg.empty() ? "native error" : msg), "ERR_NPSET_NATIVE");
    }
}

}  // namespace npset_binding

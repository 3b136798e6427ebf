// A tiny test framework for the core tests: no external library.
//   TEST(name) { CHECK(cond); CHECK_NEAR(a, b, tol); CHECK_THROWS_AS(expr, Type); REQUIRE(cond); }
// A test fails when any of its checks fails or it throws. main() runs every test (or those whose name
// contains one of the command-line arguments), prints "N passed, N failed" as its last line and returns
// non-zero on any failure.
#pragma once
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <sstream>
#include <string>
#include <vector>
#ifdef __linux__
#include <unistd.h>
#endif

namespace tst {

struct Case {
    const char* name;
    void (*fn)();
};

inline std::vector<Case>& registry() {
    static std::vector<Case> cases;
    return cases;
}

struct State {
    const char* current = "";
    long checks = 0;
    long failed_checks = 0;   // in the current test
    long total_failed_checks = 0;
};

inline State& state() {
    static State s;
    return s;
}

struct Registrar {
    Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

// Thrown by REQUIRE to abandon the current test.
struct Abort {};

constexpr long kMaxPrinted = 12;  // failure messages printed per test

inline void report(const char* file, int line, const std::string& what) {
    State& s = state();
    ++s.failed_checks;
    ++s.total_failed_checks;
    if (s.failed_checks <= kMaxPrinted) {
        std::fprintf(stderr, "  FAIL %s:%d [%s] %s\n", file, line, s.current, what.c_str());
    } else if (s.failed_checks == kMaxPrinted + 1) {
        std::fprintf(stderr, "  ... (further failures of %s not printed)\n", s.current);
    }
}

inline bool check(bool ok, const char* file, int line, const std::string& what) {
    ++state().checks;
    if (!ok) report(file, line, what);
    return ok;
}

inline bool near(double a, double b, double tol) { return std::fabs(a - b) <= tol && std::isfinite(a) == std::isfinite(b); }

template <class A, class B>
std::string near_msg(const char* ea, const char* eb, A a, B b, double tol, const std::string& ctx) {
    std::ostringstream s;
    s.precision(9);
    s << ea << " = " << a << " vs " << eb << " = " << b << " (|diff| " << std::fabs(double(a) - double(b))
      << " > tol " << tol << ")";
    if (!ctx.empty()) s << " " << ctx;
    return s.str();
}

inline int run_all(int argc, char** argv) {
    int passed = 0, failed = 0;
    std::vector<std::string> failed_names;
    for (const Case& c : registry()) {
        if (argc > 1) {
            bool match = false;
            for (int i = 1; i < argc; ++i)
                if (std::string(c.name).find(argv[i]) != std::string::npos) match = true;
            if (!match) continue;
        }
        State& s = state();
        s.current = c.name;
        s.failed_checks = 0;
        const auto t0 = std::chrono::steady_clock::now();
        bool ok = true;
        try {
            c.fn();
        } catch (const Abort&) {
            ok = false;
        } catch (const std::exception& e) {
            report(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
            ok = false;
        } catch (...) {
            report(__FILE__, __LINE__, "unexpected non-standard exception");
            ok = false;
        }
        if (s.failed_checks > 0) ok = false;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s %s (%.0f ms%s)\n", ok ? "[ ok ]" : "[FAIL]", c.name, ms,
                    ok ? "" : (", " + std::to_string(s.failed_checks) + " failed checks").c_str());
        std::fflush(stdout);
        if (ok) {
            ++passed;
        } else {
            ++failed;
            failed_names.push_back(c.name);
        }
    }
    const char* wait = std::getenv("OMP_WAIT_POLICY");
    std::printf("%ld checks, %ld failed checks (OMP_WAIT_POLICY=%s)\n", state().checks, state().total_failed_checks,
                wait ? wait : "unset");
    for (const auto& n : failed_names) std::printf("failed: %s\n", n.c_str());
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace tst

#define TST_CAT2(a, b) a##b
#define TST_CAT(a, b) TST_CAT2(a, b)

#define TEST(name)                                                   \
    static void name();                                              \
    static ::tst::Registrar TST_CAT(tst_reg_, name)(#name, &name);   \
    static void name()

#define CHECK(cond) ::tst::check(static_cast<bool>(cond), __FILE__, __LINE__, "CHECK(" #cond ")")

#define CHECK_MSG(cond, msg)                                                                   \
    do {                                                                                       \
        if (static_cast<bool>(cond)) {                                                         \
            ::tst::check(true, __FILE__, __LINE__, "");                                        \
        } else {                                                                               \
            std::ostringstream tst_os_;                                                        \
            tst_os_ << "CHECK(" #cond ") " << msg;                                             \
            ::tst::check(false, __FILE__, __LINE__, tst_os_.str());                            \
        }                                                                                      \
    } while (0)

#define CHECK_EQ(a, b)                                                                                   \
    do {                                                                                                 \
        const auto tst_a_ = (a);                                                                         \
        const auto tst_b_ = (b);                                                                         \
        if (!(tst_a_ == tst_b_)) {                                                                       \
            std::ostringstream tst_os_;                                                                  \
            tst_os_ << "CHECK_EQ(" #a ", " #b "): " << tst_a_ << " != " << tst_b_;                       \
            ::tst::check(false, __FILE__, __LINE__, tst_os_.str());                                      \
        } else {                                                                                         \
            ::tst::check(true, __FILE__, __LINE__, "");                                                  \
        }                                                                                                \
    } while (0)

// Near within an absolute tolerance; `ctx` is streamed into the message on failure.
#define CHECK_NEAR_CTX(a, b, tol, ctx)                                                                   \
    do {                                                                                                 \
        const double tst_a_ = static_cast<double>(a);                                                    \
        const double tst_b_ = static_cast<double>(b);                                                    \
        const double tst_t_ = static_cast<double>(tol);                                                  \
        if (!::tst::near(tst_a_, tst_b_, tst_t_)) {                                                      \
            std::ostringstream tst_os_;                                                                  \
            tst_os_ << ctx;                                                                              \
            ::tst::check(false, __FILE__, __LINE__, ::tst::near_msg(#a, #b, tst_a_, tst_b_, tst_t_, tst_os_.str())); \
        } else {                                                                                         \
            ::tst::check(true, __FILE__, __LINE__, "");                                                  \
        }                                                                                                \
    } while (0)
#define CHECK_NEAR(a, b, tol) CHECK_NEAR_CTX(a, b, tol, "")

#define CHECK_THROWS_AS(expr, Type)                                                                      \
    do {                                                                                                 \
        bool tst_thrown_ = false;                                                                        \
        std::string tst_other_;                                                                          \
        try {                                                                                            \
            (void)(expr);                                                                                \
        } catch (const Type&) {                                                                          \
            tst_thrown_ = true;                                                                          \
        } catch (const std::exception& e) {                                                              \
            tst_other_ = std::string(" (threw another exception: ") + e.what() + ")";                   \
        } catch (...) {                                                                                  \
            tst_other_ = " (threw a non-standard exception)";                                            \
        }                                                                                                \
        ::tst::check(tst_thrown_, __FILE__, __LINE__, "CHECK_THROWS_AS(" #expr ", " #Type ")" + tst_other_); \
    } while (0)

#define CHECK_NOTHROW(expr)                                                                              \
    do {                                                                                                 \
        std::string tst_err_;                                                                            \
        bool tst_ok_ = true;                                                                             \
        try {                                                                                            \
            (void)(expr);                                                                                \
        } catch (const std::exception& e) {                                                              \
            tst_ok_ = false;                                                                             \
            tst_err_ = e.what();                                                                         \
        } catch (...) {                                                                                  \
            tst_ok_ = false;                                                                             \
        }                                                                                                \
        ::tst::check(tst_ok_, __FILE__, __LINE__, "CHECK_NOTHROW(" #expr "): " + tst_err_);              \
    } while (0)

#define REQUIRE(cond)                                                                                    \
    do {                                                                                                 \
        if (!::tst::check(static_cast<bool>(cond), __FILE__, __LINE__, "REQUIRE(" #cond ")")) throw ::tst::Abort{}; \
    } while (0)

namespace tst {
// OpenMP threads that spin at barriers (libgomp's default) make many small parallel regions very slow when
// the machine is busy or the team is larger than the cores. The results do not depend on the wait policy,
// so the tests run with passive waiting unless OMP_WAIT_POLICY is set: the policy is read when the OpenMP
// runtime loads, hence the re-exec of the same binary with the variable set.
inline void prefer_passive_openmp(char** argv) {
#ifdef __linux__
    if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
    execv("/proc/self/exe", argv);  // returns only on failure: then run as we are
#else
    (void)argv;
#endif
}
}  // namespace tst

#define TEST_MAIN()                                \
    int main(int argc, char** argv) {              \
        ::tst::prefer_passive_openmp(argv);        \
        return ::tst::run_all(argc, argv);         \
    }

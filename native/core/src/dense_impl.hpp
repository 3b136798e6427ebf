// Dense products through Eigen, compiled once per instruction set like the sparse kernels. Each copy
// renames Eigen's namespace so the per-ISA template instances never collide at link time (ODR).
#define Eigen NPSET_EIGEN_NAMESPACE(NPSET_ISA_NS)
#define NPSET_EIGEN_NAMESPACE(isa) NPSET_EIGEN_NAMESPACE2(isa)
#define NPSET_EIGEN_NAMESPACE2(isa) Eigen_##isa
#include <Eigen/Core>

#include <algorithm>
#include <chrono>

namespace npset {
namespace NPSET_ISA_NS {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// C (m x n) = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k. C is computed in fixed
// blocks of rows, each by one thread with Eigen single-threaded, so results do not depend on `threads`
// (Eigen's own parallel product picks its blocking from the thread count, which changes the rounding).
static void gemm(const float* A, bool trans_a, const float* B, bool trans_b, float* C, int64_t m, int64_t k, int64_t n,
                 float alpha, float beta, int threads) {
    Eigen::setNbThreads(1);
    Eigen::Map<RowMat> c(C, m, n);
    Eigen::Map<const RowMat> a(A, trans_a ? k : m, trans_a ? m : k), b(B, trans_b ? n : k, trans_b ? k : n);
    constexpr int64_t kRows = 128;
    const int64_t blocks = (m + kRows - 1) / kRows;
    const bool parallel = threads > 1 && blocks > 1 && m * n * k > (int64_t(1) << 20);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (parallel)
    for (int64_t blk = 0; blk < blocks; ++blk) {
        FlushDenormals ftz;
        const int64_t r0 = blk * kRows, rows = std::min(kRows, m - r0);
        auto cb = c.middleRows(r0, rows);
        if (beta == 0.0f) cb.setZero();
        else if (beta != 1.0f) cb *= beta;
        if (!trans_a && !trans_b) cb.noalias() += alpha * a.middleRows(r0, rows) * b;
        else if (trans_a && !trans_b) cb.noalias() += alpha * a.middleCols(r0, rows).transpose() * b;
        else if (!trans_a && trans_b) cb.noalias() += alpha * a.middleRows(r0, rows) * b.transpose();
        else cb.noalias() += alpha * a.middleCols(r0, rows).transpose() * b.transpose();
    }
}

static double sgemm_gflops(int threads) {
    const int64_t n = 2048;
    RowMat a = RowMat::Random(n, n), b = RowMat::Random(n, n), c(n, n);
    gemm(a.data(), false, b.data(), false, c.data(), n, n, n, 1.0f, 0.0f, threads);  // warm-up
    double best = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        gemm(a.data(), false, b.data(), false, c.data(), n, n, n, 1.0f, 0.0f, threads);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 2.0 * double(n) * double(n) * double(n) / best / 1e9;
}

}  // namespace NPSET_ISA_NS
}  // namespace npset

#undef Eigen

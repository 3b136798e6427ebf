// Sparse kernels of training. Activations are feature-major: a buffer of n features holds
// x[f * pb + b] for batch column b, so one connection touches pb contiguous floats.
// `pb` is the padded batch (a multiple of 8); padded columns hold zeros in the input and zero deltas.
#pragma once
#include <cstdint>

namespace npset {

// Activation of a layer's outputs: f(z) = z for z > 0, slope * z otherwise (ReLU: slope 0).
// `identity` for the output layer (softmax is applied by the loss).
struct Act {
    bool identity = false;
    float slope = 0.0f;
};

struct Sgd {
    float lr = 0.01f, momentum = 0.9f, weight_decay = 0.0f;
    bool nesterov = false;
    float inv_n = 1.0f;  // 1 / valid samples of the batch (gradient average)
};

// W^T stored as CSR: rows = outputs, col = input index.
struct CsrArrays {
    const int64_t* row_ptr;
    const int32_t* col;
    float* val;
    float* mom;
    float* bias;
    float* bias_mom;
    int64_t rows;
    int64_t cols = 0;  // inputs
};

// Transposed index: for input i, entries t_ptr[i]..t_ptr[i+1] name the connections of column i, by
// increasing output row. Packed (t_pos null, 4 bytes per connection): an entry holds the output row in its
// high bits and the connection's rank inside that row in its low `rank_bits` bits, so the value sits at
// row_ptr[row] + rank. Wide (a layer whose rows or degrees do not fit 32 bits together): an entry holds
// the row and t_pos the value's position.
struct TransposedArrays {
    const int64_t* t_ptr;
    const uint32_t* t_ent;
    const uint32_t* t_pos;
    int rank_bits;
    int64_t cols;
};

// A row partition: part[p]..part[p+1] is the range of part p; parts = count.
struct Partition {
    const int64_t* part;
    int parts;
};

struct KernelTable {
    const char* isa;
    // z = W^T in + bias, a = act(z)   (z, a: [rows][pb]; a may equal z)
    void (*forward)(const CsrArrays& w, const float* in, float* z, float* a, int pb, Act act, Partition p,
                    int threads);
    // din = (W delta) * act'(zin)    (din: [cols][pb]); zin null means no derivative factor
    void (*backward_input)(const CsrArrays& w, const TransposedArrays& t, const float* delta, const float* zin,
                           Act act, float* din, int pb, Partition p, int threads);
    // gradient at the nonzeros (and bias) fused with the SGD momentum step
    void (*update)(const CsrArrays& w, const float* in, const float* delta, int pb, const Sgd& sgd, Partition p,
                   int threads);
    // Dense: C (m x n) = alpha * op(A) op(B) + beta * C, row-major (Eigen, compiled for this instruction set)
    void (*gemm)(const float* a, bool trans_a, const float* b, bool trans_b, float* c, int64_t m, int64_t k,
                 int64_t n, float alpha, float beta, int threads);
    // Dense single-precision product rate of a 2048^3 GEMM on `threads` threads, in GFLOP/s
    double (*sgemm_gflops)(int threads);
};

// The fastest table this CPU supports (chosen once); NPSET_ISA=generic|avx2|avx512 forces one (tests).
const KernelTable& kernels();
// This CPU's per-core L2 cache in bytes (1 MiB when the system does not say).
int64_t l2_cache_bytes();
// A specific table, or null if this CPU cannot run it.
const KernelTable* kernels_for(const char* isa);

}  // namespace npset

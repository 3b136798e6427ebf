// Kernels compiled for the avx512 instruction set (flags set per file in CMakeLists.txt).
#define NPSET_ISA_NS isa_avx512
#define NPSET_ISA_NAME "avx512"
#include "kernels_impl.hpp"

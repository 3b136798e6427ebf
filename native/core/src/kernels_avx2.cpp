// Kernels compiled for the avx2 instruction set (flags set per file in CMakeLists.txt).
#define NPSET_ISA_NS isa_avx2
#define NPSET_ISA_NAME "avx2"
#include "kernels_impl.hpp"

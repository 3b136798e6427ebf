// Kernels compiled for the generic instruction set (flags set per file in CMakeLists.txt).
#define NPSET_ISA_NS isa_generic
#define NPSET_ISA_NAME "generic"
#include "kernels_impl.hpp"

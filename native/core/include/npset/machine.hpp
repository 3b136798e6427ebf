// The CPUs this process may use, as OpenMP sees them.
#pragma once

#include <vector>

namespace npset {

// The CPU ids of OpenMP's place list (OMP_PLACES, or the places OMP_PROC_BIND implies), all places together;
// empty when there are no places. libgomp builds the places from the process's CPU mask before it binds the
// initial thread to the first place, so these are the CPUs the process started with, even after that binding.
std::vector<int> place_cpus();

// How many CPUs the process may use: those of all OpenMP places when there are places (omp_get_num_procs() then
// counts only the bound thread's place), else omp_get_num_procs().
int available_cpus();

}  // namespace npset

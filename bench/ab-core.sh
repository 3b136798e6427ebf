#!/usr/bin/env bash
# A/B of the C++ core against an earlier commit: builds both with CMake alone, then runs the kernel and
# topology benchmarks alternating the two builds, so that a busy machine slows both alike.
#   bash bench/ab-core.sh REV [batch ...]      (default batches: 24 48 136 256 32)
set -euo pipefail
rev=${1:?usage: bash bench/ab-core.sh REV [batch ...]}
shift
batches=${*:-24 48 136 256 32}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/src" "$rev"

build() {  # source tree, build dir: the core, its kernel bench, and this tree's topology bench against it
  cmake -S "$1/native/core" -B "$2" -DCMAKE_BUILD_TYPE=Release -DNPSET_BUILD_TESTS=ON -Wno-dev >/dev/null
  cmake --build "$2" --target npset_kernel_bench -j >/dev/null
  g++ -O3 -fopenmp -I"$1/native/core/include" "$root/bench/topology_bench.cpp" "$2/libnpset_core.a" \
    -o "$2/topology_bench"
}
build "$work/src" "$work/old"
build "$root" "$work/new"

echo "old = $(git -C "$root" rev-parse --short "$rev"), new = working tree; GFLOP/s on 1 thread, 5000 x 5000 layer"
echo "batch build  threads  forward  input-grad  weight-grad+sgd"
for b in $batches; do
  for r in 1 2; do
    for v in old new; do
      echo "$b $v $("$work/$v/npset_kernel_bench" 5000 5000 20 "$b" 1 3 | tail -1)"
    done
  done
done
echo "topology of one layer (ms): init best, init mean, evolve best, evolve mean, ns per connection"
for shape in "7070 7000" "5000 5000"; do
  for r in 1 2; do
    for v in old new; do
      "$work/$v/topology_bench" $shape 20 1,2 40 | tail -2 | sed "s/^/$shape $v /"
    done
  done
done

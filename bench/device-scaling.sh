#!/usr/bin/env bash
# CPU scaling on a many-core machine, in one go, with CMake and a C++ compiler alone (no Node.js, no network):
# builds the core in Release, records the machine, then times the gisette and wide workloads of issue 4 at
# 1, 2, 4, ... threads up to the cores (or THREADS), threads bound to cores. Results (JSON and the printed
# tables) go to OUT_DIR (default $OUT, else bench-scaling). Usage:
#   bash bench/device-scaling.sh [OUT_DIR] [THREADS]      e.g. bash bench/device-scaling.sh "$OUT" 1,2,4,8,16
# About 4-6 minutes on a 16-core machine (the wide workload's 1-thread epoch is the longest part).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-${OUT:-bench-scaling}}"
mkdir -p "$out"
cores="$(nproc)"
threads="${2:-}"
if [ -z "$threads" ]; then
  threads=1
  t=2
  while [ "$t" -le "$cores" ]; do threads="$threads,$t"; t=$((t * 2)); done
  # The machine's core count too, when it is not a power of two.
  case ",$threads," in *",$cores,"*) ;; *) threads="$threads,$cores" ;; esac
fi
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cores (nproc): $cores; threads timed: $threads"
  lscpu 2>/dev/null || true
  numactl --hardware 2>/dev/null || true
} > "$out/machine.txt"
build="${BUILD_DIR:-build-scaling}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1
cmake --build "$build" -j "$cores" --target npset_bench >> "$out/cmake.log" 2>&1
bench="$build/native/core/npset_bench"
export OMP_PROC_BIND="${OMP_PROC_BIND:-close}" OMP_PLACES="${OMP_PLACES:-cores}"
for spec in "gisette 3" "wide 1"; do
  set -- $spec
  echo "== $1 (threads $threads, $2 timed epochs after 1 warm-up each)" | tee -a "$out/tables.txt"
  "$bench" --workload "$1" --threads "$threads" --epochs "$2" --json "$out/$1.json" 2>&1 | tee -a "$out/tables.txt"
done
echo "wrote $out/machine.txt, $out/tables.txt, $out/gisette.json, $out/wide.json"

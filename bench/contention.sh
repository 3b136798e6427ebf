#!/usr/bin/env bash
# Training while other processes compete for the cores: `npset bench` on 1 and 2 threads with BUSY
# single-threaded busy loops running beside it (default: one per core), under libgomp's own barrier
# spinning (GOMP_SPINCOUNT=300000, its default), npset's default (3000 spins, lib/native.ts) and
# OMP_WAIT_POLICY=passive, in turn, ROUNDS times. Usage: bash bench/contention.sh [BUSY] [ROUNDS] [LAYERS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
busy="${1:-$(nproc)}"
rounds="${2:-2}"
layers="${3:-200,2000,3}"
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.json
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for _ in $(seq "$busy"); do
  node -e 'for (;;);' &
  pids+=($!)
done
sleep 1
echo "$busy busy processes beside the bench; workload custom $layers, 2000 samples, batch 8; epoch ms on 1 and 2 threads"
for r in $(seq "$rounds"); do
  for policy in libgomp-default npset-default passive; do
    case $policy in
      libgomp-default) env=(GOMP_SPINCOUNT=300000) ;;
      npset-default) env=() ;;
      passive) env=(OMP_WAIT_POLICY=passive) ;;
    esac
    line=$(env -u GOMP_SPINCOUNT -u OMP_WAIT_POLICY "${env[@]}" timeout 600 node dist/cli/main.js bench --workload custom \
      --layers "$layers" --samples 2000 --batch 8 --threads 1,2 --epochs 2 --no-dense --json |
      node -e 'const b = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(b.rows.map((r) => `${r.threads}t ${r.epochMs.toFixed(1)}`).join("  "))')
    printf 'round %d  %-16s %s\n' "$r" "$policy" "$line"
  done
done

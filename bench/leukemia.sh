#!/usr/bin/env bash
# Epoch time of a SET-MLP [7070, 7000, 7000, 2] on the real leukemia data (epsilon 10, batch 8), per phase,
# on 1 and 2 threads. Usage: bash bench/leukemia.sh [DATA_DIR]   (default ../shared/datasets)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
data="${1:-${NPSET_DATA_DIR:-../shared/datasets}}/asu/leukemia.mat"
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.json
node dist/cli/main.js bench --workload leukemia --data "$data" --epsilon 10 --threads 1,2 --epochs 5 --no-dense

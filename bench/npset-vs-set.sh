#!/usr/bin/env bash
# Epoch time of SET and NPSET side by side, one run each, on a MAT-file (default: leukemia, hidden 7000,7000):
# after the prunings (epochs beta+gamma+1 onwards) an NPSET epoch should cost about params_NPSET / params_SET
# of a SET epoch. Usage: bash bench/npset-vs-set.sh [FILE.mat] [HIDDEN] [EPOCHS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
file="${1:-${NPSET_DATA_DIR:-../shared/datasets}/asu/leukemia.mat}"
hidden="${2:-7000,7000}"
epochs="${3:-70}"
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.json
tmp=$(mktemp -d)
for m in set npset; do
  node dist/cli/main.js train --data "$file" --hidden "$hidden" --epsilon 10 --epochs "$epochs" --seed 1 --method "$m" --json > "$tmp/$m.json"
done
node -e '
const [dir] = process.argv.slice(1);
const runs = ["set", "npset"].map((m) => require(`${dir}/${m}.json`));
const late = (r) => r.epochTimesMs.slice(51);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log("method  params   hidden at end   mean epoch ms, epochs 1-10   mean epoch ms, epochs 52-" + runs[0].epochs);
for (const r of runs)
  console.log(`${r.method.padEnd(7)} ${String(r.params).padStart(7)}   ${r.layers.slice(1, -1).join(",").padEnd(14)}  ${mean(r.epochTimesMs.slice(0, 10)).toFixed(1).padStart(27)}   ${mean(late(r)).toFixed(1).padStart(27)}`);
const [s, n] = runs;
console.log(`late-epoch time ratio SET/NPSET ${(mean(late(s)) / mean(late(n))).toFixed(2)}, parameter ratio ${(s.params / n.params).toFixed(2)}`);
' "$tmp"
rm -rf "$tmp"

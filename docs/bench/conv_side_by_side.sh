#!/usr/bin/env bash
# Issue #16, item 5: the convolutional training step beside PyTorch, alternately, each side a whole process under
# /usr/bin/time -v, so that both see the same machine state. Prints one line per run and the medians.
#
#   docs/bench/conv_side_by_side.sh [rounds] [batch] [steps]      (defaults: 5 rounds, batch 256, 30 timed steps)
#
# Needs the Native AOT build (./jepa-verify builds it) and, for the peer, Debian's python3-torch with OpenBLAS:
# apt-get install python3-torch libopenblas0-pthread. Neither is a prerequisite of the project.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5} batch=${2:-256} steps=${3:-30}
./jepa-verify --version >/dev/null  # builds the AOT binary when it is missing or stale
ours=() theirs=()
measure() { # label, command...: prints "label ms/step peakMB" and returns ms/step on fd 3
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >"$log.out" 2>"$log"
  local ms rss
  ms=$(grep -oE '\(([0-9.]+) ms/step\)' "$log.out" | grep -oE '[0-9.]+' | head -1)
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$log")
  echo "$label ms/step $ms, peak RSS ${rss} MB" >&2
  rm -f "$log" "$log.out"
  echo "$ms"
}
for r in $(seq "$rounds"); do
  ours+=("$(measure "round $r jepa-verify" .build/cli/jepa-verify bench train --case conv --steps "$steps" --batch-size "$batch")")
  theirs+=("$(measure "round $r pytorch    " /usr/bin/python3 docs/bench/pytorch_conv_bench.py --threads 2 --steps "$steps" --batch "$batch")")
done
python3 - "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
ours, theirs = ([float(v) for v in a.split()] for a in sys.argv[1:3])
mo, mt = statistics.median(ours), statistics.median(theirs)
print(f"median ms/step: jepa-verify {mo:.1f}, pytorch {mt:.1f}; jepa-verify/pytorch = {mo / mt:.2f} "
      f"(per round: {', '.join(f'{o / t:.2f}' for o, t in zip(ours, theirs))})")
PY

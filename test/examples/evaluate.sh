#!/usr/bin/env bash
# Evaluates every function of every spec in a folder with the reference oracle
# (attn-run --reference) on small generated inputs, with the sizes a spec
# asks for (see spec-functions.sh).
# Usage: evaluate.sh ATTN_RUN SPECS_DIR
set -u
source "$(dirname "$0")/spec-functions.sh"
attn_run=$1
specs=$2
failures=0
runs=0
for spec in "$specs"/*.mlir; do
  for func in $(spec_functions "$spec"); do
    # Sq != Skv and two batch entries unless the spec says otherwise.
    sizes=$(spec_sizes "$spec" "$func" B=2,SQ=24,SKV=40)
    if ! out=$("$attn_run" "$spec" --func "$func" --reference --seed 3 \
                 --shape "$sizes" 2>&1); then
      echo "FAIL: $(basename "$spec") @$func"
      echo "$out" | head -n 5
      failures=$((failures + 1))
    elif echo "$out" | grep -q "nan [1-9]"; then
      echo "FAIL: $(basename "$spec") @$func produced NaN"
      echo "$out" | grep "nan [1-9]"
      failures=$((failures + 1))
    fi
    runs=$((runs + 1))
  done
done
echo "evaluated $runs functions, $failures failures"
[ "$runs" -ge 30 ] && [ "$failures" -eq 0 ]

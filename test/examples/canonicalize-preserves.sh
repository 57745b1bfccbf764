#!/usr/bin/env bash
# Canonicalisation must not change what a spec computes: for every function of
# every spec, the reference oracle's results on the canonical form equal those
# on the spec as written (same inputs, relative error <= 1e-12).
# Usage: canonicalize-preserves.sh ATTN_OPT ATTN_RUN SPECS_DIR WORK_DIR
set -u
source "$(dirname "$0")/spec-functions.sh"
attn_opt=$1
attn_run=$2
specs=$3
work=$4
mkdir -p "$work"
failures=0
runs=0
for spec in "$specs"/*.mlir; do
  name=$(basename "$spec" .mlir)
  canonical="$work/$name.canonical.mlir"
  if ! "$attn_opt" "$spec" -canonicalize > "$canonical" 2> "$work/$name.err"; then
    echo "FAIL: $name does not canonicalise"; cat "$work/$name.err"
    failures=$((failures + 1))
    continue
  fi
  for func in $(spec_functions "$spec"); do
    sizes=$(spec_sizes "$spec" "$func" B=2,SQ=24,SKV=40)
    out="$work/$name.$func"
    rm -rf "$out"
    if ! "$attn_run" "$spec" --func "$func" --seed 11 --shape "$sizes" \
         --save "$out" > /dev/null 2>&1 ||
       ! result=$("$attn_run" "$canonical" --func "$func" --inputs "$out" \
                    --expect "$out" --tolerance 1e-12 2>&1); then
      echo "FAIL: $name @$func"
      echo "${result:-}" | grep -E "error|FAILED" | head -n 5
      failures=$((failures + 1))
    fi
    runs=$((runs + 1))
  done
done
echo "compared $runs functions, $failures failures"
[ "$runs" -ge 30 ] && [ "$failures" -eq 0 ]

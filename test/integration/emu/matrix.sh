#!/usr/bin/env bash
# The numeric matrix through an emulated GPU target: every function of every
# example spec that the GPU backend lowers, in one input type and head
# dimension, on the given shapes, run on the SIMT emulator and checked
# against the reference oracle (attn-run --check, as on the CPU). A fault
# the emulator reports (race, barrier, bounds) fails the run like a wrong
# number. Functions the backend rejects are counted apart; fewer passing
# functions than MIN_PASSED fails, so losing support for a variant cannot
# go unnoticed.
# Usage: matrix.sh ATTN_RUN SPECS_DIR TARGET DTYPE HEAD_DIM MIN_PASSED SHAPE...
#   (SHAPE: B=..,SQ=..,SKV=..; a spec's "// attn-run @FUNC:" sizes apply)
set -u
source "$(dirname "$0")/../../examples/spec-functions.sh"
attn_run=$1 specs=$2 target=$3 dtype=$4 head_dim=$5 min_passed=$6
shift 6
shapes=("$@")
passed=0 failed=0 unsupported=0
for spec in "$specs"/*.mlir; do
  for func in $(spec_functions "$spec"); do
    function_ok=1
    for shape in "${shapes[@]}"; do
      out=$("$attn_run" "$spec" --func "$func" --target="$target" --check \
              --dtype "$dtype" --head-dim "$head_dim" --seed 7 \
              --shape "$(spec_sizes "$spec" "$func" "$shape")" 2>&1)
      if echo "$out" | grep -q "backend does not lower yet\|is not lowered by the [A-Za-z]* backend yet\|holds ops other than attn.attention"; then
        function_ok=unsupported
        break
      fi
      if ! echo "$out" | grep -q "check against the oracle.*: passed"; then
        echo "FAIL: $(basename "$spec") @$func --dtype $dtype --head-dim $head_dim --shape $shape"
        echo "$out" | grep -E "error|check against" | head -n 3
        function_ok=0
      fi
    done
    case $function_ok in
      1) passed=$((passed + 1)) ;;
      0) failed=$((failed + 1)) ;;
      *) unsupported=$((unsupported + 1)) ;;
    esac
  done
done
echo "$target $dtype D=$head_dim: $passed functions passed on ${#shapes[@]} shapes, $failed failed, $unsupported not lowered by the GPU backend"
if [ "$passed" -lt "$min_passed" ]; then
  echo "FAIL: fewer than $min_passed functions passed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -ge "$min_passed" ]

#!/usr/bin/env bash
# The CPU backend's numeric matrix: every function of every example spec that
# the tiled online form lowers, on several shapes (one query against many
# keys, Sq = Skv, Sq != Skv across tile edges, Sq = 1000 with a sampled
# check), in one input type, compiled
# for this CPU and checked against the reference oracle (attn-run --check:
# tolerance twice the error of a straightforward implementation in that
# type, plus 1e-5). Functions using what the backend does not lower yet are
# counted apart; fewer passing functions than MIN_PASSED fails, so losing
# support for a variant cannot go unnoticed.
# Usage: matrix.sh ATTN_RUN SPECS_DIR DTYPE MIN_PASSED
set -u
source "$(dirname "$0")/../../examples/spec-functions.sh"
attn_run=$1
specs=$2
dtype=$3
min_passed=$4
shapes=("B=2,SQ=1,SKV=77" "B=2,SQ=17,SKV=17" "B=1,SQ=128,SKV=200" "B=1,SQ=1000,SKV=1000")
passed=0 failed=0 unsupported=0
for spec in "$specs"/*.mlir; do
  for func in $(spec_functions "$spec"); do
    function_ok=1
    for shape in "${shapes[@]}"; do
      out=$("$attn_run" "$spec" --func "$func" --target=cpu --check \
              --dtype "$dtype" --seed 5 \
              --shape "$(spec_sizes "$spec" "$func" "$shape")" 2>&1)
      if echo "$out" | grep -q "does not lower yet\|is not lowered by the tiled online form yet"; then
        function_ok=unsupported
        break
      fi
      if ! echo "$out" | grep -q "check against the oracle.*: passed"; then
        echo "FAIL: $(basename "$spec") @$func --dtype $dtype --shape $shape"
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
echo "$dtype: $passed functions passed on ${#shapes[@]} shapes, $failed failed, $unsupported not lowered yet"
if [ "$passed" -lt "$min_passed" ]; then
  echo "FAIL: fewer than $min_passed functions passed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -ge "$min_passed" ]

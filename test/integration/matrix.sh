#!/usr/bin/env bash
# The numeric matrix of one target: every function of every spec in a folder
# that the target's backend lowers, in one input type (and head dimension),
# at several shapes, checked against the reference oracle (attn-run --check:
# tolerance twice the error of a straightforward implementation in that
# type, plus 1e-5). Each function is compiled once and run at every shape
# (attn-run takes --shape several times), as one kernel serves every
# sequence length. On an emulated GPU target, a fault the emulator reports
# (race, barrier, bounds) fails the run like a wrong number. Functions the
# backend rejects are counted apart; fewer passing functions than MIN_PASSED
# fails, so losing support for a variant cannot go unnoticed.
# Usage: matrix.sh ATTN_RUN SPECS_DIR TARGET DTYPE HEAD_DIM SEED MIN_PASSED SHAPE...
#   HEAD_DIM: D (and Dv) for every function, or "spec" for each spec's own.
#   SHAPE: B=..,SQ=..,SKV=..; a spec's "// attn-run @FUNC:" sizes apply.
set -u
source "$(dirname "$0")/../examples/spec-functions.sh"
attn_run=$1 specs=$2 target=$3 dtype=$4 head_dim=$5 seed=$6 min_passed=$7
shift 7
shapes=("$@")
label="$target $dtype"
head_dim_args=()
if [ "$head_dim" != spec ]; then
  head_dim_args=(--head-dim "$head_dim")
  label+=" D=$head_dim"
fi
passed=0 failed=0 unsupported=0 fixed=0
for spec in "$specs"/*.mlir; do
  for func in $(spec_functions "$spec"); do
    # A function whose spec fixes Sq and Skv (its types; "// attn-run
    # @FUNC: SQ=..,SKV=.." says so) runs once per (Sq, Skv): at the first
    # shape's batch.
    args=() seen=()
    for shape in "${shapes[@]}"; do
      sizes=$(spec_sizes "$spec" "$func" "$shape")
      lengths=$(echo ",$sizes," | sed 's/,B=[^,]*,/,/')
      [[ " ${seen[*]} " == *" $lengths "* ]] && continue
      seen+=("$lengths")
      args+=(--shape "$sizes")
    done
    out=$("$attn_run" "$spec" --func "$func" --target="$target" --check \
            --dtype "$dtype" "${head_dim_args[@]}" --seed "$seed" \
            "${args[@]}" 2>&1)
    if echo "$out" | grep -q "does not lower yet\|is not lowered by the [A-Za-z ]* yet"; then
      unsupported=$((unsupported + 1))
    elif echo "$out" | grep -q "holds ops other than attn.attention"; then
      # Linear attention: --head-dim does not resize it (its own matrix
      # runs it at its spec's sizes).
      fixed=$((fixed + 1))
    elif [ "$(echo "$out" | grep -c "check against the oracle.*: passed")" -eq "${#seen[@]}" ]; then
      passed=$((passed + 1))
    else
      echo "FAIL: $(basename "$spec") @$func --target=$target --dtype $dtype ${head_dim_args[*]}"
      # The sizes of each run, and what failed in it.
      echo "$out" | grep -E "^  sizes:|error:|check against.*FAILED" | head -n 12
      failed=$((failed + 1))
    fi
  done
done
summary="$label: $passed functions passed on ${#shapes[@]} shapes, $failed failed, $unsupported not lowered yet"
[ "$fixed" -gt 0 ] && summary+=", $fixed not resized by --head-dim"
echo "$summary"
if [ "$passed" -lt "$min_passed" ]; then
  echo "FAIL: fewer than $min_passed functions passed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -ge "$min_passed" ]

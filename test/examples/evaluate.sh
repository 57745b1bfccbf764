#!/usr/bin/env bash
# Evaluates every function of every spec in a folder with the reference oracle
# (attn-run --reference) on small generated inputs. A spec may set sizes for
# one function with a line
#   // attn-run @NAME: SIZES
# (--shape entries, such as SKV=24 for a mask that needs Sq = Skv, or the
# shape of a capture attn-run cannot infer).
# Usage: evaluate.sh ATTN_RUN SPECS_DIR
set -u
attn_run=$1
specs=$2
failures=0
runs=0
for spec in "$specs"/*.mlir; do
  for func in $(sed -n 's/.*func\.func @\([A-Za-z0-9_.$]*\).*/\1/p' "$spec"); do
    extra=$(sed -n "s|^// attn-run @$func: ||p" "$spec")
    # Sq != Skv and two batch entries unless the spec says otherwise.
    sizes="B=2,SQ=24,SKV=40${extra:+,$extra}"
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

#!/usr/bin/env bash
# Round-trips every example spec through attn-opt.
#
#   roundtrip.sh ATTN_OPT SPECS_DIR [MIN_SPECS]
#
# For each SPECS_DIR/*.mlir:
#   1. it parses and verifies:              attn-opt SPEC > A
#   2. the printed form is a fixed point:   attn-opt A > B, and A == B byte for byte
#   3. printing lost nothing: the generic form of SPEC equals the generic form of A
#      (catches custom printers that round values, e.g. to 7 significant digits)
#   4. it starts with its documentation: a `// Source:` line in the leading comment block.
# Prints the name of every failing spec and exits non-zero if any fails, or if the
# folder holds fewer than MIN_SPECS (default 30) specs, so it cannot pass vacuously.

set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 ATTN_OPT SPECS_DIR [MIN_SPECS]" >&2
  exit 2
fi
opt=$1
dir=$2
min=${3:-30}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
specs=("$dir"/*.mlir)
count=${#specs[@]}
if [ "$count" -lt "$min" ]; then
  echo "FAIL: $dir holds $count specs, expected at least $min" >&2
  exit 1
fi

failed=0
fail() {
  echo "FAIL $1: $2" >&2
  failed=$((failed + 1))
}

for spec in "${specs[@]}"; do
  name=$(basename "$spec")
  a=$tmp/a.mlir b=$tmp/b.mlir g1=$tmp/g1.mlir g2=$tmp/g2.mlir err=$tmp/err

  if ! "$opt" "$spec" > "$a" 2> "$err"; then
    fail "$name" "does not parse or verify"
    sed 's/^/    /' "$err" >&2
    continue
  fi
  if ! "$opt" "$a" > "$b" 2> "$err"; then
    fail "$name" "its printed form does not parse"
    sed 's/^/    /' "$err" >&2
    continue
  fi
  if ! cmp -s "$a" "$b"; then
    fail "$name" "print -> parse -> print changed the text"
    diff "$a" "$b" | head -20 | sed 's/^/    /' >&2
    continue
  fi
  if ! "$opt" --mlir-print-op-generic "$spec" > "$g1" 2> "$err" ||
     ! "$opt" --mlir-print-op-generic "$a" > "$g2" 2>> "$err"; then
    fail "$name" "generic printing failed"
    sed 's/^/    /' "$err" >&2
    continue
  fi
  if ! cmp -s "$g1" "$g2"; then
    fail "$name" "printing lost information (generic forms before and after differ)"
    diff "$g1" "$g2" | head -20 | sed 's/^/    /' >&2
    continue
  fi
  if ! awk '!/^\/\//{exit} /^\/\/ Source:/{found=1} END{exit !found}' "$spec"; then
    fail "$name" "no '// Source:' line in its leading comment block"
    continue
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "$failed of $count specs failed" >&2
  exit 1
fi
echo "all $count specs round-trip"

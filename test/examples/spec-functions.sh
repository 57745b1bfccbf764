# Helpers for the tests that run every function of every example spec.
# Source it; it defines:
#   spec_functions SPEC          the function names of SPEC, one per line
#   spec_sizes SPEC FUNC BASE    the --shape value for FUNC: BASE (such as
#                                B=2,SQ=24,SKV=40) with the spec's own
#                                "// attn-run @FUNC: ENTRIES" applied, where
#                                an entry's value may name another size
#                                (SKV=SQ: a mask that needs Sq = Skv).

spec_functions() {
  sed -n 's/.*func\.func @\([A-Za-z0-9_.$]*\).*/\1/p' "$1"
}

spec_sizes() {
  local spec=$1 func=$2 base=$3
  local -A size=()
  local order=() entry key value
  local annotation
  annotation=$(sed -n "s|^// attn-run @$func: ||p" "$spec")
  IFS=, read -ra entries <<< "$base${annotation:+,$annotation}"
  for entry in "${entries[@]}"; do
    key=${entry%%=*}
    value=${entry#*=}
    [ -n "${size[$value]+set}" ] && value=${size[$value]}
    [ -z "${size[$key]+set}" ] && order+=("$key")
    size[$key]=$value
  done
  local out=()
  for key in "${order[@]}"; do
    out+=("$key=${size[$key]}")
  done
  (IFS=,; echo "${out[*]}")
}

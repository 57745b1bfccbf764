// 1-D neighborhood attention (k = 7, d = 1, t = 1, n = 1024) as a `mask` region:
// keep(i,j) = start <= j < start + 7, start = clamp(p(i) - 3, 0, 1024 - 7).
// Source: NAT (Hassani et al., "Neighborhood Attention Transformer"); region form as a FlexAttention `mask_mod`.
//
// Same numbers as @na in mask-neighborhood-1d.mlir (the window shifts at the borders instead of shrinking).
// MHA 4 heads, D = 64, f16.

// attn-run @na_region: SQ=1024,SKV=1024
func.func @na_region(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                     %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %c0 = arith.constant 0 : index
      %half = arith.constant 3 : index
      %kernel = arith.constant 7 : index
      %last_start = arith.constant 1017 : index
      %p = attn.position %b, %i
      %centred = arith.subi %p, %half : index
      %low = arith.maxsi %centred, %c0 : index
      %start = arith.minsi %low, %last_start : index
      %end = arith.addi %start, %kernel : index
      %after_start = arith.cmpi sge, %j, %start : index
      %before_end = arith.cmpi slt, %j, %end : index
      %keep = arith.andi %after_start, %before_end : i1
      attn.yield %keep : i1
    }
    : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
    -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

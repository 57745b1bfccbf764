// Sliding window mask as a `mask` region: keep(i,j) = p(i) - wl <= j <= p(i) + wr, wl = wr = 256.
// Source: Longformer (Beltagy et al.); region form as a FlexAttention `mask_mod`.
//
// Same numbers as @symmetric_window in mask-sliding-window.mlir. MHA 12 heads, D = 64, f16.

func.func @symmetric_window_region(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                                   %v: tensor<?x12x?x64xf16>) -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %w = arith.constant 256 : index
      %p = attn.position %b, %i
      %lo = arith.subi %p, %w : index
      %hi = arith.addi %p, %w : index
      %above = arith.cmpi sge, %j, %lo : index
      %below = arith.cmpi sle, %j, %hi : index
      %keep = arith.andi %above, %below : i1
      attn.yield %keep : i1
    }
    : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
    -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

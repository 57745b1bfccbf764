// Longformer local + symmetric global attention as a `mask` region:
// keep(i,j) = abs(j - p(i)) <= 256 OR j < 2 OR i < 2 (global tokens see, and are seen by, every token).
// Source: Longformer (Beltagy et al., "Longformer: The Long-Document Transformer"); region form as a FlexAttention `mask_mod`.
//
// The global rows (i < 2) are an OR with the window, which named masks (combined with AND) cannot say.
// MHA 12 heads, D = 64, f16, Sq = Skv.

func.func @longformer_global(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                             %v: tensor<?x12x?x64xf16>) -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %w = arith.constant 256 : index
      %n = arith.constant 2 : index
      %p = attn.position %b, %i
      %lo = arith.subi %p, %w : index
      %hi = arith.addi %p, %w : index
      %above = arith.cmpi sge, %j, %lo : index
      %below = arith.cmpi sle, %j, %hi : index
      %local = arith.andi %above, %below : i1
      %global_key = arith.cmpi slt, %j, %n : index
      %global_query = arith.cmpi slt, %i, %n : index
      %global = arith.ori %global_key, %global_query : i1
      %keep = arith.ori %local, %global : i1
      attn.yield %keep : i1
    }
    : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
    -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

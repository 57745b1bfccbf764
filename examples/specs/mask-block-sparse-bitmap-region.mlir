// Block-sparse bitmap mask as a `mask` region over a captured layout:
// keep(i,j) = layout[b, h, i div 64, j div 64] != 0, ANDed with the named causal mask.
// Source: SeerAttention; region form as a FlexAttention `mask_mod` (block mask from a tensor).
//
// Same numbers as @seer_prefill in mask-block-sparse-bitmap.mlir. GQA 32/8, D = 128, f16.

// attn-run @seer_prefill_region: B=1,SQ=64,SKV=64,arg3=1x32x1x1
func.func @seer_prefill_region(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                               %v: tensor<?x8x?x128xf16>, %layout: tensor<?x32x?x?xi8>)
    -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v captures(%layout : tensor<?x32x?x?xi8>) masks [#attn.causal]
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %bits: tensor<?x32x?x?xi8>):
      %block = arith.constant 64 : index
      %zero = arith.constant 0 : i8
      %qb = arith.divui %i, %block : index
      %kb = arith.divui %j, %block : index
      %bit = tensor.extract %bits[%b, %h, %qb, %kb] : tensor<?x32x?x?xi8>
      %keep = arith.cmpi ne, %bit, %zero : i8
      attn.yield %keep : i1
    }
    : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
    -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

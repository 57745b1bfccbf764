// Per-query key limit as a `mask` region over a captured limit tensor: keep(i,j) = j < limit[b,i].
// Source: Video-CCAM (causal cross-attention masks); region form as a FlexAttention `mask_mod`.
//
// Same numbers as @key_limit_per_query in mask-key-limit.mlir. MHA 16 heads, D = 64, f16.

func.func @key_limit_per_query_region(%q: tensor<?x16x?x64xf16>, %k: tensor<?x16x?x64xf16>,
                                      %v: tensor<?x16x?x64xf16>, %limit: tensor<?x?xi32>)
    -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%limit : tensor<?x?xi32>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %lim: tensor<?x?xi32>):
      %l = tensor.extract %lim[%b, %i] : tensor<?x?xi32>
      %l_index = arith.index_cast %l : i32 to index
      %keep = arith.cmpi slt, %j, %l_index : index
      attn.yield %keep : i1
    }
    : tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>
    -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}

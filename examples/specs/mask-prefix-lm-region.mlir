// Prefix LM mask as a `mask` region: keep(i,j) = j < 256 OR j <= p(i).
// Source: UniLM (Dong et al.); T5 prefix LM; region form as a FlexAttention `mask_mod`.
//
// Same numbers as mask-prefix-lm.mlir. GQA 16/4, D = 64, f16.

func.func @prefix_lm_region(%q: tensor<?x16x?x64xf16>, %k: tensor<?x4x?x64xf16>,
                            %v: tensor<?x4x?x64xf16>) -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %n = arith.constant 256 : index
      %p = attn.position %b, %i
      %in_prefix = arith.cmpi slt, %j, %n : index
      %causal = arith.cmpi sle, %j, %p : index
      %keep = arith.ori %in_prefix, %causal : i1
      attn.yield %keep : i1
    }
    : tensor<?x16x?x64xf16>, tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>
    -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}

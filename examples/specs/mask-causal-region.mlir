// Causal mask as a `mask` region: keep(i,j) = j <= p(i), with p(i) = attn.position(b, i).
// Source: GPT (Radford et al.); region form as a FlexAttention `mask_mod`.
//
// Same numbers as mask-causal.mlir. GQA 32 query / 8 key-value heads, D = 128, f16.

func.func @causal_gqa_region(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                             %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %p = attn.position %b, %i
      %keep = arith.cmpi sle, %j, %p : index
      attn.yield %keep : i1
    }
    : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
    -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

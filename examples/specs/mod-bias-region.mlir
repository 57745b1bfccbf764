// Additive bias as a `score` region over a captured bias [B, Hq, Sq, Skv]: s(i,j) becomes s(i,j) + bias[b,h,i,j].
// Source: VARIANTS.md section 3 (precomputed attention biases); region form as a FlexAttention `score_mod`.
//
// Same numbers as @full_bias in mod-bias.mlir. GQA 8/2, D = 64, f16 (bias f16, widened to f32 in the region).

func.func @full_bias_region(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                            %v: tensor<?x2x?x64xf16>, %bias: tensor<?x8x?x?xf16>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%bias : tensor<?x8x?x?xf16>)
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %t: tensor<?x8x?x?xf16>):
      %x = tensor.extract %t[%b, %h, %i, %j] : tensor<?x8x?x?xf16>
      %x32 = arith.extf %x : f16 to f32
      %r = arith.addf %s, %x32 : f32
      attn.yield %r : f32
    }
    : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
    -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// Custom score modifier (KERPLE-log): s(i,j) becomes s(i,j) - r1[h] * log(1 + r2[h] * abs(j - p(i))), r1, r2 > 0 per head.
// Source: KERPLE (Chi et al., "KERPLE: Kernelized Relative Positional Embedding for Length Extrapolation");
//         written as a FlexAttention `score_mod`.
//
// No named modifier computes this; a `score` region over two captured [Hq] tensors does. KERPLE keeps r1, r2
// positive; the region takes their absolute values so that any input stays finite. Causal, MHA 16 heads, D = 64, f16.

func.func @kerple_log(%q: tensor<?x16x?x64xf16>, %k: tensor<?x16x?x64xf16>,
                      %v: tensor<?x16x?x64xf16>, %r1: tensor<16xf32>, %r2: tensor<16xf32>)
    -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%r1, %r2 : tensor<16xf32>, tensor<16xf32>)
      masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %a: tensor<16xf32>, %c: tensor<16xf32>):
      %p = attn.position %b, %i
      %dist = arith.subi %j, %p : index
      %dist_i64 = arith.index_cast %dist : index to i64
      %dist_f = arith.sitofp %dist_i64 : i64 to f32
      %abs = math.absf %dist_f : f32
      %a_raw = tensor.extract %a[%h] : tensor<16xf32>
      %c_raw = tensor.extract %c[%h] : tensor<16xf32>
      %a_h = math.absf %a_raw : f32
      %c_h = math.absf %c_raw : f32
      %x = arith.mulf %c_h, %abs : f32
      %l = math.log1p %x : f32
      %pen = arith.mulf %a_h, %l : f32
      %r = arith.subf %s, %pen : f32
      attn.yield %r : f32
    }
    : tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>, tensor<?x16x?x64xf16>
    -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}

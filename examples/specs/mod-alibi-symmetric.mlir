// Symmetric ALiBi: s(i,j) becomes s(i,j) - slope[h] * abs(j - p(i)), slopes [Hq].
// Source: ALiBi (Press et al.), symmetric form for bidirectional encoders (e.g. MosaicBERT).
//
// @symmetric: named form. @symmetric_region: the same as a `score` region over captured slopes.
// Bidirectional encoder, MHA 12 heads, D = 64, f16.

func.func @symmetric(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                     %v: tensor<?x12x?x64xf16>, %slopes: tensor<12xf32>)
    -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v alibi_slopes(%slopes : tensor<12xf32>)
      modifiers [#attn.alibi<symmetric = true>]
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

func.func @symmetric_region(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                            %v: tensor<?x12x?x64xf16>, %slopes: tensor<12xf32>)
    -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v captures(%slopes : tensor<12xf32>)
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %m: tensor<12xf32>):
      %p = attn.position %b, %i
      %dist = arith.subi %j, %p : index
      %dist_i64 = arith.index_cast %dist : index to i64
      %dist_f = arith.sitofp %dist_i64 : i64 to f32
      %abs = math.absf %dist_f : f32
      %slope = tensor.extract %m[%h] : tensor<12xf32>
      %bias = arith.mulf %slope, %abs : f32
      %r = arith.subf %s, %bias : f32
      attn.yield %r : f32
    }
    : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
    -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

// Temperature per head: s(i,j) becomes s(i,j) / tau[h], tau [Hq] (learned per-head temperature).
// Source: VARIANTS.md section 3 (no single paper; a learned per-head softmax temperature).
//
// Causal, GQA 8 query / 2 key-value heads (tau is indexed by the query head), D = 64, f16.

func.func @temperature_per_head(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                %v: tensor<?x2x?x64xf16>, %tau: tensor<8xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v temperature(%tau : tensor<8xf32>)
      masks [#attn.causal] modifiers [#attn.temperature]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

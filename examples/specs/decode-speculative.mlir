// Small-Sq decode (speculative verification of 4 draft tokens): keep(i,j) = j <= p(i), p(i) = i + (Skv - 4)
// (bottom-right: the last query is aligned with the last key).
// Source: Flash-Decoding (split-KV for small Sq); speculative decoding (Leviathan et al., "Fast Inference from
//         Transformers via Speculative Decoding").
//
// Multi-query attention: 16 query heads, 1 key/value head, D = 128, bf16.

func.func @verify_draft(%q: tensor<?x16x4x128xbf16>, %k: tensor<?x1x?x128xbf16>,
                        %v: tensor<?x1x?x128xbf16>) -> tensor<?x16x4x128xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x16x4x128xbf16>, tensor<?x1x?x128xbf16>, tensor<?x1x?x128xbf16>
      -> tensor<?x16x4x128xbf16>
  return %o : tensor<?x16x4x128xbf16>
}

// Prefix LM mask (n = 256): keep(i,j) = j < 256 OR j <= p(i) (bidirectional prefix, causal after it).
// Source: UniLM (Dong et al., "Unified Language Model Pre-training for Natural Language
//         Understanding and Generation"); T5 prefix LM (Raffel et al.).
//
// Used instead of #attn.causal. GQA 16 query / 4 key-value heads, D = 64, f16.

func.func @prefix_lm(%q: tensor<?x16x?x64xf16>, %k: tensor<?x4x?x64xf16>,
                     %v: tensor<?x4x?x64xf16>) -> tensor<?x16x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.prefix_lm<256>]
      : tensor<?x16x?x64xf16>, tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16>
      -> tensor<?x16x?x64xf16>
  return %o : tensor<?x16x?x64xf16>
}

// Longformer-style local attention with global key columns: keep(i,j) = p(i) - 256 <= j <= p(i) + 256 OR j < 2
// (the first 2 tokens, e.g. [CLS] and a task token, are visible to every query as sinks).
// Source: Longformer (Beltagy et al., "Longformer: The Long-Document Transformer"); sinks as in StreamingLLM.
//
// Only the key-column half of Longformer's symmetric global attention is a named mask; the global rows (global
// tokens attending to everything) are in longformer-global-region.mlir. MHA 12 heads, D = 64, f16.

func.func @longformer_local_sinks(%q: tensor<?x12x?x64xf16>, %k: tensor<?x12x?x64xf16>,
                                  %v: tensor<?x12x?x64xf16>) -> tensor<?x12x?x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.sliding_window<left = 256, right = 256, sinks = 2>]
      : tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>, tensor<?x12x?x64xf16>
      -> tensor<?x12x?x64xf16>
  return %o : tensor<?x12x?x64xf16>
}

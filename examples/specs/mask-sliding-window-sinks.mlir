// Causal sliding window with attention sinks (n = 4): keep(i,j) = j <= p(i) AND (p(i) - 1020 <= j OR j < 4).
// Source: StreamingLLM (Xiao et al., "Efficient Streaming Language Models with Attention Sinks");
//         "Unveiling and Harnessing Hidden Attention Sinks".
//
// A bounded KV budget: 4 sink tokens, the query position itself and the 1020 keys before it.
// GQA 32/8, D = 128, f16, dynamic lengths.

func.func @streaming_llm(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                         %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 1020, sinks = 4>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

// Sink calibration as a `score` region: s(i,j) becomes s(i,j) + log(0.5) for j == 0, unchanged otherwise.
// Source: ACT attention calibration ("Unveiling and Harnessing Hidden Attention Sinks"); region form as a
//         FlexAttention `score_mod`.
//
// Same numbers as @single_sink in mod-sink-calibration.mlir (log(0.5) rounded to f32). Causal, GQA 32/8, D = 128, f16.

func.func @single_sink_region(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                              %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %c0 = arith.constant 0 : index
      %log_a = arith.constant -0.693147182 : f32
      %is_sink = arith.cmpi eq, %j, %c0 : index
      %shifted = arith.addf %s, %log_a : f32
      %r = arith.select %is_sink, %shifted, %s : f32
      attn.yield %r : f32
    }
    : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
    -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

// Sink calibration: s(i,j) becomes s(i,j) + log(a) for j in the column set (scalar a or one a per column);
// columns out of range are ignored.
// Source: ACT attention calibration ("Unveiling and Harnessing Hidden Attention Sinks: Training-Free Attention Calibration").
//
// @single_sink: damp the first key by a = 0.5. @per_column: four columns, one factor each.
// Causal, GQA 32/8, D = 128, f16.

func.func @single_sink(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                       %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      modifiers [#attn.sink_calibration<columns = [0], factors = [0.5]>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

func.func @per_column(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                      %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      modifiers [#attn.sink_calibration<columns = [0, 1, 2, 3], factors = [0.25, 0.5, 0.75, 0.875]>]
      : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

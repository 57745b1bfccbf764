// Linear attention, positive random features drawn per head: phi_h(x) = exp(W[h] x - dot(x, x) / 2) / sqrt(F),
// W [Hq, F, D], here F = 128; causal: sums over j <= p(i).
// Source: Performer FAVOR+ (Choromanski et al., "Rethinking Attention with Performers"), unidirectional variant.
//
// GQA 8/2, D = 64, f16 (weights f32).

func.func @performer_causal_per_head(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                                     %v: tensor<?x2x?x64xf16>, %w: tensor<8x128x64xf32>)
    -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<8x128x64xf32>) causal
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// Linear attention, positive random features: phi(x) = exp(W x - dot(x, x) / 2) / sqrt(F), W [F, D] shared by all heads,
// here F = 256; o_i = phi(q_i)^T S / (phi(q_i)^T z + eps).
// Source: Performer FAVOR+ (Choromanski et al., "Rethinking Attention with Performers").
//
// Non-causal, MHA 8 heads, D = 64, f32.

func.func @performer(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                     %v: tensor<?x8x?x64xf32>, %w: tensor<256x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<256x64xf32>)
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

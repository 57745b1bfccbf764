// Linear attention, identity feature map phi(x) = x, non-causal:
// o_i = phi(q_i)^T S / (phi(q_i)^T z + eps), S = sum_j phi(k_j) v_j^T, z = sum_j phi(k_j), eps = 1e-6; no scale.
// Source: linear attention (VARIANTS.md section 6, identity map; Katharopoulos et al. framework).
//
// MHA 8 heads, D = 64, f32, dynamic batch and lengths.

func.func @linear_identity(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                           %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.linear_attention identity %q, %k, %v
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

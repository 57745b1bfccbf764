// Linear attention, exp feature map phi(x) = exp(x), non-causal: o_i = phi(q_i)^T S / (phi(q_i)^T z + eps).
// Source: linear attention with an exponential kernel (VARIANTS.md section 6).
//
// MHA 8 heads, D = 64, f32.

func.func @linear_exp(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                      %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.linear_attention exp %q, %k, %v
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

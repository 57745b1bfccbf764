// Two additive biases (DeBERTa disentangled attention): s(i,j) = dot(q_i, k_j) / sqrt(3D) + c2p[b,h,i,j] / sqrt(3D)
// + p2c[b,h,i,j] / sqrt(3D), with the c2p and p2c terms precomputed and already divided by sqrt(3D).
// Source: DeBERTa (He et al., "DeBERTa: Decoding-enhanced BERT with Disentangled Attention").
//
// Each #attn.bias reads the next bias operand. scale = 1/sqrt(3 * 64). MHA 12 heads, D = 64, f32.

func.func @deberta_disentangled(%q: tensor<?x12x?x64xf32>, %k: tensor<?x12x?x64xf32>,
                                %v: tensor<?x12x?x64xf32>, %c2p: tensor<?x12x?x?xf32>,
                                %p2c: tensor<?x12x?x?xf32>) -> tensor<?x12x?x64xf32> {
  %o = attn.attention %q, %k, %v bias(%c2p, %p2c : tensor<?x12x?x?xf32>, tensor<?x12x?x?xf32>)
      scale(0.07216878364870323) modifiers [#attn.bias, #attn.bias]
      : tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>
      -> tensor<?x12x?x64xf32>
  return %o : tensor<?x12x?x64xf32>
}

// ReLU normalizer, not normalised: w(i,j) = relu(s(i,j)) (power p = 1, no division by the row sum).
// Source: ReLU attention.
//
// Bidirectional vision encoder (ViT-B-like: 197 tokens, 12 heads), D = 64, f32. No lse: the weights are unnormalised.

func.func @relu_attention(%q: tensor<?x12x197x64xf32>, %k: tensor<?x12x197x64xf32>,
                          %v: tensor<?x12x197x64xf32>) -> tensor<?x12x197x64xf32> {
  %o = attn.attention %q, %k, %v normalizer(#attn.relu)
      : tensor<?x12x197x64xf32>, tensor<?x12x197x64xf32>, tensor<?x12x197x64xf32>
      -> tensor<?x12x197x64xf32>
  return %o : tensor<?x12x197x64xf32>
}

// Causal linear attention with per-head decay, elu+1 feature map: each term of S_i and z_i is weighted by
// lambda[h]^(p(i) - j): S_i = sum_{j <= p(i)} lambda^(p(i)-j) phi(k_j) v_j^T, z_i likewise.
// Source: "Transformers are RNNs" (feature map); decay as in RetNet / Lightning Attention-2.
//
// @one_decay: one lambda for every head. @per_head_decay: 8 values, one per query head. GQA 8/2, D = 64, f16.

func.func @one_decay(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                     %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.99])
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

func.func @per_head_decay(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                          %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal
      decay([0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.0])
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16> -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

// Causal mask over a padded batch with per-sequence lengths: keep(i,j) = j <= p(i) AND j < kv_len[b],
// p(i) = i + (kv_len[b] - q_len[b]); rows i >= q_len[b] give o_i = 0 and lse_i = -inf.
// Source: GPT (Radford et al.); varlen batching as in FlashAttention's varlen kernels.
//
// Chunked prefill of a padded batch: GQA 32/8, D = 128, bf16, with the lse output.

func.func @causal_varlen(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                         %v: tensor<?x8x?x128xbf16>, %q_len: tensor<?xi32>,
                         %kv_len: tensor<?xi32>)
    -> (tensor<?x32x?x128xbf16>, tensor<?x32x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v q_len(%q_len : tensor<?xi32>)
      kv_len(%kv_len : tensor<?xi32>) masks [#attn.causal]
      : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x32x?x128xbf16>, lse tensor<?x32x?xf32>
  return %o, %lse : tensor<?x32x?x128xbf16>, tensor<?x32x?xf32>
}

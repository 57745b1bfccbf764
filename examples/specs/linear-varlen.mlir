// Causal linear attention over a padded batch: keys j >= kv_len[b] are never used, rows i >= q_len[b] give 0,
// p(i) = i + (kv_len[b] - q_len[b]); phi = elu + 1, eps = 0 (a zero denominator is the user's to avoid).
// Source: "Transformers are RNNs" (Katharopoulos et al.); varlen batches as in VARIANTS.md section 1.
//
// GQA 8/2, D = 64, f32.

func.func @linear_varlen(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>,
                         %v: tensor<?x2x?x64xf32>, %q_len: tensor<?xi32>,
                         %kv_len: tensor<?xi32>) -> tensor<?x8x?x64xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v q_len(%q_len : tensor<?xi32>)
      kv_len(%kv_len : tensor<?xi32>) causal {eps = 0.0 : f64}
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32> -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

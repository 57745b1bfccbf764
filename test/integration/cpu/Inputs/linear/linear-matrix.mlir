// The linear-attention matrix: every feature map x (non-causal, causal, causal with decay) x
// (normalised, not), GQA 4/2, D = 16, Dv = 24 (so a mix-up of D and Dv cannot pass), run by
// linear-matrix-*.test on lengths that are not multiples of the chunk (77, 17, 200, 1000), plus
// top-left varlen rows past the keys, per-head random features, and features wide enough
// (F = 1024) that the chunk shrinks.

func.func @identity_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @identity_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @identity_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @identity_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @identity_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @identity_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention identity %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @elu_plus_one_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @relu_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @exp_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention exp %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @softmax_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention softmax %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>)
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>) causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>) causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>) causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %w: tensor<48x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<48x16xf32>) causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_noncausal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_noncausal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_causal_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v causal {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @taylor_causal_decay_unnormalized(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention taylor %q, %k, %v causal decay([0.97]) {normalize = false}
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

// Top-left alignment over a padded batch: rows past kv_len[b] sit at positions beyond the keys
// (their state keeps decaying), rows past q_len[b] give 0.
func.func @varlen_top_left_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %q_len: tensor<?xi32>,
                                 %kv_len: tensor<?xi32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v q_len(%q_len : tensor<?xi32>)
      kv_len(%kv_len : tensor<?xi32>) causal decay([0.95]) alignment(top_left)
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @varlen_bottom_right(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>, %q_len: tensor<?xi32>,
                               %kv_len: tensor<?xi32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention relu %q, %k, %v q_len(%q_len : tensor<?xi32>)
      kv_len(%kv_len : tensor<?xi32>) causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

func.func @random_features_per_head_causal_decay(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>,
                                                 %w: tensor<4x32x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<4x32x16xf32>)
      causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

// F = 1024: the feature tile [F, chunk] would exceed its budget at 64 positions, so the chunk is 16.
func.func @random_features_wide_causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %v: tensor<?x2x?x24xf32>,
                                       %w: tensor<1024x16xf32>) -> tensor<?x4x?x24xf32> {
  %o = attn.linear_attention random_features %q, %k, %v weights(%w : tensor<1024x16xf32>) causal
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x24xf32> -> tensor<?x4x?x24xf32>
  return %o : tensor<?x4x?x24xf32>
}

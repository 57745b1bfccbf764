// Small specs for the attn-run tests.
func.func @causal(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>,
                  %v: tensor<?x2x?x16xf32>) -> (tensor<?x4x?x16xf32>, tensor<?x4x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>
      -> tensor<?x4x?x16xf32>, lse tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x16xf32>, tensor<?x4x?xf32>
}

func.func @static(%q: tensor<1x4x16x16xf32>, %k: tensor<1x2x16x16xf32>,
                  %v: tensor<1x2x16x16xf32>) -> tensor<1x4x16x16xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x4x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>
      -> tensor<1x4x16x16xf32>
  return %o : tensor<1x4x16x16xf32>
}

func.func @varlen(%q: tensor<?x4x?x16xf16>, %k: tensor<?x2x?x16xf16>,
                  %v: tensor<?x2x?x16xf16>, %ql: tensor<?xi32> {attn.name = "q_len"},
                  %kl: tensor<?xi32> {attn.name = "kv_len"}) -> tensor<?x4x?x16xf16> {
  %o = attn.attention %q, %k, %v q_len(%ql : tensor<?xi32>) kv_len(%kl : tensor<?xi32>)
      masks [#attn.causal]
      : tensor<?x4x?x16xf16>, tensor<?x2x?x16xf16>, tensor<?x2x?x16xf16>
      -> tensor<?x4x?x16xf16>
  return %o : tensor<?x4x?x16xf16>
}

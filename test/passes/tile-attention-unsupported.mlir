// RUN: attn-opt %s -attn-tile-attention -split-input-file -verify-diagnostics

// What the tiled online form does not lower yet is named, with the op.
func.func @block_stats(%q: tensor<1x2x8x16xf32>) -> (tensor<1x2x8x16xf32>, tensor<1x2x2x2xf32>) {
  // expected-error @+1 {{'attn.attention' op uses block statistics with a normalizer other than softmax or clipped softmax, which the tiled online form does not lower yet (the reference oracle evaluates it)}}
  %o, %m = attn.attention %q, %q, %q normalizer(#attn.relu<power = 2.0, normalized = true>) block_stats([4, 4])
      : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>, block_max tensor<1x2x2x2xf32>
  return %o, %m : tensor<1x2x8x16xf32>, tensor<1x2x2x2xf32>
}

// The GPU check's timed workloads (scripts/gpu-bundle, scripts/gpu-check),
// bf16 at D = 128: the shapes of scripts/bench's W1-W3 and dense and causal
// attention at S = 8192. The scale is the default, 1/sqrt(D). Each line of
// the bundle's bench.txt binds B and S and names the mask, so gpu-check
// runs PyTorch's scaled_dot_product_attention and flex_attention on the
// same shapes.
//
// W1: non-causal, H = 8, S = 2048.
// W2: causal, H = 8, S = 4096.
// W3: causal sliding window of 512 keys, H = 4, S = 8192.
// S8K: non-causal and causal, H = 16, S = 8192.

func.func @w1_noncausal(%q: tensor<?x8x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                        %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x?x128xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x8x?x128xbf16>
  return %o : tensor<?x8x?x128xbf16>
}

func.func @w2_causal(%q: tensor<?x8x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                     %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x?x128xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x8x?x128xbf16>
  return %o : tensor<?x8x?x128xbf16>
}

func.func @w3_window(%q: tensor<?x4x?x128xbf16>, %k: tensor<?x4x?x128xbf16>,
                     %v: tensor<?x4x?x128xbf16>) -> tensor<?x4x?x128xbf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 511>]
      : tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16>, tensor<?x4x?x128xbf16>
      -> tensor<?x4x?x128xbf16>
  return %o : tensor<?x4x?x128xbf16>
}

func.func @s8k_noncausal(%q: tensor<?x16x?x128xbf16>,
                         %k: tensor<?x16x?x128xbf16>,
                         %v: tensor<?x16x?x128xbf16>)
    -> tensor<?x16x?x128xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>,
        tensor<?x16x?x128xbf16> -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}

func.func @s8k_causal(%q: tensor<?x16x?x128xbf16>, %k: tensor<?x16x?x128xbf16>,
                      %v: tensor<?x16x?x128xbf16>)
    -> tensor<?x16x?x128xbf16> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x16x?x128xbf16>, tensor<?x16x?x128xbf16>,
        tensor<?x16x?x128xbf16> -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}

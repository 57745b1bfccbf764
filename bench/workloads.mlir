// The benchmark workloads of scripts/bench (attn-bench), all f32.
//
// Each function is one workload; attn-bench binds the sizes (B = 1 and the
// sequence lengths below), runs the compiled kernel, an unfused OpenBLAS
// baseline and sgemm alone side by side, and counts FLOPs on the pairs these
// masks keep (2 * (D + Dv) per kept pair). The scale is the default,
// 1/sqrt(D).
//
// W1: non-causal, H = 8, S = 2048, D = 64.
// W2: causal, H = 8, S = 4096, D = 128.
// W3: causal sliding window of 512 keys (the query's own and the 511 before
//     it), H = 4, S = 8192, D = 64.
// W4: decode, 32 query heads over 8 key/value heads, Sq = 1, Skv = 32768,
//     D = 128 (with Sq = 1 every key is at or before the query: no mask).

func.func @w1_noncausal(%q: tensor<?x8x?x64xf32>, %k: tensor<?x8x?x64xf32>,
                        %v: tensor<?x8x?x64xf32>) -> tensor<?x8x?x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
      -> tensor<?x8x?x64xf32>
  return %o : tensor<?x8x?x64xf32>
}

func.func @w2_causal(%q: tensor<?x8x?x128xf32>, %k: tensor<?x8x?x128xf32>,
                     %v: tensor<?x8x?x128xf32>) -> tensor<?x8x?x128xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>
      -> tensor<?x8x?x128xf32>
  return %o : tensor<?x8x?x128xf32>
}

func.func @w3_sliding_window(%q: tensor<?x4x?x64xf32>, %k: tensor<?x4x?x64xf32>,
                             %v: tensor<?x4x?x64xf32>) -> tensor<?x4x?x64xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 511>]
      : tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>, tensor<?x4x?x64xf32>
      -> tensor<?x4x?x64xf32>
  return %o : tensor<?x4x?x64xf32>
}

func.func @w4_decode(%q: tensor<?x32x1x128xf32>, %k: tensor<?x8x?x128xf32>,
                     %v: tensor<?x8x?x128xf32>) -> tensor<?x32x1x128xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<?x32x1x128xf32>, tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>
      -> tensor<?x32x1x128xf32>
  return %o : tensor<?x32x1x128xf32>
}

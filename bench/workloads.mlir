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

// Sparse rows (attn-bench --sparse): each masked function against the same
// kernel with the mask removed, H = 4, D = 64, f32. The speed-up is judged
// against the ideal, dense tiles / visited tiles.
//
// S1 sliding window 512 (causal), S = 8192      (against @s_dense_8192)
// S2 causal, S = 8192                           (against @s_dense_8192)
// S3 2-D neighborhood, 96 x 96 grid, 13 x 13    (against @s_dense_9216)
// S4 the same with dilation 2                   (against @s_dense_9216)
// S5 3-D neighborhood, 16 x 32 x 32, 5 x 7 x 7  (against @s_dense_16384)
// S6 documents, 8 per sequence, S = 8192        (against @s_dense_8192)
// S7 block layout, 64 x 64 blocks, 10% of them, S = 8192 (@s_dense_8192)

func.func @s_dense_8192(%q: tensor<1x4x8192x64xf32>, %k: tensor<1x4x8192x64xf32>,
                        %v: tensor<1x4x8192x64xf32>) -> tensor<1x4x8192x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>
      -> tensor<1x4x8192x64xf32>
  return %o : tensor<1x4x8192x64xf32>
}

func.func @s_window(%q: tensor<1x4x8192x64xf32>, %k: tensor<1x4x8192x64xf32>,
                    %v: tensor<1x4x8192x64xf32>) -> tensor<1x4x8192x64xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 511>]
      : tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>
      -> tensor<1x4x8192x64xf32>
  return %o : tensor<1x4x8192x64xf32>
}

func.func @s_causal(%q: tensor<1x4x8192x64xf32>, %k: tensor<1x4x8192x64xf32>,
                    %v: tensor<1x4x8192x64xf32>) -> tensor<1x4x8192x64xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>
      -> tensor<1x4x8192x64xf32>
  return %o : tensor<1x4x8192x64xf32>
}

func.func @s_dense_9216(%q: tensor<1x4x9216x64xf32>, %k: tensor<1x4x9216x64xf32>,
                        %v: tensor<1x4x9216x64xf32>) -> tensor<1x4x9216x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>
      -> tensor<1x4x9216x64xf32>
  return %o : tensor<1x4x9216x64xf32>
}

func.func @s_na2d(%q: tensor<1x4x9216x64xf32>, %k: tensor<1x4x9216x64xf32>,
                  %v: tensor<1x4x9216x64xf32>) -> tensor<1x4x9216x64xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [96, 96], kernel = [13, 13]>]
      : tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>
      -> tensor<1x4x9216x64xf32>
  return %o : tensor<1x4x9216x64xf32>
}

func.func @s_na2d_dilated(%q: tensor<1x4x9216x64xf32>, %k: tensor<1x4x9216x64xf32>,
                          %v: tensor<1x4x9216x64xf32>) -> tensor<1x4x9216x64xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [96, 96], kernel = [13, 13], dilation = [2, 2]>]
      : tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>, tensor<1x4x9216x64xf32>
      -> tensor<1x4x9216x64xf32>
  return %o : tensor<1x4x9216x64xf32>
}

func.func @s_dense_16384(%q: tensor<1x4x16384x64xf32>, %k: tensor<1x4x16384x64xf32>,
                         %v: tensor<1x4x16384x64xf32>) -> tensor<1x4x16384x64xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x4x16384x64xf32>, tensor<1x4x16384x64xf32>, tensor<1x4x16384x64xf32>
      -> tensor<1x4x16384x64xf32>
  return %o : tensor<1x4x16384x64xf32>
}

func.func @s_na3d(%q: tensor<1x4x16384x64xf32>, %k: tensor<1x4x16384x64xf32>,
                  %v: tensor<1x4x16384x64xf32>) -> tensor<1x4x16384x64xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [16, 32, 32], kernel = [5, 7, 7]>]
      : tensor<1x4x16384x64xf32>, tensor<1x4x16384x64xf32>, tensor<1x4x16384x64xf32>
      -> tensor<1x4x16384x64xf32>
  return %o : tensor<1x4x16384x64xf32>
}

func.func @s_documents(%q: tensor<1x4x8192x64xf32>, %k: tensor<1x4x8192x64xf32>,
                       %v: tensor<1x4x8192x64xf32>, %ids: tensor<1x8192xi32>)
    -> tensor<1x4x8192x64xf32> {
  %o = attn.attention %q, %k, %v segment_ids(%ids : tensor<1x8192xi32>)
      masks [#attn.document]
      : tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>
      -> tensor<1x4x8192x64xf32>
  return %o : tensor<1x4x8192x64xf32>
}

func.func @s_block_layout(%q: tensor<1x4x8192x64xf32>, %k: tensor<1x4x8192x64xf32>,
                          %v: tensor<1x4x8192x64xf32>, %layout: tensor<1x4x128x128xi8>)
    -> tensor<1x4x8192x64xf32> {
  %o = attn.attention %q, %k, %v block_layout(%layout : tensor<1x4x128x128xi8>)
      masks [#attn.block_sparse<q_block = 64, kv_block = 64, format = bitmap>]
      : tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>, tensor<1x4x8192x64xf32>
      -> tensor<1x4x8192x64xf32>
  return %o : tensor<1x4x8192x64xf32>
}

// The linear-attention rows L (attn-bench --linear): causal linear attention
// with the elu+1 feature map (normalised), B = 1, H = 8, D = 64, at several
// lengths, timed beside the causal softmax kernel of the same shape.

func.func @l_linear_causal(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>,
                           %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v causal
      : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>
      -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

func.func @l_softmax_causal(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>,
                            %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>
      -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

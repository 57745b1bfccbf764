// Merge of partial results over disjoint key sets: lse = logsumexp_r lse^(r), o = sum_r exp(lse^(r) - lse) * o^(r);
// all parts -inf gives o = 0, lse = -inf.
// Source: Flash-Decoding (split-KV); LeanAttention (stream-K); ring attention across devices.
//
// @merge_three_devices: three partial results of a context-parallel (ring) prefill, 32 query heads, D = 128, f32.
// @split_kv_decode: split-KV decode written out: one query against two key ranges, then merged. GQA 32/8, f16.

func.func @merge_three_devices(%o0: tensor<?x32x?x128xf32>, %o1: tensor<?x32x?x128xf32>,
                               %o2: tensor<?x32x?x128xf32>, %l0: tensor<?x32x?xf32>,
                               %l1: tensor<?x32x?xf32>, %l2: tensor<?x32x?xf32>)
    -> (tensor<?x32x?x128xf32>, tensor<?x32x?xf32>) {
  %o, %lse = attn.merge %o0, %o1, %o2 lse %l0, %l1, %l2
      : tensor<?x32x?x128xf32>, tensor<?x32x?x128xf32>, tensor<?x32x?x128xf32>
        lse tensor<?x32x?xf32>, tensor<?x32x?xf32>, tensor<?x32x?xf32>
      -> tensor<?x32x?x128xf32>, tensor<?x32x?xf32>
  return %o, %lse : tensor<?x32x?x128xf32>, tensor<?x32x?xf32>
}

func.func @split_kv_decode(%q: tensor<?x32x1x128xf16>, %k0: tensor<?x8x?x128xf16>,
                           %v0: tensor<?x8x?x128xf16>, %k1: tensor<?x8x?x128xf16>,
                           %v1: tensor<?x8x?x128xf16>)
    -> (tensor<?x32x1x128xf16>, tensor<?x32x1xf32>) {
  %o0, %lse0 = attn.attention %q, %k0, %v0
      : tensor<?x32x1x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x1x128xf16>, lse tensor<?x32x1xf32>
  %o1, %lse1 = attn.attention %q, %k1, %v1
      : tensor<?x32x1x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x1x128xf16>, lse tensor<?x32x1xf32>
  %o, %lse = attn.merge %o0, %o1 lse %lse0, %lse1
      : tensor<?x32x1x128xf16>, tensor<?x32x1x128xf16> lse tensor<?x32x1xf32>, tensor<?x32x1xf32>
      -> tensor<?x32x1x128xf16>, tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xf16>, tensor<?x32x1xf32>
}

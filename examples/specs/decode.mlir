// Decode: Sq = 1 query against a long key/value cache, keys j >= kv_len[b] ignored (padded cache); the lowering must
// split the keys across processors and merge (lse = logsumexp_r lse^(r), o = sum_r exp(lse^(r) - lse) o^(r)).
// Source: Flash-Decoding (split-KV decode); LeanAttention (stream-K).
//
// GQA 32/8, D = 128, f16, with the lse output. With Sq = 1 every cached key is at or before p(0), so no mask is needed.

func.func @decode_one_token(%q: tensor<?x32x1x128xf16>, %k: tensor<?x8x?x128xf16>,
                            %v: tensor<?x8x?x128xf16>, %kv_len: tensor<?xi32>)
    -> (tensor<?x32x1x128xf16>, tensor<?x32x1xf32>) {
  %o, %lse = attn.attention %q, %k, %v kv_len(%kv_len : tensor<?xi32>)
      : tensor<?x32x1x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
      -> tensor<?x32x1x128xf16>, lse tensor<?x32x1xf32>
  return %o, %lse : tensor<?x32x1x128xf16>, tensor<?x32x1xf32>
}

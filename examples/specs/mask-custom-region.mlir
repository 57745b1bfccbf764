// Custom mask (chunked local causal attention): keep(i,j) = j <= p(i) AND p(i) div 8192 == j div 8192.
// Source: FlexAttention `mask_mod` (Dong et al., "Flex Attention: A Programming Model for Generating
//         Optimized Attention Kernels"), whose examples include such chunked/local masks.
//
// No named mask says "same chunk"; a `mask` region does. GQA 40/8, D = 128, bf16.

func.func @chunked_causal(%q: tensor<?x40x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                          %v: tensor<?x8x?x128xbf16>) -> tensor<?x40x?x128xbf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %chunk = arith.constant 8192 : index
      %p = attn.position %b, %i
      %causal = arith.cmpi sle, %j, %p : index
      %chunk_q = arith.divui %p, %chunk : index
      %chunk_k = arith.divui %j, %chunk : index
      %same = arith.cmpi eq, %chunk_q, %chunk_k : index
      %keep = arith.andi %causal, %same : i1
      attn.yield %keep : i1
    }
    : tensor<?x40x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
    -> tensor<?x40x?x128xbf16>
  return %o : tensor<?x40x?x128xbf16>
}

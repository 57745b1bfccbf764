// Document mask as a `mask` region over captured segment ids: keep(i,j) = seg[b,i] == seg[b,j] AND j <= p(i).
// Source: varlen packing; region form as a FlexAttention `mask_mod` (document masking).
//
// Same numbers as @packed_causal in mask-document.mlir. GQA 32/8, D = 128, bf16.

// attn-run @packed_causal_region: SKV=SQ
func.func @packed_causal_region(%q: tensor<?x32x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                                %v: tensor<?x8x?x128xbf16>, %seg: tensor<?x?xi32>)
    -> tensor<?x32x?x128xbf16> {
  %o = attn.attention %q, %k, %v captures(%seg : tensor<?x?xi32>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %ids: tensor<?x?xi32>):
      %p = attn.position %b, %i
      %causal = arith.cmpi sle, %j, %p : index
      %seg_i = tensor.extract %ids[%b, %i] : tensor<?x?xi32>
      %seg_j = tensor.extract %ids[%b, %j] : tensor<?x?xi32>
      %same = arith.cmpi eq, %seg_i, %seg_j : i32
      %keep = arith.andi %causal, %same : i1
      attn.yield %keep : i1
    }
    : tensor<?x32x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
    -> tensor<?x32x?x128xbf16>
  return %o : tensor<?x32x?x128xbf16>
}

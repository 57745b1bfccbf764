// Causal sliding window with sinks as a `mask` region: keep(i,j) = j <= p(i) AND (p(i) - 1020 <= j OR j < 4).
// Source: StreamingLLM (Xiao et al.); region form as a FlexAttention `mask_mod`.
//
// Same numbers as mask-sliding-window-sinks.mlir. GQA 32/8, D = 128, f16.

func.func @streaming_llm_region(%q: tensor<?x32x?x128xf16>, %k: tensor<?x8x?x128xf16>,
                                %v: tensor<?x8x?x128xf16>) -> tensor<?x32x?x128xf16> {
  %o = attn.attention %q, %k, %v
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %window = arith.constant 1020 : index
      %sinks = arith.constant 4 : index
      %p = attn.position %b, %i
      %causal = arith.cmpi sle, %j, %p : index
      %lo = arith.subi %p, %window : index
      %recent = arith.cmpi sge, %j, %lo : index
      %sink = arith.cmpi slt, %j, %sinks : index
      %in_window = arith.ori %recent, %sink : i1
      %keep = arith.andi %causal, %in_window : i1
      attn.yield %keep : i1
    }
    : tensor<?x32x?x128xf16>, tensor<?x8x?x128xf16>, tensor<?x8x?x128xf16>
    -> tensor<?x32x?x128xf16>
  return %o : tensor<?x32x?x128xf16>
}

// Causal mask, top-left alignment: keep(i,j) = j <= p(i) with p(i) = i (not i + Skv - Sq).
// Source: GPT (Radford et al.); top-left is the convention of e.g. PyTorch's is_causal for Sq != Skv.
//
// Named form and region form (inside a top_left op attn.position gives p(i) = i).
// Multi-query attention: 16 query heads, 1 key/value head, D = 64, bf16.

func.func @causal_top_left(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x1x?x64xbf16>,
                           %v: tensor<?x1x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = attn.attention %q, %k, %v alignment(top_left) masks [#attn.causal]
      : tensor<?x16x?x64xbf16>, tensor<?x1x?x64xbf16>, tensor<?x1x?x64xbf16>
      -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

func.func @causal_top_left_region(%q: tensor<?x16x?x64xbf16>, %k: tensor<?x1x?x64xbf16>,
                                  %v: tensor<?x1x?x64xbf16>) -> tensor<?x16x?x64xbf16> {
  %o = attn.attention %q, %k, %v alignment(top_left)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %p = attn.position %b, %i
      %keep = arith.cmpi sle, %j, %p : index
      attn.yield %keep : i1
    }
    : tensor<?x16x?x64xbf16>, tensor<?x1x?x64xbf16>, tensor<?x1x?x64xbf16>
    -> tensor<?x16x?x64xbf16>
  return %o : tensor<?x16x?x64xbf16>
}

// A dense bf16 spec and a masked f16 one (causal sliding window with GQA and
// a softcap) for the NVIDIA code generation tests.

func.func @dense(%q: tensor<?x8x?x128xbf16>, %k: tensor<?x8x?x128xbf16>,
                 %v: tensor<?x8x?x128xbf16>) -> tensor<?x8x?x128xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>, tensor<?x8x?x128xbf16>
      -> tensor<?x8x?x128xbf16>
  return %o : tensor<?x8x?x128xbf16>
}

func.func @window(%q: tensor<?x8x?x64xf16>, %k: tensor<?x2x?x64xf16>,
                  %v: tensor<?x2x?x64xf16>) -> tensor<?x8x?x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 255>]
      modifiers [#attn.softcap<30.0>]
      : tensor<?x8x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x8x?x64xf16>
  return %o : tensor<?x8x?x64xf16>
}

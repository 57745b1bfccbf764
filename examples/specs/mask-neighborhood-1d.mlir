// 1-D neighborhood attention (kernel k, dilation d, stride t, optional causal): keep(i,j) iff j mod d == i mod d
// and start <= j div d < start + min(k, n), start = clamp(c - k div 2, 0, max(n - k, 0)), c the stride block's centre
// (VARIANTS.md 2.1).
// Source: NAT (Hassani et al., "Neighborhood Attention Transformer"); DiNAT ("Dilated Neighborhood Attention").
//
// A 1024-token sequence (the grid must hold exactly the key length). MHA 4 heads, D = 64, f16.
// @na: plain NA, k = 7.   @dilated: DiNAT, k = 7, d = 16.   @blocked: t = k = 8 (blocked attention).
// @causal_with_sink: causal NA (keys w <= u with l - w < k) plus one sink key (j < 1, never j > p(i)).

// attn-run @na: SQ=1024,SKV=1024
func.func @na(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
              %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.neighborhood<grid = [1024], kernel = [7]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// attn-run @dilated: SQ=1024,SKV=1024
func.func @dilated(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                   %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [1024], kernel = [7], dilation = [16]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// attn-run @blocked: SQ=1024,SKV=1024
func.func @blocked(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                   %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [1024], kernel = [8], stride = [8]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// attn-run @causal_with_sink: SQ=1024,SKV=1024
func.func @causal_with_sink(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                            %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [1024], kernel = [64], causal = [true], sinks = 1>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// 3-D neighborhood attention (video, grid T x H x W) with per-dimension kernel, dilation, stride and causal flag:
// keep(i,j) iff each coordinate passes its own 1-D rule of VARIANTS.md 2.1 (causal along time only).
// Source: GNA ("Generalized Neighborhood Attention"); NATTEN's causal neighborhoods.
//
// 4 frames of 16 x 16 latent patches (1024 tokens). Kernel 3 x 6 x 6, stride 1 x 2 x 2, spatial dilation 2,
// causal in time. GQA 16 query / 4 key-value heads, D = 128, bf16.

// attn-run @video_gna: SQ=1024,SKV=1024
func.func @video_gna(%q: tensor<?x16x1024x128xbf16>, %k: tensor<?x4x1024x128xbf16>,
                     %v: tensor<?x4x1024x128xbf16>) -> tensor<?x16x1024x128xbf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [4, 16, 16], kernel = [3, 6, 6], dilation = [1, 2, 2],
                                stride = [1, 2, 2], causal = [true, false, false]>]
      : tensor<?x16x1024x128xbf16>, tensor<?x4x1024x128xbf16>, tensor<?x4x1024x128xbf16>
      -> tensor<?x16x1024x128xbf16>
  return %o : tensor<?x16x1024x128xbf16>
}

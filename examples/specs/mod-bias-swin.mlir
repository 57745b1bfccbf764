// Window attention with a relative position bias: s(i,j) becomes s(i,j) + bias[h,i,j], bias [Hq, 49, 49]
// broadcast over the batch of windows.
// Source: Swin Transformer (Liu et al., "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows").
//
// 7 x 7 windows (49 tokens), the windows of all images folded into the batch. MHA 4 heads, D = 64 here, f16.

func.func @swin_window(%q: tensor<?x4x49x64xf16>, %k: tensor<?x4x49x64xf16>,
                       %v: tensor<?x4x49x64xf16>, %bias: tensor<4x49x49xf32>)
    -> tensor<?x4x49x64xf16> {
  %o = attn.attention %q, %k, %v bias(%bias : tensor<4x49x49xf32>) modifiers [#attn.bias]
      : tensor<?x4x49x64xf16>, tensor<?x4x49x64xf16>, tensor<?x4x49x64xf16>
      -> tensor<?x4x49x64xf16>
  return %o : tensor<?x4x49x64xf16>
}

// 2-D neighborhood attention on an X x Y grid: keep(i,j) iff both grid coordinates pass their own 1-D rule
// (VARIANTS.md 2.1; row-major token order, the first extent varies slowest).
// Source: NAT (Hassani et al.); DiNAT ("Dilated Neighborhood Attention Transformer"); GNA ("Generalized Neighborhood Attention").
//
// A 32 x 32 feature map (1024 tokens). MHA 4 heads, D = 64, f16.
// @nat_7x7: 7 x 7 neighborhood.   @dinat_7x7_d4: dilation 4 (each group is an 8 x 8 subgrid).
// @gna_strided: kernel 8 x 8, stride 4 x 4 (each 4 x 4 query block shares one window).

// attn-run @nat_7x7: SQ=1024,SKV=1024
func.func @nat_7x7(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                   %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v masks [#attn.neighborhood<grid = [32, 32], kernel = [7, 7]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// attn-run @dinat_7x7_d4: SQ=1024,SKV=1024
func.func @dinat_7x7_d4(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                        %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [32, 32], kernel = [7, 7], dilation = [4, 4]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

// attn-run @gna_strided: SQ=1024,SKV=1024
func.func @gna_strided(%q: tensor<?x4x1024x64xf16>, %k: tensor<?x4x1024x64xf16>,
                       %v: tensor<?x4x1024x64xf16>) -> tensor<?x4x1024x64xf16> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [32, 32], kernel = [8, 8], stride = [4, 4]>]
      : tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>, tensor<?x4x1024x64xf16>
      -> tensor<?x4x1024x64xf16>
  return %o : tensor<?x4x1024x64xf16>
}

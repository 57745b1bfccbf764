// Small specs for the tile-map tests.
func.func @causal(%q: tensor<?x2x?x8xf32>, %k: tensor<?x1x?x8xf32>,
                  %v: tensor<?x1x?x8xf32>) -> tensor<?x2x?x8xf32> {
  %o = attn.attention %q, %k, %v masks [#attn.causal]
      : tensor<?x2x?x8xf32>, tensor<?x1x?x8xf32>, tensor<?x1x?x8xf32>
      -> tensor<?x2x?x8xf32>
  return %o : tensor<?x2x?x8xf32>
}

func.func @window_sinks(%q: tensor<?x1x?x8xf32>, %k: tensor<?x1x?x8xf32>,
                        %v: tensor<?x1x?x8xf32>) -> tensor<?x1x?x8xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.sliding_window<left = 200, right = 0, sinks = 64>]
      : tensor<?x1x?x8xf32>, tensor<?x1x?x8xf32>, tensor<?x1x?x8xf32>
      -> tensor<?x1x?x8xf32>
  return %o : tensor<?x1x?x8xf32>
}

// 8 x 16 x 16 tokens; a query tile of 128 rows is half a plane, whose
// neighborhood spans 3 planes: three runs of keys with gaps between them.
func.func @gna3d(%q: tensor<?x1x2048x8xf32>, %k: tensor<?x1x2048x8xf32>,
                 %v: tensor<?x1x2048x8xf32>) -> tensor<?x1x2048x8xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.neighborhood<grid = [8, 16, 16], kernel = [3, 5, 5]>]
      : tensor<?x1x2048x8xf32>, tensor<?x1x2048x8xf32>, tensor<?x1x2048x8xf32>
      -> tensor<?x1x2048x8xf32>
  return %o : tensor<?x1x2048x8xf32>
}

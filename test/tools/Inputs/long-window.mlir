// H = 8 heads of D = 128 in f32 with a short causal window, so that a
// 32768-token run is quick while its inputs and outputs take 512 MiB.
func.func @window(%q: tensor<?x8x?x128xf32>, %k: tensor<?x8x?x128xf32>,
                  %v: tensor<?x8x?x128xf32>) -> tensor<?x8x?x128xf32> {
  %o = attn.attention %q, %k, %v
      masks [#attn.sliding_window<left = 127, right = 0>]
      : tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>, tensor<?x8x?x128xf32>
      -> tensor<?x8x?x128xf32>
  return %o : tensor<?x8x?x128xf32>
}

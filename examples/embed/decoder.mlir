// The spec examples/embed/main.cpp embeds: one decoder layer's attention,
// compiled at build time by attn-compile (see CMakeLists.txt).
//
// GQA with 8 query and 2 key/value heads, D = 64, f32. @prefill: causal with
// a sliding window of 256 keys and a tanh softcap of 30, returning the lse for
// later merging. @decode: one new query per sequence against a padded cache
// whose valid length per sequence is kv_len.

func.func @prefill(%q: tensor<?x8x?x64xf32> {attn.name = "q"},
                   %k: tensor<?x2x?x64xf32> {attn.name = "k"},
                   %v: tensor<?x2x?x64xf32> {attn.name = "v"})
    -> (tensor<?x8x?x64xf32>, tensor<?x8x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v
      masks [#attn.causal, #attn.sliding_window<left = 255>]
      modifiers [#attn.softcap<30.0>]
      : tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x?x64xf32>, lse tensor<?x8x?xf32>
  return %o, %lse : tensor<?x8x?x64xf32>, tensor<?x8x?xf32>
}

func.func @decode(%q: tensor<?x8x1x64xf32> {attn.name = "q"},
                  %k: tensor<?x2x?x64xf32> {attn.name = "k"},
                  %v: tensor<?x2x?x64xf32> {attn.name = "v"},
                  %kv_len: tensor<?xi32> {attn.name = "kv_len"})
    -> tensor<?x8x1x64xf32> {
  %o = attn.attention %q, %k, %v kv_len(%kv_len : tensor<?xi32>)
      : tensor<?x8x1x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>
      -> tensor<?x8x1x64xf32>
  return %o : tensor<?x8x1x64xf32>
}

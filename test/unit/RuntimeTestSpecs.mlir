// Kernels the runtime's unit tests (RuntimeTests.cpp, RuntimeErrorTests.cpp)
// call through the C API. attn-compile builds them when the tests build.

// Causal GQA, 4 query heads over 2 key/value heads, D = 8, with the lse.
func.func @causal_gqa(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>,
                      %v: tensor<?x2x?x8xf32>)
    -> (tensor<?x4x?x8xf32>, tensor<?x4x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v scale(0.5) masks [#attn.causal]
      : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>
      -> tensor<?x4x?x8xf32>, lse tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x8xf32>, tensor<?x4x?xf32>
}

// f16 with valid key lengths, a bias that broadcasts over the heads, and a
// scalar temperature a score region multiplies by: s becomes (s + bias) * t.
func.func @varlen_f16(%q: tensor<?x2x?x16xf16>, %k: tensor<?x2x?x16xf16>,
                      %v: tensor<?x2x?x16xf16>, %kv_len: tensor<?xi32>,
                      %bias: tensor<?x1x?x?xf32>, %t: f32)
    -> tensor<?x2x?x16xf16> {
  %o = attn.attention %q, %k, %v kv_len(%kv_len : tensor<?xi32>)
      bias(%bias : tensor<?x1x?x?xf32>) captures(%t : f32)
      modifiers [#attn.bias]
    score {
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %c: f32):
      %r = arith.mulf %s, %c : f32
      attn.yield %r : f32
    }
      : tensor<?x2x?x16xf16>, tensor<?x2x?x16xf16>, tensor<?x2x?x16xf16>
      -> tensor<?x2x?x16xf16>
  return %o : tensor<?x2x?x16xf16>
}

// bf16 with a mask region reading a captured block layout at
// [b, h, i / 4, j / 4], so the layout must cover ceil(Sq / 4) x ceil(Skv / 4).
func.func @blocks_bf16(%q: tensor<?x2x?x8xbf16>, %k: tensor<?x2x?x8xbf16>,
                       %v: tensor<?x2x?x8xbf16>, %layout: tensor<?x2x?x?xi8>)
    -> tensor<?x2x?x8xbf16> {
  %o = attn.attention %q, %k, %v captures(%layout : tensor<?x2x?x?xi8>)
    mask {
    ^bb0(%b: index, %h: index, %i: index, %j: index, %l: tensor<?x2x?x?xi8>):
      %four = arith.constant 4 : index
      %zero = arith.constant 0 : i8
      %qb = arith.divui %i, %four : index
      %kb = arith.divui %j, %four : index
      %bit = tensor.extract %l[%b, %h, %qb, %kb] : tensor<?x2x?x?xi8>
      %keep = arith.cmpi ne, %bit, %zero : i8
      attn.yield %keep : i1
    }
      : tensor<?x2x?x8xbf16>, tensor<?x2x?x8xbf16>, tensor<?x2x?x8xbf16>
      -> tensor<?x2x?x8xbf16>
  return %o : tensor<?x2x?x8xbf16>
}

// A paged cache: K/V pages of 4 keys, [pages, 4, Hkv, D]; key j of entry b
// is slot j % 4 of page page_table[b, j / 4], for j < kv_len[b].
func.func @paged_f32(%q: tensor<?x4x?x8xf32>, %k_pages: tensor<?x4x2x8xf32>,
                     %v_pages: tensor<?x4x2x8xf32>, %page_table: tensor<?x?xi32>,
                     %kv_len: tensor<?xi32>)
    -> (tensor<?x4x?x8xf32>, tensor<?x4x?xf32>) {
  %o, %lse = attn.attention %q, %k_pages, %v_pages kv_len(%kv_len : tensor<?xi32>)
      page_table(%page_table : tensor<?x?xi32>) masks [#attn.causal]
      : tensor<?x4x?x8xf32>, tensor<?x4x2x8xf32>, tensor<?x4x2x8xf32>
      -> tensor<?x4x?x8xf32>, lse tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x8xf32>, tensor<?x4x?xf32>
}

// Two partial results over disjoint keys, merged by their lse.
func.func @merge_f32(%o1: tensor<?x4x?x8xf32>, %o2: tensor<?x4x?x8xf32>,
                     %l1: tensor<?x4x?xf32>, %l2: tensor<?x4x?xf32>)
    -> (tensor<?x4x?x8xf32>, tensor<?x4x?xf32>) {
  %o, %lse = attn.merge %o1, %o2 lse %l1, %l2
      : tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32> lse tensor<?x4x?xf32>, tensor<?x4x?xf32>
      -> tensor<?x4x?x8xf32>, tensor<?x4x?xf32>
  return %o, %lse : tensor<?x4x?x8xf32>, tensor<?x4x?xf32>
}

// A named block layout (bitmap of 4 x 4 blocks) with block statistics of
// 4 x 8 blocks: both are sized ceil(Sq / block) x ceil(Skv / block).
func.func @layout_stats_f32(%q: tensor<?x2x?x8xf32>, %k: tensor<?x2x?x8xf32>,
                            %v: tensor<?x2x?x8xf32>, %layout: tensor<?x2x?x?xi8>)
    -> (tensor<?x2x?x8xf32>, tensor<?x2x?x?xf32>) {
  %o, %stats = attn.attention %q, %k, %v block_layout(%layout : tensor<?x2x?x?xi8>)
      masks [#attn.block_sparse<q_block = 4, kv_block = 4, format = bitmap>]
      block_stats([4, 8])
      : tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32>
      -> tensor<?x2x?x8xf32>, block_max tensor<?x2x?x?xf32>
  return %o, %stats : tensor<?x2x?x8xf32>, tensor<?x2x?x?xf32>
}

// Causal linear attention (elu+1) with a per-head decay over a padded batch:
// keys past kv_len[b] are not used; queries aligned with the last keys.
func.func @linear_decay_f32(%q: tensor<?x4x?x8xf32>, %k: tensor<?x2x?x8xf32>,
                            %v: tensor<?x2x?x8xf32>, %kv_len: tensor<?xi32>)
    -> tensor<?x4x?x8xf32> {
  %o = attn.linear_attention elu_plus_one %q, %k, %v kv_len(%kv_len : tensor<?xi32>)
      causal decay([0.9, 0.95, 0.99, 1.0])
      : tensor<?x4x?x8xf32>, tensor<?x2x?x8xf32>, tensor<?x2x?x8xf32> -> tensor<?x4x?x8xf32>
  return %o : tensor<?x4x?x8xf32>
}

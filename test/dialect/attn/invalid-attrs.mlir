// RUN: attn-opt %s -split-input-file -verify-diagnostics

// Attribute verifiers and attribute parse errors. Each case parses one
// attribute alias; 0x7FF0000000000000 is +inf and 0x7FF8000000000000 is NaN.

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

// expected-error @+1 {{sliding_window left must be >= 0, got -1}}
#window = #attn.sliding_window<left = -1>

// -----

// expected-error @+1 {{sliding_window right must be >= 0, got -2}}
#window = #attn.sliding_window<left = 4, right = -2>

// -----

// expected-error @+1 {{sliding_window sinks must be >= 0, got -4}}
#window = #attn.sliding_window<left = 4, sinks = -4>

// -----

// expected-error @+1 {{prefix_lm length must be >= 0, got -1}}
#prefix = #attn.prefix_lm<-1>

// -----

// expected-error @+1 {{neighborhood grid must have 1 to 3 dimensions, got 0}}
#na = #attn.neighborhood<grid = [], kernel = []>

// -----

// expected-error @+1 {{neighborhood grid must have 1 to 3 dimensions, got 4}}
#na = #attn.neighborhood<grid = [2, 2, 2, 2], kernel = [1, 1, 1, 1]>

// -----

// expected-error @+1 {{neighborhood grid extents must be >= 1, got 0}}
#na = #attn.neighborhood<grid = [8, 0], kernel = [3, 3]>

// -----

// expected-error @+1 {{neighborhood kernel has 1 entries but the grid has 2 dimensions}}
#na = #attn.neighborhood<grid = [8, 8], kernel = [3]>

// -----

// expected-error @+1 {{neighborhood kernel entries must be >= 1, got 0}}
#na = #attn.neighborhood<grid = [8, 8], kernel = [3, 0]>

// -----

// expected-error @+1 {{neighborhood dilation has 3 entries but the grid has 2 dimensions}}
#na = #attn.neighborhood<grid = [8, 8], kernel = [3, 3], dilation = [1, 1, 1]>

// -----

// expected-error @+1 {{neighborhood dilation entries must be >= 1, got 0}}
#na = #attn.neighborhood<grid = [8, 8], kernel = [3, 3], dilation = [0, 1]>

// -----

// expected-error @+1 {{neighborhood stride has 1 entries but the grid has 2 dimensions}}
#na = #attn.neighborhood<grid = [8, 8], kernel = [3, 3], stride = [2]>

// -----

// expected-error @+1 {{neighborhood stride entries must be >= 1, got -1}}
#na = #attn.neighborhood<grid = [64], kernel = [3], stride = [-1]>

// -----

// expected-error @+1 {{neighborhood causal has 1 entries but the grid has 3 dimensions}}
#na = #attn.neighborhood<grid = [4, 4, 4], kernel = [3, 3, 3], causal = [true]>

// -----

// expected-error @+1 {{neighborhood sinks must be >= 0, got -1}}
#na = #attn.neighborhood<grid = [64], kernel = [7], sinks = -1>

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse Attn_NeighborhoodMaskAttr parameter 'causal' which is to be a `::llvm::ArrayRef<bool>`}}
#na = #attn.neighborhood<grid = [64], kernel = [7], causal = [1]>

// -----

// expected-error @+1 {{block_sparse block sizes must be >= 1, got 0 x 64}}
#sparse = #attn.block_sparse<q_block = 0, kv_block = 64, format = bitmap>

// -----

// expected-error @+1 {{block_sparse block sizes must be >= 1, got 64 x -64}}
#sparse = #attn.block_sparse<q_block = 64, kv_block = -64, format = indices>

// -----

//===----------------------------------------------------------------------===//
// Score modifiers
//===----------------------------------------------------------------------===//

// expected-error @+1 {{length_scaling base L0 must be finite and > 1, got 1.000000e+00}}
#scaling = #attn.length_scaling<1.0>

// -----

// expected-error @+1 {{length_scaling base L0 must be finite and > 1, got INF}}
#scaling = #attn.length_scaling<0x7FF0000000000000>

// -----

// expected-error @+1 {{softcap must be finite and > 0, got 0.000000e+00}}
#cap = #attn.softcap<0.0>

// -----

// expected-error @+1 {{softcap must be finite and > 0, got -3.000000e+01}}
#cap = #attn.softcap<-30.0>

// -----

// expected-error @+1 {{softcap must be finite and > 0, got nan}}
#cap = #attn.softcap<0x7FF8000000000000>

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse Attn_AlibiModAttr parameter 'symmetric' which is to be a `bool`}}
#alibi = #attn.alibi<symmetric = 1>

// -----

// expected-error @+1 {{relative_position max_distance must be >= 0, got -1}}
#rel = #attn.relative_position<max_distance = -1>

// -----

// expected-error @+1 {{sink_calibration needs one factor or one per column: 3 columns, 2 factors}}
#sink = #attn.sink_calibration<columns = [0, 1, 2], factors = [2.0, 3.0]>

// -----

// expected-error @+1 {{sink_calibration needs one factor or one per column: 2 columns, 0 factors}}
#sink = #attn.sink_calibration<columns = [0, 1], factors = []>

// -----

// expected-error @+1 {{sink_calibration factors must be finite and > 0, got 0.000000e+00}}
#sink = #attn.sink_calibration<columns = [0, 1], factors = [0.0]>

// -----

// expected-error @+1 {{sink_calibration factors must be finite and > 0, got -2.000000e+00}}
#sink = #attn.sink_calibration<columns = [0, 1], factors = [2.0, -2.0]>

// -----

// expected-error @+1 {{sink_calibration factors must be finite and > 0, got INF}}
#sink = #attn.sink_calibration<columns = [0], factors = [0x7FF0000000000000]>

// -----

// expected-error @+1 {{sink_calibration column 3 is listed twice with different factors}}
#sink = #attn.sink_calibration<columns = [3, 1, 3], factors = [2.0, 4.0, 8.0]>

// -----

//===----------------------------------------------------------------------===//
// Normalisers
//===----------------------------------------------------------------------===//

// expected-error @+1 {{softplus power must be finite and > 0, got 0.000000e+00}}
#norm = #attn.softplus<power = 0.0>

// -----

// expected-error @+1 {{softplus power must be finite and > 0, got INF}}
#norm = #attn.softplus<power = 0x7FF0000000000000>

// -----

// expected-error @+1 {{relu power must be finite and > 0, got -1.000000e+00}}
#norm = #attn.relu<power = -1.0, normalized = true>

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse Attn_ReluAttr parameter 'normalized' which is to be a `bool`}}
#norm = #attn.relu<normalized = yes>

// -----

// expected-error @+1 {{sigmoid bias must be finite, got nan}}
#norm = #attn.sigmoid<bias = 0x7FF8000000000000>

// -----

// expected-error @+1 {{sigmoid takes a constant bias or log_length, not both}}
#norm = #attn.sigmoid<bias = -2.0, log_length = true>

// -----

//===----------------------------------------------------------------------===//
// Parse errors
//===----------------------------------------------------------------------===//

// expected-error @+2 {{expected floating point literal}}
// expected-error @+1 {{failed to parse Attn_SoftcapModAttr parameter 'cap' which is to be a `::llvm::APFloat`}}
#cap = #attn.softcap<inf>

// -----

// expected-error @+1 {{struct is missing required parameter: kernel}}
#na = #attn.neighborhood<grid = [8]>

// -----

// expected-error @+2 {{expected valid keyword}}
// expected-error @+1 {{failed to parse Attn_BlockSparseMaskAttr parameter 'format' which is to be a `::mlir::attn::BlockLayoutFormat`}}
#sparse = #attn.block_sparse<q_block = 64, kv_block = 64, format = 3>

// -----

func.func @clipped_softmax_not_finite(%q: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{clipped_softmax zeta and gamma must be finite}}
  %o = attn.attention %q, %q, %q normalizer(#attn.clipped_softmax<zeta = 0x7FF0000000000000, gamma = -0.03>)
      : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// RUN: attn-opt %s -split-input-file -verify-diagnostics

// Malformed attn.merge ops, one per diagnostic of its verifier.

func.func @no_parts() {
  // expected-error @+1 {{'attn.merge' op needs at least one partial result}}
  %o, %l = "attn.merge"() : () -> (tensor<1x8x1x64xf32>, tensor<1x8x1xf32>)
  return
}

// -----

// Without the check the last lse would be dropped silently: the operands
// split into two halves.
func.func @extra_lse(%o1: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1xf32>, %l2: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op needs one lse per partial output, got 3 operands in all}}
  %o, %l = attn.merge %o1 lse %l1, %l2 : tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

func.func @missing_lse(%o1: tensor<1x8x1x64xf32>, %o2: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op needs one lse per partial output, got 3 operands in all}}
  %o, %l = attn.merge %o1, %o2 lse %l1 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

func.func @output_rank(%o1: tensor<8x1x64xf32>, %l1: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op partial outputs must be [B, H, S, Dv], got 'tensor<8x1x64xf32>'}}
  %o, %l = attn.merge %o1 lse %l1 : tensor<8x1x64xf32> lse tensor<1x8x1xf32> -> tensor<8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

func.func @lse_rank(%o1: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1x1xf32>) {
  // expected-error @+1 {{'attn.merge' op partial lse must be [B, H, S] matching 'tensor<1x8x1x64xf32>', got 'tensor<1x8x1x1xf32>'}}
  %o, %l = attn.merge %o1 lse %l1 : tensor<1x8x1x64xf32> lse tensor<1x8x1x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1x1xf32>
  return
}

// -----

func.func @lse_shape(%o1: tensor<1x8x4x64xf32>, %l1: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'attn.merge' op partial lse must be [B, H, S] matching 'tensor<1x8x4x64xf32>', got 'tensor<1x4x4xf32>'}}
  %o, %l = attn.merge %o1 lse %l1 : tensor<1x8x4x64xf32> lse tensor<1x4x4xf32> -> tensor<1x8x4x64xf32>, tensor<1x4x4xf32>
  return
}

// -----

func.func @output_part_type(%o1: tensor<1x8x1x64xf32>, %o2: tensor<1x8x1x64xf16>, %l1: tensor<1x8x1xf32>, %l2: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op partial output 1 has type 'tensor<1x8x1x64xf16>', expected 'tensor<1x8x1x64xf32>'}}
  %o, %l = attn.merge %o1, %o2 lse %l1, %l2 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf16> lse tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

// Parts must have identical types, not merely compatible shapes.
func.func @output_part_shape(%o1: tensor<?x8x1x64xf32>, %o2: tensor<1x8x1x64xf32>, %l1: tensor<?x8x1xf32>, %l2: tensor<?x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op partial output 1 has type 'tensor<1x8x1x64xf32>', expected 'tensor<?x8x1x64xf32>'}}
  %o, %l = attn.merge %o1, %o2 lse %l1, %l2 : tensor<?x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<?x8x1xf32>, tensor<?x8x1xf32> -> tensor<?x8x1x64xf32>, tensor<?x8x1xf32>
  return
}

// -----

func.func @lse_part_type(%o1: tensor<1x8x1x64xf32>, %o2: tensor<1x8x1x64xf32>, %o3: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1xf32>, %l3: tensor<1x8x2xf32>) {
  // expected-error @+1 {{'attn.merge' op partial lse 2 has type 'tensor<1x8x2xf32>', expected 'tensor<1x8x1xf32>'}}
  %o, %l = attn.merge %o1, %o2, %o3 lse %l1, %l1, %l3 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32>, tensor<1x8x2xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

func.func @result_output_type(%o1: tensor<1x8x1x64xbf16>, %l1: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op result output type 'tensor<1x8x1x64xf32>' does not match the parts' 'tensor<1x8x1x64xbf16>'}}
  %o, %l = attn.merge %o1 lse %l1 : tensor<1x8x1x64xbf16> lse tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x1xf32>
  return
}

// -----

func.func @result_lse_type(%o1: tensor<1x8x1x64xf32>, %o2: tensor<1x8x1x64xf32>, %l1: tensor<1x8x1xf32>, %l2: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op result lse type 'tensor<1x8x?xf32>' does not match the parts' 'tensor<1x8x1xf32>'}}
  %o, %l = attn.merge %o1, %o2 lse %l1, %l2 : tensor<1x8x1x64xf32>, tensor<1x8x1x64xf32> lse tensor<1x8x1xf32>, tensor<1x8x1xf32> -> tensor<1x8x1x64xf32>, tensor<1x8x?xf32>
  return
}

// -----

func.func @not_a_float_tensor(%o1: tensor<1x8x1x64xi32>, %l1: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'attn.merge' op operand #0 must be variadic of ranked tensor of floating-point values, but got 'tensor<1x8x1x64xi32>'}}
  %o, %l = attn.merge %o1 lse %l1 : tensor<1x8x1x64xi32> lse tensor<1x8x1xf32> -> tensor<1x8x1x64xi32>, tensor<1x8x1xf32>
  return
}

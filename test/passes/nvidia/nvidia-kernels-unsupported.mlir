// RUN: attn-opt %s -split-input-file -verify-diagnostics -attn-nvidia-kernels
// RUN: not attn-opt %s -split-input-file -attn-nvidia-kernels=chip=sm_75 2>&1 | FileCheck %s --check-prefix=CHIP

// What the NVIDIA backend does not lower yet is rejected with a diagnostic
// naming it, never miscompiled.

// CHIP: attn-nvidia-kernels: unknown chip 'sm_75' (known: sm_80, sm_90)

func.func @f32_inputs(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>,
                      %v: tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32> {
  // expected-error @below {{uses a query of element type other than f16 or bf16 (the matrix units take f16 or bf16 inputs), which the NVIDIA backend does not lower yet}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>
      -> tensor<1x2x8x64xf32>
  return %o : tensor<1x2x8x64xf32>
}

// -----

func.func @odd_head_dim(%q: tensor<1x2x8x40xbf16>, %k: tensor<1x2x8x40xbf16>,
                        %v: tensor<1x2x8x40xbf16>) -> tensor<1x2x8x40xbf16> {
  // expected-error @below {{uses a head dimension that is not a multiple of 16 up to 128}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x40xbf16>, tensor<1x2x8x40xbf16>, tensor<1x2x8x40xbf16>
      -> tensor<1x2x8x40xbf16>
  return %o : tensor<1x2x8x40xbf16>
}

// -----

func.func @block_stats(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>,
                       %v: tensor<1x2x8x64xbf16>)
    -> (tensor<1x2x8x64xbf16>, tensor<1x2x1x1xf32>) {
  // expected-error @below {{uses block statistics with a normalizer other than softmax or clipped softmax, which the NVIDIA backend does not lower yet}}
  %o, %bmax = attn.attention %q, %k, %v normalizer(#attn.relu<power = 2.0, normalized = true>) block_stats([64, 64])
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>, block_max tensor<1x2x1x1xf32>
  return %o, %bmax : tensor<1x2x8x64xbf16>, tensor<1x2x1x1xf32>
}

// -----

func.func @steps_return_argument(%q: tensor<1x2x8x64xbf16>,
                                 %k: tensor<1x2x8x64xbf16>,
                                 %v: tensor<1x2x8x64xbf16>)
    -> (tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>) {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  %o2 = attn.attention %o, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  // expected-error @below {{returns an argument of the function, which no NVIDIA kernel writes}}
  return %o2, %q : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
}

// -----

func.func @steps_return_twice(%q: tensor<1x2x8x64xbf16>,
                              %k: tensor<1x2x8x64xbf16>,
                              %v: tensor<1x2x8x64xbf16>)
    -> (tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>) {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  %o2 = attn.attention %o, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  // expected-error @below {{returns one value twice, which the NVIDIA backend does not lower (one buffer per value)}}
  return %o2, %o2 : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
}

// -----

// A function named as another's step kernel would be.
func.func @steps__step1(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>,
                        %v: tensor<1x2x8x64xbf16>) -> tensor<1x2x8x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  return %o : tensor<1x2x8x64xbf16>
}

// expected-error @below {{needs the kernel name 'steps__step1' for its step, which another symbol has}}
func.func @steps(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>,
                 %v: tensor<1x2x8x64xbf16>) -> tensor<1x2x8x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  %o2 = attn.attention %o, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  return %o2 : tensor<1x2x8x64xbf16>
}

// -----

// Second-order Taylor features at D = 64: F = 4161, a state of 1 MiB.
func.func @linear(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>,
                  %v: tensor<1x2x8x64xbf16>) -> tensor<1x2x8x64xbf16> {
  // expected-error @below {{keeps a state of 4161 x 64 features (1065216 bytes) that, with chunks of 8 positions, needs}}
  %o = attn.linear_attention taylor %q, %k, %v causal
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  return %o : tensor<1x2x8x64xbf16>
}

// -----

func.func @returns_input(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>,
                         %v: tensor<1x2x8x64xbf16>)
    -> (tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>) {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
      -> tensor<1x2x8x64xbf16>
  // expected-error @below {{must return the attention's output (and lse, and block statistics) in that order for the NVIDIA backend}}
  return %o, %q : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>
}

// -----

func.func @merge_returns_lse_first(%o0: tensor<?x4x?x64xf16>,
                                   %o1: tensor<?x4x?x64xf16>,
                                   %l0: tensor<?x4x?xf32>,
                                   %l1: tensor<?x4x?xf32>)
    -> (tensor<?x4x?xf32>, tensor<?x4x?x64xf16>) {
  %o, %lse = attn.merge %o0, %o1 lse %l0, %l1
      : tensor<?x4x?x64xf16>, tensor<?x4x?x64xf16> lse tensor<?x4x?xf32>, tensor<?x4x?xf32>
      -> tensor<?x4x?x64xf16>, tensor<?x4x?xf32>
  // expected-error @below {{must return the merge's output and lse in that order for the NVIDIA backend}}
  return %lse, %o : tensor<?x4x?xf32>, tensor<?x4x?x64xf16>
}

// -----

func.func @merge_dynamic_heads(%o0: tensor<?x?x?x64xf16>,
                               %o1: tensor<?x?x?x64xf16>,
                               %l0: tensor<?x?x?xf32>, %l1: tensor<?x?x?xf32>)
    -> (tensor<?x?x?x64xf16>, tensor<?x?x?xf32>) {
  // expected-error @below {{has a dynamic head count or head dimension, which the NVIDIA backend does not lower (the grid and the columns are static)}}
  %o, %lse = attn.merge %o0, %o1 lse %l0, %l1
      : tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16> lse tensor<?x?x?xf32>, tensor<?x?x?xf32>
      -> tensor<?x?x?x64xf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x64xf16>, tensor<?x?x?xf32>
}
